// The recorder: takes the engine's per-batch metadata and writes it in transactions batched by
// size and time. All database ids are allocated here (one writer), so every table is filled by a
// single `INSERT ... SELECT FROM json_each(?)` per transaction. When the disk falls behind, boxes
// are thinned (never tracks or events) so memory stays bounded.

import { mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { BoxXYWH, Snapshot } from '../api/engine-types.js';
import type { CameraRecordingPolicy, RecorderBatch, RecorderStats, SegmentInput } from './types.js';
import type { SqlDriver, SqlStep } from './driver.js';
import { relativeMediaPath } from './media.js';
import { validateBatch } from './validate.js';

export interface RecorderOptions {
  /** Flush at least this often, ms (default 250). */
  maxDelayMs?: number;
  /** Flush as soon as this many detection rows are queued (default 20 000). */
  batchDetections?: number;
  /** Hard bound on queued detection rows; above half of it the recorder thins (default 400 000). */
  maxQueuedDetections?: number;
  log?: (line: string) => void;
}

export interface CommitInfo {
  /** Every batch with a sequence number up to this one is on disk. */
  seq: number;
  detections: number;
  /** Transaction time (on SQLite's thread with the sqlite3 binding). */
  ms: number;
  /** Main-thread time spent building the transaction's statements (in slices of about 8 000 boxes). */
  prepareMs: number;
}

export interface WriteReceipt {
  ok: boolean;
  /** Sequence number of the accepted batch (0 when rejected). */
  seq: number;
  error?: string;
}

interface TrackState {
  id: number;
  key: string;
  cameraId: number;
  engineTrack: number;
  label: string;
  classId: number;
  firstTime: number;
  lastTime: number;
  bestScore: number;
  bestTime: number;
  bestBox: BoxXYWH;
  ended: boolean;
  lastSlot: number;
  thinCounter: number;
  attributes: Record<string, string | number | boolean> | null;
}

interface PreparedBatch {
  seq: number;
  events: string[];
  zones: string[];
  rollup: Map<string, [number, number]>;
}

interface SnapshotUpdate {
  trackId: number;
  path: string;
  bytes: number;
}

const endedTrackGraceMs = 60_000;
const staleTrackMs = 300_000;

export class Recorder {
  private readonly maxDelayMs: number;
  private readonly batchDetections: number;
  private readonly maxQueued: number;
  private readonly log: (line: string) => void;

  private readonly cameras = new Map<string, number>();
  private nextCameraId: number;
  private newCameras: string[] = [];
  private readonly policies = new Map<string, number>();
  private readonly tracks = new Map<string, TrackState>();
  private nextTrackId: number;
  private runId: number;
  private newRuns: string[] = [];
  private dirtyTracks = new Set<TrackState>();
  private pending: PreparedBatch[] = [];
  private queuedDetections = 0;
  /** Queued boxes as JSON rows, per track: the transaction writes them grouped by track without sorting. */
  private queuedRows = new Map<number, string[]>();
  private snapshotUpdates: SnapshotUpdate[] = [];
  private readonly waitingSnapshots = new Map<string, SnapshotUpdate & { time: number }>();
  private newSegments: string[] = [];

  private seq = 0;
  private committedSeq = 0;
  private rejected = 0;
  private thinned = 0;
  private stride = 1;
  private hardCapped = false;
  private committedDetections = 0;
  private lastCommitMs = 0;
  private readonly commitHistory: { at: number; detections: number }[] = [];
  private latestTime = 0;
  private flushesSincePrune = 0;
  private lazyPrepareMs = 0;

  private timer: NodeJS.Timeout | null = null;
  private flushing = false;
  private failedFlushes = 0;
  private closed = false;
  /** Set by close(): a failing write is reported instead of retried forever. */
  private closing = false;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly commitListeners = new Set<(info: CommitInfo) => void>();
  private readonly failureListeners = new Set<(error: Error) => void>();
  /** The write that is failing now (cleared by the next commit). */
  private failure: { message: string; since: number } | null = null;
  private readonly flushWaiters: { seq: number; resolve: () => void; reject: (e: Error) => void }[] = [];

  constructor(
    private readonly db: SqlDriver,
    private readonly dataDir: string,
    init: { cameras: Map<string, number>; nextTrackId: number; nextRunId: number; now: number },
    options: RecorderOptions = {},
  ) {
    this.maxDelayMs = options.maxDelayMs ?? 250;
    this.batchDetections = options.batchDetections ?? 20_000;
    this.maxQueued = options.maxQueuedDetections ?? 400_000;
    this.log = options.log ?? ((line) => console.warn(line));
    for (const [name, id] of init.cameras) this.cameras.set(name, id);
    this.nextCameraId = Math.max(0, ...init.cameras.values()) + 1;
    this.nextTrackId = init.nextTrackId;
    this.runId = init.nextRunId;
    this.newRuns.push(`[${this.runId},${init.now}]`);
  }

  /** The current engine run (engine track ids are unique only within one). */
  get engineRun(): number {
    return this.runId;
  }

  /**
   * Call when the engine process (re)starts: its track ids start over, so open tracks are closed
   * and the next ids map to new database tracks.
   */
  startEngineRun(now = Date.now()): number {
    for (const t of this.tracks.values()) {
      if (!t.ended) {
        t.ended = true;
        this.dirtyTracks.add(t);
      }
    }
    this.tracks.clear();
    this.waitingSnapshots.clear();
    this.runId += 1;
    this.newRuns.push(`[${this.runId},${now}]`);
    this.scheduleFlush();
    return this.runId;
  }

  setCameraPolicy(camera: string, policy: CameraRecordingPolicy): void {
    const hz = policy.detectionsHz;
    if (hz === 'every-frame') {
      this.policies.delete(camera);
      return;
    }
    if (typeof hz !== 'number' || !Number.isFinite(hz) || hz < 0.1 || hz > 60) {
      throw new Error(`camera '${camera}': detectionsHz must be 'every-frame' or a number from 0.1 to 60, got ${String(hz)}`);
    }
    this.policies.set(camera, 1000 / hz);
  }

  onCommit(listener: (info: CommitInfo) => void): () => void {
    this.commitListeners.add(listener);
    return () => this.commitListeners.delete(listener);
  }

  /** Called after each failed write transaction (the recorder keeps what it holds and retries). */
  onFailure(listener: (error: Error) => void): () => void {
    this.failureListeners.add(listener);
    return () => this.failureListeners.delete(listener);
  }

  /**
   * Queues one engine batch. Returns at once; the batch is on disk once `committedSeq` reaches its
   * `seq` (see onCommit / flush). A malformed batch is refused whole and logged.
   */
  write(input: RecorderBatch): WriteReceipt {
    if (this.closed) return { ok: false, seq: 0, error: 'the store is closed' };
    let batch: RecorderBatch;
    try {
      batch = validateBatch(input);
    } catch (err) {
      this.rejected += 1;
      const error = `recorder: rejected a malformed metadata batch: ${(err as Error).message} — the batch was skipped, everything else is recorded (this is an engine bug: report it with the engine log)`;
      this.log(error);
      return { ok: false, seq: 0, error };
    }
    const seq = ++this.seq;
    const prepared: PreparedBatch = { seq, events: [], zones: [], rollup: new Map() };
    let added = 0;

    for (const f of batch.frames) {
      const cameraId = this.cameraId(f.camera);
      const interval = this.policies.get(f.camera) ?? 0;
      if (f.time > this.latestTime) this.latestTime = f.time;
      for (const o of f.objects) {
        const t = this.track(f.camera, cameraId, o.track, o.label, o.classId, f.time, prepared);
        if (f.time > t.lastTime) t.lastTime = f.time;
        if (o.score > t.bestScore) {
          t.bestScore = o.score;
          t.bestTime = f.time;
          t.bestBox = o.box;
        }
        this.dirtyTracks.add(t);
        this.countRollup(prepared, f.time, cameraId, o.label, 1, 0);
        if (interval > 0) {
          // One box per time slot of the policy rate (slots are aligned to the clock, so jitter cannot add boxes).
          const slot = Math.floor(f.time / interval);
          if (slot === t.lastSlot) continue;
          t.lastSlot = slot;
        }
        if (this.queuedDetections + added >= this.maxQueued) {
          this.thinned += 1;
          this.hardCapped = true;
          continue;
        }
        if (this.stride > 1 && ++t.thinCounter % this.stride !== 0) {
          this.thinned += 1;
          continue;
        }
        const row = `[${t.id},${Math.round(f.time - t.firstTime)},${packBox(o.box)},${Math.round(o.score * 1000)}]`;
        const queued = this.queuedRows.get(t.id);
        if (queued) queued.push(row);
        else this.queuedRows.set(t.id, [row]);
        added++;
      }
    }

    for (const e of batch.events) {
      const cameraId = this.cameraId(e.camera);
      const t = this.track(e.camera, cameraId, e.track, e.label, e.classId, e.time, prepared);
      if (e.time > t.lastTime) t.lastTime = e.time;
      if (e.best.score >= t.bestScore) {
        t.bestScore = e.best.score;
        t.bestTime = e.best.time;
        t.bestBox = e.best.box;
      }
      if (e.kind === 'start') prepared.events.push(JSON.stringify([e.time, cameraId, t.id, 'track-start', null, null, null]));
      if (e.kind === 'end') {
        t.ended = true;
        prepared.events.push(JSON.stringify([e.time, cameraId, t.id, 'track-end', null, null, null]));
      }
      this.dirtyTracks.add(t);
    }

    for (const z of batch.zoneEvents ?? []) {
      const cameraId = this.cameraId(z.camera);
      const t = z.track === undefined ? undefined : this.tracks.get(trackKey(z.camera, z.track));
      const detail = z.detail === undefined ? null : JSON.stringify(z.detail);
      prepared.events.push(JSON.stringify([z.time, cameraId, t?.id ?? null, z.kind, z.zone, z.direction ?? null, detail]));
      if (t && z.kind !== 'zone-exit' && z.kind !== 'overcrowd') prepared.zones.push(JSON.stringify([z.zone, t.id]));
    }

    for (const a of batch.attributes ?? []) {
      const t = this.tracks.get(trackKey(a.camera, a.track));
      if (!t) continue;
      t.attributes = { ...(t.attributes ?? {}), ...a.attributes };
      this.dirtyTracks.add(t);
    }

    this.pending.push(prepared);
    this.queuedDetections += added;
    this.scheduleFlush();
    return { ok: true, seq };
  }

  /**
   * Stores a snapshot JPEG under the data directory (replacing the track's previous one) and
   * records its relative path. Resolves with that path once the file is written.
   */
  async saveSnapshot(snapshot: Snapshot): Promise<string> {
    if (!(snapshot.jpeg instanceof Uint8Array) || snapshot.jpeg.length === 0) {
      throw new Error(`snapshot for camera '${snapshot.camera}' track ${snapshot.track}: the JPEG is empty`);
    }
    const key = trackKey(snapshot.camera, snapshot.track);
    const t = this.tracks.get(key);
    // Not seen yet (the snapshot overtook the metadata): reserve the id the track will get.
    const trackId = t?.id ?? this.waitingSnapshots.get(key)?.trackId ?? this.nextTrackId++;
    const day = new Date(snapshot.time).toISOString().slice(0, 10);
    const rel = `snapshots/${day}/${this.cameraId(snapshot.camera)}/${trackId}.jpg`;
    const abs = join(this.dataDir, rel);
    await mkdir(dirname(abs), { recursive: true });
    const tmp = `${abs}.tmp`;
    try {
      await writeFile(tmp, snapshot.jpeg);
      await rename(tmp, abs);
    } catch (err) {
      await unlink(tmp).catch(() => undefined); // a full disk leaves no half-written file behind
      throw err;
    }
    const update = { trackId, path: rel, bytes: snapshot.jpeg.length };
    if (this.tracks.has(key)) this.snapshotUpdates.push(update);
    else this.waitingSnapshots.set(key, { ...update, time: snapshot.time });
    this.scheduleFlush();
    return rel;
  }

  /**
   * A camera stopped ('camera-offline', with why) or started again ('camera-online') delivering video:
   * one event row, so outages show in the recording like everything else.
   */
  noteCameraState(camera: string, state: 'offline' | 'online', time: number, detail: Record<string, string | number | boolean> | null = null): void {
    if (this.closed) return;
    if (!Number.isFinite(time) || time < 0) throw new Error(`camera '${camera}': the time of a camera-${state} event must be a non-negative number, got ${String(time)}`);
    const prepared: PreparedBatch = { seq: ++this.seq, events: [], zones: [], rollup: new Map() };
    prepared.events.push(JSON.stringify([Math.round(time), this.cameraId(camera), null, `camera-${state}`, null, null, detail ? JSON.stringify(detail) : null]));
    this.pending.push(prepared);
    this.scheduleFlush();
  }

  /** Records a finished recording segment (a media file under the data directory). */
  addSegment(segment: SegmentInput): void {
    const path = relativeMediaPath(this.dataDir, segment.path);
    for (const [k, v] of [['start', segment.start], ['end', segment.end], ['bytes', segment.bytes]] as const) {
      if (!Number.isFinite(v) || v < 0) throw new Error(`segment ${segment.path}: ${k} must be a non-negative number, got ${String(v)}`);
    }
    if (segment.end < segment.start) throw new Error(`segment ${segment.path}: end (${segment.end}) is before start (${segment.start})`);
    this.newSegments.push(JSON.stringify([this.cameraId(segment.camera), segment.start, segment.end, path, segment.bytes]));
    this.scheduleFlush();
  }

  /** Resolves when everything written so far is committed. */
  flush(): Promise<void> {
    const target = this.seq;
    if (target <= this.committedSeq && !this.outstanding() && !this.flushing) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.flushWaiters.push({ seq: target, resolve, reject });
      this.scheduleFlush(true);
    });
  }

  stats(): RecorderStats {
    const now = Date.now();
    this.trimCommitHistory(now);
    const recent = this.commitHistory.reduce((n, c) => n + c.detections, 0);
    const span = this.commitHistory.length > 0 ? Math.max(1000, now - this.commitHistory[0]!.at) : 1000;
    return {
      batchesAccepted: this.seq,
      batchesRejected: this.rejected,
      committedSeq: this.committedSeq,
      queuedDetections: this.queuedDetections,
      thinnedDetections: this.thinned,
      thinningStride: this.stride,
      detectionsPerSecond: Math.round((recent * 1000) / span),
      detectionsCommitted: this.committedDetections,
      lastCommitMs: this.lastCommitMs,
      pressure: this.stride > 1 || this.hardCapped,
      failingSince: this.failure?.since ?? null,
      lastError: this.failure?.message ?? null,
    };
  }

  private trimCommitHistory(now: number): void {
    while (this.commitHistory.length > 0 && now - this.commitHistory[0]!.at > 5000) this.commitHistory.shift();
  }

  /** Runs `job` on the writer connection between flushes (retention uses this). */
  exclusive<T>(job: () => Promise<T>): Promise<T> {
    const run = this.chain.then(job);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Writes what is queued, then stops accepting batches. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush().catch(() => undefined);
    this.closed = true;
    await this.chain;
  }

  private cameraId(name: string): number {
    let id = this.cameras.get(name);
    if (id === undefined) {
      id = this.nextCameraId++;
      this.cameras.set(name, id);
      this.newCameras.push(JSON.stringify([id, name, Date.now()]));
    }
    return id;
  }

  private track(camera: string, cameraId: number, engineTrack: number, label: string, classId: number, time: number, prepared: PreparedBatch): TrackState {
    const key = trackKey(camera, engineTrack);
    let t = this.tracks.get(key);
    if (t) return t;
    const waiting = this.waitingSnapshots.get(key);
    t = {
      id: waiting?.trackId ?? this.nextTrackId++,
      key,
      cameraId,
      engineTrack,
      label,
      classId,
      firstTime: time,
      lastTime: time,
      bestScore: -1,
      bestTime: time,
      bestBox: [0, 0, 0, 0],
      ended: false,
      lastSlot: -1,
      thinCounter: 0,
      attributes: null,
    };
    if (waiting) {
      this.waitingSnapshots.delete(key);
      this.snapshotUpdates.push(waiting);
    }
    this.tracks.set(key, t);
    this.dirtyTracks.add(t);
    this.countRollup(prepared, time, cameraId, label, 0, 1);
    return t;
  }

  private countRollup(prepared: PreparedBatch, time: number, cameraId: number, label: string, detections: number, tracks: number): void {
    const key = `${Math.floor(time / 60_000)}\u0000${cameraId}\u0000${label}`;
    const c = prepared.rollup.get(key);
    if (c) {
      c[0] += detections;
      c[1] += tracks;
    } else prepared.rollup.set(key, [detections, tracks]);
  }

  private scheduleFlush(now = false): void {
    if (this.closed) return;
    if (this.flushing) return; // the running flush reschedules itself when it ends
    if (now || this.queuedDetections >= this.batchDetections) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      this.startFlush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.startFlush();
      }, this.maxDelayMs);
    }
  }

  private startFlush(): void {
    if (this.flushing) return;
    this.flushing = true;
    void this.exclusive(() => this.flushOnce()).then(
      () => this.afterFlush(null),
      (err: unknown) => this.afterFlush(err as Error),
    );
  }

  private afterFlush(err: Error | null): void {
    this.flushing = false;
    if (err) {
      this.failedFlushes += 1;
      if (!this.failure) this.failure = { message: err.message, since: Date.now() };
      else this.failure.message = err.message;
      // Once per outage in the log, not once per retry.
      if (this.failedFlushes === 1) this.log(`recorder: writing to the database failed (${err.message}); keeping what is queued and retrying — check free disk space and the data directory`);
      for (const l of this.failureListeners) l(err);
      if (this.failedFlushes >= 20 || this.closing) {
        for (const w of this.flushWaiters.splice(0)) w.reject(err);
      }
      if (this.closing) return;
      this.timer = setTimeout(() => {
        this.timer = null;
        this.startFlush();
      }, Math.min(5000, 200 * this.failedFlushes));
      this.adjustThinning();
      return;
    }
    if (this.failure) this.log(`recorder: writing again after ${((Date.now() - this.failure.since) / 1000).toFixed(1)} s of failed writes (${this.failedFlushes} attempts)`);
    this.failure = null;
    this.failedFlushes = 0;
    this.adjustThinning();
    const waiting = this.settleWaiters();
    if (this.outstanding() || waiting) this.scheduleFlush(waiting);
  }

  private adjustThinning(): void {
    const high = this.maxQueued / 2;
    if (this.queuedDetections > high && this.stride < 64) {
      this.stride *= 2;
      this.log(`recorder: the disk is not keeping up (${this.queuedDetections} boxes queued); keeping 1 in ${this.stride} boxes per track until it catches up — tracks and events are all kept`);
    } else if (this.queuedDetections < high / 4 && (this.stride > 1 || this.hardCapped)) {
      this.stride = this.stride > 1 ? this.stride / 2 : 1;
      this.hardCapped = false;
      if (this.stride === 1) this.log(`recorder: caught up with the engine; recording every box again (${this.thinned} thinned so far)`);
    }
  }

  private async flushOnce(): Promise<void> {
    // Everything queued goes into this transaction (whole batches; the queue bound keeps it bounded).
    const taken = this.pending;
    this.pending = [];
    const detections = this.queuedDetections;
    this.queuedDetections = 0;
    const rows = this.queuedRows;
    this.queuedRows = new Map();
    const tracks = [...this.dirtyTracks];
    this.dirtyTracks = new Set();
    const snapshots = this.snapshotUpdates;
    this.snapshotUpdates = [];
    const cameras = this.newCameras;
    this.newCameras = [];
    const runs = this.newRuns;
    this.newRuns = [];
    const segments = this.newSegments;
    this.newSegments = [];

    const preparing = performance.now();
    const steps = this.buildSteps(taken, rows, tracks, snapshots, cameras, runs, segments);
    let prepareMs = performance.now() - preparing;
    this.lazyPrepareMs = 0;
    const started = performance.now();
    try {
      if (steps.length > 0) await this.db.batch(steps);
    } catch (err) {
      // Put everything back in front so nothing is lost; the retry writes it again.
      this.pending.unshift(...taken);
      this.queuedDetections += detections;
      for (const [id, later] of this.queuedRows) rows.set(id, [...(rows.get(id) ?? []), ...later]);
      this.queuedRows = rows;
      for (const t of tracks) this.dirtyTracks.add(t);
      this.snapshotUpdates.unshift(...snapshots);
      this.newCameras.unshift(...cameras);
      this.newRuns.unshift(...runs);
      this.newSegments.unshift(...segments);
      throw err;
    }
    const ms = performance.now() - started;
    prepareMs += this.lazyPrepareMs;
    this.lastCommitMs = ms;
    this.committedDetections += detections;
    this.commitHistory.push({ at: Date.now(), detections });
    this.trimCommitHistory(Date.now()); // also when nobody asks for stats: it must not grow for days
    if (taken.length > 0) this.committedSeq = taken[taken.length - 1]!.seq;
    this.pruneTracks();
    const info: CommitInfo = { seq: this.committedSeq, detections, ms, prepareMs };
    for (const l of this.commitListeners) l(info);
  }

  private outstanding(): boolean {
    return this.pending.length > 0 || this.dirtyTracks.size > 0 || this.snapshotUpdates.length > 0 || this.newSegments.length > 0 || this.newCameras.length > 0 || this.newRuns.length > 0;
  }

  /** Resolves flush() callers whose batches are committed; returns whether any still wait. */
  private settleWaiters(): boolean {
    const idle = !this.outstanding();
    for (let i = this.flushWaiters.length - 1; i >= 0; i--) {
      const w = this.flushWaiters[i]!;
      if (w.seq <= this.committedSeq && (idle || this.pending.length === 0 || this.pending[0]!.seq > w.seq)) {
        this.flushWaiters.splice(i, 1);
        w.resolve();
      }
    }
    return this.flushWaiters.length > 0;
  }

  private buildSteps(taken: PreparedBatch[], boxRows: Map<number, string[]>, tracks: TrackState[], snapshots: SnapshotUpdate[], cameras: string[], runs: string[], segments: string[]): SqlStep[] {
    const steps: SqlStep[] = [];
    const json = (rows: string[]): string => `[${rows.join(',')}]`;
    if (runs.length > 0) steps.push({ sql: 'INSERT OR IGNORE INTO runs (id, started_at) SELECT value->>0, value->>1 FROM json_each(?)', params: [json(runs)] });
    if (cameras.length > 0) {
      steps.push({ sql: 'INSERT OR IGNORE INTO cameras (id, name, created_at) SELECT value->>0, value->>1, value->>2 FROM json_each(?)', params: [json(cameras)] });
    }
    if (tracks.length > 0) {
      const rows = tracks.map((t) =>
        JSON.stringify([t.id, this.runId, t.cameraId, t.engineTrack, t.label, t.classId, t.firstTime, t.lastTime, Math.max(0, t.bestScore), t.bestTime, JSON.stringify(t.bestBox.map(Math.round)), t.attributes ? JSON.stringify(t.attributes) : null, t.ended ? 1 : 0]),
      );
      steps.push({
        sql: `INSERT INTO tracks (id, run_id, camera_id, engine_track, label, class_id, first_time, last_time, best_score, best_time, best_box, attributes, ended)
              SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, value->>7, value->>8, value->>9, value->>10, value->>11, value->>12 FROM json_each(?) WHERE true
              ON CONFLICT (id) DO UPDATE SET last_time = excluded.last_time, best_score = excluded.best_score, best_time = excluded.best_time,
                best_box = excluded.best_box, attributes = excluded.attributes, ended = excluded.ended`,
        params: [json(rows)],
      });
    }
    // Grouped by track, so consecutive rows land on the same B-tree page.
    // In statements of about 8 000 rows, each built just before it runs: the main thread is never busy for long.
    let chunk: string[][] = [];
    let chunkRows = 0;
    const pushChunk = (lists: string[][]): void => {
      steps.push({
        sql: 'INSERT OR IGNORE INTO detections (track_id, dt, box, score) SELECT value->>0, value->>1, value->>2, value->>3 FROM json_each(?)',
        params: () => {
          const started = performance.now();
          const json = `[${lists.map((l) => l.join(',')).join(',')}]`;
          this.lazyPrepareMs += performance.now() - started;
          return [json];
        },
      });
    };
    for (const list of boxRows.values()) {
      chunk.push(list);
      chunkRows += list.length;
      if (chunkRows >= 8000) {
        pushChunk(chunk);
        chunk = [];
        chunkRows = 0;
      }
    }
    if (chunk.length > 0) pushChunk(chunk);
    const events = taken.flatMap((b) => b.events);
    if (events.length > 0) {
      steps.push({
        sql: 'INSERT INTO events (time, camera_id, track_id, kind, zone, direction, detail) SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6 FROM json_each(?)',
        params: [json(events)],
      });
    }
    const zones = taken.flatMap((b) => b.zones);
    if (zones.length > 0) steps.push({ sql: 'INSERT OR IGNORE INTO track_zones (zone, track_id) SELECT value->>0, value->>1 FROM json_each(?)', params: [json(zones)] });
    if (snapshots.length > 0) {
      steps.push({
        sql: `UPDATE tracks SET snapshot_path = j.value->>1, snapshot_bytes = j.value->>2 FROM json_each(?) AS j WHERE tracks.id = j.value->>0`,
        params: [JSON.stringify(snapshots.map((s) => [s.trackId, s.path, s.bytes]))],
      });
    }
    if (segments.length > 0) {
      steps.push({ sql: 'INSERT INTO segments (camera_id, start_time, end_time, path, bytes) SELECT value->>0, value->>1, value->>2, value->>3, value->>4 FROM json_each(?)', params: [json(segments)] });
    }
    const rollup = new Map<string, [number, number]>();
    for (const b of taken) {
      for (const [k, [d, s]] of b.rollup) {
        const c = rollup.get(k);
        if (c) {
          c[0] += d;
          c[1] += s;
        } else rollup.set(k, [d, s]);
      }
    }
    if (rollup.size > 0) {
      const rows: string[] = [];
      for (const [k, [d, s]] of rollup) {
        const [minute, cameraId, label] = k.split('\u0000');
        rows.push(JSON.stringify([Number(minute), Number(cameraId), label, d, s]));
      }
      const param = [json(rows)];
      for (const [table, unit, div] of [['timeline_minute', 'minute', 1], ['timeline_5min', 'five', 5], ['timeline_hour', 'hour', 60]] as const) {
        steps.push({
          sql: `INSERT INTO ${table} (${unit}, camera_id, label, detections, tracks)
                SELECT value->>0 / ${div} AS u, value->>1 AS c, value->>2 AS l, sum(value->>3), sum(value->>4) FROM json_each(?) WHERE true GROUP BY u, c, l
                ON CONFLICT DO UPDATE SET detections = detections + excluded.detections, tracks = tracks + excluded.tracks`,
          params: param,
        });
      }
    }
    return steps;
  }

  /** Forgets ended tracks (after a grace period for late snapshots) and tracks the engine went quiet on. */
  private pruneTracks(): void {
    if (++this.flushesSincePrune < 20) return;
    this.flushesSincePrune = 0;
    for (const [key, t] of this.tracks) {
      const idle = this.latestTime - t.lastTime;
      if (t.ended && idle > endedTrackGraceMs) this.tracks.delete(key);
      else if (!t.ended && idle > staleTrackMs) {
        t.ended = true;
        this.dirtyTracks.add(t);
        this.tracks.delete(key);
      }
    }
    for (const [key, s] of this.waitingSnapshots) {
      if (this.latestTime - s.time > staleTrackMs) {
        this.waitingSnapshots.delete(key);
        void unlink(join(this.dataDir, s.path)).catch(() => undefined);
      }
    }
  }
}

const coord = 8192; // 13 bits per box field: boxes up to 8191 px

/** [x, y, w, h] → one integer (52 bits, exact in a JS number); queries unpack it with shifts. */
export function packBox(box: readonly number[]): number {
  const c = (v: number): number => Math.min(coord - 1, Math.max(0, Math.round(v)));
  return ((c(box[0]!) * coord + c(box[1]!)) * coord + c(box[2]!)) * coord + c(box[3]!);
}

function trackKey(camera: string, track: number): string {
  return `${camera}\u0000${track}`;
}
