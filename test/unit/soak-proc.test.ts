// The soak's /proc readings (bench/soak/proc.ts), checked on this test process itself.
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anonSplit, moreFiles, openFileKinds, statusKiB } from '../../bench/soak/proc.js';

// Linux only, like the soak itself (and the rest of this suite's real parts).
describe('soak /proc readings', () => {
  it('splits the private memory into places that add up to RssAnon', () => {
    const split = anonSplit(process.pid);
    const total = split.mainMalloc + split.threadMalloc + split.other;
    const anon = statusKiB(process.pid, 'RssAnon');
    // Both are read a moment apart from a running process: within a few MiB of each other.
    expect(Math.abs(total - anon)).toBeLessThan(Math.max(8192, anon * 0.1));
    expect(split.other).toBeGreaterThan(0); // this process has a JavaScript heap
  });

  it('names an open file by its path under the data folder, and reports it as new', () => {
    const home = mkdtempSync(join(tmpdir(), 'vigil-soak-proc-'));
    try {
      const before = openFileKinds(process.pid, home);
      writeFileSync(join(home, 'held.tmp'), 'x');
      const fd = openSync(join(home, 'held.tmp'), 'r');
      try {
        const after = openFileKinds(process.pid, home);
        expect(after.get('<home>/held.tmp')).toBe(1);
        expect(moreFiles(before, after)).toContain('+1 <home>/held.tmp');
      } finally {
        closeSync(fd);
      }
      expect(moreFiles(before, openFileKinds(process.pid, home))).not.toContain('held.tmp');
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
