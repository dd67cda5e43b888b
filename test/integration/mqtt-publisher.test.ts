// The MQTT publisher against a real mosquitto (Debian's package), fed with real engine batches: the
// native engine (GStreamer + ONNX Runtime in this process) on the generated squares clip, with two
// lines and a zone, recorded by a real store while the same batches go to the publisher, as
// main/core/app-node.ts wires them. A mosquitto_sub subscriber checks topics and payloads.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Zone } from '../../main/api/contract.js';
import type { AnalyticsEvent, MetadataBatch, TrackEvent } from '../../main/api/engine-types.js';
import { loadAddon, type NativeEngineInstance } from '../../main/addon/addon.js';
import type { NamesOf, VigilEventPayload } from '../../main/mqtt/payloads.js';
import { MqttPublisher, type PublisherConfig } from '../../main/mqtt/publisher.js';
import { projectRoot } from '../../main/paths.js';
import { openStore, type Store } from '../../main/store/index.js';
import { mosquittoMissing, startMosquitto, subscribe, until, type Broker } from '../helpers/mosquitto.js';

const missing = mosquittoMissing();
if (missing) console.log(`[mqtt] ${missing}`);

const cli = join(projectRoot(), 'native', 'build', 'vigil-engine');
// Square 1 moves right along the top (its bottom-centre x 72 → 249 px of 640), square 2 left along
// the bottom (552 → 375): 'west' is crossed by square 1 only, 'east' by square 2 only, 'top' holds square 1.
const ZONES: Zone[] = [
  {
    id: 'west',
    name: 'West line',
    kind: 'line',
    points: [
      [0.25, 0],
      [0.25, 1],
    ],
    labels: [],
  },
  {
    id: 'east',
    name: 'East line',
    kind: 'line',
    points: [
      [0.7, 0],
      [0.7, 1],
    ],
    labels: [],
  },
  {
    id: 'top',
    name: 'Top band',
    kind: 'zone',
    points: [
      [0, 0],
      [1, 0],
      [1, 0.4],
      [0, 0.4],
    ],
    labels: [],
    inertiaFrames: 2,
  },
];
const names: NamesOf = (id) => (id === 'clip' ? { name: 'Squares clip', zones: new Map(ZONES.map((z) => [z.id, { name: z.name, kind: z.kind }])) } : undefined);

let dir = '';
const batches: MetadataBatch[] = [];
let store: Store;

/** A replay of real batch `b` as the k-th later run: times, frames and track ids moved on, so nothing repeats. */
function replay(b: MetadataBatch, k: number): MetadataBatch {
  const dt = k * 60_000;
  const dtrack = k * 1000;
  return {
    frames: b.frames.map((f) => ({
      ...f,
      frame: f.frame + k * 100,
      time: f.time + dt,
      objects: f.objects.map((o) => ({ ...o, track: o.track + dtrack })),
      ...(f.counts ? { counts: f.counts } : {}),
    })),
    events: b.events.map((e) => ({ ...e, track: e.track + dtrack, time: e.time + dt, best: { ...e.best, time: e.best.time + dt } })),
    analytics: (b.analytics ?? []).map((a) => ({ ...a, track: a.track === null ? null : a.track + dtrack, time: a.time + dt })),
  };
}

const eventKey = (p: { kind: string; track: number | null; time: number; zone?: string | { id: string } | null }) =>
  `${p.kind}|${p.track}|${p.time}|${typeof p.zone === 'object' ? (p.zone?.id ?? '') : (p.zone ?? '')}`;

/** The events of these batches that the publisher sends (track updates only when the best sighting changed, ≤ 1/s). */
function sentEvents(list: MetadataBatch[]): string[] {
  const out: string[] = [];
  for (const b of list) {
    for (const e of b.events) if (e.kind !== 'update') out.push(eventKey(e));
    for (const a of b.analytics ?? []) out.push(eventKey(a));
  }
  return out;
}

function config(broker: Broker, over: Partial<PublisherConfig> = {}): PublisherConfig {
  return { enabled: true, url: broker.url, password: null, topicPrefix: 'vigil', format: 'vigil', ...over };
}

describe.skipIf(missing !== null)('MQTT publisher with a real mosquitto and real engine batches', () => {
  let broker: Broker;
  let engine: NativeEngineInstance | null = null;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-mqtt-'));
    broker = await startMosquitto();
    store = await openStore({ dataDir: join(dir, 'record'), log: () => undefined });
  }, 60_000);
  afterAll(async () => {
    engine?.stop();
    await broker?.stop();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes each event of a real run on the camera topic, the counts retained, the node available', async () => {
    const fx = JSON.parse(execFileSync(cli, ['fixtures', join(dir, 'fx')], { encoding: 'utf8' })) as { manifest: string; clip: string; frames: number };
    const sub = subscribe(broker, 'vigil/#', { id: 'sub-run' });
    await sub.ready();
    const log: string[] = [];
    const publisher = new MqttPublisher({ names, version: 'test', log: (l) => log.push(l) });
    publisher.configure(config(broker));
    expect(await until(() => publisher.status().state === 'connected', 5000)).toBe(true);
    const { Engine } = loadAddon();
    engine = new Engine(
      { model: fx.manifest, batchSize: 2, snapshots: false, statsIntervalMs: 0 },
      {
        onBatch: (b) => {
          // As app-node: the recorder first, then the publisher.
          const receipt = store.recorder.write(b);
          if (!receipt.ok) throw new Error(receipt.error);
          publisher.batch(b);
          batches.push(b);
        },
      },
    );
    engine.addSource('clip', `file://${fx.clip}`, { analytics: JSON.stringify(ZONES) });
    const frames = () => batches.reduce((n, b) => n + b.frames.length, 0);
    const ends = () => batches.flatMap((b) => b.events).filter((e) => e.kind === 'end').length;
    expect(await until(() => frames() === fx.frames && ends() === 2, 30_000)).toBe(true);
    engine.stop();
    engine = null;

    const analytics: AnalyticsEvent[] = batches.flatMap((b) => b.analytics ?? []);
    const tracks: TrackEvent[] = batches.flatMap((b) => b.events);
    const crosses = analytics.filter((a) => a.kind === 'cross');
    expect(crosses.map((c) => c.zone).sort()).toEqual(['east', 'west']);
    expect(analytics.filter((a) => a.kind === 'enter' && a.zone === 'top')).toHaveLength(1);

    const events = () => sub.messages.filter((m) => m.topic === 'vigil/clip/events').map((m) => JSON.parse(m.payload) as VigilEventPayload);
    const expected = sentEvents(batches);
    expect(await until(() => events().filter((e) => e.kind !== 'update').length >= expected.length, 10_000)).toBe(true);
    const got = events();
    // Every zone/line event and every track start and end, once, in the order the engine reported them.
    expect(got.filter((e) => e.kind !== 'update').map(eventKey)).toEqual(expected);
    for (const c of crosses) {
      const p = got.find((e) => e.kind === 'cross' && e.zone?.id === c.zone)!;
      expect(p).toMatchObject({
        type: 'analytics',
        camera: { id: 'clip', name: 'Squares clip' },
        zone: { id: c.zone, name: c.zone === 'west' ? 'West line' : 'East line', kind: 'line' },
        direction: c.direction,
        track: c.track,
        label: 'square',
        time: c.time,
        timestamp: new Date(c.time).toISOString(),
      });
      expect(p.box).toHaveLength(4);
    }
    // The two squares cross their lines in opposite directions.
    expect(new Set(crosses.map((c) => c.direction))).toEqual(new Set(['in', 'out']));
    const starts = got.filter((e) => e.kind === 'start');
    expect(starts).toHaveLength(2);
    expect(starts[0]).toMatchObject({ type: 'track', zone: null, label: 'square', best: { frame: expect.any(Number) } });
    // Best-snapshot updates: only when the best sighting changed, at most one a second per track.
    const updates = got.filter((e) => e.kind === 'update');
    expect(updates.length).toBeLessThan(tracks.filter((t) => t.kind === 'update').length);
    for (const track of new Set(updates.map((u) => u.track))) {
      const times = updates.filter((u) => u.track === track).map((u) => u.time);
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1000);
    }

    // Retained counts: the last frame's, per zone and label and for all labels.
    const lastCounts = batches.flatMap((b) => b.frames).at(-1)!.counts!;
    const retainedNow = subscribe(broker, 'vigil/clip/counts/#', { id: 'sub-retained' });
    expect(await until(() => retainedNow.messages.length >= lastCounts.length * 2, 5000)).toBe(true);
    await retainedNow.stop();
    expect(retainedNow.messages.every((m) => m.retain)).toBe(true);
    for (const z of lastCounts) {
      for (const label of ['all', 'square']) {
        const m = retainedNow.messages.find((x) => x.topic === `vigil/clip/counts/${z.zone}/${label}`);
        expect(m, `${z.zone}/${label}`).toBeDefined();
        const c = JSON.parse(m!.payload) as { in: number; out: number; inside: number; kind: string };
        expect({ in: c.in, out: c.out, inside: c.inside, kind: c.kind }).toEqual({ in: z.in, out: z.out, inside: z.inside, kind: z.kind });
      }
    }
    expect(JSON.parse(retainedNow.messages.find((m) => m.topic === 'vigil/clip/counts/west/all')!.payload)).toMatchObject({
      name: 'West line',
      in: expect.any(Number),
    });
    const available = sub.messages.filter((m) => m.topic === 'vigil/available');
    expect(available.map((m) => m.payload)).toEqual(['online']);

    // The database has the same track events.
    await store.recorder.flush();
    const stored = await store.queries.eventsAround({ time: Date.now(), windowMs: 3_600_000, kinds: ['track-start', 'track-end'], limit: 1000 });
    expect(stored.filter((e) => e.kind === 'track-start')).toHaveLength(2);
    expect(stored.filter((e) => e.kind === 'track-end')).toHaveLength(2);

    // A clean stop says 'offline' (retained) before the session ends.
    await publisher.close();
    expect(await until(() => sub.messages.some((m) => m.topic === 'vigil/available' && m.payload === 'offline'), 3000)).toBe(true);
    await sub.stop();
    expect(publisher.status()).toMatchObject({ dropped: 0, backlog: 0 });
    expect(log.some((l) => l.includes(`publishing to ${broker.url}`))).toBe(true);
  }, 60_000);

  it("sends DeepStream nvmsgconv's full schema when asked, under another prefix", async () => {
    expect(batches.length).toBeGreaterThan(0);
    const sub = subscribe(broker, 'site/#', { id: 'sub-nv' });
    await sub.ready();
    const publisher = new MqttPublisher({ names, version: '1.2.3', log: () => undefined });
    publisher.configure(config(broker, { topicPrefix: 'site', format: 'nvmsgconv' }));
    for (const b of batches) publisher.batch(replay(b, 1));
    const nv = () => sub.messages.filter((m) => m.topic === 'site/clip/events').map((m) => JSON.parse(m.payload) as Record<string, Record<string, unknown>>);
    const expected = sentEvents(batches).length;
    expect(await until(() => nv().filter((p) => p.event!.type !== 'moving').length >= expected, 10_000)).toBe(true);
    for (const p of nv()) {
      expect(Object.keys(p).sort()).toEqual(['@timestamp', 'analyticsModule', 'event', 'mdsversion', 'messageid', 'object', 'place', 'sensor', 'videoPath']);
      expect(p.sensor).toMatchObject({ id: 'clip', description: 'Squares clip', type: 'Camera' });
      expect(Object.keys(p.object!.bbox as object).sort()).toEqual(['bottomrightx', 'bottomrighty', 'topleftx', 'toplefty']);
      expect(p.analyticsModule).toMatchObject({ source: 'Vigil', version: '1.2.3' });
    }
    const cross = nv().filter((p) => (p.place!.info as Record<string, string>).vigilKind === 'cross');
    expect(cross.map((p) => p.event!.type).sort()).toEqual(['entry', 'exit']);
    expect(cross.every((p) => p.place!.type === 'line')).toBe(true);
    await publisher.close();
    await sub.stop();
  }, 30_000);

  it('loses nothing when the broker stops mid-run and comes back: the database has every event, publishing resumes in order', async () => {
    const sub = subscribe(broker, 'vigil/clip/events', { id: 'sub-outage' });
    await sub.ready();
    const log: string[] = [];
    const publisher = new MqttPublisher({ names, version: 'test', log: (l) => log.push(l), retryMs: { first: 200, max: 1000 } });
    publisher.configure(config(broker));
    expect(await until(() => publisher.status().state === 'connected', 5000)).toBe(true);
    const fed: MetadataBatch[] = [];
    let slowest = 0;
    const feed = (k: number) => {
      for (const b of batches) {
        const r = replay(b, k);
        const receipt = store.recorder.write(r);
        expect(receipt.ok).toBe(true);
        const t0 = performance.now();
        publisher.batch(r);
        slowest = Math.max(slowest, performance.now() - t0);
        fed.push(r);
      }
    };
    const received = () => sub.messages.map((m) => JSON.parse(m.payload) as VigilEventPayload).filter((e) => e.kind !== 'update');
    feed(10);
    feed(11);
    expect(await until(() => received().length >= sentEvents(fed).length, 10_000)).toBe(true);
    // The subscriber can have a message before the publisher has its acknowledgement: one in flight
    // when the broker stops is sent again (at least once). Stop when none is, to count exactly.
    expect(await until(() => publisher.status().inFlight === 0, 10_000)).toBe(true);
    await broker.stop('SIGTERM');
    expect(await until(() => publisher.status().state === 'waiting', 5000)).toBe(true);
    for (let k = 12; k < 16; k++) feed(k);
    const waiting = publisher.status();
    expect(waiting.backlog).toBeGreaterThanOrEqual(sentEvents(fed.slice(2 * batches.length)).length);
    expect(waiting.lastError).toMatch(/closed the connection|reset|nothing accepts connections/);
    console.log(`[mqtt] broker down: ${waiting.backlog} events held; slowest publisher.batch() call ${slowest.toFixed(2)} ms`);
    await broker.start();
    expect(await until(() => publisher.status().state === 'connected' && publisher.status().backlog === 0, 10_000)).toBe(true);
    expect(await until(() => received().length >= sentEvents(fed).length, 10_000)).toBe(true);
    // Every event, in order, across the outage. QoS 1 is at least once on each leg: the broker may hand
    // the subscriber again a message whose acknowledgement it had not stored when it stopped.
    const keys = received().map(eventKey);
    const firsts = keys.filter((k, i) => keys.indexOf(k) === i);
    expect(firsts).toEqual(sentEvents(fed));
    expect(keys.length - firsts.length).toBeLessThanOrEqual(64);
    expect(publisher.status().dropped).toBe(0);
    expect(log.filter((l) => l.includes('publishing to'))).toHaveLength(2);
    expect(log.some((l) => l.includes('lost the broker'))).toBe(true);
    // The database got every track event whatever the broker did.
    await store.recorder.flush();
    const from = Math.min(...fed.flatMap((b) => b.events.map((e) => e.time)));
    const stored = (await store.queries.eventsAround({ time: from, windowMs: 3_600_000, kinds: ['track-start', 'track-end'], limit: 1000 })).filter(
      (e) => e.time >= from,
    );
    const fedTrackEvents = fed.flatMap((b) => b.events).filter((e) => e.kind === 'start' || e.kind === 'end');
    expect(stored).toHaveLength(fedTrackEvents.length);
    await publisher.close();
    await sub.stop();
  }, 60_000);

  it('holds at most its backlog limit while the broker is away: the oldest dropped, counted and logged', async () => {
    const sub = subscribe(broker, 'vigil/clip/events', { id: 'sub-bounded' });
    await sub.ready();
    const log: string[] = [];
    const limit = 20;
    const publisher = new MqttPublisher({ names, version: 'test', log: (l) => log.push(l), backlogLimit: limit, retryMs: { first: 200, max: 1000 } });
    publisher.configure(config(broker));
    expect(await until(() => publisher.status().state === 'connected', 5000)).toBe(true);
    await broker.stop('SIGTERM');
    expect(await until(() => publisher.status().state === 'waiting', 5000)).toBe(true);
    // Track updates left out: every event fed is then one message.
    const fed: MetadataBatch[] = [];
    for (let k = 20; k < 28; k++) for (const b of batches) fed.push({ ...replay(b, k), events: replay(b, k).events.filter((e) => e.kind !== 'update') });
    for (const b of fed) publisher.batch(b);
    const all = sentEvents(fed);
    expect(all.length).toBeGreaterThan(limit * 2);
    expect(publisher.status()).toMatchObject({ backlog: limit, backlogLimit: limit, dropped: all.length - limit });
    expect(log.filter((l) => l.includes('backlog is full'))).toHaveLength(1);
    await broker.start();
    expect(await until(() => publisher.status().state === 'connected' && publisher.status().backlog === 0, 10_000)).toBe(true);
    expect(await until(() => sub.messages.length >= limit, 10_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    // Exactly the newest `limit` events arrive, in order.
    expect(sub.messages.map((m) => eventKey(JSON.parse(m.payload) as VigilEventPayload))).toEqual(all.slice(-limit));
    expect(log.some((l) => l.includes(`(${all.length - limit} events were dropped while it was away)`))).toBe(true);
    console.log(`[mqtt] backlog limit ${limit}: ${all.length} events while the broker was away, ${publisher.status().dropped} dropped`);
    await publisher.close();
    await sub.stop();
  }, 60_000);
});
