// Fault 4 (short): `vigil serve` SIGKILLed 3× mid-write; `npm run bench:faults` does 20×.
import { expect, it } from 'vitest';
import { describeServeKills, serveKills } from '../../../bench/faults/serve-kills.js';

it("vigil serve SIGKILLed 3× while writing: no orphan engine (gone within 1 s of serve's exit), workspace.json whole, database intact, nothing committed lost", async () => {
  const f = await serveKills(3);
  console.log(`[faults] ${describeServeKills(f)}`);
  expect(f.orphans).toBe(0);
  for (const ms of f.orphanGoneMs) expect(ms).toBeLessThan(1_000);
  expect(f.writes).toBeGreaterThan(0);
  expect(f.badWorkspaces).toBe(0);
  expect(f.badIntegrity).toBe(0);
  expect(f.lost).toBe(0);
  expect(f.last.detections).toBeGreaterThan(0);
}, 240_000);
