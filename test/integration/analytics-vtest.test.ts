// Line crossings on real video: `vigil-engine run vtest.avi --analytics` with the default detector
// (nanodet-coco) and ByteTrack, two lines, counts per direction against a ground truth made by
// looking at the frames (test/fixtures/analytics/vtest-crossings.json says how): error ≤ 1 each.
// Also: a bad analytics file is refused by name before anything runs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../main/paths.js';

const VTEST = '/usr/share/doc/opencv-doc/examples/data/vtest.avi';
const fixtures = join(projectRoot(), 'test', 'fixtures', 'analytics');
const engine = (args: string[], timeout: number) =>
  spawnSync(process.execPath, [join(projectRoot(), 'bin', 'vigil-engine.mjs'), ...args], { encoding: 'utf8', timeout, maxBuffer: 256 * 1024 * 1024 });

interface Line {
  frame: number;
  events?: { kind: string; zone: string; track?: number; label?: string; direction?: 'in' | 'out' }[];
  counts?: { zone: string; kind: string; in?: number; out?: number }[];
}
interface GroundTruth {
  crossings: Record<string, { in: number[]; out: number[] }>;
}

describe('vigil-engine run --analytics', () => {
  it('counts crossings of two lines on vtest.avi within 1 of the ground truth per line and direction', () => {
    if (!existsSync(VTEST)) throw new Error(`${VTEST} is missing: install opencv-doc (apt-get install opencv-doc)`);
    const r = engine(['run', `file://${VTEST}`, '--json', '--tracker', 'bytetrack', '--analytics', join(fixtures, 'vtest-lines.json')], 560_000);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Line);
    expect(lines.length).toBe(795);
    const truth = (JSON.parse(readFileSync(join(fixtures, 'vtest-crossings.json'), 'utf8')) as GroundTruth).crossings;
    const seen: Record<string, { in: number; out: number }> = { west: { in: 0, out: 0 }, east: { in: 0, out: 0 } };
    for (const l of lines)
      for (const e of l.events ?? []) {
        expect(e.kind).toBe('cross');
        expect(e.label).toBe('person');
        seen[e.zone]![e.direction!] += 1;
      }
    // The running counts on the last line agree with the events.
    const last = lines[lines.length - 1]!.counts!;
    for (const c of last) expect({ in: c.in, out: c.out }).toEqual(seen[c.zone]);
    const report = Object.entries(truth).map(
      ([zone, t]) => `${zone}: in ${seen[zone]!.in} (truth ${t.in.length}), out ${seen[zone]!.out} (truth ${t.out.length})`,
    );
    console.log(`[analytics vtest] ${report.join('; ')}`);
    for (const [zone, t] of Object.entries(truth)) {
      expect(Math.abs(seen[zone]!.in - t.in.length), `${zone} in`).toBeLessThanOrEqual(1);
      expect(Math.abs(seen[zone]!.out - t.out.length), `${zone} out`).toBeLessThanOrEqual(1);
    }
  }, 600_000);

  it('refuses a bad zones file by field, and a label the model lacks, before running', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-analytics-'));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify([{ id: 'door', kind: 'line', points: [[0, 0]] }]));
    const r1 = engine(['run', `file://${VTEST}`, '--json', '--analytics', bad], 60_000);
    expect(r1.status).toBe(2);
    expect(r1.stderr).toContain('zones[0].points needs exactly 2 points for a line');
    expect(r1.stdout).toBe('');
    const unicorn = join(dir, 'unicorn.json');
    writeFileSync(
      unicorn,
      JSON.stringify([
        {
          id: 'door',
          kind: 'line',
          points: [
            [0, 0],
            [1, 1],
          ],
          labels: ['unicorn'],
        },
      ]),
    );
    const r2 = engine(['run', `file://${VTEST}`, '--json', '--analytics', unicorn], 60_000);
    expect(r2.status).toBe(2);
    expect(r2.stderr).toContain("label 'unicorn' is not one of the model's labels");
    const r3 = engine(['run', `file://${VTEST}`, '--json', '--analytics', join(dir, 'missing.json')], 60_000);
    expect(r3.status).toBe(2);
    expect(r3.stderr).toContain("cannot read '");
  }, 180_000);
});
