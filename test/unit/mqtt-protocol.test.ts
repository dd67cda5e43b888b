// The MQTT 3.1.1 packet codec, topic names and both payload shapes, without a broker (the broker
// tests are in test/integration/mqtt-*.test.ts).
import { describe, expect, it } from 'vitest';
import type { MetadataBatch } from '../../main/api/engine-types.js';
import { nvEventType, nvmsgconvPayload } from '../../main/mqtt/nvmsgconv.js';
import { encodeConnect, encodePublish, PacketReader, ProtocolError, type Incoming } from '../../main/mqtt/packets.js';
import { analyticsFacts, countPayload, trackFacts, vigilPayload, type NamesOf } from '../../main/mqtt/payloads.js';
import { ALL_LABELS, topicLevel, topicsUnder } from '../../main/mqtt/topics.js';

/** The remaining length as the standard's decoding algorithm reads it, and where the body starts. */
function remaining(b: Buffer): { length: number; offset: number } {
  let length = 0;
  let mul = 1;
  let i = 1;
  for (;;) {
    const d = b[i++]!;
    length += (d & 0x7f) * mul;
    mul *= 128;
    if ((d & 0x80) === 0) return { length, offset: i };
  }
}

describe('MQTT 3.1.1 packets', () => {
  it('encodes the remaining length in 1 to 4 bytes at the boundaries of the standard', () => {
    for (const [size, bytes] of [
      [0, 1],
      [127, 1],
      [128, 2],
      [16_383, 2],
      [16_384, 3],
      [2_097_151, 3],
      [2_097_152, 4],
    ] as const) {
      // A PUBLISH with a 1-byte topic ('t', 3 bytes with its length) and a payload filling the rest.
      const body = size - 3;
      if (body < 0) continue;
      const p = encodePublish({ topic: 't', payload: Buffer.alloc(body), qos: 0, retain: false });
      const r = remaining(p);
      expect(r.length).toBe(size);
      expect(r.offset - 1).toBe(bytes);
      expect(p.length).toBe(1 + bytes + size);
    }
  });

  it('writes CONNECT with the protocol level, clean session, will, user name and password flags', () => {
    const p = encodeConnect({
      clientId: 'vigil-1',
      keepAliveSeconds: 30,
      username: 'cam',
      password: 'pw',
      will: { topic: 'vigil/available', payload: 'offline', retain: true, qos: 1 },
    });
    expect(p[0]).toBe(0x10);
    const { offset } = remaining(p);
    expect(p.subarray(offset, offset + 6).toString('latin1')).toBe('\u0000\u0004MQTT');
    expect(p[offset + 6]).toBe(4); // protocol level 3.1.1
    // user name 0x80, password 0x40, will retain 0x20, will QoS 1 (0x08), will 0x04, clean session 0x02
    expect(p[offset + 7]).toBe(0x80 | 0x40 | 0x20 | 0x08 | 0x04 | 0x02);
    expect(p.readUInt16BE(offset + 8)).toBe(30);
    const text = p.subarray(offset + 10).toString('latin1');
    expect(text).toBe('\u0000\u0007vigil-1\u0000\u000fvigil/available\u0000\u0007offline\u0000\u0003cam\u0000\u0002pw');
    // Without a user name no password is sent (3.1.1 forbids a password alone).
    const anonymous = encodeConnect({ clientId: 'x', keepAliveSeconds: 0, password: 'pw' });
    expect(anonymous[remaining(anonymous).offset + 7]).toBe(0x02);
  });

  it('reads packets split anywhere across chunks, several per chunk', () => {
    const publish = encodePublish({ topic: 'a/b', payload: Buffer.from('{"x":1}'), qos: 1, retain: true, packetId: 513 });
    const stream = Buffer.concat([Buffer.from([0x20, 2, 0, 0]), Buffer.from([0x40, 2, 2, 1]), publish, Buffer.from([0xd0, 0])]);
    for (let cut = 1; cut < stream.length; cut++) {
      const r = new PacketReader();
      const got: Incoming[] = [...r.push(stream.subarray(0, cut)), ...r.push(stream.subarray(cut))];
      expect(got).toEqual([
        { type: 'connack', sessionPresent: false, returnCode: 0 },
        { type: 'puback', packetId: 513 },
        { type: 'publish', packet: { topic: 'a/b', payload: Buffer.from('{"x":1}'), qos: 1, retain: true, packetId: 513 } },
        { type: 'pingresp' },
      ]);
    }
  });

  it('refuses a length of more than four bytes, an oversized packet and a packet a broker never sends', () => {
    expect(() => new PacketReader().push(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]))).toThrow(ProtocolError);
    expect(() => new PacketReader(1000).push(Buffer.from([0x30, 0xe9, 0x07]))).toThrow(/1001 bytes/);
    expect(() => new PacketReader().push(Buffer.from([0x10, 0]))).toThrow(/unexpected packet \(type 1\)/);
    expect(() => new PacketReader().push(Buffer.from([0x40, 1, 0]))).toThrow(/short PUBACK/);
  });
});

describe('topics', () => {
  it('are defined once under the prefix, with names made safe as one level', () => {
    const t = topicsUnder('site-a/vigil');
    expect(t.available).toBe('site-a/vigil/available');
    expect(t.engine).toBe('site-a/vigil/engine');
    expect(t.events('lobby')).toBe('site-a/vigil/lobby/events');
    expect(t.count('lobby', 'door', 'person')).toBe('site-a/vigil/lobby/counts/door/person');
    expect(t.count('a/b', '#', '+')).toBe('site-a/vigil/a_b/counts/_/_');
    expect(topicLevel('')).toBe('_');
    expect(topicLevel('traffic light')).toBe('traffic light');
    expect(topicLevel(`x${String.fromCharCode(0)}y`)).toBe('x_y');
  });
});

const names: NamesOf = (id) =>
  id === 'lobby'
    ? {
        name: 'Lobby',
        zones: new Map([
          ['door', { name: 'Door', kind: 'line' as const }],
          ['hall', { name: 'Hall', kind: 'zone' as const }],
        ]),
      }
    : undefined;

const batch: MetadataBatch = {
  frames: [
    {
      camera: 'lobby',
      frame: 7,
      pts: 0.7,
      time: 1_700_000_000_700,
      width: 768,
      height: 576,
      objects: [{ track: 3, classId: 0, label: 'person', score: 0.81, box: [10, 20, 30, 60], inferred: true }],
      counts: [
        {
          zone: 'door',
          kind: 'line',
          inside: 0,
          in: 2,
          out: 1,
          crowded: false,
          labels: [{ label: 'person', inside: 0, in: 2, out: 1 }],
        },
      ],
    },
  ],
  events: [
    {
      kind: 'start',
      camera: 'lobby',
      track: 3,
      classId: 0,
      label: 'person',
      time: 1_700_000_000_600,
      box: [9, 19, 30, 60],
      score: 0.7,
      best: { frame: 6, time: 1_700_000_000_600, score: 0.7, box: [9, 19, 30, 60] },
    },
  ],
  analytics: [{ camera: 'lobby', zone: 'door', kind: 'cross', track: 3, label: 'person', direction: 'in', time: 1_700_000_000_700, pts: 0.7 }],
};

describe('payloads', () => {
  it("Vigil's: camera id and name, zone id and name, kind, direction, track, label, time and the object's box", () => {
    const cross = JSON.parse(vigilPayload(analyticsFacts(batch.analytics![0]!, batch, names))) as Record<string, unknown>;
    expect(cross).toEqual({
      type: 'analytics',
      kind: 'cross',
      camera: { id: 'lobby', name: 'Lobby' },
      zone: { id: 'door', name: 'Door', kind: 'line' },
      direction: 'in',
      track: 3,
      label: 'person',
      time: 1_700_000_000_700,
      timestamp: '2023-11-14T22:13:20.700Z',
      box: [10, 20, 30, 60],
      score: 0.81,
      best: null,
    });
    const start = JSON.parse(vigilPayload(trackFacts(batch.events[0]!, names))) as Record<string, unknown>;
    expect(start).toMatchObject({ type: 'track', kind: 'start', camera: { id: 'lobby', name: 'Lobby' }, zone: null, track: 3, best: { frame: 6 } });
    // A camera the workspace no longer has keeps its id as its name.
    expect(trackFacts({ ...batch.events[0]!, camera: 'gone' }, names).camera).toEqual({ id: 'gone', name: 'gone' });
  });

  it('counts: one per label and one for all labels of each zone or line', () => {
    const z = batch.frames[0]!.counts![0]!;
    expect(countPayload('lobby', z, { label: ALL_LABELS, inside: z.inside, in: z.in, out: z.out }, 5, names)).toEqual({
      camera: 'lobby',
      zone: 'door',
      name: 'Door',
      kind: 'line',
      label: 'all',
      inside: 0,
      in: 2,
      out: 1,
      crowded: false,
      time: 5,
    });
    expect(countPayload('lobby', z, z.labels[0]!, 5, names)).toMatchObject({ label: 'person', in: 2, out: 1 });
  });

  it("nvmsgconv: DeepStream's full schema keys, one object per message, event types mapped", () => {
    const p = JSON.parse(nvmsgconvPayload(analyticsFacts(batch.analytics![0]!, batch, names), '0.9.0')) as Record<string, Record<string, unknown>>;
    expect(Object.keys(p).sort()).toEqual(['@timestamp', 'analyticsModule', 'event', 'mdsversion', 'messageid', 'object', 'place', 'sensor', 'videoPath']);
    expect(p.mdsversion).toBe('1.0');
    expect(p['@timestamp']).toBe('2023-11-14T22:13:20.700Z');
    expect(p.messageid).toMatch(/^[0-9a-f-]{36}$/);
    expect(p.sensor).toMatchObject({ id: 'lobby', type: 'Camera', description: 'Lobby' });
    expect(Object.keys(p.sensor!).sort()).toEqual(['coordinate', 'description', 'id', 'location', 'type']);
    expect(p.place).toMatchObject({ id: 'door', name: 'Door', type: 'line', info: { vigilKind: 'cross', direction: 'in', label: 'person' } });
    expect(Object.keys(p.analyticsModule!).sort()).toEqual(['description', 'id', 'source', 'version']);
    expect(p.object).toMatchObject({
      id: '3',
      confidence: 0.81,
      person: { confidence: 0.81 },
      bbox: { topleftx: 10, toplefty: 20, bottomrightx: 40, bottomrighty: 80 },
    });
    for (const k of ['speed', 'direction', 'orientation', 'location', 'coordinate']) expect(p.object).toHaveProperty(k);
    expect(p.event).toMatchObject({ type: 'entry' });
    expect(p.event!.id).toMatch(/^[0-9a-f-]{36}$/);
    const kinds = ['enter', 'exit', 'dwell', 'crowded', 'crowd-end'] as const;
    const base = analyticsFacts(batch.analytics![0]!, batch, names);
    expect(kinds.map((kind) => nvEventType({ ...base, kind, direction: null }))).toEqual(['entry', 'exit', 'stopped', 'custom', 'empty']);
    expect(nvEventType({ ...base, direction: 'out' })).toBe('exit');
    const track = trackFacts(batch.events[0]!, names);
    expect((['start', 'update', 'end'] as const).map((kind) => nvEventType({ ...track, kind }))).toEqual(['entry', 'moving', 'exit']);
    const tp = JSON.parse(nvmsgconvPayload(track, '0.9.0')) as Record<string, Record<string, unknown>>;
    expect(tp.place).toMatchObject({ id: 'lobby', name: 'Lobby', type: 'camera' });
  });
});
