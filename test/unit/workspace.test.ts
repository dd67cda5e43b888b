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
    const bad = () => validateWorkspace({ cameras: [{ name: 'Gate', uri: 'rtsp://cam/s' }, { name: 'Yard', uri: '' }] });
    expect(bad).toThrow(WorkspaceError);
    expect(bad).toThrow(/^cameras\[1\]\.uri must be a non-empty text — enter a camera URI/);
    expect(() => validateWorkspace({ engine: { tracker: 'kcf' } })).toThrow(/engine\.tracker must be iou, sort or bytetrack/);
    expect(() => validateWorkspace({ cameras: [{ name: 'A', uri: 'test://ball', zones: [{ name: 'Door', points: [[0, 0], [1, 1]] }] }] })).toThrow(
      /cameras\[0\]\.zones\[0\]\.points needs at least 3 points/,
    );
  });
  it('refuses a workspace from a newer Vigil', () => {
    expect(() => validateWorkspace({ version: WORKSPACE_VERSION + 1 })).toThrow(/newer Vigil/);
  });
  it('rejects two cameras with the same id', () => {
    expect(() => validateWorkspace({ cameras: [{ name: 'Gate', uri: 'test://ball' }, { name: 'gate', uri: 'test://snow' }] })).toThrow(/used by two cameras/);
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

  it('emits precise changes so one camera can be applied without touching the others', () => {
    const store = new WorkspaceFile({ home: home() });
    const kinds: string[] = [];
    store.on('change', (c) => kinds.push(c.kind));
    const a = store.addCamera({ name: 'A', uri: 'test://ball' });
    store.addCamera({ name: 'A', uri: 'test://snow' });
    store.updateCamera(a.id, { enabled: false });
    store.removeCamera(a.id);
    expect(kinds).toEqual(['camera-added', 'camera-added', 'camera-updated', 'camera-removed']);
    expect(store.get().cameras.map((c) => c.id)).toEqual(['a-2']);
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
