// Starts a real `vigil serve` process for integration and browser tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../main/paths.js';
import { withMainMalloc } from '../../main/process-memory.js';

export interface ServedNode {
  url: string;
  origin: string;
  home: string;
  /** When the process was spawned (ms since the epoch): anything it recorded is newer. */
  startedAt: number;
  process: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

export async function startServe(args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<ServedNode> {
  // Each node gets its own data folder unless the test names one.
  const home = env.VIGIL_HOME ?? mkdtempSync(join(tmpdir(), 'vigil-home-'));
  const startedAt = Date.now();
  const child = spawn(process.execPath, [join(projectRoot(), 'bin', 'vigil.mjs'), 'serve', '--port', '0', ...args], {
    // The secret key lives outside the data folder (main/workspace/secrets.ts): a fresh one per node.
    // The main process's malloc settings as `npm start` sets them (main/process-memory.ts).
    env: { ...withMainMalloc(process.env), VIGIL_SECRET_KEY_FILE: join(mkdtempSync(join(tmpdir(), 'vigil-key-')), 'secret.key'), ...env, VIGIL_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`vigil serve did not start within 20 s:\n${out}`)), 20_000);
    const check = () => {
      const m = /serving on (http:\/\/\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`vigil serve exited with ${code}:\n${out}`));
    });
  });
  return {
    url,
    home,
    startedAt,
    origin: new URL(url).origin,
    process: child,
    output: () => out,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}
