// Fault 3 (short): the engine process SIGKILLed 5× while recording; `npm run bench:faults` does 20×.
import { expect, it } from 'vitest';
import { describeEngineKills, engineKills } from '../../../bench/faults/engine-kills.js';

it('engine SIGKILLed 5× during recording: back within 3 s each time, no committed row lost, integrity ok', async () => {
  const f = await engineKills(5);
  console.log(`[faults] ${describeEngineKills(f)}`);
  expect(f.backMs).toHaveLength(5);
  for (const ms of f.backMs) expect(ms).toBeLessThan(3_000);
  expect(f.gaps).toBe(5);
  expect(f.before.detections).toBeGreaterThan(0);
  expect(f.lost).toBe(0);
  expect(f.after.detections).toBeGreaterThan(f.before.detections);
  expect(f.integrity).toBe('ok');
}, 180_000);
