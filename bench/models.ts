// `npm run bench:models`: persons per frame and ms per inference for both default detectors on
// vtest.avi, and snapshots with person boxes in test-results/. Options: --every N, --max N.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadAddon } from '../main/addon/addon.js';
import { ensureDefaultModels } from '../main/convert/default-models.js';
import { generatedModelsDir } from '../main/paths.js';
import { benchOnVideo } from './models-on-video.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { every: { type: 'string' }, max: { type: 'string' }, frames: { type: 'boolean' } } });
ensureDefaultModels();
const dir = generatedModelsDir();
const chosen = (JSON.parse(readFileSync(join(root, 'resources/models/default.json'), 'utf8')) as { defaultModel: string }).defaultModel;
const snapshotDir = join(root, 'test-results');
const results = await benchOnVideo(loadAddon(), [join(dir, 'nanodet-coco.json'), join(dir, 'centernet-coco.json')], {
  every: values.every ? Number(values.every) : 1,
  maxFrames: values.max ? Number(values.max) : undefined,
  snapshot: { dir: snapshotDir, frame: 200 },
});
for (const r of results) {
  console.log(
    `${r.name}: ${r.frames} frames, mean ${r.meanPersons.toFixed(2)} persons/frame, ${r.framesWithPerson} frames with ≥1 person, ${r.meanInferenceMs.toFixed(1)} ms/inference (ONNX Runtime CPU, 2 threads)`,
  );
  if (values.frames) console.log(`  per frame: ${r.personsPerFrame.join(' ')}`);
}
console.log(`default: ${chosen}; snapshots with person boxes: ${snapshotDir}/vtest-<model>-frame200.png`);
