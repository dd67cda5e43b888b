// Fault 5: the data folder's disk fills up while recording (a tmpfs mounted by the test; skipped with
// the reason printed only where mounting is impossible).
import { expect, it } from 'vitest';
import { describeDiskFull, diskFull } from '../../../bench/faults/disk-full.js';

it('disk full: recording pauses with a clear status, retention makes room, the API keeps answering, recording resumes, nothing is corrupt', async (ctx) => {
  const f = await diskFull({ log: (l) => console.log(l) });
  console.log(`[faults] ${describeDiskFull(f)}`);
  if (f.skipped) {
    ctx.skip(f.skipped);
    return;
  }
  expect(f.lastError).toMatch(/The disk holding the recordings is full: recording is paused since/);
  expect(f.answered).toBe(f.calls);
  expect(f.retentionLog).toMatch(/freed room: [1-9]\d* tracks/);
  expect(f.detectionsAfter).toBeGreaterThan(f.detectionsBefore);
  expect(f.integrity).toBe('ok');
  expect(f.workspaceOk).toBe(true);
}, 300_000);
