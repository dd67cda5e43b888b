// Exports are kept for a day (main/core/export-jobs.ts KEEP_MS), then deleted when the app or the next
// export starts; a running export's folder is never deleted. Real folders, a clock given to the class.
import { mkdirSync, mkdtempSync, existsSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExportJobs, KEEP_MS } from '../../main/core/export-jobs.js';

function exportFolder(recordDir: string, name: string, finishedAt: number): string {
  const dir = join(recordDir, 'exports', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'north.mp4'), 'x');
  utimesSync(dir, finishedAt / 1000, finishedAt / 1000);
  return dir;
}

describe('exports are kept for a day', () => {
  it('the folders of exports finished more than KEEP_MS ago are deleted at start; newer ones stay', () => {
    const record = mkdtempSync(join(tmpdir(), 'vigil-exports-'));
    const now = Date.now();
    const old = exportFolder(record, 'a'.repeat(16), now - KEEP_MS - 60_000);
    const fresh = exportFolder(record, 'b'.repeat(16), now - KEEP_MS + 60_000);
    const log: string[] = [];
    new ExportJobs(
      record,
      undefined,
      (l) => log.push(l),
      () => now,
    );
    expect(existsSync(old)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
    expect(log.join('\n')).toMatch(/aaaaaaaaaaaaaaaa: deleted after 24 h/);
  });

  it('a later sweep deletes what has aged meanwhile; no exports folder at all is fine', () => {
    const record = mkdtempSync(join(tmpdir(), 'vigil-exports-'));
    let now = Date.now();
    const jobs = new ExportJobs(record, undefined, undefined, () => now);
    const dir = exportFolder(record, 'c'.repeat(16), now);
    jobs.sweep();
    expect(existsSync(dir)).toBe(true);
    now += KEEP_MS + 1000;
    jobs.sweep();
    expect(existsSync(dir)).toBe(false);
  });
});
