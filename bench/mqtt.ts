// MQTT publisher figures against a real mosquitto (`npm run bench:mqtt`): the cost of publisher.batch()
// on the main thread with the broker up and down, how fast the broker takes events, and the heap a full
// backlog holds. Batches are shaped like the engine's: 16 cameras, 20 tracked objects each, two lines
// with counts, and a burst of events per batch.
import type { MetadataBatch } from '../main/api/engine-types.js';
import { MqttPublisher } from '../main/mqtt/publisher.js';
import { startMosquitto, until } from '../test/helpers/mosquitto.js';

const CAMERAS = 16;
const OBJECTS = 20;

function batch(i: number): MetadataBatch {
  const time = 1_700_000_000_000 + i * 40;
  const frames = Array.from({ length: CAMERAS }, (_, c) => ({
    camera: `cam${c}`,
    frame: i,
    pts: i / 25,
    time,
    width: 1920,
    height: 1080,
    objects: Array.from({ length: OBJECTS }, (_, o) => ({
      track: o,
      classId: 0,
      label: 'person',
      score: 0.8,
      box: [o * 50, 100, 40, 120] as [number, number, number, number],
      inferred: true,
    })),
    counts: ['north', 'south'].map((zone) => ({
      zone,
      kind: 'line' as const,
      inside: 0,
      in: Math.floor(i / 10),
      out: Math.floor(i / 15),
      crowded: false,
      labels: [{ label: 'person', inside: 0, in: Math.floor(i / 10), out: Math.floor(i / 15) }],
    })),
  }));
  // Four events a batch: two crossings, a track start and its end.
  const box = [0, 0, 10, 10] as [number, number, number, number];
  return {
    frames,
    events: [
      {
        kind: 'start',
        camera: `cam${i % CAMERAS}`,
        track: 1000 + i,
        classId: 0,
        label: 'person',
        time,
        box,
        score: 0.9,
        best: { frame: i, time, score: 0.9, box },
      },
      {
        kind: 'end',
        camera: `cam${(i + 1) % CAMERAS}`,
        track: 999 + i,
        classId: 0,
        label: 'person',
        time,
        box,
        score: 0.9,
        best: { frame: i, time, score: 0.9, box },
      },
    ],
    analytics: [
      { camera: `cam${i % CAMERAS}`, zone: 'north', kind: 'cross', track: 3, label: 'person', direction: 'in', time, pts: i / 25 },
      { camera: `cam${(i + 3) % CAMERAS}`, zone: 'south', kind: 'cross', track: 4, label: 'person', direction: 'out', time, pts: i / 25 },
    ],
  };
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
}

async function main(): Promise<void> {
  const broker = await startMosquitto();
  const publisher = new MqttPublisher({ names: () => undefined, version: 'bench', log: () => undefined, retryMs: { first: 100, max: 500 } });
  publisher.configure({ enabled: true, url: broker.url, password: null, topicPrefix: 'bench', format: 'vigil' });
  await until(() => publisher.status().state === 'connected', 5000);
  const N = 2000;
  const batches = Array.from({ length: N * 2 }, (_, i) => batch(i));
  for (let i = 0; i < 200; i++) publisher.batch(batches[i]!); // warm-up
  await until(() => publisher.status().backlog === 0, 30_000);

  const up: number[] = [];
  const p0 = publisher.status().published;
  const start = performance.now();
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    publisher.batch(batches[i]!);
    up.push(performance.now() - t0);
    if (i % 25 === 0) await new Promise((r) => setImmediate(r)); // let the socket drain as the event loop would
  }
  await until(() => publisher.status().backlog === 0, 60_000, 5);
  const seconds = (performance.now() - start) / 1000;
  const sent = publisher.status().published - p0;
  console.log(
    `broker up:   batch() p50 ${percentile(up, 50).toFixed(3)} ms, p99 ${percentile(up, 99).toFixed(3)} ms, max ${Math.max(...up).toFixed(2)} ms ` +
      `(${CAMERAS} cameras × ${OBJECTS} objects, 4 events + changed counts per batch); ${N * 4} events acknowledged in ${seconds.toFixed(2)} s ` +
      `(${Math.round(sent / seconds)} messages/s, counts included)`,
  );

  await broker.stop('SIGKILL');
  await until(() => publisher.status().state === 'waiting', 5000);
  global.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const down: number[] = [];
  for (let i = N; i < N * 2; i++) {
    const t0 = performance.now();
    publisher.batch(batches[i]!);
    down.push(performance.now() - t0);
  }
  for (let k = 0; k < 3; k++) for (let i = N; i < N * 2; i++) publisher.batch(batches[i]!); // past the limit
  global.gc?.();
  const heap1 = process.memoryUsage().heapUsed;
  const s = publisher.status();
  console.log(
    `broker down: batch() p50 ${percentile(down, 50).toFixed(3)} ms, p99 ${percentile(down, 99).toFixed(3)} ms, max ${Math.max(...down).toFixed(2)} ms; ` +
      `backlog ${s.backlog}/${s.backlogLimit}, dropped ${s.dropped}, heap +${((heap1 - heap0) / 1024 / 1024).toFixed(1)} MiB`,
  );
  await publisher.close();
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
