// Entry of the engine process (child_process.fork under Node, utilityProcess under Electron).
// It owns the native addon so that a crash in native code never takes the main process down.
import { AddonLoadError, engineInterval, loadAddon, type NativeAddon, type NativeEngineInstance } from '../addon/addon.js';
import type { ProviderDemotion } from '../api/contract.js';
import type { EngineStreamStats } from '../api/engine-types.js';
import { guardAtFirstLoad } from '../models/first-load-guard.js';
import { addModel, addNvinferModel } from '../models/library.js';
import type { EngineRequests, EngineSetup, FromEngine, SourceSpec, ToEngine } from './protocol.js';
import { exitNow, watchParent } from './parent-watch.js';

interface ParentPort {
  postMessage(message: FromEngine): void;
  on(event: 'message', listener: (e: { data: ToEngine }) => void): void;
}

// Electron's utilityProcess exposes process.parentPort; a forked Node child has process.send.
const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

function send(message: FromEngine): void {
  if (parentPort) parentPort.postMessage(message);
  else process.send?.(message);
}

function onMessage(handler: (m: ToEngine) => void): void {
  if (parentPort) parentPort.on('message', (e) => handler(e.data));
  else process.on('message', (m) => handler(m as ToEngine));
}

function start(): NativeAddon | null {
  try {
    const loaded = loadAddon();
    send({ kind: 'ready', info: loaded.engineInfo() });
    return loaded;
  } catch (e) {
    // A missing or broken addon will not heal by restarting; anything else may.
    send({ kind: 'fatal', error: e instanceof Error ? e.message : String(e), retry: !(e instanceof AddonLoadError) });
    setTimeout(() => process.exit(1), 50);
    return null;
  }
}

// Without its parent nobody reads what the engine makes: end at once (see parent-watch.ts).
watchParent((why) => {
  process.stderr.write(`[engine] ${why}; the engine process ends\n`);
  exitNow();
});

const addon = start();

/** One pipeline per model: cameras sharing a model share its batches. */
const pipelines = new Map<string, NativeEngineInstance>();
const sourceModel = new Map<string, string>();
let config: EngineSetup | null = null;
/** Models the provider guard took off a GPU provider, by manifest path (kept across reconfigurations). */
const demotions = new Map<string, ProviderDemotion>();

/**
 * The providers to open a model with: a GPU provider not yet proven with this model here is first
 * tried in a throwaway process, and one that crashes or fails there is left out (a crash in that
 * process never reaches this one). A new demotion is reported to the main process.
 */
function guardedProviders(native: NativeAddon, model: string): string[] | undefined {
  try {
    const info = native.engineInfo();
    const r = guardAtFirstLoad(model, {
      offered: info.providers,
      onnxRuntimeVersion: info.onnxRuntimeVersion,
      log: (line) => process.stderr.write(`[engine] ${line}\n`),
    });
    if (r.demotion) {
      const known = JSON.stringify(demotions.get(model)) === JSON.stringify(r.demotion);
      demotions.set(model, r.demotion);
      if (!known) send({ kind: 'demotion', demotion: r.demotion });
    } else demotions.delete(model);
    return r.providers;
  } catch (e) {
    // The guard itself failing (no room for the verdicts, a probe that cannot start) must not stop
    // the model: it opens as its manifest says, and the log says the check did not happen.
    process.stderr.write(`[engine] the provider check of '${model}' did not run: ${e instanceof Error ? e.message : String(e)}\n`);
    return undefined;
  }
}

function pipelineFor(model: string): NativeEngineInstance {
  let p = pipelines.get(model);
  if (p) return p;
  if (!addon || !config) throw new Error('the engine is not configured yet');
  const s = config.settings;
  const providers = guardedProviders(addon, model);
  p = new addon.Engine(
    {
      model,
      ...(providers ? { providers } : {}),
      batchSize: s.batchSize,
      batchedPushTimeoutMs: s.batchedPushTimeoutMs,
      interval: engineInterval(s.inferEvery),
      tracker: s.tracker,
      previewFps: s.preview.fps,
      previewWidth: s.preview.width,
      snapshots: true,
      statsIntervalMs: 1000,
    },
    {
      onBatch: (batch) => send({ kind: 'batch', batch }),
      onPreview: (frame) => send({ kind: 'preview', frame }),
      onSnapshot: (snapshot) => send({ kind: 'snapshot', snapshot }),
      onStats: () => send({ kind: 'stats', stats: allStats() }),
      onSourceError: (e) => send({ kind: 'source-error', camera: e.camera, message: e.message }),
      onSegment: (segment) => send({ kind: 'segment', segment }),
    },
  );
  pipelines.set(model, p);
  return p;
}

// Each pipeline reports its own cameras; the main process gets every camera at once.
function allStats(): EngineStreamStats[] {
  const out: EngineStreamStats[] = [];
  for (const p of pipelines.values()) {
    for (const { camera, state, error, decodeFps, inferFps, droppedFrames, latencyMs, framesInferred, framesGated } of p.stats()) {
      const inferencesSaved = framesGated > 0 ? framesGated / (framesGated + framesInferred) : 0;
      out.push({ camera, state, error, decodeFps, inferFps, droppedFrames, latencyMs, inferencesSaved });
    }
  }
  return out;
}

function stopAll(): void {
  for (const p of pipelines.values()) p.stop();
  pipelines.clear();
  sourceModel.clear();
}

function addSource(spec: SourceSpec): void {
  const model = spec.model ?? config?.defaultModel;
  if (!model) throw new Error('no detection model is installed — run npm start once to convert the default models, or add one under Settings → Models');
  if (sourceModel.has(spec.id)) removeSource(spec.id);
  pipelineFor(model).addSource(spec.id, spec.uri, {
    loop: spec.loop,
    realtime: spec.realtime,
    detectFps: spec.detectFps,
    ...(spec.analytics ? { analytics: spec.analytics } : {}),
    motionSensitivity: spec.motionSensitivity,
    record: spec.record,
  });
  sourceModel.set(spec.id, model);
}

function removeSource(id: string): boolean {
  const model = sourceModel.get(id);
  if (!model) return false;
  sourceModel.delete(id);
  const p = pipelines.get(model);
  const removed = p?.removeSource(id) ?? false;
  if (p && ![...sourceModel.values()].includes(model)) {
    p.stop();
    pipelines.delete(model);
  }
  return removed;
}

function handle(m: ToEngine): unknown {
  if (!addon) throw new Error('the engine addon is not loaded');
  const params = m.params as never;
  switch (m.method) {
    case 'engineInfo':
      return addon.engineInfo();
    case 'configure': {
      stopAll();
      config = params as EngineSetup;
      if (!config.defaultModel) return { executionProvider: null, inference: null };
      const info = pipelineFor(config.defaultModel).info();
      return {
        executionProvider: info.provider,
        inference: { providerNote: info.providerNote, preprocess: info.preprocess, preprocessNote: info.preprocessNote, demotions: [...demotions.values()] },
      };
    }
    case 'addSource':
      addSource(params as SourceSpec);
      return { added: true };
    case 'removeSource':
      return { removed: removeSource((params as { id: string }).id) };
    case 'setAnalytics': {
      const { id, analytics } = params as EngineRequests['setAnalytics']['params'];
      const model = sourceModel.get(id);
      const p = model ? pipelines.get(model) : undefined;
      return { applied: p ? p.setAnalytics(id, analytics) : false };
    }
    case 'checkAnalytics':
      return { regions: addon.checkAnalytics((params as EngineRequests['checkAnalytics']['params']).analytics) };
    case 'probe': {
      const { uri, timeoutMs } = params as { uri: string; timeoutMs: number };
      return addon.probe(uri, timeoutMs);
    }
    case 'probeSegment':
      return addon.probeRecording((params as { path: string }).path);
    case 'addModel': {
      const { path, name, parser, labels, overrides } = params as EngineRequests['addModel']['params'];
      const r = addModel(path, addon, {
        ...(name ? { name } : {}),
        ...(parser ? { parser } : {}),
        overrides: { ...(overrides ?? {}), ...(labels ? { labels } : {}) },
      });
      return { manifest: r.manifest, detections: r.detections, notes: r.notes };
    }
    case 'importNvinfer': {
      const { path, name } = params as EngineRequests['importNvinfer']['params'];
      const r = addNvinferModel(path, addon, name ? { name } : {});
      return { manifest: r.manifest, unhonoured: r.unhonoured };
    }
    default:
      throw new Error(`unknown engine request '${String(m.method)}'`);
  }
}

onMessage((m) => {
  if (m.kind !== 'request') return;
  Promise.resolve()
    .then(() => handle(m))
    .then(
      (result) => send({ kind: 'reply', id: m.id, ok: true, result }),
      (e: unknown) => send({ kind: 'reply', id: m.id, ok: false, error: e instanceof Error ? e.message : String(e) }),
    );
});
