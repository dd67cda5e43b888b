// `npm run bench:engine`: vigil-engine bench for 1, 2 and 4 streams of 720p; prints end-to-end
// inferred frames/s against bare ONNX Runtime on the same cores. Extra args go to every run
// (e.g. --model path/to/manifest.json --seconds 10 --uri file:///clip.mp4).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'native', 'build', 'vigil-engine');
if (!existsSync(cli)) {
  console.error(`vigil-engine not built at ${cli} — run 'node scripts/setup.mjs' first`);
  process.exit(1);
}
const extra = process.argv.slice(2);
const streamCounts = [1, 2, 4];
const rows = [];
for (const n of streamCounts) {
  const args = ['bench', '--streams', String(n), '--json', ...(extra.includes('--seconds') ? [] : ['--seconds', '8']), ...extra];
  const r = spawnSync(cli, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  process.stdout.write(r.stdout);
  if (r.status !== 0) {
    console.error(`vigil-engine bench --streams ${n} failed (exit ${r.status})`);
    process.exit(1);
  }
  rows.push(JSON.parse(r.stdout.trim().split('\n').pop() ?? ''));
}
console.log('\nstreams  e2e fps  bare fps  ratio  p50 ms  p99 ms  CPU %  dropped  ratio per CPU-s');
for (const r of rows)
  console.log(
    `${String(r.streams).padStart(7)}  ${r.e2e_fps.toFixed(1).padStart(7)}  ${r.bare_fps.toFixed(1).padStart(8)}  ${r.ratio.toFixed(2).padStart(5)}  ${r.p50_ms.toFixed(1).padStart(6)}  ${r.p99_ms.toFixed(1).padStart(6)}  ${r.cpu_percent.toFixed(0).padStart(5)}  ${String(r.dropped).padStart(7)}  ${r.cpu_ratio.toFixed(2).padStart(15)}`,
  );
console.log('goal: end-to-end >= 90 % of bare inference throughput');
