// Analytics end to end on a real `vigil serve` with the demo clip and the demo's line and zone
// (resources/demo-workspace.json, camera "Plaza north"): events are recorded in the store file and
// served by events.search, tracks.search {zone} finds the tracks that crossed, counts arrive with the
// previews, zones.events streams them live, a zone change applies without reopening the camera, a bad
// zone is refused by field, and an engine restart loses nothing and reapplies the zones.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { AnalyticsEvent, CameraView, PreviewFrameMessage, SystemStatus, TrackSummary, Zone, ZoneEvent } from '../../main/api/contract.js';
import { projectRoot } from '../../main/paths.js';
import { openSqlite3 } from '../../main/store/driver.js';
import { startServe, type ServedNode } from '../helpers/serve.js';

const CLIP = join(projectRoot(), '.vigil', 'media', 'vtest.mp4');
const CAMERA = 'plaza-north';

interface DemoCamera {
  name: string;
  zones: Zone[];
}

/** One camera: the demo's "Plaza north" with its line and zone, as the demo workspace has it. */
function workspaceHome(): string {
  const demo = JSON.parse(readFileSync(join(projectRoot(), 'resources', 'demo-workspace.json'), 'utf8')) as { cameras: DemoCamera[] };
  const plaza = demo.cameras.find((c) => c.name === 'Plaza north');
  if (!plaza) throw new Error('the demo workspace has no camera "Plaza north"');
  const home = mkdtempSync(join(tmpdir(), 'vigil-analytics-'));
  writeFileSync(
    join(home, 'workspace.json'),
    JSON.stringify({
      version: 2,
      cameras: [{ id: CAMERA, name: plaza.name, uri: `file://${CLIP}`, loop: true, realtime: true, zones: plaza.zones }],
      engine: { tracker: 'bytetrack', batchSize: 1, batchedPushTimeoutMs: 40, inferEvery: 1, preview: { width: 320, fps: 5 } },
    }),
  );
  return home;
}

async function call<T>(node: ServedNode, method: string, params: unknown = {}): Promise<T> {
  const res = await fetch(`${node.origin}/api/v1/${method.split('.').join('/')}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params),
  });
  const body = (await res.json()) as { ok: boolean; result: T; error?: { message: string; field?: string } };
  if (!body.ok) throw Object.assign(new Error(body.error?.message), { field: body.error?.field });
  return body.result;
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await Promise.resolve()
      .then(probe)
      .catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The WebSocket: previews of the camera (header only) and the live analytics events. */
function watch(node: ServedNode) {
  const socket = new WebSocket(node.url.replace('http', 'ws') + 'api/v1/ws');
  const previews: Omit<PreviewFrameMessage, 'jpeg'>[] = [];
  const live: AnalyticsEvent[] = [];
  socket.on('message', (data, binary) => {
    const buf = data as Buffer;
    if (binary) {
      previews.push(JSON.parse(buf.subarray(4, 4 + buf.readUInt32LE(0)).toString('utf8')) as Omit<PreviewFrameMessage, 'jpeg'>);
      return;
    }
    const m = JSON.parse(String(buf)) as { type: string; topic?: string; payload?: unknown };
    if (m.type === 'event' && m.topic === 'zones.events') live.push(...(m.payload as AnalyticsEvent[]));
  });
  const opened = new Promise<void>((resolve, reject) => {
    socket.once('open', () => {
      socket.send(JSON.stringify({ type: 'subscribe', topic: 'preview', camera: CAMERA }));
      resolve();
    });
    socket.once('error', reject);
  });
  return { opened, previews, live, close: () => socket.close() };
}

describe('analytics on a real vigil serve (demo clip, the demo line and zone)', () => {
  let node: ServedNode;
  let view: ReturnType<typeof watch>;
  beforeAll(async () => {
    node = await startServe([], { VIGIL_HOME: workspaceHome() });
    view = watch(node);
    await view.opened;
  });
  afterAll(async () => {
    view?.close();
    await node?.stop();
  });

  it('records line crossings and zone entries, serves them by events.search and streams them live', async () => {
    const found = await until('a crossing and a zone entry in the record', 120_000, async () => {
      const events = await call<ZoneEvent[]>(node, 'events.search', { cameras: [CAMERA], limit: 1000 });
      return events.some((e) => e.kind === 'cross') && events.some((e) => e.kind === 'enter') ? events : undefined;
    });
    const first = Math.min(...found.map((e) => e.t));
    console.log(`[analytics serve] ${found.length} events, the first ${((first - node.startedAt) / 1000).toFixed(1)} s after start`);
    for (const e of found) {
      expect(e.camera).toBe(CAMERA);
      expect(['walkway', 'plaza']).toContain(e.zone);
      expect(e.zoneName).toBe(e.zone === 'walkway' ? 'Walkway' : 'Plaza');
      if (e.kind === 'cross') expect(['in', 'out']).toContain(e.direction);
      else expect(e.direction).toBeNull();
      if (e.track !== null) expect(e.label).toBe('person');
    }
    // Newest first, and filters apply.
    expect(found.map((e) => e.t)).toEqual([...found.map((e) => e.t)].sort((a, b) => b - a));
    const crossings = await call<ZoneEvent[]>(node, 'events.search', { cameras: [CAMERA], zones: ['walkway'], kinds: ['cross'] });
    expect(crossings.length).toBeGreaterThan(0);
    expect(crossings.every((e) => e.zone === 'walkway' && e.kind === 'cross')).toBe(true);
    // Live: the same kinds of events came over the socket as they happened.
    await until('live zone events', 30_000, () => (view.live.some((e) => e.kind === 'cross' && e.zone === 'walkway') ? true : undefined));
    // In the store file itself.
    const db = await openSqlite3(join(node.home, 'record', 'vigil.db'), { readonly: true });
    try {
      const rows = await db.query<{ kind: string; zone: string; n: number }>(
        'SELECT kind, zone, count(*) AS n FROM events WHERE zone IS NOT NULL GROUP BY kind, zone ORDER BY kind, zone',
      );
      expect(rows.find((r) => r.kind === 'cross' && r.zone === 'walkway')?.n).toBeGreaterThan(0);
      const visits = await db.query<{ n: number }>("SELECT count(*) AS n FROM track_zones WHERE zone = 'walkway'");
      expect(visits[0]!.n).toBeGreaterThan(0);
    } finally {
      await db.close();
    }
  }, 180_000);

  it('lists the tracks that crossed the line under tracks.search {zone}, with the zone named', async () => {
    const tracks = await until('tracks that crossed the walkway', 30_000, async () => {
      const t = await call<TrackSummary[]>(node, 'tracks.search', { cameras: [CAMERA], zone: 'walkway', limit: 100 });
      return t.length > 0 ? t : undefined;
    });
    for (const t of tracks) expect(t.zones).toContainEqual({ id: 'walkway', name: 'Walkway' });
    const crossed = new Set(
      (await call<ZoneEvent[]>(node, 'events.search', { cameras: [CAMERA], zones: ['walkway'], kinds: ['cross'], limit: 1000 })).map((e) => e.track),
    );
    expect(tracks.some((t) => crossed.has(t.id))).toBe(true);
    // Zone ids are unique per camera only: a bare zone id (no camera) is refused, saying what to add.
    const bare = await call(node, 'tracks.search', { zone: 'walkway' }).then(
      () => null,
      (e: Error) => e,
    );
    expect(bare?.message).toMatch(/zone needs its camera.*cameras: \[/);
  }, 60_000);

  it('sends each preview with its frame’s zone and line counts', async () => {
    const withCounts = await until('previews with counts', 30_000, () => {
      const p = view.previews.filter((x) => x.counts && x.counts.length > 0);
      return p.length >= 3 ? p : undefined;
    });
    expect(withCounts[withCounts.length - 1]!.counts!.map((c) => [c.zone, c.kind]).sort()).toEqual([
      ['plaza', 'zone'],
      ['walkway', 'line'],
    ]);
    // A preview carries the counts of the newest result before it (inference lags decoding on a loaded
    // machine): the crossings already recorded show within a few previews.
    const last = await until('a preview whose line counts show the crossings', 30_000, () =>
      [...view.previews].reverse().find((x) => x.counts?.some((c) => c.zone === 'walkway' && c.in + c.out > 0)),
    );
    expect(last.counts!.map((c) => [c.zone, c.kind]).sort()).toEqual([
      ['plaza', 'zone'],
      ['walkway', 'line'],
    ]);
    const line = last.counts!.find((c) => c.zone === 'walkway')!;
    expect(line.in + line.out).toBeGreaterThan(0);
  }, 60_000);

  it('applies a zone change live: the camera is not reopened (its frame numbers keep rising) and the untouched line keeps its counts', async () => {
    const walkway = (p: Omit<PreviewFrameMessage, 'jpeg'>) => {
      const c = p.counts?.find((x) => x.zone === 'walkway');
      return c ? c.in + c.out : -1;
    };
    // A few crossings first, so a reset to zero could not hide behind new ones.
    await until('four crossings of the walkway on the previews', 120_000, () => (view.previews.some((p) => walkway(p) >= 4) ? true : undefined));
    const before = view.previews[view.previews.length - 1]!;
    const base = Math.max(...view.previews.map(walkway));
    const camera = (await call<{ cameras: CameraView[] }>(node, 'workspace.get')).cameras.find((c) => c.id === CAMERA)!;
    const west: Zone = {
      id: 'west',
      name: 'West path',
      kind: 'line',
      points: [
        [0.28, 0.8],
        [0.28, 0.2],
      ],
      labels: ['person'],
    };
    // The zone is renamed and its inertia changed (a new definition: its counts start again); the
    // walkway line is left as it was.
    const renamed = camera.zones.map((z) => (z.id === 'plaza' ? { ...z, name: 'Square', inertiaFrames: (z.inertiaFrames ?? 3) + 1 } : z));
    const changedAt = Date.now();
    const updated = await call<CameraView>(node, 'cameras.update', { id: CAMERA, patch: { zones: [...renamed, west] } });
    expect(updated.zones.map((z) => z.id)).toEqual(['walkway', 'plaza', 'west']);
    const after = await until('a preview counting the new line', 30_000, () =>
      view.previews.find((p) => p.frame > before.frame && p.counts?.some((c) => c.zone === 'west')),
    );
    const appliedMs = Date.now() - changedAt;
    // The walkway's crossings carried on from where they were: no preview after the change counts fewer.
    await until('a few previews with the new zones', 30_000, () =>
      view.previews.filter((p) => p.counts?.some((c) => c.zone === 'west')).length >= 5 ? true : undefined,
    );
    const changed = view.previews.filter((p) => p.counts?.some((c) => c.zone === 'west'));
    for (const p of changed) expect(walkway(p), `frame ${p.frame}: the walkway's crossings were reset by another zone's edit`).toBeGreaterThanOrEqual(base);
    // A reopened camera numbers its frames from zero again: here they keep rising across the change.
    const since = view.previews.slice(view.previews.indexOf(before));
    for (let i = 1; i < since.length; i++) expect(since[i]!.frame).toBeGreaterThan(since[i - 1]!.frame);
    expect(after.frame).toBeGreaterThan(before.frame);
    const stats = await call<SystemStatus>(node, 'system.status');
    expect(stats.engine.restarts).toBe(0);
    expect(stats.streams.find((x) => x.camera === CAMERA)?.state).toBe('live');
    console.log(
      `[analytics serve] zones changed live; a preview counting the new line within ${appliedMs} ms; frames ${before.frame} → ${after.frame} without a break; walkway crossings ${base} → ${walkway(changed[changed.length - 1]!)}`,
    );
    // The rename shows in what the record returns (the zone keeps its id).
    const events = await call<ZoneEvent[]>(node, 'events.search', { cameras: [CAMERA], zones: ['plaza'], limit: 5 });
    for (const e of events) expect(e.zoneName).toBe('Square');
  }, 180_000);

  it('refuses a bad zone by field and leaves the camera as it was', async () => {
    const bad = { id: 'broken', name: 'Broken', kind: 'line', points: [[0.1, 0.1]], labels: [] };
    const err = await call(node, 'cameras.update', { id: CAMERA, patch: { zones: [bad] } }).then(
      () => null,
      (e: Error & { field?: string }) => e,
    );
    expect(err?.field).toBe('camera.zones[0].points');
    expect(err?.message).toContain('needs exactly 2 points for a line');
    // A label the camera's model does not detect would be refused by the engine: refused here, by field.
    const unicorn = {
      id: 'u',
      name: 'U',
      kind: 'line',
      points: [
        [0.1, 0.1],
        [0.9, 0.9],
      ],
      labels: ['person', 'unicorn'],
    };
    const err2 = await call(node, 'cameras.update', { id: CAMERA, patch: { zones: [unicorn] } }).then(
      () => null,
      (e: Error & { field?: string }) => e,
    );
    expect(err2?.field).toBe('camera.zones[0].labels[1]');
    expect(err2?.message).toContain("'unicorn' is not a label of the model");
    const camera = (await call<{ cameras: CameraView[] }>(node, 'workspace.get')).cameras.find((c) => c.id === CAMERA)!;
    expect(camera.zones.map((z) => z.id)).toEqual(['walkway', 'plaza', 'west']);
  }, 30_000);

  it('loses no recorded event when the engine restarts, and counts again with the same zones after', async () => {
    const recorded = await call<ZoneEvent[]>(node, 'events.search', { limit: 1000 });
    const pid = (await call<SystemStatus>(node, 'system.status')).engine.pid!;
    process.kill(pid, 'SIGKILL');
    await until('the engine back', 30_000, async () => {
      const s = await call<SystemStatus>(node, 'system.status');
      return s.engine.state === 'running' && s.engine.pid !== pid ? true : undefined;
    });
    const count = view.previews.length;
    await until('counts of all three regions after the restart', 60_000, () =>
      view.previews.slice(count).some((p) => p.counts?.length === 3) ? true : undefined,
    );
    const after = await call<ZoneEvent[]>(node, 'events.search', { limit: 1000 });
    const ids = new Set(after.map((e) => e.id));
    expect(recorded.filter((e) => !ids.has(e.id) && e.t >= Math.min(...after.map((x) => x.t)))).toEqual([]);
  }, 120_000);
});
