// Exports started from the API (`recordings.export`): each job runs `vigil-engine export` per camera
// (engine-export.ts) into its own folder under the record's exports/ (served as /media/exports/),
// and `exports.status` reports its progress and files. Paths never come from the client: the
// folder and the file names are made here. Two jobs run at a time; finished ones are kept for
// the status calls (the last 50), their files for a day (KEEP_MS: then deleted, at the next start
// of an export or of the app, so that exports never fill the disk the recordings need).
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ExportJob, ExportRequest } from '../api/contract.js';
import { openStoreReader } from '../store/index.js';
import { engineExporter, type VideoExporter } from './engine-export.js';
import { cameraList, ExportInputError, exportVideos } from './export.js';
import { ApiError } from './services.js';

const MAX_RUNNING = 2;
const KEPT = 50;
/** How long an export's files are kept after it finished. */
export const KEEP_MS = 24 * 3_600_000;
/**
 * With boxes, two hours (the job carries every box of the range: 30 fps × 20 objects is about 60 MB of
 * JSON an hour, and re-encoding runs at about real time per camera on a small machine); without, a week.
 */
const MAX_RANGE_MS = { boxes: 2 * 3_600_000, copy: 7 * 24 * 3_600_000 };

export class ExportJobs {
  private readonly jobs = new Map<string, ExportJob>();
  private running = 0;

  constructor(
    /** The record folder (the store's data folder): exports go to its exports/. */
    private readonly recordDir: string,
    private readonly exporter: () => VideoExporter = () => engineExporter(),
    private readonly log: (line: string) => void = () => {},
    private readonly now: () => number = Date.now,
  ) {
    this.sweep();
  }

  /** Deletes the folders of exports that finished more than KEEP_MS ago (a running job's folder is kept). */
  sweep(): void {
    let names: string[];
    try {
      names = readdirSync(this.exportsDir);
    } catch {
      return; // no exports yet
    }
    for (const name of names) {
      if (this.jobs.get(name)?.state === 'running') continue;
      const dir = join(this.exportsDir, name);
      try {
        if (this.now() - statSync(dir).mtimeMs > KEEP_MS) {
          rmSync(dir, { recursive: true, force: true });
          this.log(`[export] ${name}: deleted after ${KEEP_MS / 3_600_000} h`);
        }
      } catch {
        // gone meanwhile
      }
    }
  }

  get exportsDir(): string {
    return join(this.recordDir, 'exports');
  }

  async start(q: ExportRequest): Promise<ExportJob> {
    const cameras = cameraList(q.cameras);
    if (cameras.length === 0) throw new ApiError('invalid', 'name at least one camera to export', 'cameras');
    if (q.to <= q.from) throw new ApiError('invalid', `'to' (${new Date(q.to).toISOString()}) must be after 'from' (${new Date(q.from).toISOString()})`, 'to');
    const limit = q.boxes ? MAX_RANGE_MS.boxes : MAX_RANGE_MS.copy;
    if (q.to - q.from > limit)
      throw new ApiError('invalid', `export at most ${limit / 3_600_000} hours at a time${q.boxes ? ' with boxes' : ''} — split the range`, 'to');
    if (this.running >= MAX_RUNNING) throw new ApiError('conflict', `${this.running} exports are running — wait for one to finish (exports.status)`);
    const store = await openStoreReader(this.recordDir).catch((e: Error) => {
      throw new ApiError('not-found', e.message);
    });
    try {
      const known = new Set(await store.cameras());
      const unknown = cameras.filter((c) => !known.has(c));
      if (unknown.length > 0) throw new ApiError('not-found', `nothing recorded for camera ${unknown.map((c) => `'${c}'`).join(', ')}`, 'cameras');
    } catch (e) {
      await store.close();
      throw e;
    }
    const id = randomBytes(8).toString('hex');
    const job: ExportJob = { job: id, state: 'running', progress: 0, files: [], skipped: [] };
    this.jobs.set(id, job);
    this.prune();
    this.sweep();
    const dir = join(this.exportsDir, id);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.running += 1;
    void exportVideos(
      store,
      this.exporter(),
      { cameras, from: q.from, to: q.to, outDir: dir, force: false, boxes: q.boxes ?? false },
      () => {},
      (f) => {
        job.progress = Math.round(f * 1000) / 1000;
      },
    )
      .then((r) => {
        job.files = r.files.map((f) => ({
          camera: f.camera,
          url: `/media/exports/${id}/${encodeURIComponent(basename(f.out))}`,
          bytes: f.bytes,
          durationMs: Math.round(f.durationMs),
          frames: f.frames,
        }));
        job.skipped = r.skipped;
        job.progress = 1;
        job.state = 'done';
        job.keptUntil = this.now() + KEEP_MS;
        this.log(`[export] ${id}: ${job.files.length} file(s) in ${dir}`);
      })
      .catch((e: Error) => {
        job.state = 'failed';
        job.error = e instanceof ExportInputError ? e.message : `the export failed: ${e.message.split('\n')[0]}`;
        rmSync(dir, { recursive: true, force: true });
        this.log(`[export] ${id} failed: ${e.message}`);
      })
      .finally(() => {
        this.running -= 1;
        void store.close();
      });
    return { ...job };
  }

  status(id: string): ExportJob {
    const job = this.jobs.get(id);
    if (!job) throw new ApiError('not-found', `no export '${id.slice(0, 64)}' (finished exports are remembered until the next start)`, 'job');
    return { ...job, files: [...job.files], skipped: [...job.skipped] };
  }

  private prune(): void {
    for (const [id, job] of this.jobs) {
      if (this.jobs.size <= KEPT) break;
      if (job.state !== 'running') this.jobs.delete(id);
    }
  }
}
