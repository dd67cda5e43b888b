// One schema per API method, checked against the contract's types at compile time (see the end of
// this file): a method added to ApiRequests without a schema here, or a parameter type changed on one
// side only, fails `tsc`. main/core/dispatch.ts applies these for every transport.
import type { ApiMethod, ApiParams } from './contract.js';
import {
  MOTION_LIMITS,
  MQTT_PAYLOAD_FORMATS,
  PARSER_NAMES,
  RECORD_LIMITS,
  RECORD_MODES,
  REFERENCE_POINTS,
  TRACKER_KINDS,
  ZONE_DIRECTIONS,
  ZONE_EVENT_KINDS,
  ZONE_KINDS,
  ZONE_LIMITS,
} from './registries.js';
import { arr, bool, either, none, nullable, num, obj, oneOf, optional, partial, record, str, tuple, type Infer, type Schema } from './schema.js';

/** Longest accepted file path (Linux PATH_MAX). */
const PATH = str({ max: 4096 });
const NAME = str({ max: 200 });
const ID = str({ max: 200 });
const TIME = num({ min: 0, max: 8.64e15 });
const NAMES = arr(NAME, { max: 1000 });
const UNIT = num({ min: 0, max: 1 });

// The contract's unions, as values: the one list of each (main/api/registries.ts).
const PARSERS = PARSER_NAMES;
const TRACKERS = TRACKER_KINDS;

const zone = obj({
  id: ID,
  name: NAME,
  kind: oneOf(ZONE_KINDS),
  points: arr(tuple(UNIT, UNIT), { max: 1000 }),
  labels: NAMES,
  minScore: optional(num(ZONE_LIMITS.minScore)),
  inertiaFrames: optional(num(ZONE_LIMITS.inertiaFrames)),
  direction: optional(oneOf(ZONE_DIRECTIONS)),
  referencePoint: optional(oneOf(REFERENCE_POINTS)),
  crowdThreshold: optional(num(ZONE_LIMITS.crowdThreshold)),
  crowdSeconds: optional(num(ZONE_LIMITS.crowdSeconds)),
  dwellSeconds: optional(num(ZONE_LIMITS.dwellSeconds)),
});

const cameraFields = {
  name: NAME,
  uri: str({ max: 8192 }),
  enabled: optional(bool()),
  detectFps: optional(num({ min: 0, max: 240 })),
  motion: optional(partial({ enabled: bool(), sensitivity: num(MOTION_LIMITS.sensitivity) })),
  model: optional(nullable(NAME)),
  record: optional(
    partial({
      detectionsHz: num({ min: 0, max: 120 }),
      snapshots: bool(),
      mode: oneOf(RECORD_MODES),
      segmentSeconds: num(RECORD_LIMITS.segmentSeconds),
      preRollSeconds: num(RECORD_LIMITS.preRollSeconds),
      postRollSeconds: num(RECORD_LIMITS.postRollSeconds),
      eventLabels: NAMES,
      maxAgeDays: num(RECORD_LIMITS.maxAgeDays),
      maxGigabytes: num(RECORD_LIMITS.maxGigabytes),
    }),
  ),
  zones: optional(arr(zone, { max: 200 })),
};

const engineFields = {
  tracker: oneOf(TRACKERS),
  batchSize: num({ min: 1, max: 64, integer: true }),
  batchedPushTimeoutMs: num({ min: 1, max: 10_000 }),
  inferEvery: num({ min: 1, max: 100, integer: true }),
  preview: obj({ width: num({ min: 64, max: 3840, integer: true }), fps: num({ min: 0, max: 60 }) }),
};

const thresholds = partial({ score: UNIT, nmsIou: UNIT, topK: num({ min: 1, max: 100_000, integer: true }) });
const triple = tuple(num(), num(), num());

/** The manifest fields an operator may correct when adding a model (resources/models/MANIFEST.md). */
const manifestFields = {
  vigilManifest: oneOf([1]),
  name: NAME,
  title: str({ max: 500 }),
  file: PATH,
  fp16File: optional(PATH),
  input: obj({
    name: NAME,
    width: num({ min: 1, max: 16_384, integer: true }),
    height: num({ min: 1, max: 16_384, integer: true }),
    layout: oneOf(['NCHW', 'NHWC']),
    colorOrder: oneOf(['RGB', 'BGR']),
    mean: triple,
    scale: triple,
    resize: oneOf(['letterbox', 'stretch']),
    padValue: num(),
    batch: either(oneOf(['dynamic']), num({ min: 1, max: 1024, integer: true })),
  }),
  parser: oneOf(PARSERS),
  parserOptions: optional(partial({ strides: arr(num({ min: 1, max: 1024, integer: true }), { max: 16 }), regMax: num({ min: 1, max: 1024, integer: true }) })),
  labels: arr(NAME, { max: 100_000 }),
  thresholds: obj({
    default: obj({ score: UNIT, nmsIou: UNIT, topK: num({ min: 1, max: 100_000, integer: true }) }),
    perClass: optional(record(thresholds, { max: 100_000 })),
  }),
  maxDetections: num({ min: 1, max: 100_000, integer: true }),
  executionProviders: arr(oneOf(['tensorrt', 'cuda', 'cpu']), { max: 3 }),
  precision: oneOf(['fp32', 'fp16']),
  credits: optional(obj({ source: str(), license: str() })),
};

const timelineQuery = obj({
  from: TIME,
  to: TIME,
  bucketMs: num({ min: 1, max: 3.2e10 }),
  cameras: optional(NAMES),
  labels: optional(NAMES),
});

/** Parameters of every method: the one list dispatch checks, for HTTP, WebSocket and IPC alike. */
export const PARAMS = {
  'system.info': none(),
  'system.status': none(),
  'workspace.get': none(),
  'cameras.add': obj({ ...cameraFields, force: optional(bool()) }),
  'cameras.update': obj({ id: ID, patch: partial(cameraFields) }),
  'cameras.remove': obj({ id: ID }),
  'cameras.test': obj({ uri: str({ max: 8192 }) }),
  'settings.update': obj({
    engine: optional(partial(engineFields)),
    retention: optional(partial({ maxAgeDays: num({ min: 0.01, max: 3650 }), maxGigabytes: num({ min: 0.01, max: 100_000 }) })),
    defaultModel: optional(NAME),
    mqtt: optional(
      partial({
        enabled: bool(),
        url: str({ max: 2048 }),
        topicPrefix: str({ max: 200 }),
        format: oneOf(MQTT_PAYLOAD_FORMATS),
        password: nullable(str({ max: 1024 })),
      }),
    ),
  }),
  'models.list': none(),
  'models.inspect': obj({ path: PATH, name: optional(NAME) }),
  'models.add': obj({
    path: PATH,
    name: optional(NAME),
    parser: optional(oneOf(PARSERS)),
    labels: optional(arr(NAME, { max: 100_000 })),
    overrides: optional(partial(manifestFields)),
  }),
  'models.importNvinfer': obj({ path: PATH, name: optional(NAME) }),
  'timeline.buckets': timelineQuery,
  'tracks.search': obj({
    cameras: optional(NAMES),
    labels: optional(NAMES),
    zone: optional(NAME),
    from: optional(TIME),
    to: optional(TIME),
    minScore: optional(UNIT),
    minDurationMs: optional(num({ min: 0, max: 8.64e15 })),
    before: optional(TIME),
    beforeId: optional(ID),
    // The review adapter clamps to 1 ... 500 (a page); larger asks are answered with a page.
    limit: optional(num({ min: 0, max: 1_000_000, integer: true })),
  }),
  'tracks.get': obj({ id: ID }),
  'tracks.paths': obj({ camera: ID, from: TIME, to: TIME }),
  'events.around': obj({ t: TIME, windowMs: num({ min: 1, max: 8.64e10 }), cameras: optional(NAMES) }),
  'events.search': obj({
    cameras: optional(NAMES),
    zones: optional(arr(ID, { max: 1000 })),
    kinds: optional(arr(oneOf(ZONE_EVENT_KINDS), { max: ZONE_EVENT_KINDS.length })),
    from: optional(TIME),
    to: optional(TIME),
    limit: optional(num({ min: 1, max: 1000, integer: true })),
    before: optional(TIME),
    beforeId: optional(ID),
  }),
  'engine.restart': none(),
  'recordings.list': obj({ camera: ID, from: TIME, to: TIME }),
  'recordings.export': obj({ cameras: arr(ID, { max: 64 }), from: TIME, to: TIME, boxes: optional(bool()) }),
  'exports.status': obj({ job: str({ max: 64 }) }),
} satisfies { [M in ApiMethod]: Schema<unknown> };

/** Methods that only read: the HTTP transport also answers these to GET; everything else needs POST. */
export const READ_METHODS: ReadonlySet<ApiMethod> = new Set<ApiMethod>([
  'system.info',
  'system.status',
  'workspace.get',
  'models.list',
  'timeline.buckets',
  'tracks.search',
  'tracks.get',
  'tracks.paths',
  'events.around',
  'events.search',
  'recordings.list',
  'exports.status',
]);

// ---------- compile-time check: schema types == contract types, per method ----------
type Deep<T> = T extends readonly unknown[] ? { [K in keyof T]: Deep<T[K]> } : T extends object ? { [K in keyof T]: Deep<T[K]> } : T;
type Same<A, B> = (<X>() => X extends Deep<A> ? 1 : 2) extends <X>() => X extends Deep<B> ? 1 : 2 ? true : false;
/** The methods whose schema and contract type differ (never, when all agree). */
type Drifted = { [M in ApiMethod]: Same<Infer<(typeof PARAMS)[M]>, ApiParams<M>> extends true ? never : M }[ApiMethod];
const noDrift: [Drifted] extends [never] ? true : { drifted: Drifted } = true;
void noDrift;
