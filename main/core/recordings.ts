// Video recordings on the main process's side: indexes each segment the engine closes, finds the
// files a killed engine left unindexed (their playable length read by the engine), and applies each
// camera's mode and limits (events mode keeps only segments near events; per-camera age and size).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { SegmentClosed } from '../api/engine-types.js';
import { segmentNameTime, type CameraRecordingPolicy, type Store } from '../store/index.js';
import type { CameraConfig } from '../workspace/model.js';

/** The folder of one camera's segments under segments/: the id with anything but [A-Za-z0-9_-] replaced. */
export function cameraSegmentsDir(segmentsDir: string, cameraId: string): string {
  return join(segmentsDir, cameraId.replace(/[^A-Za-z0-9_-]/g, '_'));
}

/**
 * How many boxes the store keeps per track: every inferred frame's while the camera records video
 * (playback and exports draw the box of each frame; ARCHITECTURE.md, "Boxes for recorded video":
 * 25 bytes a box, 9–27 MB per camera-hour against ~1.8 GB of 1080p video), else `detectionsHz`.
 */
export function recordingPolicy(c: CameraConfig): CameraRecordingPolicy {
  if (c.record.mode !== 'off' || c.record.detectionsHz <= 0) return { detectionsHz: 'every-frame' };
  return { detectionsHz: Math.min(Math.max(c.record.detectionsHz, 0.1), 60) };
}

export interface RecordingsHost {
  store: Store;
  /** Absolute segments/ folder inside the store's data folder. */
  segmentsDir: string;
  cameras(): CameraConfig[];
  /** The engine's reading of an MP4's playable length. */
  probe(path: string): Promise<{ durationMs: number; codec: string; width: number; height: number }>;
  log(line: string): void;
}

export class Recordings {
  constructor(private readonly host: RecordingsHost) {}

  /** Indexes a closed segment (events-mode cameras: pending the events decision). */
  index(s: SegmentClosed): void {
    const camera = this.host.cameras().find((c) => c.id === s.camera);
    try {
      this.host.store.recorder.addSegment({
        camera: s.camera,
        start: s.start,
        end: s.end,
        path: s.path,
        bytes: s.bytes,
        startPts: s.startPts,
        codec: s.codec,
        width: s.width,
        height: s.height,
        pendingEvents: camera?.record.mode === 'events',
      });
    } catch (e) {
      this.host.log(`[recording] segment ${s.path} of camera '${s.camera}' not indexed: ${(e as Error).message}`);
    }
  }

  /**
   * Segment files on disk now (absolute paths, camera folder by folder). Call before the engine
   * starts recording: every file listed is complete or was left by a previous engine.
   */
  listFiles(): { camera: string; path: string }[] {
    const out: { camera: string; path: string }[] = [];
    let folders: string[];
    try {
      folders = readdirSync(this.host.segmentsDir);
    } catch {
      return out;
    }
    const ids = new Map(this.host.cameras().map((c) => [cameraSegmentsDir(this.host.segmentsDir, c.id), c.id]));
    for (const folder of folders) {
      const dir = join(this.host.segmentsDir, folder);
      let names: string[];
      try {
        names = readdirSync(dir).filter((n) => n.endsWith('.mp4'));
      } catch {
        continue;
      }
      for (const n of names) out.push({ camera: ids.get(dir) ?? folder, path: join(dir, n) });
    }
    return out;
  }

  /** Indexes the listed files the index lacks (a segment left open by a killed engine): returns how many. */
  async recover(files: { camera: string; path: string }[]): Promise<number> {
    const dataDir = this.host.store.dataDir;
    const rel = (p: string) =>
      p
        .slice(dataDir.length + 1)
        .split('\\')
        .join('/');
    const missing = new Set(await this.host.store.segments.unindexed(files.map((f) => rel(f.path))));
    let indexed = 0;
    for (const f of files) {
      if (!missing.has(rel(f.path))) continue;
      const start = segmentNameTime(f.path.slice(f.path.lastIndexOf('/') + 1));
      if (start === null) continue; // not a file the engine named
      try {
        const p = await this.host.probe(f.path);
        const camera = this.host.cameras().find((c) => c.id === f.camera);
        this.host.store.recorder.addSegment({
          camera: f.camera,
          start,
          end: start + Math.round(p.durationMs),
          path: f.path,
          bytes: statSync(f.path).size,
          codec: p.codec,
          width: p.width,
          height: p.height,
          pendingEvents: camera?.record.mode === 'events',
        });
        indexed += 1;
      } catch (e) {
        this.host.log(`[recording] ${f.path} was left by a stopped engine and does not play (${(e as Error).message}); it stays on disk, unindexed`);
      }
    }
    if (indexed > 0) this.host.log(`[recording] indexed ${indexed} segment(s) a stopped engine had left open`);
    return indexed;
  }

  /** Applies each camera's mode and limits once (events decisions, per-camera age and size). */
  async enforce(now = Date.now()): Promise<void> {
    for (const c of this.host.cameras()) {
      const r = c.record;
      if (r.mode === 'events') await this.host.store.segments.decideEvents(c.id, r, now);
      else await this.host.store.segments.keepPending(c.id);
      await this.host.store.segments.enforceLimits(c.id, { maxAgeDays: r.maxAgeDays, maxBytes: r.maxGigabytes * 1024 ** 3 }, now);
    }
  }
}
