// A real RTSP camera for tests and benchmarks: gst-rtsp-server in a python3-gi process
// (test/fixtures/faults/rtsp-server.py). It can be killed and started again on the same port, and
// told to stall (connection open, no video).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../main/paths.js';
import { startServe, type ServedNode } from './serve.js';

const SCRIPT = join(projectRoot(), 'test', 'fixtures', 'faults', 'rtsp-server.py');
/** Debian's python3 (python3-gi and gir1.2-gst-rtsp-server-1.0 are system packages). */
export const SYSTEM_PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

export interface RtspCameraOptions {
  user?: string;
  password?: string;
  width?: number;
  height?: number;
  fps?: number;
}

export class RtspCamera {
  private child: ChildProcess | null = null;
  port = 0;

  constructor(private readonly options: RtspCameraOptions = {}) {}

  /** rtsp://[user:password@]127.0.0.1:PORT/cam */
  uri(credentials = this.options.user ? `${this.options.user}:${this.options.password ?? ''}` : ''): string {
    return `rtsp://${credentials ? `${credentials}@` : ''}127.0.0.1:${this.port}/cam`;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the server (on the same port as before after a kill); resolves once it listens. */
  async start(): Promise<void> {
    const o = this.options;
    const args = [SCRIPT, '--port', String(this.port), '--width', String(o.width ?? 320), '--height', String(o.height ?? 240), '--fps', String(o.fps ?? 15)];
    if (o.user) args.push('--user', o.user, '--password', o.password ?? '');
    for (let attempt = 0; ; attempt++) {
      const child = spawn(SYSTEM_PYTHON, args, { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      const ready = await new Promise<boolean>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the RTSP test camera did not start within 10 s: ${out}`)), 10_000);
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /ready rtsp:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
          if (m) {
            clearTimeout(timer);
            this.port = Number(m[1]);
            resolve(true);
          }
        });
        child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
        child.on('exit', () => {
          clearTimeout(timer);
          resolve(false);
        });
      });
      if (ready) {
        this.child = child;
        return;
      }
      // The port of the killed server may take a moment to be free again.
      if (attempt >= 20) throw new Error(`the RTSP test camera could not listen on port ${this.port}: ${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** SIGKILL: the camera vanishes with its connections. */
  kill(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  /** Keeps connections open but stops sending video (until resume). */
  stall(): void {
    this.child?.stdin?.write('stall\n');
  }

  resume(): void {
    this.child?.stdin?.write('resume\n');
  }
}

/** Starts `vigil serve` on a fresh data folder holding this workspace (cameras given inline). */
export async function serveWorkspace(
  workspace: unknown,
  env: NodeJS.ProcessEnv = {},
  home = mkdtempSync(join(tmpdir(), 'vigil-faults-')),
): Promise<ServedNode> {
  writeFileSync(join(home, 'workspace.json'), JSON.stringify(workspace, null, 2));
  return startServe([], { ...env, VIGIL_HOME: home });
}

/** A small workspace: cheap engine settings so fault tests leave CPU for what they measure. */
export function faultWorkspace(
  cameras: { name: string; uri: string; loop?: boolean; realtime?: boolean; detectFps?: number }[],
  over: Record<string, unknown> = {},
): unknown {
  return {
    version: 1,
    defaultModel: null,
    cameras: cameras.map((c) => ({ detectFps: 2, record: { detectionsHz: 2, snapshots: true }, ...c })),
    engine: { tracker: 'bytetrack', batchSize: 4, batchedPushTimeoutMs: 40, inferEvery: 1, preview: { width: 320, fps: 2 } },
    retention: { maxAgeDays: 14, maxGigabytes: 20 },
    ...over,
  };
}
