// Fault 0: the engine process never outlives its parent. The parent (a real supervisor, or a bare
// spawn without IPC) is SIGKILLed; the engine must be gone within 1 s.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../../main/paths.js';
import { pidAlive, until } from '../../helpers/faults.js';

async function killParentAndTime(mode: 'fork' | 'no-ipc'): Promise<number> {
  const parent = spawn(process.execPath, ['--import', 'tsx', join(projectRoot(), 'test', 'fixtures', 'faults', 'engine-parent.ts'), mode], {
    cwd: projectRoot(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  parent.stdout.on('data', (d: Buffer) => (out += d.toString()));
  parent.stderr.on('data', (d: Buffer) => (out += d.toString()));
  try {
    const enginePid = await until('the engine process to start', 30_000, () => {
      const m = /engine (\d+)/.exec(out);
      return m ? Number(m[1]) : undefined;
    });
    expect(pidAlive(enginePid)).toBe(true);
    // Timed from the parent's exit: the kernel may take a moment to end a SIGKILLed process.
    const exited = new Promise<number>((resolve) => parent.once('exit', () => resolve(performance.now())));
    parent.kill('SIGKILL');
    await until(`engine pid ${enginePid} to end after its parent was killed`, 5_000, () => (pidAlive(enginePid) ? undefined : true), 10);
    const gone = performance.now();
    return Math.max(0, gone - (await exited));
  } finally {
    parent.kill('SIGKILL');
  }
}

describe('the engine process dies with its parent', () => {
  it('Node fork: the IPC channel closing ends it within 1 s', async () => {
    const ms = await killParentAndTime('fork');
    console.log(`[faults] engine gone ${ms.toFixed(0)} ms after its SIGKILLed parent exited (IPC disconnect)`);
    expect(ms).toBeLessThan(1_000);
  });

  it('no IPC channel (as under Electron): the parent watchdog ends it within 1 s', async () => {
    const ms = await killParentAndTime('no-ipc');
    console.log(`[faults] engine gone ${ms.toFixed(0)} ms after its SIGKILLed parent exited (watchdog)`);
    expect(ms).toBeLessThan(1_000);
  });
});
