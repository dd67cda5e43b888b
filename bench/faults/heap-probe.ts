// Investigation aid (not a benchmark): runs the app node in this process with N demo cameras and
// prints memory after a forced GC every 30 s, to tell a JavaScript heap leak from native growth.
// node --expose-gc --import tsx bench/faults/heap-probe.ts [minutes]
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAppNode } from '../../main/core/app-node.js';
import { faultWorkspace } from '../../test/helpers/rtsp-camera.js';
import { demoClip } from './engine-kills.js';

const minutes = Number(process.argv[2] ?? 5);
const home = mkdtempSync(join(tmpdir(), 'vigil-heap-'));
writeFileSync(
  join(home, 'workspace.json'),
  JSON.stringify(faultWorkspace(Array.from({ length: 8 }, (_, i) => ({ name: `Cam ${i + 1}`, uri: demoClip(), detectFps: 1 })))),
);
process.env.VIGIL_HOME = home;
const node = await startAppNode({ mode: 'serve', log: () => undefined });
const gc = (globalThis as { gc?: () => void }).gc;
const started = Date.now();
const mib = (n: number) => (n / 2 ** 20).toFixed(1);
while (Date.now() - started < minutes * 60_000) {
  await new Promise((r) => setTimeout(r, 30_000));
  gc?.();
  const m = process.memoryUsage();
  console.log(
    `${((Date.now() - started) / 60_000).toFixed(1)} min: rss ${mib(m.rss)} heapUsed ${mib(m.heapUsed)} heapTotal ${mib(m.heapTotal)} external ${mib(m.external)} arrayBuffers ${mib(m.arrayBuffers)} MiB; streams ${node.control.stats().filter((s) => s.state === 'live').length} live`,
  );
}
await node.close();
process.exit(0);
