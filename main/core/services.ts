// The handlers behind every API method. Both transports (Electron IPC and HTTP + WebSocket) call
// these same functions, so the desktop app and `vigil serve` behave identically.
import { closeSync, openSync, readSync, statfsSync } from 'node:fs';
import { cpus } from 'node:os';
import type {
  ApiErrorBody,
  ApiMethod,
  ApiParams,
  ApiResult,
  ApiStreams,
  ApiTopic,
  ModelSummary,
  MqttStatus,
  RecorderStatus,
  SourceTestResult,
  SystemStatus,
  WorkspaceView,
  Zone,
} from '../api/contract.js';
import { SchemaError } from '../api/schema.js';
import { classifySourceError, diagnoseConnection, needsDiagnosis } from '../engine/source-errors.js';
import { EngineSupervisor, EngineUnavailableError } from '../engine/supervisor.js';
import { proposeForFile } from '../models/library.js';
import { checkNvinferFiles } from '../models/nvinfer.js';
import { appVersion } from '../paths.js';
import { BadQueryError } from '../store/index.js';
import { WorkspaceError } from '../workspace/model.js';
import type { WorkspaceFile } from '../workspace/workspace-file.js';
import type { EngineControl } from './engine-control.js';
import { FileAccessError, fileCameraProblem, type PathPolicy } from './file-access.js';
import type { ModelCatalog } from './model-catalog.js';
import type { ReviewSource } from './review-source.js';

export type Handlers = { [M in ApiMethod]: (params: ApiParams<M>) => Promise<ApiResult<M>> };

/** An error whose message is meant for the operator, with a stable code for the client. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly detail?: string,
  ) {
    super(message);
  }
}

export function toErrorBody(e: unknown): ApiErrorBody {
  if (e instanceof ApiError) {
    return { code: e.code, message: e.message, ...(e.field ? { field: e.field } : {}), ...(e.detail ? { detail: e.detail } : {}) };
  }
  if (e instanceof WorkspaceError) return { code: 'invalid', message: e.message, field: e.field };
  if (e instanceof SchemaError) return { code: 'invalid', message: e.message, field: e.field };
  if (e instanceof FileAccessError) return { code: e.code, message: e.message, field: 'path' };
  if (e instanceof BadQueryError) return { code: 'invalid', message: e.message };
  if (e instanceof EngineUnavailableError) return { code: e.code, message: e.message };
  // Unexpected: keep the first line only; the stack stays in the server log.
  const message = e instanceof Error ? (e.message.split('\n')[0] ?? 'internal error') : String(e);
  return { code: 'internal', message };
}

export type StreamListener = <T extends ApiTopic>(topic: T, payload: ApiStreams[T]) => void;

export interface Services {
  handlers: Handlers;
  /** Subscribe to every stream; returns an unsubscribe function. Previews go to every listener: transports filter by camera. */
  subscribe(listener: StreamListener): () => void;
  /** The current value of each state-like stream, for a client that just connected. */
  current(): { [T in 'engine.status' | 'streams.stats']: ApiStreams[T] };
  close(): Promise<void>;
}

export interface ServicesOptions {
  mode: 'desktop' | 'serve';
  supervisor: EngineSupervisor;
  workspace?: WorkspaceFile;
  control?: EngineControl;
  models?: ModelCatalog;
  review?: ReviewSource;
  dataDir?: string;
  /** Exports started from the API (main/core/export-jobs.ts). */
  exports?: { start(q: ApiParams<'recordings.export'>): Promise<ApiResult<'recordings.export'>>; status(job: string): ApiResult<'exports.status'> };
  /** Which model files calls may open (models.inspect/add/importNvinfer). None: every path is refused. */
  modelFiles?: PathPolicy;
  /** The MQTT publisher's state, for system.status. */
  mqttStatus?: () => MqttStatus;
}

const statLine = Buffer.alloc(512);

/** Busy and total CPU time of the whole machine so far (one clock unit; only differences are used). */
function cpuTimes(): { busy: number; total: number } {
  // On Linux the first line of /proc/stat (a few hundred bytes to read): `os.cpus()` parses all of
  // /proc/cpuinfo as well, about half a megabyte of short-lived memory a call on a machine with many
  // cores, which raised the main process's malloc thresholds (main/process-memory.ts).
  try {
    const fd = openSync('/proc/stat', 'r');
    let n = 0;
    try {
      n = readSync(fd, statLine, 0, statLine.length, 0);
    } finally {
      closeSync(fd);
    }
    const line = statLine.toString('latin1', 0, n).split('\n', 1)[0] ?? '';
    const f = line.split(/\s+/).slice(1, 9).map(Number); // user nice system idle iowait irq softirq steal
    if (line.startsWith('cpu ') && f.length === 8 && f.every(Number.isFinite)) {
      const total = f.reduce((a, b) => a + b, 0);
      return { busy: total - f[3]! - f[4]!, total };
    }
  } catch {
    // not Linux: below
  }
  let busy = 0;
  let total = 0;
  for (const { times: t } of cpus()) {
    const all = t.user + t.nice + t.sys + t.irq + t.idle;
    busy += all - t.idle;
    total += all;
  }
  return { busy, total };
}

function cpuSampler(): () => number {
  let last = cpuTimes();
  return () => {
    const now = cpuTimes();
    const busy = now.busy - last.busy;
    const total = now.total - last.total;
    last = now;
    return total > 0 ? Math.round((busy / total) * 1000) / 10 : 0;
  };
}

export function createServices(options: ServicesOptions): Services {
  const { mode, supervisor, workspace, control, models, review } = options;
  const listeners = new Set<StreamListener>();
  const publish: StreamListener = (topic, payload) => {
    for (const l of listeners) l(topic, payload);
  };
  const cpu = cpuSampler();
  const detach: (() => void)[] = [];
  const on = <E extends { on(e: string, l: (...a: never[]) => void): unknown; off(e: string, l: (...a: never[]) => void): unknown }>(
    emitter: E,
    event: string,
    l: (...a: never[]) => void,
  ) => {
    emitter.on(event, l);
    detach.push(() => emitter.off(event, l));
  };

  on(supervisor, 'status', ((s: ApiStreams['engine.status']) =>
    publish('engine.status', { ...s, executionProvider: control?.provider() ?? null, inference: control?.inference() ?? null })) as never);
  if (control) {
    on(control, 'stats', ((s: ApiStreams['streams.stats']) => publish('streams.stats', s)) as never);
    on(control, 'preview', ((p: ApiStreams['preview']) => publish('preview', p)) as never);
    on(control, 'batch', ((b: { events: ApiStreams['tracks.events']; analytics?: ApiStreams['zones.events'] }) => {
      if (b.events.length > 0) publish('tracks.events', b.events);
      if (b.analytics && b.analytics.length > 0) publish('zones.events', b.analytics);
    }) as never);
  }
  if (workspace) on(workspace, 'change', (() => publish('workspace.changed', workspaceView())) as never);
  // The model list marks a model the engine moved off a GPU provider (ModelSummary.providerNote).
  if (workspace && control) on(control, 'demotion', (() => publish('workspace.changed', workspaceView())) as never);

  function needWorkspace(): WorkspaceFile {
    if (!workspace) throw new ApiError('unavailable', 'this node runs without a workspace');
    return workspace;
  }
  function needReview(): ReviewSource {
    if (!review) throw new ApiError('unavailable', 'recording is off on this node, so there is nothing to review');
    return review;
  }

  function needExports(): NonNullable<ServicesOptions['exports']> {
    if (!options.exports) throw new ApiError('unavailable', 'recording is off on this node, so there is nothing to export');
    return options.exports;
  }

  // Model installs run in the engine process (validating means running the model); an error there
  // is about the operator's input, and names the field at fault.
  async function installInEngine<R>(install: () => Promise<R>): Promise<R> {
    try {
      return await install();
    } catch (e) {
      if (e instanceof EngineUnavailableError) throw e;
      throw new ApiError('invalid', (e as Error).message, modelFieldAtFault((e as Error).message));
    }
  }

  /** The summary of a just-installed model; tells every client the model list changed. */
  function listed(name: string): ModelSummary {
    const model = models?.list().find((m) => m.name === name);
    if (!model) throw new ApiError('internal', `model '${name}' was installed but is not listed — check the models folder`);
    publish('workspace.changed', workspaceView());
    return model;
  }

  /** A model file path the operator chose, refused (403) outside the allow-list; the name stays theirs (it names the model). */
  function modelFile(path: string): string {
    if (!path.trim()) throw new ApiError('invalid', 'enter the path of a model file on this Vigil node', 'path');
    if (!options.modelFiles) throw new ApiError('forbidden', 'this node opens no model files for the API', 'path');
    options.modelFiles.check(path);
    return path;
  }

  /** Refuses a camera URI that is not a camera (file cameras: a readable video file, see file-access.ts). */
  function checkCameraUri(uri: string, field: string): void {
    const problem = fileCameraProblem(uri);
    if (problem) throw new ApiError('invalid', problem, field);
  }

  /**
   * Opens the source briefly. A failure is told in the operators' words (main/engine/source-errors.ts,
   * the same vocabulary as the live streams'), the engine's own text kept apart as the detail.
   */
  async function testSource(uri: string): Promise<SourceTestResult> {
    // A URI that cannot be a camera is reported like a source that does not open; it is never probed.
    const problem = fileCameraProblem(uri);
    if (problem) return { ok: false, error: problem };
    try {
      const r = await supervisor.request('probe', { uri, timeoutMs: 8_000 });
      return { ok: true, width: r.width, height: r.height };
    } catch (e) {
      if (e instanceof EngineUnavailableError) throw e;
      const detail = (e as Error).message;
      let found = classifySourceError(detail, uri);
      if (needsDiagnosis(found, uri)) found = (await diagnoseConnection(uri)) ?? found;
      return { ok: false, error: found.advice, reason: found.reason, detail };
    }
  }

  /**
   * The native analytics parser's verdict on a camera's zones when the engine runs (the workspace's own
   * check, with the same lists and ranges, runs on every save): a refusal names the field, e.g.
   * 'camera.zones[1].points'.
   */
  async function checkZones(zones: Zone[] | undefined, model: string | null | undefined): Promise<void> {
    if (!zones || zones.length === 0) return;
    // The engine refuses a label its model lacks when it applies the zones: say so here, by field.
    const listed = models?.list() ?? [];
    const detector = listed.find((m) => (model ? m.name === model : m.isDefault));
    if (detector) {
      zones.forEach((z, i) =>
        z.labels.forEach((label, j) => {
          if (!detector.labels.includes(label)) {
            const field = `camera.zones[${i}].labels[${j}]`;
            throw new ApiError(
              'invalid',
              `${field} '${label}' is not a label of the model '${detector.name}' — use one it detects, e.g. '${detector.labels[0] ?? 'person'}'`,
              field,
            );
          }
        }),
      );
    }
    if (supervisor.status().state !== 'running') return;
    try {
      await supervisor.request('checkAnalytics', { analytics: JSON.stringify(zones) });
    } catch (e) {
      if (e instanceof EngineUnavailableError) return;
      const problem = (e as Error).message.replace(/^checkAnalytics:\s*/, '');
      const at = /^zones((?:\[\d+\])?(?:\.[A-Za-z]+)?(?:\[\d+\])?)\s/.exec(problem);
      const field = at ? `camera.zones${at[1]}` : 'camera.zones';
      throw new ApiError('invalid', at ? `camera.${problem}` : `camera.zones: ${problem}`, field);
    }
  }

  function workspaceView(): WorkspaceView {
    const file = needWorkspace();
    const w = file.get();
    return {
      version: w.version,
      cameras: w.cameras.map((c) => file.view(c)),
      models: models?.list() ?? [],
      defaultModel: w.defaultModel,
      engine: w.engine,
      retention: w.retention,
      mqtt: file.mqttView(),
    };
  }

  function engineStatus() {
    return { ...supervisor.status(), executionProvider: control?.provider() ?? null, inference: control?.inference() ?? null };
  }

  const handlers: Handlers = {
    'system.info': async () => ({ app: { name: 'Vigil', version: appVersion(), mode }, engine: engineStatus() }),
    'system.status': async (): Promise<SystemStatus> => {
      let disk: SystemStatus['disk'] = null;
      if (options.dataDir) {
        try {
          const s = statfsSync(options.dataDir);
          disk = { dataDir: options.dataDir, usedBytes: review?.bytesUsed() ?? 0, freeBytes: s.bavail * s.bsize };
        } catch {
          disk = null;
        }
      }
      const recorder: RecorderStatus | null = review?.recorderStatus() ?? null;
      return {
        engine: engineStatus(),
        streams: control?.stats() ?? [],
        recorder,
        disk,
        cpuPercent: cpu(),
        gaps: supervisor.gaps.map((g) => ({ ...g })),
        mqtt: options.mqttStatus?.() ?? null,
      };
    },
    'workspace.get': async () => workspaceView(),
    'cameras.add': async ({ force, ...input }) => {
      const file = needWorkspace();
      checkCameraUri(input.uri, 'camera.uri');
      file.checkNameFree(input.name);
      await checkZones(input.zones, input.model);
      if (!force) {
        const test = await testSource(input.uri);
        if (!test.ok) throw new ApiError('source-failed', test.error ?? 'the source did not open', 'camera.uri', test.detail);
      }
      return file.view(file.addCamera(input));
    },
    'cameras.update': async ({ id, patch }) => {
      const file = needWorkspace();
      // A masked URI (***) is judged by the workspace file: unchanged, or refused with what to type.
      if (patch.uri !== undefined && !patch.uri.includes('***')) checkCameraUri(patch.uri, 'camera.uri');
      await checkZones(patch?.zones, patch?.model === undefined ? file.camera(id)?.model : patch.model);
      return file.view(file.updateCamera(id, patch ?? {}));
    },
    'cameras.remove': async ({ id }) => {
      needWorkspace().removeCamera(id);
      return { removed: true };
    },
    'cameras.test': async ({ uri }) => testSource(uri),
    'settings.update': async (patch) => {
      needWorkspace().updateSettings(patch);
      return workspaceView();
    },
    'models.list': async () => models?.list() ?? [],
    'models.inspect': async ({ path, name }) => {
      const file = modelFile(path);
      try {
        return proposeForFile(file, name ? { name } : {}).proposal;
      } catch (e) {
        throw new ApiError('invalid', (e as Error).message, 'path');
      }
    },
    'models.add': async (params) => {
      const path = modelFile(params.path);
      const r = await installInEngine(() => supervisor.request('addModel', { ...params, path }));
      return { model: listed(r.manifest.name), detections: r.detections, notes: r.notes };
    },
    'models.importNvinfer': async ({ path, name }) => {
      const file = modelFile(path);
      // The files the config names are opened for this call too: the same folders apply.
      checkNvinferFiles(file, (key, referenced) => {
        try {
          options.modelFiles!.check(referenced);
        } catch (e) {
          if (!(e instanceof FileAccessError)) throw e;
          throw new ApiError(
            'forbidden',
            `the config's ${key} (${referenced}) is outside the folders this node opens for the API — put it in ${options.modelFiles!.describe} beside the config`,
            'path',
          );
        }
      });
      const r = await installInEngine(() => supervisor.request('importNvinfer', { path: file, ...(name ? { name } : {}) }));
      return { model: listed(r.manifest.name), unhonoured: r.unhonoured };
    },
    'timeline.buckets': async (q) => needReview().timeline(q),
    'tracks.search': async (q) => needReview().searchTracks(q),
    'tracks.get': async ({ id }) => {
      const t = await needReview().track(id);
      if (!t) throw new ApiError('not-found', `track '${id}' is not in the record (it may have been removed by retention)`);
      return t;
    },
    'events.around': async (q) => needReview().eventsAround(q),
    'events.search': async (q) => needReview().searchEvents(q),
    'tracks.paths': async (q) => needReview().trackPaths(q),
    'recordings.list': async (q) => needReview().recordings(q),
    'recordings.export': async (q) => needExports().start(q),
    'exports.status': async ({ job }) => needExports().status(job),
    'engine.restart': async () => {
      supervisor.restart();
      return engineStatus();
    },
  };

  return {
    handlers,
    current: () => ({ 'engine.status': engineStatus(), 'streams.stats': control?.stats() ?? [] }),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      for (const d of detach) d();
      listeners.clear();
    },
  };
}

/** Which add-model field an install error is about, so the form can show it there. */
function modelFieldAtFault(message: string): string {
  if (/\bparser\b/i.test(message)) return 'parser';
  if (/\blabels?\b|classes/i.test(message)) return 'labels';
  if (/\bname\b/i.test(message) && /already exists/.test(message)) return 'name';
  return 'path';
}

export function isApiMethod(handlers: Handlers, name: string): name is ApiMethod {
  return Object.prototype.hasOwnProperty.call(handlers, name);
}
