import { openSqlite3, type DriverOpener } from '../main/store/driver.js';
import { openStore } from '../main/store/store.js';
const times = new Map<string, number>();
const opener: DriverOpener = async (f, o) => {
  const d = await openSqlite3(f, o);
  const run = d.run.bind(d);
  d.run = async (sql, p) => { const t = performance.now(); const r = await run(sql, p); const k = sql.replace(/\s+/g, ' ').slice(0, 40); times.set(k, (times.get(k) ?? 0) + performance.now() - t); return r; };
  return d;
};
function engineBatch(n: number, t0: number) {
  const time = t0 + n * 40; const generation = Math.floor(n / 250); const phase = n % 250;
  const frames = []; const events = [];
  for (let c = 0; c < 16; c++) { const camera = `cam-${c}`; const objects = [];
    for (let j = 0; j < 20; j++) { const track = generation * 20 + j + 1; const box: [number, number, number, number] = [100 + phase * 3 + j * 10, 200 + j * 15, 60, 120];
      objects.push({ track, classId: j % 4, label: ['a','b','c','d'][j%4]!, score: 0.5, box, inferred: false });
      if (phase === 0 || phase === 249) events.push({ kind: phase === 0 ? ('start' as const) : ('end' as const), camera, track, classId: j % 4, label: 'x', time, box, score: 0.5, best: { frame: n, time, score: 0.5, box } });
    }
    frames.push({ camera, frame: n, pts: n / 25, time, width: 1920, height: 1080, objects });
  }
  return { frames, events };
}
const s = await openStore({ dataDir: '/tmp/dbg5-' + Date.now(), driver: opener, log: console.error });
let n = 0; let writeMs = 0;
const start = performance.now();
while (performance.now() - start < 4000) {
  if (s.recorder.stats().queuedDetections > 60000) await new Promise((r) => setTimeout(r, 1));
  else { const b = engineBatch(n++, Date.UTC(2026, 0, 1)); const t = performance.now(); s.recorder.write(b); writeMs += performance.now() - t; await new Promise((r) => setImmediate(r)); }
}
await s.recorder.flush();
const el = (performance.now() - start) / 1000;
console.log('det/s', Math.round(s.recorder.stats().detectionsCommitted / el), 'write() ms total', writeMs.toFixed(0), 'elapsed', el.toFixed(1));
for (const [k, v] of times) console.log(v.toFixed(0).padStart(6), k);
await s.close();
