// The recorder: takes the engine's per-batch metadata and writes it in transactions batched by
// size and time. All database ids are allocated here (one writer), so every table is filled by a
// single `INSERT ... SELECT FROM json_each(?)` per transaction. When the disk falls behind, boxes
// are thinned (never tracks or events) so memory stays bounded.

import { mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Snapshot } from '../api/engine-types.js';
import type { CameraRecordingPolicy, CommitInfo, RecorderBatch, RecorderOptions, RecorderStats, SegmentInput, WriteReceipt } from './types.js';
import type { SqlDriver } from './driver.js';
import { relativeMediaPath } from './media.js';
import { packBox, trackKey, WriteQueue, type PreparedBatch } from './recorder-queue.js';
import { countRollup, eventRow, TrackBook } from './recorder-tracks.js';
import { transactionSteps } from './recorder-sql.js';
import { validateBatch } from './validate.js';

export class Recorder {
  private readonly maxDelayMs: number;
  private readonly batchDetections: number;
  private readonly maxQueued: number;
  private readonly log: (line: string) => void;

  private readonly policies = new Map<string, number>();
  /** Cameras and the tracks being followed, by engine id. */
  private readonly book: TrackBook;
  /** What the next transaction writes. */
  private readonly queue = new WriteQueue();
  private runId: number;

  private seq = 0;
  private committedSeq = 0;
  private rejected = 0;
  private thinned = 0;
  private stride = 1;
  private hardCapped = false;
  private committedDetections = 0;
  private lastCommitMs = 0;
  private readonly commitHistory: { at: number; detections: number }[] = [];
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
    this.book = new TrackBook(this.queue, dataDir, init);
    this.runId = init.nextRunId;
    this.queue.newRuns.push(`[${this.runId},${init.now}]`);
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
    this.book.endAll();
    this.runId += 1;
    this.queue.newRuns.push(`[${this.runId},${now}]`);
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
      const cameraId = this.book.cameraId(f.camera);
      const interval = this.policies.get(f.camera) ?? 0;
      if (f.time > this.book.latestTime) this.book.latestTime = f.time;
      for (const o of f.objects) {
        const t = this.book.track(f.camera, cameraId, o.track, o.label, o.classId, f.time, prepared);
        if (f.time > t.lastTime) t.lastTime = f.time;
        if (o.score > t.bestScore) {
          t.bestScore = o.score;
          t.bestTime = f.time;
          t.bestBox = o.box;
        }
        this.queue.dirtyTracks.add(t);
        countRollup(prepared, f.time, cameraId, o.label, 1, 0);
        if (interval > 0) {
          // One box per time slot of the policy rate (slots are aligned to the clock, so jitter cannot add boxes).
          const slot = Math.floor(f.time / interval);
          if (slot === t.lastSlot) continue;
          t.lastSlot = slot;
        }
        if (this.queue.queuedDetections + added >= this.maxQueued) {
          this.thinned += 1;
          this.hardCapped = true;
          continue;
        }
        if (this.stride > 1 && ++t.thinCounter % this.stride !== 0) {
          this.thinned += 1;
          continue;
        }
        const row = `[${t.id},${Math.round(f.time - t.firstTime)},${packBox(o.box)},${Math.round(o.score * 1000)}]`;
        const queued = this.queue.queuedRows.get(t.id);
        if (queued) queued.push(row);
        else this.queue.queuedRows.set(t.id, [row]);
        added++;
      }
    }

    this.book.foldEvents(batch, prepared, this.queue.dirtyTracks);

    this.queue.pending.push(prepared);
    this.queue.queuedDetections += added;
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
    const t = this.book.tracks.get(key);
    // Not seen yet (the snapshot overtook the metadata): reserve the id the track will get.
    const trackId = t?.id ?? this.book.waitingSnapshots.get(key)?.trackId ?? this.book.nextTrackId++;
    const day = new Date(snapshot.time).toISOString().slice(0, 10);
    const rel = `snapshots/${day}/${this.book.cameraId(snapshot.camera)}/${trackId}.jpg`;
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
    if (this.book.tracks.has(key)) this.queue.snapshotUpdates.push(update);
    else this.book.waitingSnapshots.set(key, { ...update, time: snapshot.time });
    this.scheduleFlush();
    return rel;
  }

  /**
   * A camera stopped ('camera-offline', with why) or started again ('camera-online') delivering video:
   * one event row, so outages show in the recording like everything else.
   */
  noteCameraState(camera: string, state: 'offline' | 'online', time: number, detail: Record<string, string | number | boolean> | null = null): void {
    if (this.closed) return;
    if (!Number.isFinite(time) || time < 0)
      throw new Error(`camera '${camera}': the time of a camera-${state} event must be a non-negative number, got ${String(time)}`);
    const prepared: PreparedBatch = { seq: ++this.seq, events: [], zones: [], rollup: new Map() };
    prepared.events.push(eventRow(time, this.book.cameraId(camera), null, `camera-${state}`, null, null, detail ? JSON.stringify(detail) : null));
    this.queue.pending.push(prepared);
    this.scheduleFlush();
  }

  /** Records a finished recording segment (a media file under the data directory). */
  addSegment(segment: SegmentInput): void {
    const path = relativeMediaPath(this.dataDir, segment.path);
    for (const [k, v] of [
      ['start', segment.start],
      ['end', segment.end],
      ['bytes', segment.bytes],
    ] as const) {
      if (!Number.isFinite(v) || v < 0) throw new Error(`segment ${segment.path}: ${k} must be a non-negative number, got ${String(v)}`);
    }
    if (segment.end < segment.start) throw new Error(`segment ${segment.path}: end (${segment.end}) is before start (${segment.start})`);
    const extra = [segment.startPts ?? 0, segment.codec ?? '', segment.width ?? 0, segment.height ?? 0, segment.pendingEvents ? 1 : 0];
    this.queue.newSegments.push(JSON.stringify([this.book.cameraId(segment.camera), segment.start, segment.end, path, segment.bytes, ...extra]));
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
      queuedDetections: this.queue.queuedDetections,
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

  private scheduleFlush(now = false): void {
    if (this.closed) return;
    if (this.flushing) return; // the running flush reschedules itself when it ends
    if (now || this.queue.queuedDetections >= this.batchDetections) {
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
      if (this.failedFlushes === 1)
        this.log(
          `recorder: writing to the database failed (${err.message}); keeping what is queued and retrying — check free disk space and the data directory`,
        );
      for (const l of this.failureListeners) l(err);
      if (this.failedFlushes >= 20 || this.closing) {
        for (const w of this.flushWaiters.splice(0)) w.reject(err);
      }
      if (this.closing) return;
      this.timer = setTimeout(
        () => {
          this.timer = null;
          this.startFlush();
        },
        Math.min(5000, 200 * this.failedFlushes),
      );
      this.adjustThinning();
      return;
    }
    if (this.failure)
      this.log(`recorder: writing again after ${((Date.now() - this.failure.since) / 1000).toFixed(1)} s of failed writes (${this.failedFlushes} attempts)`);
    this.failure = null;
    this.failedFlushes = 0;
    this.adjustThinning();
    const waiting = this.settleWaiters();
    if (this.outstanding() || waiting) this.scheduleFlush(waiting);
  }

  private adjustThinning(): void {
    const high = this.maxQueued / 2;
    if (this.queue.queuedDetections > high && this.stride < 64) {
      this.stride *= 2;
      this.log(
        `recorder: the disk is not keeping up (${this.queue.queuedDetections} boxes queued); keeping 1 in ${this.stride} boxes per track until it catches up — tracks and events are all kept`,
      );
    } else if (this.queue.queuedDetections < high / 4 && (this.stride > 1 || this.hardCapped)) {
      this.stride = this.stride > 1 ? this.stride / 2 : 1;
      this.hardCapped = false;
      if (this.stride === 1) this.log(`recorder: caught up with the engine; recording every box again (${this.thinned} thinned so far)`);
    }
  }

  private async flushOnce(): Promise<void> {
    // Everything queued goes into this transaction (whole batches; the queue bound keeps it bounded).
    const taken = this.queue.take();
    const preparing = performance.now();
    const steps = transactionSteps(taken, this.runId, (ms) => (this.lazyPrepareMs += ms));
    let prepareMs = performance.now() - preparing;
    this.lazyPrepareMs = 0;
    const started = performance.now();
    try {
      if (steps.length > 0) await this.db.batch(steps);
    } catch (err) {
      this.queue.putBack(taken); // in front, so nothing is lost: the retry writes it again
      throw err;
    }
    const ms = performance.now() - started;
    prepareMs += this.lazyPrepareMs;
    this.lastCommitMs = ms;
    const detections = taken.detections;
    this.committedDetections += detections;
    this.commitHistory.push({ at: Date.now(), detections });
    this.trimCommitHistory(Date.now()); // also when nobody asks for stats: it must not grow for days
    if (taken.batches.length > 0) this.committedSeq = taken.batches[taken.batches.length - 1]!.seq;
    this.book.prune();
    const info: CommitInfo = { seq: this.committedSeq, detections, ms, prepareMs };
    for (const l of this.commitListeners) l(info);
  }

  private outstanding(): boolean {
    return this.queue.outstanding();
  }

  /** Resolves flush() callers whose batches are committed; returns whether any still wait. */
  private settleWaiters(): boolean {
    const idle = !this.outstanding();
    for (let i = this.flushWaiters.length - 1; i >= 0; i--) {
      const w = this.flushWaiters[i]!;
      if (w.seq <= this.committedSeq && (idle || this.queue.pending.length === 0 || this.queue.pending[0]!.seq > w.seq)) {
        this.flushWaiters.splice(i, 1);
        w.resolve();
      }
    }
    return this.flushWaiters.length > 0;
  }
}
