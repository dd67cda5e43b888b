// What the soak reads about a process from /proc: resident memory, where its private memory lies,
// and what its open files are.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** A /proc/PID/status figure in KiB: VmRSS (all resident pages, shared library pages included) or
 * RssAnon (the process's own heap memory: what a leak grows). */
export function statusKiB(pid: number, key: 'VmRSS' | 'RssAnon'): number {
  const m = new RegExp(`${key}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

export const openFiles = (pid: number): number => readdirSync(`/proc/${pid}/fd`).length;

/** Private resident memory (KiB) by where it lies. */
export interface AnonSplit {
  /** The brk heap: malloc of the main thread. */
  mainMalloc: number;
  /** glibc's per-thread malloc arenas (64 MiB-aligned mappings): libuv's workers (SQLite, fs), V8's helpers. */
  threadMalloc: number;
  /** Everything else: the JavaScript heap's pages, stacks, other mmap. */
  other: number;
}

const ARENA_ALIGN = 64n * 1024n * 1024n;

export function anonSplit(pid: number): AnonSplit {
  const split: AnonSplit = { mainMalloc: 0, threadMalloc: 0, other: 0 };
  let kind: keyof AnonSplit | null = null;
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ (\d+)\s*(.*)$/.exec(line);
    if (head) {
      const [, from, , inode, name] = head;
      // Files, [stack], [vvar] and the like are not private heap memory (kind null).
      if (name === '[heap]') kind = 'mainMalloc';
      else if (inode !== '0' || name) kind = null;
      else kind = BigInt(`0x${from}`) % ARENA_ALIGN === 0n ? 'threadMalloc' : 'other';
      continue;
    }
    const anon = /^Anonymous:\s+(\d+) kB/.exec(line);
    if (anon && kind) split[kind] += Number(anon[1]);
  }
  return split;
}

/** Open files by kind (socket, pipe, anon_inode:…, or the path with the data folder as `<home>`), counted. */
export function openFileKinds(pid: number, home: string): Map<string, number> {
  const kinds = new Map<string, number>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let target: string;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue; // closed while we looked
    }
    const kind = target.replace(/^(socket|pipe):\[\d+\]$/, '$1').replace(home, '<home>');
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  return kinds;
}

/** What `after` holds more of than `before`, e.g. "+2 socket, +1 <home>/record/x.jpg.tmp" (or "none"). */
export function moreFiles(before: Map<string, number>, after: Map<string, number>): string {
  const extra = [...after].filter(([k, n]) => n > (before.get(k) ?? 0)).map(([k, n]) => `+${n - (before.get(k) ?? 0)} ${k}`);
  return extra.length > 0 ? extra.join(', ') : 'none';
}
