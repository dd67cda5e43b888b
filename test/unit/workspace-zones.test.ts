// Zones in the workspace: version 1 files (mask rectangles) migrated to version 2 (masks are zones of
// kind 'mask'), zone validation naming the field, and the demo's line and zone.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ZONE_LIMITS } from '../../main/api/registries.js';
import { migrateWorkspace } from '../../main/workspace/migrate.js';
import { validateWorkspace, WorkspaceError, WORKSPACE_VERSION } from '../../main/workspace/model.js';
import { demoWorkspace, WorkspaceFile } from '../../main/workspace/workspace-file.js';

const home = () => mkdtempSync(join(tmpdir(), 'vigil-wsz-'));

/** A workspace file as Vigil wrote it before masks were polygons. */
const versionOne = {
  version: 1,
  defaultModel: null,
  cameras: [
    {
      id: 'gate',
      name: 'Gate',
      uri: 'test://ball',
      enabled: true,
      detectFps: 0,
      model: null,
      record: { detectionsHz: 2, snapshots: true },
      zones: [
        {
          id: 'mask-1',
          name: 'Door',
          kind: 'zone',
          points: [
            [0.1, 0.1],
            [0.5, 0.1],
            [0.5, 0.5],
          ],
          labels: [],
        },
      ],
      masks: [
        [0.1, 0.2, 0.3, 0.4],
        [0.8, 0.9, 0.5, 0.5],
      ],
      loop: false,
      realtime: true,
    },
    { id: 'yard', name: 'Yard', uri: 'test://snow', masks: [] },
  ],
  engine: { tracker: 'bytetrack', batchSize: 4, batchedPushTimeoutMs: 40, inferEvery: 1, preview: { width: 640, fps: 10 } },
  retention: { maxAgeDays: 14, maxGigabytes: 20 },
};

function fieldOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof WorkspaceError) return e.field;
    throw e;
  }
  throw new Error('expected a WorkspaceError');
}

describe('workspace version 1 → 2 (mask rectangles become mask zones)', () => {
  it('turns each rectangle into a 4-point polygon of kind mask, clipped to the frame, with an id of its own', () => {
    const w = validateWorkspace(structuredClone(versionOne));
    expect(w.version).toBe(WORKSPACE_VERSION);
    expect(WORKSPACE_VERSION).toBe(2);
    const gate = w.cameras[0]!;
    expect('masks' in gate).toBe(false);
    expect(gate.zones.map((z) => [z.id, z.name, z.kind])).toEqual([
      ['mask-1', 'Door', 'zone'],
      ['mask-1-2', 'Mask 1', 'mask'],
      ['mask-2', 'Mask 2', 'mask'],
    ]);
    expect(gate.zones[1]!.points).toEqual([
      [0.1, 0.2],
      [0.4, 0.2],
      [0.4, 0.6],
      [0.1, 0.6],
    ]);
    expect(gate.zones[2]!.points).toEqual([
      [0.8, 0.9],
      [1, 0.9],
      [1, 1],
      [0.8, 1],
    ]);
    expect(w.cameras[1]!.zones).toEqual([]);
  });

  it('upgrades an old workspace file on disk, keeping the old file beside it', () => {
    const dir = home();
    const file = join(dir, 'workspace.json');
    const old = JSON.stringify(versionOne, null, 2);
    writeFileSync(file, old);
    const logs: string[] = [];
    const ws = new WorkspaceFile({ home: dir, log: (l) => logs.push(l) });
    expect(ws.camera('gate')!.zones.filter((z) => z.kind === 'mask')).toHaveLength(2);
    const written = JSON.parse(readFileSync(file, 'utf8')) as { version: number; cameras: Record<string, unknown>[] };
    expect(written.version).toBe(2);
    expect(written.cameras.every((c) => !('masks' in c))).toBe(true);
    expect(readFileSync(`${file}.v1`, 'utf8')).toBe(old);
    expect(logs.join('\n')).toContain('upgraded from version 1 to 2');
    // Opened again: already version 2, nothing more to do.
    const again = new WorkspaceFile({ home: dir, log: (l) => logs.push(l) });
    expect(again.camera('gate')!.zones).toEqual(ws.camera('gate')!.zones);
    expect(logs).toHaveLength(1);
  });

  it('refuses a bad old rectangle by its index, and a masks field in a version 2 file', () => {
    const bad = structuredClone(versionOne);
    bad.cameras[0]!.masks = [
      [0.1, 0.2, 0.3, 0.4],
      [0.1, 0.2, 3, 0.4],
    ];
    expect(fieldOf(() => validateWorkspace(bad))).toBe('cameras[0].masks[1]');
    expect(() => validateWorkspace(bad)).toThrow(/each number from 0 to 1/);
    const two = { ...structuredClone(versionOne), version: 2 };
    expect(fieldOf(() => validateWorkspace(two))).toBe('cameras[0].masks');
    expect(() => validateWorkspace(two)).toThrow(/zones of kind 'mask'/);
    // Migration itself never throws on input it cannot read.
    expect(migrateWorkspace('nonsense')).toEqual({ workspace: 'nonsense', from: 0 });
  });
});

describe('zone validation', () => {
  const camera = (zones: unknown[]) => ({
    cameras: [
      { name: 'Gate', uri: 'test://ball' },
      { name: 'Yard', uri: 'test://snow', zones },
    ],
  });
  const line = {
    id: 'l',
    name: 'Line',
    kind: 'line',
    points: [
      [0, 0],
      [1, 1],
    ],
  };

  it('names the field at fault', () => {
    expect(fieldOf(() => validateWorkspace(camera([line, { ...line, id: 'm', points: [[0, 0]] }])))).toBe('cameras[1].zones[1].points');
    expect(
      fieldOf(() =>
        validateWorkspace(
          camera([
            {
              ...line,
              points: [
                [0, 0],
                [1.5, 1],
              ],
            },
          ]),
        ),
      ),
    ).toBe('cameras[1].zones[0].points[1][0]');
    expect(fieldOf(() => validateWorkspace(camera([{ ...line, kind: 'fence' }])))).toBe('cameras[1].zones[0].kind');
    expect(fieldOf(() => validateWorkspace(camera([{ ...line, direction: 'left' }])))).toBe('cameras[1].zones[0].direction');
  });

  it('applies the shared ranges (ZONE_LIMITS) to every numeric field', () => {
    for (const [key, { min, max, integer }] of Object.entries(ZONE_LIMITS)) {
      const zone = {
        id: 'z',
        name: 'Z',
        kind: 'zone',
        points: [
          [0, 0],
          [1, 0],
          [1, 1],
        ],
      };
      expect(fieldOf(() => validateWorkspace(camera([{ ...zone, [key]: max + 1 }])))).toBe(`cameras[1].zones[0].${key}`);
      expect(fieldOf(() => validateWorkspace(camera([{ ...zone, [key]: min - 1 }])))).toBe(`cameras[1].zones[0].${key}`);
      if (integer) expect(fieldOf(() => validateWorkspace(camera([{ ...zone, [key]: min + 0.5 }])))).toBe(`cameras[1].zones[0].${key}`);
      expect(validateWorkspace(camera([{ ...zone, [key]: max }])).cameras[1]!.zones[0]![key as keyof typeof ZONE_LIMITS]).toBe(max);
    }
  });

  it('refuses two zones of one camera with the same id (events name zones by id)', () => {
    expect(fieldOf(() => validateWorkspace(camera([line, { ...line, name: 'Other' }])))).toBe('cameras[1].zones[1].id');
    // The same id on two cameras is fine.
    expect(() =>
      validateWorkspace({
        cameras: [
          { name: 'A', uri: 'test://ball', zones: [line] },
          { name: 'B', uri: 'test://ball', zones: [line] },
        ],
      }),
    ).not.toThrow();
  });
});

describe('the demo workspace', () => {
  it('has a line and a zone (person) on one camera, and masks on none', () => {
    const w = validateWorkspace(demoWorkspace());
    const withZones = w.cameras.filter((c) => c.zones.length > 0);
    expect(withZones).toHaveLength(1);
    const kinds = withZones[0]!.zones.map((z) => z.kind).sort();
    expect(kinds).toEqual(['line', 'zone']);
    for (const z of withZones[0]!.zones) expect(z.labels).toEqual(['person']);
  });
});
