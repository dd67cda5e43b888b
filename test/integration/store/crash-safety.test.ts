import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { openSqlite3 } from '../../../main/store/driver.js';
import { t0 } from '../../unit/store/batches.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const dataDir = mkdtempSync(join(tmpdir(), 'vigil-crash-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const objectsPerBatch = 4 * 20;
const frameMs = 100; // sceneBatch default: 10 fps

/** Runs the writer child, SIGKILLs it `afterMs` after it is ready; returns the highest committed seq it reported. */
function runAndKill(first: number, afterMs: number): Promise<{ committed: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'crash-writer.ts'), dataDir, String(first)], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let committed = 0;
    let buffer = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) {
        if (line === 'ready') setTimeout(() => child.kill('SIGKILL'), afterMs);
        const m = /^committed (\d+)$/.exec(line);
        if (m) committed = Math.max(committed, Number(m[1]));
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited by itself (code ${code}): ${stderr}`));
      else resolve({ committed, stderr });
    });
  });
}

it('keeps every committed batch and an intact database across 20+ SIGKILLs of a full-rate writer', async () => {
  let next = 0; // frame index the next child starts at
  const expectedFrames: number[] = [];
  let kills = 0;
  let totalCommitted = 0;
  for (let round = 0; round < 22; round++) {
    const { committed } = await runAndKill(next, 150 + Math.floor(Math.random() * 500));
    kills++;
    for (let s = 1; s <= committed; s++) expectedFrames.push(next + s - 1);
    totalCommitted += committed;
    next += 100_000; // each run writes fresh times, so a half-written batch of this run cannot hide behind the next one

    const db = await openSqlite3(join(dataDir, 'vigil.db'), { readonly: false });
    try {
      const [check] = await db.query<{ integrity_check: string }>('PRAGMA integrity_check');
      expect(check?.integrity_check).toBe('ok');
      const rows = await db.query<{ time: number; n: number }>(
        'SELECT t.first_time + d.dt AS time, count(*) AS n FROM detections d JOIN tracks t ON t.id = d.track_id GROUP BY time',
      );
      const byTime = new Map(rows.map((r) => [r.time, r.n]));
      const missing = expectedFrames.filter((f) => byTime.get(t0 + f * frameMs) !== objectsPerBatch);
      expect(missing, `frames committed but not (fully) present after kill ${kills}`).toEqual([]);
      // Batches are atomic: a frame is either all there or (not yet committed) absent.
      expect(rows.filter((r) => r.n !== objectsPerBatch)).toEqual([]);
      expect(rows.length).toBeGreaterThanOrEqual(expectedFrames.length);
    } finally {
      await db.close();
    }
  }
  expect(kills).toBeGreaterThanOrEqual(20);
  // The writer really was writing when it died (not killed before its first commit every time).
  expect(totalCommitted).toBeGreaterThan(100);
  console.log(`crash test: ${kills} SIGKILLs, ${totalCommitted} committed batches (${totalCommitted * objectsPerBatch} boxes) all present`);
});
