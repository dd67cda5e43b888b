// Keeps the engine doing what the workspace says: configures it and opens every enabled camera
// when it (re)starts, and applies camera changes live without touching the other cameras.
import { EventEmitter } from 'node:events';
import type {
  DetectedObject,
  EngineStreamStats,
  FrameObjects,
  MetadataBatch,
  PreviewFrame,
  SegmentClosed,
  Snapshot,
  StreamStats,
} from '../api/engine-types.js';
import type { InferenceInfo, PreviewFrameMessage, ProviderDemotion } from '../api/contract.js';
import { demotionWords } from '../models/first-load-guard.js';
import type { SourceSpec } from '../engine/protocol.js';
import { SourceHealth } from '../engine/source-health.js';
import type { EngineSupervisor } from '../engine/supervisor.js';
import type { CameraConfig } from '../workspace/model.js';
import { redactUri } from '../workspace/uri.js';
import { cameraSegmentsDir } from './recordings.js';
import type { WorkspaceChange, WorkspaceFile } from '../workspace/workspace-file.js';

/** A camera's zones, lines and masks as the engine takes them (null: none). */
export function analyticsJson(camera: CameraConfig): string | null {
  return camera.zones.length > 0 ? JSON.stringify(camera.zones) : null;
}

/** Finds a model's manifest path by name. */
export type ModelResolver = (name: string | null) => string | null;

const RECENT_FRAMES = 64;

export class EngineControl extends EventEmitter<{
  batch: [MetadataBatch];
  preview: [PreviewFrameMessage];
  snapshot: [Snapshot];
  stats: [StreamStats[]];
  segment: [SegmentClosed];
  log: [string];
  /** A model was moved off a GPU provider (the model list marks it: the workspace view changes). */
  demotion: [ProviderDemotion];
}> {
  private latestStats: StreamStats[] = [];
  private engineStats: EngineStreamStats[] = [];
  /** What is wrong with each camera, in the operator's words (reason codes, advice, reconnect time). */
  private readonly health: SourceHealth;
  /** Per camera, the objects of the most recent frames, to join previews with their boxes. */
  private readonly recent = new Map<string, Map<number, FrameObjects>>();
  private executionProvider: string | null = null;
  private inferenceInfo: InferenceInfo | null = null;
  /** Models the engine's provider guard moved off a GPU provider, by model name (this engine process). */
  private readonly demotions = new Map<string, ProviderDemotion>();

  constructor(
    private readonly supervisor: EngineSupervisor,
    private readonly workspace: WorkspaceFile,
    private readonly resolveModel: ModelResolver,
    /** Where recorded cameras' segments go (null: nothing is recorded). */
    private readonly segmentsDir: string | null = null,
  ) {
    super();
    this.health = new SourceHealth(
      (id) => this.workspace.camera(id)?.uri ?? null,
      () => this.publishStats(),
    );
    supervisor.on('ready', () => {
      this.demotions.clear(); // a new engine process checks its models again (from the recorded verdicts)
      void this.applyAll();
    });
    // Stats of a dead engine process describe nothing: clear them until the new one reports.
    supervisor.on('status', (st) => {
      if (st.state !== 'running' && this.latestStats.length > 0) {
        this.engineStats = [];
        this.latestStats = [];
        this.emit('stats', this.latestStats);
      }
    });
    supervisor.on('event', (e) => {
      switch (e.kind) {
        case 'batch':
          this.remember(e.batch);
          this.emit('batch', e.batch);
          break;
        case 'preview':
          this.emit('preview', this.withObjects(e.frame));
          break;
        case 'snapshot':
          this.emit('snapshot', e.snapshot);
          break;
        case 'stats':
          this.engineStats = e.stats;
          this.publishStats();
          break;
        case 'segment':
          this.emit('segment', e.segment);
          break;
        case 'source-error':
          this.health.noteError(e.camera, e.message);
          this.emit('log', `[camera ${e.camera}] ${e.message}`);
          break;
        case 'demotion':
          this.noteDemotion(e.demotion);
          break;
      }
    });
    workspace.on('change', (c) => void this.apply(c));
  }

  stats(): StreamStats[] {
    return this.latestStats;
  }

  private publishStats(): void {
    this.latestStats = this.health.enrich(this.engineStats);
    this.emit('stats', this.latestStats);
  }

  provider(): string | null {
    return this.executionProvider;
  }

  inference(): InferenceInfo | null {
    return this.inferenceInfo && { ...this.inferenceInfo, demotions: [...this.demotions.values()] };
  }

  /** The demotions of this engine process, by model name (the model list marks them). */
  demoted(): ReadonlyMap<string, ProviderDemotion> {
    return this.demotions;
  }

  /** Loud: in the log here, and (through inference()) on the System page and in the model list. */
  private noteDemotion(d: ProviderDemotion): void {
    if (JSON.stringify(this.demotions.get(d.model)) === JSON.stringify(d)) return;
    this.demotions.set(d.model, d);
    this.emit('log', `[engine] ${demotionWords(d)}`);
    this.emit('demotion', d);
  }

  private spec(camera: CameraConfig): SourceSpec {
    return {
      id: camera.id,
      uri: this.workspace.engineUri(camera),
      loop: camera.loop,
      realtime: camera.realtime,
      detectFps: camera.detectFps,
      motionSensitivity: camera.motion.enabled ? camera.motion.sensitivity : 0,
      model: camera.model ? this.resolveModel(camera.model) : null,
      analytics: analyticsJson(camera),
      record:
        camera.record.mode !== 'off' && this.segmentsDir
          ? { dir: cameraSegmentsDir(this.segmentsDir, camera.id), segmentSeconds: camera.record.segmentSeconds }
          : null,
    };
  }

  /** What the engine was last configured with: retention changes and the like leave the engine alone. */
  private configured: string | null = null;

  private engineSetupKey(workspace: { engine: unknown; defaultModel: string | null }): string {
    return JSON.stringify([workspace.engine, this.resolveModel(workspace.defaultModel)]);
  }

  private async applyAll(): Promise<void> {
    const current = this.workspace.get();
    this.configured = this.engineSetupKey(current);
    try {
      const r = await this.supervisor.request('configure', { settings: current.engine, defaultModel: this.resolveModel(current.defaultModel) });
      this.executionProvider = r.executionProvider;
      this.inferenceInfo = r.inference;
      for (const d of r.inference?.demotions ?? []) this.noteDemotion(d);
      // Falling back from the preferred provider is loud: in the log here and on the System page.
      if (r.inference?.providerNote) this.emit('log', `[engine] ${r.inference.providerNote}`);
    } catch (e) {
      this.configured = null;
      this.emit('log', `[engine] cannot apply the engine settings: ${(e as Error).message}`);
      return;
    }
    for (const camera of current.cameras) if (camera.enabled) await this.open(camera);
  }

  private async open(camera: CameraConfig): Promise<void> {
    this.health.reset(camera.id);
    try {
      await this.supervisor.request('addSource', this.spec(camera));
    } catch (e) {
      const msg = `camera '${camera.name}' (${redactUri(camera.uri)}): ${(e as Error).message}`;
      this.health.noteError(camera.id, msg);
      this.emit('log', msg);
    }
  }

  private async close(id: string): Promise<void> {
    this.recent.delete(id);
    this.health.reset(id);
    try {
      await this.supervisor.request('removeSource', { id });
    } catch (e) {
      this.emit('log', `[engine] removing camera '${id}': ${(e as Error).message}`);
    }
  }

  private async apply(change: WorkspaceChange): Promise<void> {
    if (this.supervisor.status().state !== 'running') return; // applied in full on the next start
    switch (change.kind) {
      case 'camera-added':
        if (change.camera.enabled) await this.open(change.camera);
        break;
      case 'camera-removed':
        await this.close(change.camera.id);
        break;
      case 'camera-updated':
        await this.update(change.camera, change.previous);
        break;
      case 'settings':
        if (this.engineSetupKey(change.workspace) !== this.configured) await this.applyAll();
        break;
    }
  }

  /**
   * A changed camera: reopened only when what its pipeline was opened with changed (URI, model, rate,
   * playback); new zones alone are applied live (setAnalytics) and a rename touches nothing, so its
   * tracks, counts and frame numbers carry on.
   */
  private async update(camera: CameraConfig, previous: CameraConfig): Promise<void> {
    const now = this.spec(camera);
    const before = this.spec(previous);
    const same = JSON.stringify({ ...now, analytics: null }) === JSON.stringify({ ...before, analytics: null });
    if (!same || camera.enabled !== previous.enabled) {
      await this.close(previous.id);
      if (camera.enabled) await this.open(camera);
      return;
    }
    if (!camera.enabled || now.analytics === before.analytics) return;
    try {
      const r = await this.supervisor.request('setAnalytics', { id: camera.id, analytics: now.analytics });
      // Not open (it failed to start): open it now, with its zones.
      if (!r.applied) await this.open(camera);
    } catch (e) {
      this.emit('log', `[engine] camera '${camera.name}': the new zones were not applied: ${(e as Error).message}`);
    }
  }

  private remember(batch: MetadataBatch): void {
    for (const f of batch.frames) {
      let m = this.recent.get(f.camera);
      if (!m) this.recent.set(f.camera, (m = new Map()));
      m.set(f.frame, f);
      if (m.size > RECENT_FRAMES) m.delete(m.keys().next().value as number);
    }
  }

  /**
   * A preview carries the boxes of its own frame, or, while that frame's result has not arrived
   * (inference is slower than decoding), those of the camera's newest earlier result: boxes stay on
   * screen until the next result replaces them, never a blank frame while the tracker holds objects.
   */
  private withObjects(p: PreviewFrame): PreviewFrameMessage {
    const results = this.recent.get(p.camera);
    const exact = results?.get(p.frame);
    let held: FrameObjects | undefined = exact;
    if (!held && results) for (const f of results.values()) if (f.frame < p.frame && (!held || f.frame > held.frame)) held = f;
    const objects: DetectedObject[] = held ? held.objects : [];
    const counts = held?.counts;
    // Boxes are in source pixels: send the source size they refer to (the JPEG is usually smaller).
    return {
      camera: p.camera,
      frame: p.frame,
      time: exact?.time ?? Date.now(),
      width: held?.width ?? p.width,
      height: held?.height ?? p.height,
      objects,
      ...(counts ? { counts } : {}),
      jpeg: p.jpeg,
    };
  }
}
