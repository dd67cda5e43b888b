// The engine process must never outlive the process that started it. Two lines of defence:
// the IPC channel closing ('disconnect', Node fork), and a watchdog that notices being re-parented
// (the parent died, whatever the channel: Electron's utilityProcess has no 'disconnect'). Linux's
// parent-death signal (prctl PR_SET_PDEATHSIG) is not reachable from JavaScript without native code.
import { readFileSync } from 'node:fs';

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

function parentAlive(parent: number): boolean {
  const now = currentParentPid();
  if (now !== null) return now === parent;
  try {
    process.kill(parent, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface ParentWatch {
  stop(): void;
}

/**
 * Calls `onLost` once when the parent goes away: on 'disconnect' of the IPC channel, or when the
 * watchdog (every `everyMs`) finds this process re-parented.
 */
export function watchParent(onLost: (why: string) => void, everyMs = 200): ParentWatch {
  const parent = currentParentPid() ?? process.ppid;
  let fired = false;
  const lost = (why: string): void => {
    if (fired) return;
    fired = true;
    clearInterval(timer);
    onLost(why);
  };
  const onDisconnect = (): void => lost('the IPC channel to the main process closed');
  process.on('disconnect', onDisconnect);
  const timer = setInterval(() => {
    if (!parentAlive(parent)) lost(`the main process (pid ${parent}) is gone`);
  }, everyMs);
  return {
    stop() {
      fired = true;
      clearInterval(timer);
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
