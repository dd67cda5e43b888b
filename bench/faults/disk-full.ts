// Fault 5: the disk holding the data folder fills up while the app records. The data folder is a
// small tmpfs mounted for the run (needs root; without it the run says why and does nothing).
// Measured: how soon the API says recording is paused and why, whether the emergency retention
// frees room, that the API keeps answering, how soon recording resumes once space returns, and that
// the database and workspace are intact.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SystemStatus } from '../../main/api/contract.js';
import { validateWorkspace } from '../../main/workspace/model.js';
import { callApi, sleep, until } from '../../test/helpers/faults.js';
import { faultWorkspace, serveWorkspace } from '../../test/helpers/rtsp-camera.js';
import type { ServedNode } from '../../test/helpers/serve.js';
import { census, integrity } from './census.js';
import { demoClip } from './engine-kills.js';

export interface DiskFullFigures {
  skipped: string | null;
  sizeMiB: number;
  /** Disk filled → the API's recorder status names the full disk, ms. */
  reportedAfterMs: number;
  lastError: string;
  /** API calls answered while the disk was full (of those made). */
  answered: number;
  calls: number;
  /** What the emergency retention did (from the app's log). */
  retentionLog: string;
  /** Space back → a new detection committed and lastError cleared, ms. */
  resumedAfterMs: number;
  detectionsBefore: number;
  detectionsAfter: number;
  integrity: string;
  workspaceOk: boolean;
}

/** Mounts a tmpfs of `mib` MiB on a new folder; returns it, or why that is impossible here. */
export function mountTmpfs(mib: number): { dir: string } | { skipped: string } {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${mib}m,mode=0700`, 'tmpfs', dir], { stdio: 'pipe' });
    return { dir };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    const why = (e as { stderr?: Buffer }).stderr?.toString().trim() || (e as Error).message;
    return { skipped: `cannot mount a tmpfs for the disk-full test (${why}) — run as root (or with CAP_SYS_ADMIN) to include it` };
  }
}

export function unmount(dir: string): void {
  for (let i = 0; i < 20; i++) {
    try {
      execFileSync('umount', [dir], { stdio: 'pipe' });
      break;
    } catch {
      execFileSync('sleep', ['0.2']);
    }
  }
  rmSync(dir, { recursive: true, force: true });
}

/** Fills the file system with one file until it is full; returns the bytes written. */
function fill(file: string): number {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024, 0x5a);
  let written = 0;
  try {
    for (;;) written += writeSync(fd, chunk);
  } catch {
    // ENOSPC: full. Then the last bytes, a little at a time.
    const small = Buffer.alloc(512, 0x5a);
    try {
      for (;;) written += writeSync(fd, small);
    } catch {
      /* full */
    }
  } finally {
    closeSync(fd);
  }
  return written;
}

export async function diskFull(options: { sizeMiB?: number; log?: (line: string) => void } = {}): Promise<DiskFullFigures> {
  const sizeMiB = options.sizeMiB ?? 48;
  const log = options.log ?? (() => undefined);
  const blank: DiskFullFigures = {
    skipped: null,
    sizeMiB,
    reportedAfterMs: NaN,
    lastError: '',
    answered: 0,
    calls: 0,
    retentionLog: '',
    resumedAfterMs: NaN,
    detectionsBefore: 0,
    detectionsAfter: 0,
    integrity: '',
    workspaceOk: false,
  };
  const mounted = mountTmpfs(sizeMiB);
  if ('skipped' in mounted) return { ...blank, skipped: mounted.skipped };
  const home = mounted.dir;
  let node: ServedNode | null = null;
  try {
    const f = { ...blank };
    const cams = ['North', 'South'].map((name) => ({ name, uri: demoClip(), detectFps: 5, record: { detectionsHz: 0, snapshots: true } }));
    node = await serveWorkspace(faultWorkspace(cams), {}, home);
    const origin = node.origin;
    const dbFile = join(home, 'record', 'vigil.db');
    const status = () => callApi<SystemStatus>(origin, 'system.status');
    await until('recording to start', 90_000, async () => ((await census(dbFile)).tracks >= 5 ? true : undefined), 250);
    await sleep(3_000);
    const filler = join(home, 'filler.bin');
    const filled = fill(filler);
    const fullAt = Date.now();
    log(`  filled the ${sizeMiB} MiB disk with ${(filled / 2 ** 20).toFixed(1)} MiB; free now ${statfsSync(home).bavail * statfsSync(home).bsize} bytes`);
    // Keep asking the API while the disk is full.
    const reported = await until(
      'the recorder to report the full disk',
      120_000,
      async () => {
        f.calls++;
        const s = await status();
        f.answered++;
        return s.recorder?.lastError ? s.recorder.lastError : undefined;
      },
      250,
    );
    f.reportedAfterMs = Date.now() - fullAt;
    f.lastError = reported;
    for (let i = 0; i < 10; i++) {
      f.calls += 2;
      await callApi(origin, 'tracks.search', { limit: 20 }).then(
        () => f.answered++,
        () => undefined,
      );
      await status().then(
        () => f.answered++,
        () => undefined,
      );
      await sleep(200);
    }
    await until(
      'the emergency retention to run',
      60_000,
      () => (/\[retention\] (freed room|could not make room)[^\n]*/.test(node!.output()) ? true : undefined),
      250,
    );
    f.retentionLog =
      node
        .output()
        .match(/\[retention\] [^\n]*/g)
        ?.join(' | ') ?? '';
    f.detectionsBefore = (await census(dbFile)).detections;
    // Space comes back.
    rmSync(filler);
    const freedAt = Date.now();
    await until(
      'recording to resume',
      60_000,
      async () => {
        const s = await status();
        return !s.recorder?.lastError && (await census(dbFile)).detections > f.detectionsBefore ? true : undefined;
      },
      250,
    );
    f.resumedAfterMs = Date.now() - freedAt;
    f.detectionsAfter = (await census(dbFile)).detections;
    await node.stop();
    f.integrity = await integrity(dbFile);
    try {
      validateWorkspace(JSON.parse(readFileSync(join(home, 'workspace.json'), 'utf8')));
      f.workspaceOk = true;
    } catch {
      f.workspaceOk = false;
    }
    return f;
  } finally {
    await node?.stop();
    unmount(home);
  }
}

export function describeDiskFull(f: DiskFullFigures): string {
  if (f.skipped) return `disk full: SKIPPED — ${f.skipped}`;
  return `disk full (${f.sizeMiB} MiB tmpfs): reported ${f.reportedAfterMs} ms after the disk filled ("${f.lastError.slice(0, 90)}…"); API answered ${f.answered}/${f.calls} calls while full; retention: ${f.retentionLog || 'did not run'}; recording resumed ${f.resumedAfterMs} ms after space returned (${f.detectionsBefore} → ${f.detectionsAfter} detections); integrity ${f.integrity}; workspace ${f.workspaceOk ? 'valid' : 'DAMAGED'}`;
}
