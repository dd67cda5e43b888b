// `npm run bench:faults`: the fault runs at full count, each printing its figures (the test suite runs
// shorter versions of the same code: test/integration/faults). Needs a build (`npm run build`), the
// demo clip and the default models (`npm start` or `npm test` once), python3-gi with gst-rtsp-server,
// and root for the disk-full run (a tmpfs is mounted). `-- --only engine,serve,rtsp,disk` picks runs.
import { describeDiskFull, diskFull } from './faults/disk-full.js';
import { describeEngineKills, engineKills } from './faults/engine-kills.js';
import { describeRtspRestarts, rtspRestarts } from './faults/rtsp-restarts.js';
import { describeServeKills, serveKills } from './faults/serve-kills.js';

const onlyArg = process.argv.indexOf('--only');
const only = onlyArg >= 0 ? new Set((process.argv[onlyArg + 1] ?? '').split(',')) : null;
const log = (line: string) => process.stdout.write(`${line}\n`);

const runs: [string, () => Promise<string>][] = [
  ['engine', async () => describeEngineKills(await engineKills(20, log))],
  ['serve', async () => describeServeKills(await serveKills(20, log))],
  ['rtsp', async () => describeRtspRestarts(await rtspRestarts(10, { log }))],
  ['disk', async () => describeDiskFull(await diskFull({ log }))],
];

const results: string[] = [];
let failed = 0;
for (const [name, run] of runs) {
  if (only && !only.has(name)) continue;
  log(`\n== ${name} ==`);
  const started = Date.now();
  try {
    const line = await run();
    results.push(`${line}  [${((Date.now() - started) / 1000).toFixed(0)} s]`);
    log(line);
  } catch (e) {
    failed++;
    results.push(`${name}: FAILED — ${(e as Error).message}`);
    log(`${name}: FAILED — ${(e as Error).stack ?? e}`);
  }
}
log(`\n== figures (${new Date().toISOString()}) ==\n${results.map((r) => `- ${r}`).join('\n')}`);
process.exit(failed > 0 ? 1 : 0);
