import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateWorkspace, WorkspaceError, WORKSPACE_VERSION } from '../../main/workspace/model.js';
import { redactUri, splitCredentials, uriProblem } from '../../main/workspace/uri.js';
import { demoWorkspace, WorkspaceFile } from '../../main/workspace/workspace-file.js';

const home = () => mkdtempSync(join(tmpdir(), 'vigil-ws-'));

describe('camera URIs', () => {
  it('redacts passwords for display and logs', () => {
    expect(redactUri('rtsp://admin:hunter2@10.0.0.5:554/stream1')).toBe('rtsp://admin:***@10.0.0.5:554/stream1');
    expect(redactUri('file:///video/a.mp4')).toBe('file:///video/a.mp4');
  });
  it('splits the password off so it can be stored apart', () => {
    expect(splitCredentials('rtsp://admin:p%40ss@cam/s')).toEqual({ uri: 'rtsp://admin@cam/s', password: 'p@ss' });
  });
  it('names unsupported schemes and the ones that work', () => {
    expect(uriProblem('ftp://x/y')).toMatch(/scheme 'ftp' is not supported — use one of file, rtsp/);
    expect(uriProblem('not a uri')).toMatch(/is not a URI/);
    expect(uriProblem('v4l2:///dev/video0')).toBeNull();
  });
});

describe('workspace validation', () => {
  it('names the field and the fix', () => {
    const bad = () =>
      validateWorkspace({
        cameras: [
          { name: 'Gate', uri: 'rtsp://cam/s' },
          { name: 'Yard', uri: '' },
        ],
      });
    expect(bad).toThrow(WorkspaceError);
    expect(bad).toThrow(/^cameras\[1\]\.uri must be a non-empty text — enter a camera URI/);
    expect(() => validateWorkspace({ engine: { tracker: 'kcf' } })).toThrow(/engine\.tracker must be iou, sort or bytetrack/);
    expect(() =>
      validateWorkspace({
        cameras: [
          {
            name: 'A',
            uri: 'test://ball',
            zones: [
              {
                name: 'Door',
                points: [
                  [0, 0],
                  [1, 1],
                ],
              },
            ],
          },
        ],
      }),
    ).toThrow(/cameras\[0\]\.zones\[0\]\.points needs at least 3 points/);
  });
  it("keeps a zone's kind-specific analytics fields and refuses bad ones by name", () => {
    const zones = [
      {
        name: 'Door',
        kind: 'line',
        points: [
          [0.5, 0],
          [0.5, 1],
        ],
        labels: ['person'],
        direction: 'in',
        referencePoint: 'center',
        minScore: 0.4,
      },
      {
        name: 'Yard',
        points: [
          [0, 0],
          [1, 0],
          [1, 1],
        ],
        inertiaFrames: 5,
        crowdThreshold: 3,
        crowdSeconds: 2,
        dwellSeconds: 10,
        direction: 'left',
      },
      {
        name: 'Tree',
        kind: 'mask',
        points: [
          [0, 0],
          [0.2, 0],
          [0.2, 0.2],
        ],
      },
    ];
    const ws = validateWorkspace({ cameras: [{ name: 'A', uri: 'test://ball', zones }] });
    const [door, yard, tree] = ws.cameras[0]!.zones;
    expect(door).toMatchObject({ id: 'door', kind: 'line', direction: 'in', referencePoint: 'center', minScore: 0.4 });
    expect(yard).toMatchObject({ kind: 'zone', inertiaFrames: 5, crowdThreshold: 3, crowdSeconds: 2, dwellSeconds: 10, direction: 'left' });
    expect(tree).toMatchObject({ kind: 'mask' });
    const withZone = (zone: Record<string, unknown>) => () =>
      validateWorkspace({
        cameras: [
          {
            name: 'A',
            uri: 'test://ball',
            zones: [
              {
                name: 'Z',
                points: [
                  [0, 0],
                  [1, 0],
                  [1, 1],
                ],
                ...zone,
              },
            ],
          },
        ],
      });
    expect(
      withZone({
        kind: 'line',
        points: [
          [0, 0],
          [1, 1],
        ],
        direction: 'left',
      }),
    ).toThrow(/zones\[0\]\.direction of a line must be 'any', 'in' or 'out'/);
    expect(withZone({ inertiaFrames: 0 })).toThrow(/zones\[0\]\.inertiaFrames must be a number from 1 to 1000/);
    expect(withZone({ crowdThreshold: 2.5 })).toThrow(/zones\[0\]\.crowdThreshold must be a whole number/);
    expect(withZone({ referencePoint: 'feet' })).toThrow(/zones\[0\]\.referencePoint must be 'bottom-center', 'center' or 'top-center'/);
    expect(withZone({ kind: 'ring' })).toThrow(/zones\[0\]\.kind must be 'zone', 'line' or 'mask'/);
  });
  it('gives each camera motion gating (off, sensitivity 50 by default) and refuses a bad one by name', () => {
    const ws = validateWorkspace({
      cameras: [
        { name: 'A', uri: 'test://ball' },
        { name: 'B', uri: 'test://snow', motion: { enabled: true, sensitivity: 80 } },
        { name: 'C', uri: 'test://snow', motion: { enabled: true } },
      ],
    });
    expect(ws.cameras.map((c) => c.motion)).toEqual([
      { enabled: false, sensitivity: 50 },
      { enabled: true, sensitivity: 80 },
      { enabled: true, sensitivity: 50 },
    ]);
    const camera = (motion: unknown) => () => validateWorkspace({ cameras: [{ name: 'A', uri: 'test://ball', motion }] });
    expect(camera({ sensitivity: 0 })).toThrow('cameras[0].motion.sensitivity must be a number from 1 to 100, not 0');
    expect(camera({ sensitivity: 101 })).toThrow(/cameras\[0\]\.motion\.sensitivity must be a number from 1 to 100/);
    expect(camera({ sensitivity: 12.5 })).toThrow('cameras[0].motion.sensitivity must be a whole number from 1 to 100');
    expect(camera({ enabled: 'yes' })).toThrow('cameras[0].motion.enabled must be true or false');
    expect(camera(true)).toThrow('cameras[0].motion must be an object');
  });
  it('refuses a workspace from a newer Vigil', () => {
    expect(() => validateWorkspace({ version: WORKSPACE_VERSION + 1 })).toThrow(/newer Vigil/);
  });
  it('rejects two cameras with the same id', () => {
    expect(() =>
      validateWorkspace({
        cameras: [
          { name: 'Gate', uri: 'test://ball' },
          { name: 'gate', uri: 'test://snow' },
        ],
      }),
    ).toThrow(/used by two cameras/);
  });
});

describe('workspace store', () => {
  it('seeds the demo with the real clip once and keeps it across restarts', () => {
    const dir = home();
    const first = new WorkspaceFile({ home: dir, seed: demoWorkspace });
    expect(first.get().cameras.length).toBeGreaterThanOrEqual(4);
    first.updateSettings({ engine: { tracker: 'sort' } });
    const again = new WorkspaceFile({ home: dir, seed: () => ({ cameras: [] }) });
    expect(again.get().engine.tracker).toBe('sort');
    expect(again.get().cameras.length).toBe(first.get().cameras.length);
  });

  it('keeps camera passwords out of the workspace file and out of views', () => {
    const dir = home();
    const store = new WorkspaceFile({ home: dir });
    const cam = store.addCamera({ name: 'Gate', uri: 'rtsp://admin:hunter2@10.1.2.3/live' });
    expect(readFileSync(store.path, 'utf8')).not.toContain('hunter2');
    expect(store.view(cam).uri).toBe('rtsp://admin:***@10.1.2.3/live');
    expect(JSON.stringify(store.view(cam))).not.toContain('hunter2');
    expect(store.engineUri(cam)).toBe('rtsp://admin:hunter2@10.1.2.3/live');
    expect(statSync(join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
    // A masked URI sent back unchanged by the renderer keeps the stored password.
    const edited = store.updateCamera(cam.id, { uri: 'rtsp://admin:***@10.1.2.3/live', name: 'Front gate' });
    expect(store.engineUri(edited)).toBe('rtsp://admin:hunter2@10.1.2.3/live');
    store.removeCamera(cam.id);
    expect(readFileSync(join(dir, 'secrets.json'), 'utf8')).not.toContain(cam.id);
  });

  it('shows query-only credentials as *** without inventing a user name, and refuses stars in a changed URI', () => {
    const store = new WorkspaceFile({ home: home() });
    const cam = store.addCamera({ name: 'Dahua', uri: 'rtsp://10.0.0.9/cam?channel=1&pwd=s3cret' });
    const shown = store.view(cam).uri;
    expect(shown).toBe('rtsp://10.0.0.9/cam?channel=1&pwd=***');
    expect(shown).not.toContain('@');
    // Sent back as shown: unchanged, the secret kept.
    const renamed = store.updateCamera(cam.id, { uri: shown, name: 'Dahua gate' });
    expect(store.engineUri(renamed)).toBe('rtsp://10.0.0.9/cam?channel=1&pwd=s3cret');
    // Another host with the stars left in would store '***' as the password: refused, naming the fix.
    expect(() => store.updateCamera(cam.id, { uri: 'rtsp://10.0.0.10/cam?channel=1&pwd=***' })).toThrow(/type the password again/);
    expect(store.engineUri(store.get().cameras[0]!)).toBe('rtsp://10.0.0.9/cam?channel=1&pwd=s3cret');
  });

  it('keeps motion gating across updates that change one of its fields, and shows it in the view', () => {
    const dir = home();
    const store = new WorkspaceFile({ home: dir });
    const cam = store.addCamera({ name: 'Gate', uri: 'test://ball', motion: { enabled: true, sensitivity: 70 } });
    expect(store.view(cam).motion).toEqual({ enabled: true, sensitivity: 70 });
    expect(store.updateCamera(cam.id, { motion: { sensitivity: 30 } }).motion).toEqual({ enabled: true, sensitivity: 30 });
    expect(store.updateCamera(cam.id, { motion: { enabled: false } }).motion).toEqual({ enabled: false, sensitivity: 30 });
    expect(() => store.updateCamera(cam.id, { motion: { sensitivity: 500 } })).toThrow(/camera\.motion\.sensitivity must be a number from 1 to 100/);
    expect(new WorkspaceFile({ home: dir }).get().cameras[0]?.motion).toEqual({ enabled: false, sensitivity: 30 });
  });

  it('emits precise changes so one camera can be applied without touching the others', () => {
    const store = new WorkspaceFile({ home: home() });
    const kinds: string[] = [];
    store.on('change', (c) => kinds.push(c.kind));
    const a = store.addCamera({ name: 'A', uri: 'test://ball' });
    store.addCamera({ name: 'A!', uri: 'test://snow' }); // another name, the same id stem
    store.updateCamera(a.id, { enabled: false });
    store.removeCamera(a.id);
    expect(kinds).toEqual(['camera-added', 'camera-added', 'camera-updated', 'camera-removed']);
    expect(store.get().cameras.map((c) => c.id)).toEqual(['a-2']);
  });

  it('refuses a camera name already in use (any case), on add and on rename, and keeps the workspace as it was', () => {
    const store = new WorkspaceFile({ home: home() });
    store.addCamera({ name: 'Gate', uri: 'test://ball' });
    const yard = store.addCamera({ name: 'Yard', uri: 'test://snow' });
    expect(() => store.addCamera({ name: ' gate ', uri: 'test://snow' })).toThrow(
      "camera.name a camera named 'Gate' already exists — give this camera its own name",
    );
    expect(() => store.updateCamera(yard.id, { name: 'GATE' })).toThrow(/a camera named 'Gate' already exists/);
    expect(store.updateCamera(yard.id, { name: 'yard' }).name).toBe('yard'); // its own name in another case is fine
    expect(store.get().cameras.map((c) => c.name)).toEqual(['Gate', 'yard']);
  });

  it('explains a damaged workspace file instead of crashing', () => {
    const dir = home();
    writeFileSync(join(dir, 'workspace.json'), '{"cameras": [');
    expect(() => new WorkspaceFile({ home: dir })).toThrow(/is not valid JSON .* move it away to start from the demo/);
  });

  it('replaces the file atomically and keeps a last good copy', () => {
    const dir = home();
    const store = new WorkspaceFile({ home: dir });
    store.addCamera({ name: 'Gate', uri: 'test://ball' });
    const lastGood = `${store.path}.last-good`;
    expect(JSON.parse(readFileSync(store.path, 'utf8')).cameras).toHaveLength(1);
    expect(readFileSync(lastGood, 'utf8')).toBe(readFileSync(store.path, 'utf8'));
    expect(existsSync(`${store.path}.tmp`)).toBe(false);
  });

  for (const [what, text] of [
    ['truncated', '{"cameras": [{"name": "Ga'],
    ['empty', ''],
    ['invalid', '{"cameras": [{"name": "Gate", "uri": ""}]}'],
  ] as const) {
    it(`starts with the last good copy when workspace.json is ${what}, says so and keeps the damaged file`, () => {
      const dir = home();
      const logs: string[] = [];
      new WorkspaceFile({ home: dir }).addCamera({ name: 'Gate', uri: 'test://ball' });
      writeFileSync(join(dir, 'workspace.json'), text);
      const store = new WorkspaceFile({ home: dir, log: (l) => logs.push(l) });
      expect(store.get().cameras.map((c) => c.name)).toEqual(['Gate']);
      expect(store.notice).toMatch(/Started with the last good copy/);
      expect(logs.join('\n')).toMatch(/workspace\.json.*last good copy/s);
      const kept = readdirSync(dir).filter((f) => f.startsWith('workspace.json.bad-'));
      expect(kept).toHaveLength(1);
      expect(readFileSync(join(dir, kept[0]!), 'utf8')).toBe(text);
      // And the file is whole again.
      expect(JSON.parse(readFileSync(join(dir, 'workspace.json'), 'utf8')).cameras).toHaveLength(1);
    });
  }
});
