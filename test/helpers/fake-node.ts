// A test-only Vigil node that speaks the API contract (HTTP calls, WebSocket events, binary preview
// frames per the wire format in main/api/contract.ts) with scripted data, for browser tests and the
// UI benchmark while the real handlers are still being built. It serves the real built renderer.
// Preview JPEGs are real: encoded by GStreamer (videotestsrc ! jpegenc) when the node starts.
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type {
  ApiErrorBody,
  ApiMethod,
  ApiParams,
  ApiResult,
  ApiStreams,
  ApiTopic,
  CameraView,
  DetectedObject,
  ModelSummary,
  StreamStats,
  TrackDetail,
  TrackEvent,
  TrackSummary,
  WorkspaceView,
} from '../../main/api/contract.js';
import { projectRoot } from '../../main/paths.js';
import { DEFAULT_MOTION, DEFAULT_RECORD } from '../../main/workspace/model.js';

export interface FakeNodeOptions {
  cameras?: number;
  /** Preview frames per second per camera. */
  fps?: number;
  width?: number;
  height?: number;
  /** Tracks recorded before the node starts, spread over the last `historyMs`. */
  historyTracks?: number;
  historyMs?: number;
  /** Start a new scripted track per camera every this many ms of streaming. */
  trackEveryMs?: number;
  /** The machine the fixture engine reports: its GPU (default none) and why a GPU provider did not load. */
  gpu?: { name: string } | null;
  providerNote?: string;
}

export interface SentFrame {
  frame: number;
  time: number;
  width: number;
  height: number;
  objects: DetectedObject[];
}

export interface FakeNode {
  url: string;
  /** Metadata of the frames sent for a camera, by frame number (the last 500). */
  sent(camera: string): Map<number, SentFrame>;
  tracks(): TrackSummary[];
  /** Make a method answer this error (until cleared with null). */
  failMethod(method: ApiMethod, error: ApiErrorBody | null): void;
  /** Report a stream state for a camera in 'streams.stats' (null: back to live). */
  setStreamState(camera: string, state: { state: 'connecting' | 'reconnecting' | 'error' | 'ended'; error: string | null } | null): void;
  /** Drop every WebSocket (the page should reconnect and subscribe again). */
  dropSockets(): void;
  stop(): Promise<void>;
}

class FakeError extends Error {
  constructor(readonly body: ApiErrorBody) {
    super(body.message);
  }
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.jpg': 'image/jpeg',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
};
const LABELS = ['person', 'car', 'bicycle', 'dog'];

/** Real JPEGs from GStreamer: a scrolling test pattern with a moving ball, so pixels change every frame. */
export function generateJpegFrames(width: number, height: number, count: number): Buffer[] {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-frames-'));
  try {
    execFileSync(
      'gst-launch-1.0',
      [
        '-q',
        'videotestsrc',
        `num-buffers=${count}`,
        'pattern=smpte',
        'horizontal-speed=6',
        '!',
        `video/x-raw,width=${width},height=${height},framerate=10/1`,
        '!',
        'jpegenc',
        'quality=75',
        '!',
        'multifilesink',
        `location=${join(dir, 'f%04d.jpg')}`,
      ],
      { stdio: 'pipe', timeout: 60_000 },
    );
    return readdirSync(dir)
      .sort()
      .map((f) => readFileSync(join(dir, f)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'camera'
  );
}

export async function startFakeNode(options: FakeNodeOptions = {}): Promise<FakeNode> {
  const fps = options.fps ?? 10;
  const width = options.width ?? 320;
  const height = options.height ?? 180;
  const trackEveryMs = options.trackEveryMs ?? 3000;
  const staticDir = join(projectRoot(), 'dist', 'renderer');
  if (!existsSync(join(staticDir, 'index.html'))) throw new Error(`the renderer is not built (${staticDir}) — run 'node scripts/setup.mjs'`);
  const frames = generateJpegFrames(width, height, 20);

  const models: ModelSummary[] = [
    {
      name: 'coco-yolov8n',
      title: 'COCO YOLOv8n',
      parser: 'yolov8',
      input: { width: 640, height: 640 },
      labels: ['person', 'bicycle', 'car', 'dog'],
      isDefault: true,
    },
  ];
  const cameraView = (id: string, name: string, uri: string): CameraView => ({
    id,
    name,
    uri,
    enabled: true,
    detectFps: 5,
    motion: { ...DEFAULT_MOTION },
    model: null,
    record: { ...DEFAULT_RECORD, eventLabels: [] },
    zones: [
      {
        id: 'door',
        name: 'door',
        kind: 'zone',
        points: [
          [0.1, 0.5],
          [0.4, 0.5],
          [0.4, 0.95],
          [0.1, 0.95],
        ],
        labels: [],
      },
    ],
  });
  const workspace: WorkspaceView = {
    version: 2,
    cameras: Array.from({ length: options.cameras ?? 4 }, (_, i) => cameraView(`cam${i + 1}`, `Camera ${i + 1}`, `test://pattern/${i + 1}`)),
    models,
    defaultModel: 'coco-yolov8n',
    engine: { tracker: 'bytetrack', batchSize: 4, batchedPushTimeoutMs: 40, inferEvery: 1, preview: { width, fps } },
    retention: { maxAgeDays: 14, maxGigabytes: 50 },
    mqtt: { enabled: false, url: '', topicPrefix: 'vigil', format: 'vigil', hasPassword: false },
  };

  // Track store, sorted by firstSeen.
  const tracks: TrackDetail[] = [];
  const byId = new Map<string, TrackDetail>();
  const addTrack = (t: TrackDetail) => {
    let i = tracks.length;
    while (i > 0 && tracks[i - 1]!.firstSeen > t.firstSeen) i--;
    tracks.splice(i, 0, t);
    byId.set(t.id, t);
  };
  if (options.historyTracks) {
    const now = Date.now();
    const span = options.historyMs ?? 7 * 86400_000;
    let seed = 12345;
    const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    const list: TrackDetail[] = [];
    for (let i = 0; i < options.historyTracks; i++) {
      const cam = workspace.cameras[i % workspace.cameras.length]!.id;
      const first = now - rand() * span;
      const dur = 2000 + rand() * 60_000;
      list.push({
        id: `h${i}`,
        camera: cam,
        label: LABELS[i % LABELS.length]!,
        firstSeen: first,
        lastSeen: first + dur,
        bestScore: 0.4 + rand() * 0.6,
        snapshotUrl: null,
        zones: [],
        bestBox: [10, 10, 40, 80],
        engineTrack: i + 1,
        ended: true,
        path: [],
        frameSize: { width, height },
      });
    }
    list.sort((a, b) => a.firstSeen - b.firstSeen);
    for (const t of list) {
      tracks.push(t);
      byId.set(t.id, t);
    }
  }

  const snapshots = new Map<string, Buffer>();
  const failures = new Map<string, ApiErrorBody>();
  const sentFrames = new Map<string, Map<number, SentFrame>>();

  // ---------- streams ----------
  type Sub = { ws: WebSocket; topics: Set<string> };
  const sockets = new Set<Sub>();
  const broadcast = <T extends ApiTopic>(topic: T, payload: ApiStreams[T]) => {
    const text = JSON.stringify({ type: 'event', topic, payload });
    for (const s of sockets) if (s.topics.has(topic) && s.ws.readyState === s.ws.OPEN) s.ws.send(text);
  };

  interface Streamer {
    frame: number;
    timer: ReturnType<typeof setInterval>;
    current: TrackDetail | null;
    trackStart: number;
    nextTrack: number;
  }
  const streamers = new Map<string, Streamer>();
  // Track numbers survive a stream stopping and starting again, so ids stay unique.
  const nextTrackOf = new Map<string, number>();

  // Two scripted objects per camera: a person walking left to right, a car parked, with stable ids.
  const objectsFor = (camIndex: number, frame: number, trackNo: number): DetectedObject[] => {
    const phase = (frame % 60) / 60;
    return [
      {
        track: trackNo,
        classId: 0,
        label: 'person',
        score: 0.8 + 0.1 * Math.sin(frame / 7),
        box: [Math.round(10 + phase * (width - 60)), Math.round(height * 0.35), 40, Math.round(height * 0.55)],
        inferred: frame % 2 === 0,
      },
      {
        track: 1000 + camIndex,
        classId: 2,
        label: 'car',
        score: 0.91,
        box: [Math.round(width * 0.6), Math.round(height * 0.1), Math.round(width * 0.3), Math.round(height * 0.3)],
        inferred: true,
      },
    ];
  };

  const startStreaming = (camera: string) => {
    if (streamers.has(camera)) return;
    const camIndex = workspace.cameras.findIndex((c) => c.id === camera);
    const s: Streamer = { frame: 0, current: null, trackStart: 0, nextTrack: nextTrackOf.get(camera) ?? 1, timer: setInterval(() => tick(), 1000 / fps) };
    streamers.set(camera, s);
    const tick = () => {
      const cam = workspace.cameras.find((c) => c.id === camera);
      if (!cam || !cam.enabled) return;
      const now = Date.now();
      s.frame++;
      // A new track every trackEveryMs: the previous one ends (recorded), a new one starts.
      if (!s.current || now - s.trackStart > trackEveryMs) {
        if (s.current) {
          s.current.ended = true;
          broadcast('tracks.events', [trackEvent('end', s.current, now)]);
        }
        const id = `${camera}-t${s.nextTrack}`;
        s.current = {
          id,
          camera,
          label: 'person',
          firstSeen: now,
          lastSeen: now,
          bestScore: 0,
          snapshotUrl: `/media/snapshots/${id}.jpg`,
          zones: [{ id: 'door', name: 'door' }],
          bestBox: [0, 0, 1, 1],
          engineTrack: s.nextTrack,
          ended: false,
          path: [],
          frameSize: { width, height },
        };
        s.trackStart = now;
        s.nextTrack++;
        nextTrackOf.set(camera, s.nextTrack);
        addTrack(s.current);
        broadcast('tracks.events', [trackEvent('start', s.current, now)]);
      }
      const jpeg = frames[s.frame % frames.length]!;
      const objects = objectsFor(camIndex, s.frame, s.nextTrack - 1);
      const person = objects[0]!;
      const t = s.current;
      t.lastSeen = now;
      t.path.push({ t: now, box: person.box, score: person.score });
      if (person.score > t.bestScore) {
        t.bestScore = person.score;
        t.bestBox = person.box;
        snapshots.set(t.id, jpeg);
      }
      const header = { topic: 'preview', camera, frame: s.frame, time: now, width, height, objects };
      let log = sentFrames.get(camera);
      if (!log) sentFrames.set(camera, (log = new Map()));
      log.set(s.frame, { frame: s.frame, time: now, width, height, objects });
      if (log.size > 500) log.delete(s.frame - 500);
      const headerBytes = Buffer.from(JSON.stringify(header));
      const prefix = Buffer.alloc(4);
      prefix.writeUInt32LE(headerBytes.length, 0);
      const message = Buffer.concat([prefix, headerBytes, jpeg]);
      const key = `preview:${camera}`;
      for (const sub of sockets) if (sub.topics.has(key) && sub.ws.readyState === sub.ws.OPEN) sub.ws.send(message, { binary: true });
    };
  };
  const trackEvent = (kind: TrackEvent['kind'], t: TrackDetail, now: number): TrackEvent => {
    const last = t.path[t.path.length - 1];
    const box = last?.box ?? [0, 0, 1, 1];
    return {
      kind,
      camera: t.camera,
      track: Number(t.id.split('-t')[1] ?? 0),
      classId: 0,
      label: t.label,
      time: now,
      box,
      score: t.bestScore,
      best: { frame: 0, time: now, score: t.bestScore, box },
    };
  };
  const stopStreaming = (camera: string) => {
    const s = streamers.get(camera);
    if (s) clearInterval(s.timer);
    streamers.delete(camera);
  };
  const refreshStreaming = () => {
    const wanted = new Set<string>();
    for (const s of sockets) for (const t of s.topics) if (t.startsWith('preview:')) wanted.add(t.slice('preview:'.length));
    for (const cam of [...streamers.keys()]) if (!wanted.has(cam) || !workspace.cameras.some((c) => c.id === cam)) stopStreaming(cam);
    for (const cam of wanted) if (workspace.cameras.some((c) => c.id === cam)) startStreaming(cam);
  };
  const streamStates = new Map<string, { state: 'connecting' | 'reconnecting' | 'error' | 'ended'; error: string | null }>();
  /** A camera's stream figures as the fixture reports them: delivering, nothing wrong. */
  const healthyStream = (camera: string, state: 'live' | 'ended'): StreamStats => ({
    camera,
    state,
    error: null,
    reason: null,
    advice: null,
    retryAt: null,
    decodeFps: fps,
    inferFps: fps / 2,
    droppedFrames: 0,
    latencyMs: 12,
    inferencesSaved: 0,
  });
  const publishStats = () =>
    broadcast(
      'streams.stats',
      workspace.cameras.map((c) => ({ ...healthyStream(c.id, c.enabled ? 'live' : 'ended'), ...streamStates.get(c.id) })),
    );
  const statsTimer = setInterval(publishStats, 1000);

  // ---------- requests ----------
  const changed = () => broadcast('workspace.changed', workspace);
  const noModelInstalls = () =>
    new FakeError({
      code: 'not-found',
      message: 'the fixture backend does not inspect or add models (test/e2e/operator-ui-serve.test.ts does, against a real node)',
    });
  const invalid = (field: string, message: string) => new FakeError({ code: 'invalid', field, message });
  const findCamera = (id: string) => {
    const c = workspace.cameras.find((x) => x.id === id);
    if (!c) throw new FakeError({ code: 'not-found', message: `no camera '${id}'` });
    return c;
  };
  const engine = {
    state: 'running' as const,
    info: {
      engineVersion: 'fixture',
      gstreamerVersion: 'GStreamer 1.22',
      onnxRuntimeVersion: '1.29.0',
      executionProviders: ['CPUExecutionProvider'],
      providers: ['CPUExecutionProvider'],
      hardwareDecoders: [],
      nvdec: false,
      gpu: options.gpu ?? null,
    },
    error: null,
    restarts: 0,
    pid: 1,
    executionProvider: 'CPUExecutionProvider',
    inference: options.providerNote
      ? { providerNote: options.providerNote, preprocess: 'cpu' as const, preprocessNote: 'inference runs on CPUExecutionProvider', demotions: [] }
      : null,
  };

  const handlers: { [M in ApiMethod]: (p: ApiParams<M>) => ApiResult<M> } = {
    'system.info': () => ({ app: { name: 'Vigil', version: '0.1.0-fixture', mode: 'serve' }, engine }),
    'system.status': () => ({
      engine,
      streams: workspace.cameras.map((c) => healthyStream(c.id, 'live')),
      recorder: { queueDepth: 0, writtenPerSecond: 20, thinnedDetections: 0, rejectedBatches: 0, lastError: null },
      disk: { dataDir: '/tmp/vigil-fixture', usedBytes: 1.2e9, freeBytes: 80e9 },
      cpuPercent: 23,
      gaps: [],
      mqtt: {
        state: workspace.mqtt.enabled ? 'connected' : 'off',
        broker: workspace.mqtt.url.replace(':***@', '@') || null,
        published: 0,
        inFlight: 0,
        backlog: 0,
        backlogLimit: 10_000,
        dropped: 0,
        lastError: null,
        retryAt: null,
      },
    }),
    'workspace.get': () => workspace,
    'cameras.add': (p) => {
      if (!p.name?.trim()) throw invalid('name', 'a camera needs a name');
      if (!/^[a-z0-9]+:\/\//i.test(p.uri ?? ''))
        throw invalid('uri', `'${p.uri}' is not a URI — use rtsp://host/path, file:///path/video.mp4 or test://pattern`);
      let id = slug(p.name);
      while (workspace.cameras.some((c) => c.id === id)) id += '-2';
      const cam = { ...cameraView(id, p.name, p.uri.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@')), zones: p.zones ?? [], model: p.model ?? null };
      workspace.cameras.push(cam);
      changed();
      refreshStreaming();
      return cam;
    },
    'cameras.update': (p) => {
      const cam = findCamera(p.id);
      const { record, motion, ...rest } = p.patch;
      Object.assign(cam, rest, record ? { record: { ...cam.record, ...record } } : {}, motion ? { motion: { ...cam.motion, ...motion } } : {});
      changed();
      return cam;
    },
    'cameras.remove': (p) => {
      findCamera(p.id);
      workspace.cameras = workspace.cameras.filter((c) => c.id !== p.id);
      stopStreaming(p.id);
      changed();
      return { removed: true };
    },
    'cameras.test': (p) =>
      /^(test|file):\/\//.test(p.uri)
        ? { ok: true, width, height }
        : { ok: false, error: `cannot open ${p.uri}: connection refused — check the address and that the camera is on` },
    'settings.update': (p) => {
      if (p.engine) Object.assign(workspace.engine, p.engine);
      if (p.retention) Object.assign(workspace.retention, p.retention);
      if (p.mqtt) {
        // Scripted: the password is never kept, only whether there is one (as the real node shows it).
        const { password, ...rest } = p.mqtt;
        Object.assign(workspace.mqtt, rest);
        const inUrl = /\/\/[^:@/]+:[^@/]+@/.test(workspace.mqtt.url);
        if (password !== undefined || inUrl) workspace.mqtt.hasPassword = password !== null;
        workspace.mqtt.url = workspace.mqtt.url.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');
      }
      if (p.defaultModel) {
        if (!models.some((m) => m.name === p.defaultModel)) throw invalid('defaultModel', `no model '${p.defaultModel}'`);
        workspace.defaultModel = p.defaultModel;
      }
      changed();
      return workspace;
    },
    'models.list': () => models,
    // The fixture backend has no engine to run a model: the real node's tests add models.
    'models.inspect': () => {
      throw noModelInstalls();
    },
    'models.add': () => {
      throw noModelInstalls();
    },
    'models.importNvinfer': () => {
      throw noModelInstalls();
    },
    'timeline.buckets': (p) => {
      const counts = new Map<string, { camera: string; label: string; t: number; count: number }>();
      for (const t of tracks) {
        if (t.firstSeen > p.to) break;
        if (t.lastSeen < p.from) continue;
        if (p.cameras && !p.cameras.includes(t.camera)) continue;
        const b = Math.floor(t.firstSeen / p.bucketMs) * p.bucketMs;
        const key = `${t.camera}\n${t.label}\n${b}`;
        const e = counts.get(key);
        if (e) e.count++;
        else counts.set(key, { camera: t.camera, label: t.label, t: b, count: 1 });
      }
      return [...counts.values()];
    },
    'tracks.search': (p) => {
      const out: TrackSummary[] = [];
      const limit = p.limit ?? 100;
      for (let i = tracks.length - 1; i >= 0 && out.length < limit; i--) {
        const t = tracks[i]!;
        if (p.before !== undefined && t.firstSeen >= p.before) continue;
        if (p.from !== undefined && t.lastSeen < p.from) continue;
        if (p.to !== undefined && t.firstSeen > p.to) continue;
        if (p.cameras && !p.cameras.includes(t.camera)) continue;
        if (p.labels && !p.labels.includes(t.label)) continue;
        if (p.zone && !t.zones.some((z) => z.id === p.zone)) continue;
        if (p.minScore !== undefined && t.bestScore < p.minScore) continue;
        const { path: _path, frameSize: _fs, ...summary } = t;
        out.push(summary);
      }
      return out;
    },
    'tracks.get': (p) => {
      const t = byId.get(p.id);
      if (!t) throw new FakeError({ code: 'not-found', message: `no track '${p.id}' — it may have been removed by retention` });
      return t;
    },
    'tracks.paths': () => ({ tracks: [], truncated: false }),
    'events.around': () => [],
    'events.search': () => [],
    'recordings.list': () => [],
    'recordings.export': () => {
      throw new FakeError({ code: 'unavailable', message: 'the fixture backend records no video' });
    },
    'exports.status': () => {
      throw new FakeError({ code: 'not-found', message: 'no export' });
    },
    'engine.restart': () => engine,
  };

  const call = (method: string, params: unknown): { ok: true; result: unknown } | { ok: false; error: ApiErrorBody } => {
    const fail = failures.get(method);
    if (fail) return { ok: false, error: fail };
    const h = handlers[method as ApiMethod] as ((p: unknown) => unknown) | undefined;
    if (!h) return { ok: false, error: { code: 'not-found', message: `no API method '${method}'` } };
    try {
      return { ok: true, result: h(params ?? {}) };
    } catch (e) {
      if (e instanceof FakeError) return { ok: false, error: e.body };
      return { ok: false, error: { code: 'internal', message: (e as Error).message } };
    }
  };

  const readBody = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown) : {};
  };
  const serveFile = (res: ServerResponse, file: string) => {
    res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fixture.local');
    if (url.pathname.startsWith('/api/v1/')) {
      const method = url.pathname.slice('/api/v1/'.length).split('/').join('.');
      void readBody(req).then(
        (params) => {
          const reply = call(method, params);
          res.writeHead(reply.ok ? 200 : reply.error.code === 'not-found' ? 404 : 400, { 'content-type': 'application/json' });
          res.end(JSON.stringify(reply));
        },
        () => {
          res.writeHead(400, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ ok: false, error: { code: 'bad-request', message: 'request body is not JSON' } }));
        },
      );
      return;
    }
    const snap = /^\/media\/snapshots\/(.+)\.jpg$/.exec(url.pathname);
    if (snap) {
      const jpeg = snapshots.get(decodeURIComponent(snap[1]!));
      if (!jpeg) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'image/jpeg' });
      return void res.end(jpeg);
    }
    let file = normalize(join(staticDir, decodeURIComponent(url.pathname)));
    if (!file.startsWith(normalize(staticDir) + sep) || !existsSync(file) || !statSync(file).isFile()) file = join(staticDir, 'index.html');
    serveFile(res, file);
  });

  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    if (!req.url?.startsWith('/api/v1/ws')) return void socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => {
      const sub: Sub = { ws, topics: new Set() };
      sockets.add(sub);
      ws.on('close', () => {
        sockets.delete(sub);
        refreshStreaming();
      });
      ws.on('message', (data) => {
        let msg: { type?: string; id?: number; method?: string; params?: unknown; topic?: string; camera?: string };
        try {
          msg = JSON.parse(String(data)) as typeof msg;
        } catch {
          return;
        }
        if (msg.type === 'call') ws.send(JSON.stringify({ type: 'reply', id: msg.id, ...call(String(msg.method), msg.params) }));
        else if (msg.type === 'subscribe' || msg.type === 'unsubscribe') {
          const key = msg.topic === 'preview' ? `preview:${msg.camera}` : String(msg.topic);
          if (msg.type === 'subscribe') sub.topics.add(key);
          else sub.topics.delete(key);
          if (key.startsWith('preview:')) refreshStreaming();
        }
      });
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    sent: (camera) => sentFrames.get(camera) ?? new Map(),
    tracks: () => tracks.map(({ path: _p, frameSize: _f, ...s }) => s),
    failMethod: (method, error) => (error ? failures.set(method, error) : failures.delete(method)),
    setStreamState: (camera, state) => {
      if (state) streamStates.set(camera, state);
      else streamStates.delete(camera);
      publishStats();
    },
    dropSockets: () => {
      for (const s of sockets) s.ws.terminate();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        clearInterval(statsTimer);
        for (const cam of [...streamers.keys()]) stopStreaming(cam);
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
