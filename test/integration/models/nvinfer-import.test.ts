// DeepStream configs through the real path: `vigil models import-nvinfer` and addNvinferModel (one
// frame in ONNX Runtime, the engine's own parser), and the imported manifest run by the native engine
// on vtest.avi: filter-out-class-ids and per-class thresholds really drop those classes.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadAddon } from '../../../main/addon/addon.js';
import { ensureDefaultModels } from '../../../main/convert/default-models.js';
import { decodeParams } from '../../../main/models/detect.js';
import { readManifest } from '../../../main/models/manifest.js';
import { addNvinferModel } from '../../../main/models/library.js';
import { validateByRunningOneFrame } from '../../../main/models/validate-run.js';
import { VTEST_AVI } from '../../../bench/models-on-video.js';
import { generatedModelsDir, projectRoot } from '../../../main/paths.js';
import { writeTinyOnnx } from '../../helpers/tiny-onnx.js';

const addon = () => loadAddon();
const fixtures = join(projectRoot(), 'test', 'fixtures', 'nvinfer');
let work: string;

// YOLOv8 layout [1, 4 + 3, 126] at 96×64: anchor 0 is a person (class 0), anchor 1 a car (class 1), both at 0.9.
const N = 126;
const yoloOutput = (i: number) => {
  const [c, n] = [Math.floor(i / N), i % N];
  if (n > 1) return 0;
  const box = n === 0 ? [20, 20, 10, 16] : [60, 40, 14, 10];
  if (c < 4) return box[c]!;
  return c - 4 === n ? 0.9 : 0;
};

beforeAll(() => {
  ensureDefaultModels();
  work = mkdtempSync(join(tmpdir(), 'vigil-nvinfer-import-'));
  for (const f of readdirSync(fixtures)) copyFileSync(join(fixtures, f), join(work, f));
  writeTinyOnnx(join(work, 'yolo.onnx'), {
    input: { name: 'images', shape: [1, 3, 64, 96] },
    outputs: [{ name: 'output0', shape: [1, 7, N], fill: yoloOutput }],
  });
  writeFileSync(join(work, 'labels.txt'), 'person\ncar\nbicycle\n');
}, 120_000);

function engineLabels(manifestPath: string): Map<string, number> {
  const r = spawnSync(
    join(projectRoot(), 'native', 'build', 'vigil-engine'),
    ['run', `file://${VTEST_AVI}`, '--model', manifestPath, '--frames', '12', '--json'],
    { encoding: 'utf8', timeout: 120_000 },
  );
  expect(r.status, r.stderr).toBe(0);
  const counts = new Map<string, number>();
  for (const line of r.stdout.split('\n').filter((l) => l.startsWith('{'))) {
    for (const o of (JSON.parse(line) as { objects: { label: string }[] }).objects) counts.set(o.label, (counts.get(o.label) ?? 0) + 1);
  }
  return counts;
}

describe('filter-out-class-ids and per-class thresholds on real models', () => {
  it("the engine's parser drops a filtered class in the one-frame check (tiny model, both classes present)", () => {
    const plain = addNvinferModel(join(work, 'yolo-primary.txt'), addon(), { name: 'both' }, join(work, 'models-a'));
    writeFileSync(join(work, 'filtered.txt'), '[property]\nonnx-file=yolo.onnx\nlabelfile-path=labels.txt\nnum-detected-classes=3\nfilter-out-class-ids=1\n');
    const filtered = addNvinferModel(join(work, 'filtered.txt'), addon(), { name: 'no-cars' }, join(work, 'models-a'));
    const classes = (m: typeof plain.manifest) => {
      const { outputs } = validateByRunningOneFrame(m, join(work, 'models-a'), addon());
      return addon()
        .decodeDetections(m.parser, outputs, decodeParams(m))
        .map((d) => d.classId)
        .sort();
    };
    expect(classes(readManifest(plain.manifestPath))).toEqual([0, 1]);
    expect(classes(readManifest(filtered.manifestPath))).toEqual([0]);
    expect(readManifest(filtered.manifestPath).thresholds.perClass).toEqual({ car: { score: 2 } });
  });

  it('the native engine on vtest.avi: persons and trucks without the filter, none with filter-out-class-ids=0 and truck above 0.99', () => {
    const gen = generatedModelsDir();
    const base = `[property]\nonnx-file=${join(gen, 'nanodet-coco.onnx')}\nlabelfile-path=${join(gen, 'coco-labels.txt')}\nnum-detected-classes=80\nnet-scale-factor=0.00392156862745098\nmodel-color-format=0\nmaintain-aspect-ratio=0\n[class-attrs-all]\npre-cluster-threshold=0.35\nnms-iou-threshold=0.45\ntopk=100\n`;
    writeFileSync(join(work, 'nanodet.txt'), base);
    writeFileSync(
      join(work, 'nanodet-filtered.txt'),
      base.replace('[class-attrs-all]', 'filter-out-class-ids=0\n[class-attrs-all]') + '[class-attrs-7]\npre-cluster-threshold=0.99\n',
    );
    const plain = addNvinferModel(join(work, 'nanodet.txt'), addon(), { name: 'nanodet-all' }, join(work, 'models-b'));
    const filtered = addNvinferModel(join(work, 'nanodet-filtered.txt'), addon(), { name: 'nanodet-filtered' }, join(work, 'models-b'));
    expect(readManifest(filtered.manifestPath).thresholds.perClass).toEqual({ person: { score: 2 }, truck: { score: 0.99 } });
    const all = engineLabels(plain.manifestPath);
    expect(all.get('person') ?? 0).toBeGreaterThan(20);
    expect(all.get('truck') ?? 0).toBeGreaterThan(0);
    const some = engineLabels(filtered.manifestPath);
    expect(some.get('person') ?? 0).toBe(0);
    expect(some.get('truck') ?? 0).toBe(0);
    expect([...some.values()].reduce((a, b) => a + b, 0)).toBeLessThan([...all.values()].reduce((a, b) => a + b, 0));
  }, 240_000);
});

describe('RT-DETR', () => {
  it('an RT-DETR nvinfer config imports as detr, passes its test frame and finds the planted object', () => {
    // logits [1, 300, 3] before sigmoid, pred_boxes [1, 300, 4] normalised cx, cy, w, h; query 0 is a car
    writeTinyOnnx(join(work, 'rtdetr.onnx'), {
      input: { name: 'images', shape: [1, 3, 64, 64] },
      outputs: [
        { name: 'logits', shape: [1, 300, 3], fill: (i) => (i === 1 ? 6 : -8) },
        { name: 'pred_boxes', shape: [1, 300, 4], fill: (i) => [0.5, 0.5, 0.25, 0.5][i % 4]! },
      ],
    });
    writeFileSync(
      join(work, 'rtdetr.txt'),
      '[property]\nonnx-file=rtdetr.onnx\nlabelfile-path=labels.txt\nnum-detected-classes=3\nnet-scale-factor=0.0039215697906911373\ninfer-dims=3;64;64\n[class-attrs-all]\npre-cluster-threshold=0.5\n',
    );
    const r = addNvinferModel(join(work, 'rtdetr.txt'), addon(), { name: 'rtdetr' }, join(work, 'models-c'));
    const m = readManifest(r.manifestPath);
    expect(m.parser).toBe('detr');
    const { outputs } = validateByRunningOneFrame(m, join(work, 'models-c'), addon());
    const dets = addon().decodeDetections(m.parser, outputs, decodeParams(m));
    expect(dets).toHaveLength(1);
    expect(dets[0]).toMatchObject({ classId: 1, x: 24, y: 16, w: 16, h: 32 });
  });
});

describe('vigil models import-nvinfer', () => {
  const vigil = (...args: string[]) =>
    spawnSync(process.execPath, [join(projectRoot(), 'bin', 'vigil.mjs'), 'models', 'import-nvinfer', ...args], {
      encoding: 'utf8',
      env: { ...process.env, VIGIL_USER_MODELS_DIR: join(work, 'cli-models') },
      timeout: 60_000,
    });

  it('imports the model of a deepstream-app config and says what else was not imported', () => {
    const r = vigil(join(work, 'deepstream-app.txt'), '--name', 'street');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^imported 'street' \(yolov8\) → .*cli-models\/street\.json/);
    expect(r.stdout).toMatch(/- deepstream-app config '.*deepstream-app\.txt': the model of its \[primary-gie\] is imported/);
    expect(r.stdout).toContain('engine settings for the workspace: {"batchSize":4,"inferEvery":3}');
    expect(r.stdout).toMatch(/\[source0\]: not imported: sources are not imported/);
    expect(r.stdout).toMatch(/\[secondary-gie0\]: not imported: secondary models are not run by Vigil/);
    expect(existsSync(join(work, 'cli-models', 'street.onnx'))).toBe(true);
  });

  it('refuses a secondary classifier with every reason in one message and exits 1, writing nothing', () => {
    const r = vigil(join(work, 'sgie-vehicle-type.txt'), '--name', 'sgie');
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^vigil: nvinfer config '.*sgie-vehicle-type\.txt' cannot be imported:\n {2}- process-mode=2/);
    expect(r.stderr).toMatch(/network-type=1 is a classifier(.|\n)*is-classifier=1(.|\n)*Also not honoured(.|\n)*classifier-threshold=0\.51/);
    expect(existsSync(join(work, 'cli-models', 'sgie.json'))).toBe(false);
  });

  it('an install failure (the name is taken) is reported with the unhonoured list too', () => {
    writeTinyOnnx(join(work, 'odd.onnx'), { input: { name: 'images', shape: [1, 3, 64, 96] }, outputs: [{ name: 'output0', shape: [1, 7, N] }] });
    writeFileSync(join(work, 'odd.txt'), '[property]\nonnx-file=odd.onnx\nnum-detected-classes=3\ncluster-mode=3\n');
    const r = vigil(join(work, 'odd.txt'), '--name', 'street');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^vigil: nvinfer config '.*odd\.txt' cannot be imported:\n {2}- a model named 'street' already exists/);
    expect(r.stderr).toMatch(/Also not honoured by Vigil, had it imported:\n {2}- cluster-mode=3: hybrid DBSCAN \+ NMS is not supported/);
  });
});
