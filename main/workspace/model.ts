// The workspace: what the operator configured. Stored as a versioned JSON file, validated on every
// load and change; errors name the field and the fix.
import type { CameraView, EngineSettings, MotionGating, MqttSettings, Point, RecordPolicy, RetentionSettings, Zone } from '../api/contract.js';
import {
  isTrackerKind,
  MOTION_LIMITS,
  MQTT_PAYLOAD_FORMATS,
  orList,
  RECORD_LIMITS,
  RECORD_MODES,
  REFERENCE_POINTS,
  TRACKER_KINDS,
  ZONE_DIRECTIONS,
  ZONE_KINDS,
  ZONE_LIMITS,
} from '../api/registries.js';
import { brokerUrlProblem } from './broker-url.js';
import { migrateWorkspace } from './migrate.js';
import { slugify } from './slug.js';
import { uriProblem } from './uri.js';

export { slugify } from './slug.js';

/** 2: masks are zones of kind 'mask' (polygons); version 1's `masks` rectangles are migrated (migrate.ts). */
export const WORKSPACE_VERSION = 2;

/** A camera as stored: the renderer's view of it (its URI without the password) plus playback options. */
export interface CameraConfig extends CameraView {
  /** Files only: play again from the start at the end, and at the file's own rate (not as fast as possible). */
  loop: boolean;
  realtime: boolean;
}

export interface Workspace {
  version: number;
  cameras: CameraConfig[];
  defaultModel: string | null;
  engine: EngineSettings;
  retention: RetentionSettings;
  mqtt: MqttSettings;
}

export const DEFAULT_ENGINE: EngineSettings = {
  tracker: 'bytetrack',
  batchSize: 4,
  batchedPushTimeoutMs: 40,
  inferEvery: 1,
  preview: { width: 640, fps: 10 },
};
export const DEFAULT_RETENTION: RetentionSettings = { maxAgeDays: 14, maxGigabytes: 20 };
export const DEFAULT_MQTT: MqttSettings = { enabled: false, url: '', topicPrefix: 'vigil', format: 'vigil' };
export const DEFAULT_RECORD: RecordPolicy = {
  detectionsHz: 2,
  snapshots: true,
  mode: 'off',
  segmentSeconds: 60,
  preRollSeconds: 10,
  postRollSeconds: 10,
  eventLabels: [],
  maxAgeDays: 0,
  maxGigabytes: 0,
};
export const DEFAULT_MOTION: MotionGating = { enabled: false, sensitivity: MOTION_LIMITS.sensitivity.default };

export class WorkspaceError extends Error {
  readonly code = 'invalid';
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`${field} ${problem}`);
  }
}

type Json = Record<string, unknown>;

function obj(v: unknown, field: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new WorkspaceError(field, 'must be an object');
  return v as Json;
}
function str(v: unknown, field: string, fix: string): string {
  if (typeof v !== 'string' || !v.trim()) throw new WorkspaceError(field, `must be a non-empty text — ${fix}`);
  return v.trim();
}
function num(v: unknown, field: string, min: number, max: number, fallback?: number): number {
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw new WorkspaceError(field, `must be a number from ${min} to ${max}${v === undefined ? '' : `, not ${JSON.stringify(v)}`}`);
  }
  return v;
}
function bool(v: unknown, field: string, fallback: boolean): boolean {
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw new WorkspaceError(field, 'must be true or false');
  return v;
}
function arr(v: unknown, field: string): unknown[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new WorkspaceError(field, 'must be a list');
  return v;
}

function point(v: unknown, field: string): Point {
  if (!Array.isArray(v) || v.length !== 2) throw new WorkspaceError(field, 'must be a point [x, y] with 0 ≤ x, y ≤ 1');
  return [num(v[0], `${field}[0]`, 0, 1), num(v[1], `${field}[1]`, 0, 1)];
}

export function validateZone(v: unknown, field: string): Zone {
  const z = obj(v, field);
  const kind = z.kind === undefined ? 'zone' : ZONE_KINDS.find((k) => k === z.kind);
  if (!kind) throw new WorkspaceError(`${field}.kind`, `must be ${orList(ZONE_KINDS.map((k) => `'${k}'`))}`);
  const points = arr(z.points, `${field}.points`).map((p, i) => point(p, `${field}.points[${i}]`));
  if (kind !== 'line' && points.length < 3) throw new WorkspaceError(`${field}.points`, `needs at least 3 points for a ${kind}`);
  if (kind === 'line' && points.length !== 2) throw new WorkspaceError(`${field}.points`, 'needs exactly 2 points for a line');
  const name = str(z.name, `${field}.name`, 'name the zone, e.g. "Door"');
  const zone: Zone = {
    id: typeof z.id === 'string' && z.id ? z.id : slugify(name),
    name,
    kind,
    points,
    labels: arr(z.labels, `${field}.labels`).map((l, i) => str(l, `${field}.labels[${i}]`, 'use a label of the model, e.g. "person"')),
  };
  for (const key of Object.keys(ZONE_LIMITS) as (keyof typeof ZONE_LIMITS)[]) {
    if (z[key] === undefined) continue;
    const { min, max, integer } = ZONE_LIMITS[key];
    const n = num(z[key], `${field}.${key}`, min, max);
    if (integer && !Number.isInteger(n)) throw new WorkspaceError(`${field}.${key}`, 'must be a whole number');
    zone[key] = n;
  }
  if (z.direction !== undefined) {
    const direction = ZONE_DIRECTIONS.find((d) => d === z.direction);
    const allowed = kind === 'line' ? ['any', 'in', 'out'] : ['any', 'left', 'right', 'up', 'down'];
    if (!direction || !allowed.includes(direction))
      throw new WorkspaceError(`${field}.direction`, `of a ${kind} must be ${orList(allowed.map((d) => `'${d}'`))}`);
    zone.direction = direction;
  }
  if (z.referencePoint !== undefined) {
    const ref = REFERENCE_POINTS.find((r) => r === z.referencePoint);
    if (!ref) throw new WorkspaceError(`${field}.referencePoint`, `must be ${orList(REFERENCE_POINTS.map((r) => `'${r}'`))}`);
    zone.referencePoint = ref;
  }
  return zone;
}

export function validateMotion(v: unknown, field: string): MotionGating {
  const m = v === undefined ? {} : obj(v, field);
  const { min, max } = MOTION_LIMITS.sensitivity;
  const sensitivity = num(m.sensitivity, `${field}.sensitivity`, min, max, DEFAULT_MOTION.sensitivity);
  if (!Number.isInteger(sensitivity)) throw new WorkspaceError(`${field}.sensitivity`, `must be a whole number from ${min} to ${max}`);
  return { enabled: bool(m.enabled, `${field}.enabled`, DEFAULT_MOTION.enabled), sensitivity };
}

function validateRecord(rec: Json, field: string): RecordPolicy {
  const mode = rec.mode === undefined ? DEFAULT_RECORD.mode : RECORD_MODES.find((m) => m === rec.mode);
  if (!mode) throw new WorkspaceError(`${field}.mode`, `must be ${orList(RECORD_MODES.map((m) => `'${m}'`))}, not ${JSON.stringify(rec.mode)}`);
  const limit = (key: keyof typeof RECORD_LIMITS) => num(rec[key], `${field}.${key}`, RECORD_LIMITS[key].min, RECORD_LIMITS[key].max, DEFAULT_RECORD[key]);
  return {
    detectionsHz: num(rec.detectionsHz, `${field}.detectionsHz`, 0, 120, DEFAULT_RECORD.detectionsHz),
    snapshots: bool(rec.snapshots, `${field}.snapshots`, DEFAULT_RECORD.snapshots),
    mode,
    segmentSeconds: limit('segmentSeconds'),
    preRollSeconds: limit('preRollSeconds'),
    postRollSeconds: limit('postRollSeconds'),
    eventLabels: arr(rec.eventLabels, `${field}.eventLabels`).map((l, i) => str(l, `${field}.eventLabels[${i}]`, 'use a label of the model, e.g. "person"')),
    maxAgeDays: limit('maxAgeDays'),
    maxGigabytes: limit('maxGigabytes'),
  };
}

export function validateCamera(v: unknown, field: string, knownModels?: Set<string>): CameraConfig {
  const c = obj(v, field);
  const name = str(c.name, `${field}.name`, 'give the camera a name, e.g. "Front door"');
  const uri = str(c.uri, `${field}.uri`, 'enter a camera URI such as rtsp://host/stream');
  const problem = uriProblem(uri);
  if (problem) throw new WorkspaceError(`${field}.uri`, problem);
  const model = c.model === undefined || c.model === null ? null : str(c.model, `${field}.model`, 'pick a model from the model list');
  if (model && knownModels && !knownModels.has(model)) {
    throw new WorkspaceError(`${field}.model`, `names '${model}', which is not installed — pick one of ${[...knownModels].join(', ') || '(none installed)'}`);
  }
  const rec = c.record === undefined ? {} : obj(c.record, `${field}.record`);
  if (c.masks !== undefined) {
    const isRect = (m: unknown) => Array.isArray(m) && m.length === 4 && m.every((x) => typeof x === 'number' && x >= 0 && x <= 1);
    const bad = Array.isArray(c.masks) ? c.masks.findIndex((m) => !isRect(m)) : -1;
    throw new WorkspaceError(
      bad >= 0 ? `${field}.masks[${bad}]` : `${field}.masks`,
      Array.isArray(c.masks) && bad >= 0
        ? "must be [x, y, w, h] with each number from 0 to 1 (a version 1 rectangle) — or draw the mask as a zone of kind 'mask'"
        : "is no longer used — draw masks as zones of kind 'mask' (polygons)",
    );
  }
  const zones = arr(c.zones, `${field}.zones`).map((z, i) => validateZone(z, `${field}.zones[${i}]`));
  const zoneIds = new Set<string>();
  zones.forEach((z, i) => {
    if (zoneIds.has(z.id)) throw new WorkspaceError(`${field}.zones[${i}].id`, `'${z.id}' is used by two zones of this camera — give each zone its own name`);
    zoneIds.add(z.id);
  });
  return {
    id: typeof c.id === 'string' && c.id ? c.id : slugify(name),
    name,
    uri,
    enabled: bool(c.enabled, `${field}.enabled`, true),
    detectFps: num(c.detectFps, `${field}.detectFps`, 0, 240, 0),
    motion: validateMotion(c.motion, `${field}.motion`),
    model,
    record: validateRecord(rec, `${field}.record`),
    zones,
    loop: bool(c.loop, `${field}.loop`, uri.startsWith('file:')),
    realtime: bool(c.realtime, `${field}.realtime`, true),
  };
}

export function validateEngineSettings(v: unknown, field = 'engine'): EngineSettings {
  const e = v === undefined ? {} : obj(v, field);
  const tracker = e.tracker ?? DEFAULT_ENGINE.tracker;
  if (!isTrackerKind(tracker)) {
    throw new WorkspaceError(`${field}.tracker`, `must be ${orList(TRACKER_KINDS)}, not ${JSON.stringify(tracker)}`);
  }
  const p = e.preview === undefined ? {} : obj(e.preview, `${field}.preview`);
  return {
    tracker,
    batchSize: num(e.batchSize, `${field}.batchSize`, 1, 64, DEFAULT_ENGINE.batchSize),
    batchedPushTimeoutMs: num(e.batchedPushTimeoutMs, `${field}.batchedPushTimeoutMs`, 1, 10_000, DEFAULT_ENGINE.batchedPushTimeoutMs),
    inferEvery: num(e.inferEvery, `${field}.inferEvery`, 1, 100, DEFAULT_ENGINE.inferEvery),
    preview: {
      width: num(p.width, `${field}.preview.width`, 64, 3840, DEFAULT_ENGINE.preview.width),
      fps: num(p.fps, `${field}.preview.fps`, 0, 60, DEFAULT_ENGINE.preview.fps),
    },
  };
}

export function validateRetention(v: unknown, field = 'retention'): RetentionSettings {
  const r = v === undefined ? {} : obj(v, field);
  return {
    maxAgeDays: num(r.maxAgeDays, `${field}.maxAgeDays`, 0.01, 3650, DEFAULT_RETENTION.maxAgeDays),
    maxGigabytes: num(r.maxGigabytes, `${field}.maxGigabytes`, 0.01, 100_000, DEFAULT_RETENTION.maxGigabytes),
  };
}

/** MQTT settings; the URL may still carry a password here (the workspace file moves it to the secret store). */
export function validateMqtt(v: unknown, field = 'mqtt'): MqttSettings {
  const m = v === undefined ? {} : obj(v, field);
  const enabled = bool(m.enabled, `${field}.enabled`, DEFAULT_MQTT.enabled);
  if (m.url !== undefined && typeof m.url !== 'string') throw new WorkspaceError(`${field}.url`, 'must be a text such as mqtt://localhost:1883');
  const url = (m.url ?? DEFAULT_MQTT.url).trim();
  if (url) {
    const problem = brokerUrlProblem(url);
    if (problem) throw new WorkspaceError(`${field}.url`, problem);
  } else if (enabled) throw new WorkspaceError(`${field}.url`, 'must name the broker to publish to, e.g. mqtt://localhost:1883 (or turn MQTT off)');
  const topicPrefix = m.topicPrefix === undefined ? DEFAULT_MQTT.topicPrefix : str(m.topicPrefix, `${field}.topicPrefix`, "e.g. 'vigil'");
  if (
    /[+#]/.test(topicPrefix) ||
    topicPrefix.includes(String.fromCharCode(0)) ||
    topicPrefix.startsWith('/') ||
    topicPrefix.endsWith('/') ||
    topicPrefix.length > 200
  ) {
    throw new WorkspaceError(
      `${field}.topicPrefix`,
      "must be up to 200 characters without '+', '#' or a leading or trailing '/' — e.g. 'vigil' or 'site-a/vigil'",
    );
  }
  const format = m.format === undefined ? DEFAULT_MQTT.format : MQTT_PAYLOAD_FORMATS.find((f) => f === m.format);
  if (!format) throw new WorkspaceError(`${field}.format`, `must be ${orList(MQTT_PAYLOAD_FORMATS.map((f) => `'${f}'`))}`);
  return { enabled, url, topicPrefix, format };
}

/** Validates a parsed workspace file. Throws WorkspaceError naming the first bad field. */
export function validateWorkspace(v: unknown, knownModels?: Set<string>): Workspace {
  const w = obj(migrateWorkspace(v).workspace, 'workspace');
  if (w.version !== undefined && typeof w.version === 'number' && w.version > WORKSPACE_VERSION) {
    throw new WorkspaceError('version', `is ${w.version}, written by a newer Vigil (this one reads up to ${WORKSPACE_VERSION}) — update Vigil`);
  }
  const cameras = arr(w.cameras, 'cameras').map((c, i) => validateCamera(c, `cameras[${i}]`, knownModels));
  const seen = new Set<string>();
  cameras.forEach((c, i) => {
    if (seen.has(c.id)) throw new WorkspaceError(`cameras[${i}].id`, `'${c.id}' is used by two cameras — give each camera its own name`);
    seen.add(c.id);
  });
  const defaultModel = w.defaultModel === undefined || w.defaultModel === null ? null : str(w.defaultModel, 'defaultModel', 'name an installed model');
  return {
    version: WORKSPACE_VERSION,
    cameras,
    defaultModel,
    engine: validateEngineSettings(w.engine),
    retention: validateRetention(w.retention),
    mqtt: validateMqtt(w.mqtt),
  };
}

/** A fresh id for a camera named `name`, unique among `taken`. */
export function uniqueCameraId(name: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  const base = slugify(name);
  let id = base;
  for (let n = 2; used.has(id); n++) id = `${base}-${n}`;
  return id;
}
