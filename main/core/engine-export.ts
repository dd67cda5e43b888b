// Runs `vigil-engine export JOB.json` (native/cli/export_command.cpp): the job goes in a private
// temporary file, progress and the result come back as JSON lines on stdout. Decoding and
// re-encoding run in that process, never in the main process (a crash there fails the export only).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../paths.js';
import { withoutMainMalloc } from '../process-memory.js';

/** What `vigil-engine export` reads (wall times in ms; fromSeconds/toSeconds on the joined files' timeline). */
export interface EngineExportJob {
  out: string;
  segments: { path: string; start: number }[];
  from: number;
  to: number;
  fromSeconds: number;
  toSeconds: number;
  /** Burn these tracks' boxes in (decode + x264); absent: stream copy. */
  tracks?: { label: string; boxes: [number, number, number, number, number][] }[];
  holdMs?: number;
}

export interface EngineExportResult {
  durationMs: number;
  frames: number;
  bytes: number;
  /** Re-encoded exports: the wall time (ms) of the first frame written; stream copies start at a keyframe before --from. */
  firstWallMs?: number;
}

export type VideoExporter = (job: EngineExportJob, onProgress: (fraction: number) => void) => Promise<EngineExportResult>;

export function engineCliPath(): string {
  return process.env.VIGIL_ENGINE_CLI ?? join(projectRoot(), 'native', 'build', 'vigil-engine');
}

/** The exporter that runs the engine's command line; `signal` stops it (the partial file is removed by the engine's .part handling). */
export function engineExporter(signal?: AbortSignal): VideoExporter {
  return (job, onProgress) =>
    new Promise((resolveRun, reject) => {
      const dir = mkdtempSync(join(tmpdir(), 'vigil-export-'));
      const jobFile = join(dir, 'job.json');
      writeFileSync(jobFile, JSON.stringify({ ...job, boxes: job.tracks !== undefined }), { mode: 0o600 });
      const child = spawn(engineCliPath(), ['export', jobFile], {
        env: withoutMainMalloc(process.env),
        stdio: ['ignore', 'pipe', 'pipe'],
        ...(signal ? { signal } : {}),
      });
      let result: EngineExportResult | null = null;
      let error = '';
      let stderr = '';
      let buffered = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        buffered += chunk;
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const text = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          let msg: { progress?: number; ok?: boolean; error?: string; durationSeconds?: number; frames?: number; bytes?: number; firstWallMs?: number };
          try {
            msg = JSON.parse(text) as typeof msg;
          } catch {
            continue; // not a line of ours
          }
          if (typeof msg.progress === 'number') onProgress(msg.progress);
          else if (msg.ok === true)
            result = {
              durationMs: (msg.durationSeconds ?? 0) * 1000,
              frames: msg.frames ?? 0,
              bytes: msg.bytes ?? 0,
              ...(msg.firstWallMs ? { firstWallMs: msg.firstWallMs } : {}),
            };
          else if (msg.ok === false) error = msg.error ?? 'failed';
        }
      });
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => {
        stderr = (stderr + chunk).slice(-2000);
      });
      let settled = false;
      const done = (e: Error | null) => {
        if (settled) return;
        settled = true;
        rmSync(dir, { recursive: true, force: true });
        if (e) reject(e);
        else if (result) resolveRun(result);
        else reject(new Error(error || `the export stopped without a result${stderr ? `: ${stderr.trim().split('\n').pop()}` : ''}`));
      };
      child.on('error', (e) => {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT')
          done(new Error(`the engine's command line is not built (${engineCliPath()}) — run 'npm start' or 'npm test' once in the Vigil folder`));
        else if (e.name === 'AbortError') done(new Error('the export was cancelled'));
        else done(e);
      });
      child.on('close', () => done(null));
    });
}
