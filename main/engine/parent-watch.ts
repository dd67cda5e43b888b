// The engine process must never outlive the process that started it. Two lines of defence:
// the IPC channel closing ('disconnect', Node fork), and a watchdog that notices being re-parented
// (the parent died, whatever the channel: Electron's utilityProcess has no 'disconnect'). Linux's
// parent-death signal (prctl PR_SET_PDEATHSIG) is not reachable from JavaScript without native code.
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

/** The current parent pid, read fresh (Node's process.ppid is fixed at start-up). */
export function currentParentPid(): number | null {
  try {
    // /proc/self/stat: "pid (comm) state ppid ..."; comm may hold spaces and parentheses.
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(ppid) ? ppid : null;
  } catch {
    return null; // not Linux: the caller falls back to asking whether the parent still exists
  }
}

export interface ParentWatch {
  stop(): void;
}

/**
 * The watchdog runs on its own thread: the engine's JavaScript thread can sit for seconds inside a
 * synchronous native call (loading a model), and a dead parent must still end the process at once.
 * It reads the parent pid like currentParentPid() (a worker cannot import this module's functions).
 */
const WATCHDOG_SOURCE = `
const { workerData } = require('node:worker_threads');
const { readFileSync, writeSync } = require('node:fs');
const { parent, everyMs } = workerData;
function parentNow() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    try { process.kill(parent, 0); return parent; } catch (e) { return e.code === 'EPERM' ? parent : -1; }
  }
}
setInterval(() => {
  if (parentNow() !== parent) {
    try { writeSync(2, '[engine] the main process (pid ' + parent + ') is gone; the engine process ends\\n'); } catch {}
    process.kill(process.pid, 'SIGKILL');
  }
}, everyMs);
`;

/**
 * Ends the process when the parent goes away: on 'disconnect' of the IPC channel (this thread), and
 * from a watchdog thread that finds this process re-parented within `everyMs`, however busy this
 * thread is. `onLost` runs on this thread for the disconnect case.
 */
export function watchParent(onLost: (why: string) => void, everyMs = 100): ParentWatch {
  const parent = currentParentPid() ?? process.ppid;
  let fired = false;
  const onDisconnect = (): void => {
    if (fired) return;
    fired = true;
    onLost('the IPC channel to the main process closed');
  };
  process.on('disconnect', onDisconnect);
  const watchdog = new Worker(WATCHDOG_SOURCE, { eval: true, workerData: { parent, everyMs }, stdout: false, stderr: false });
  watchdog.unref();
  return {
    stop() {
      fired = true;
      void watchdog.terminate();
      process.off('disconnect', onDisconnect);
    },
  };
}

/**
 * Ends this process at once. Not process.exit(): native threads blocked on a callback into
 * JavaScript could hold exit hooks, and nobody is left to hand results to.
 */
export function exitNow(): never {
  process.kill(process.pid, 'SIGKILL');
  // Unreachable in practice; keeps the type honest where signals are not delivered synchronously.
  process.exit(1);
}
