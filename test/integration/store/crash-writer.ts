// Child process for the crash test: writes engine batches at full rate and prints each commit.
// Usage: node --import tsx crash-writer.ts <dataDir> <firstFrameIndex>
import { openStore } from '../../../main/store/store.js';
import { sceneBatch } from '../../unit/store/batches.js';

const [dataDir, first] = process.argv.slice(2);
const store = await openStore({ dataDir: dataDir!, maxDelayMs: 30, batchDetections: 4000, log: (l) => process.stderr.write(`${l}\n`) });
store.recorder.onCommit((info) => process.stdout.write(`committed ${info.seq}\n`));
process.stdout.write('ready\n');
let n = Number(first);
for (;;) {
  // Full rate, but never so far ahead that the recorder would thin (the test checks every box).
  while (store.recorder.stats().queuedDetections > 16_000) await new Promise((r) => setTimeout(r, 2));
  for (let i = 0; i < 10; i++) store.recorder.write(sceneBatch(n++, { cameras: 4, objects: 20 }));
  await new Promise((r) => setImmediate(r));
}
