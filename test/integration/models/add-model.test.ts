// Adding models: inspect → propose → validate by running one frame in ONNX Runtime → manifest written;
// bad files and mismatched manifests fail at add time with a clear error.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ModelManifest } from '../../../main/api/model-types.js';
import { loadAddon } from '../../../main/addon/addon.js';
import { ensureDefaultModels } from '../../../main/convert/default-models.js';
import { generatedModelsDir } from '../../../main/paths.js';
import { readVideoFrames } from '../../../main/models/frames.js';
import { readManifest } from '../../../main/models/manifest.js';
import { addModel, addNvinferModel } from '../../../main/models/library.js';
import { validateByRunningOneFrame } from '../../../main/models/validate-run.js';
import { VTEST_AVI } from '../../../bench/models-on-video.js';
import { tinyOnnx, writeTinyOnnx } from '../../helpers/tiny-onnx.js';

const addon = () => loadAddon();
let work: string;

beforeAll(() => {
  ensureDefaultModels();
  work = mkdtempSync(join(tmpdir(), 'vigil-add-'));
  // YOLOv8 layout, 80 classes, 96×64 input (126 anchor points)
  writeTinyOnnx(join(work, 'yolov8-tiny.onnx'), { input: { name: 'images', shape: [1, 3, 64, 96] }, outputs: [{ name: 'output0', shape: [1, 84, 126] }] });
  writeTinyOnnx(join(work, 'yolov5-tiny.onnx'), { input: { name: 'images', shape: ['batch', 3, 64, 96] }, outputs: [{ name: 'output', shape: [1, 378, 85] }] });
}, 120_000);

describe('add an ONNX detector', () => {
  it('proposes, runs one frame and writes a valid manifest', () => {
    const dir = join(work, 'models-a');
    const r = addModel(join(work, 'yolov8-tiny.onnx'), addon(), { name: 'gate-cam' }, dir);
    expect(r.manifest).toMatchObject({ name: 'gate-cam', parser: 'yolov8', file: 'gate-cam.onnx', input: { width: 96, height: 64 } });
    expect(existsSync(join(dir, 'gate-cam.onnx'))).toBe(true);
    expect(readManifest(r.manifestPath).name).toBe('gate-cam');
    expect(() => addModel(join(work, 'yolov8-tiny.onnx'), addon(), { name: 'gate-cam' }, dir)).toThrow(/already exists .* choose another --name/);
  });

  it('recognises YOLOv5 from the output shape and keeps a dynamic batch', () => {
    const r = addModel(join(work, 'yolov5-tiny.onnx'), addon(), {}, join(work, 'models-b'));
    expect(r.manifest.parser).toBe('yolov5');
    expect(r.manifest.input.batch).toBe('dynamic');
  });

  it('a truncated file is refused at add time with a clear error, and nothing is written', () => {
    const bytes = tinyOnnx({ input: { shape: [1, 3, 64, 96] }, outputs: [{ name: 'output0', shape: [1, 84, 126] }] });
    writeFileSync(join(work, 'cut.onnx'), bytes.subarray(0, bytes.length - 500));
    const dir = join(work, 'models-c');
    expect(() => addModel(join(work, 'cut.onnx'), addon(), {}, dir)).toThrow(/model 'cut.onnx' is truncated or not an ONNX file/);
    expect(existsSync(join(dir, 'cut.json'))).toBe(false);
  });

  it('a manifest corrected into a mismatch is refused: wrong input size, wrong parser, wrong labels', () => {
    const file = join(work, 'yolov8-tiny.onnx');
    expect(() => addModel(file, addon(), { name: 'm1', overrides: { input: { width: 640 } as ModelManifest['input'] } }, join(work, 'm1'))).toThrow(
      /input 'images' has shape \[1, 3, 64, 96\] but the manifest says NCHW 640×64 .*fix input.layout\/width\/height/,
    );
    expect(() => addModel(file, addon(), { name: 'm2', parser: 'yolov5' }, join(work, 'm2'))).toThrow(
      /output 'output0' has shape \[1, 84, 126\] but parser yolov5 expects \[B, N, 5 \+ 80\]/,
    );
    writeFileSync(join(work, 'three.txt'), 'a\nb\nc\n');
    expect(() => addModel(file, addon(), { name: 'm3', labelsFile: join(work, 'three.txt') }, join(work, 'm3'))).toThrow(
      /parser yolov8 expects \[B, 4 \+ 3, N\]/,
    );
    expect(() => addModel(file, addon(), { name: 'm4', overrides: { input: { name: 'data' } as ModelManifest['input'] } }, join(work, 'm4'))).toThrow(
      /has no input 'data' \(inputs: 'images'\) — fix input.name/,
    );
  });

  it('a model ONNX Runtime cannot load is refused with the runtime error', () => {
    // valid protobuf (same-length rename), but the Add node now references a tensor that does not exist
    const bytes = tinyOnnx({ input: { shape: [1, 3, 64, 96] }, outputs: [{ name: 'output0', shape: [1, 84, 126] }] });
    const broken = Buffer.from(bytes).toString('latin1').replace('output0_value', 'missing_value');
    writeFileSync(join(work, 'broken.onnx'), Buffer.from(broken, 'latin1'));
    expect(() => addModel(join(work, 'broken.onnx'), addon(), {}, join(work, 'models-d'))).toThrow(
      /failed to run in ONNX Runtime: .* — the file may be damaged/,
    );
  });

  it('imports an nvinfer config, validates it by running, and lists unhonoured keys', () => {
    writeFileSync(join(work, 'labels.txt'), `${Array.from({ length: 80 }, (_, i) => `c${i}`).join('\n')}\n`);
    writeFileSync(
      join(work, 'pgie.txt'),
      '[property]\nonnx-file=yolov8-tiny.onnx\nlabelfile-path=labels.txt\nnet-scale-factor=0.00392156\ncluster-mode=3\nmodel-engine-file=a.engine\n[class-attrs-all]\npre-cluster-threshold=0.4\n',
    );
    const r = addNvinferModel(join(work, 'pgie.txt'), addon(), { name: 'pgie' }, join(work, 'models-e'));
    expect(readManifest(r.manifestPath)).toMatchObject({ name: 'pgie', parser: 'yolov8', thresholds: { default: { score: 0.4 } } });
    expect(r.unhonoured.map((u) => u.key)).toEqual(['cluster-mode', 'model-engine-file']);
  });
});

describe('default detectors', () => {
  it('both generated manifests validate and pass the one-frame check; both find the pedestrians of vtest.avi', async () => {
    let frame;
    for await (const f of readVideoFrames(VTEST_AVI, 768, 576, { every: 200, maxFrames: 2 })) frame = f; // frame 200
    for (const name of ['nanodet-coco', 'centernet-coco']) {
      const m = readManifest(join(generatedModelsDir(), `${name}.json`));
      const blank = validateByRunningOneFrame(m, generatedModelsDir(), addon());
      expect(blank.detections).toBeLessThan(5);
      const real = validateByRunningOneFrame(m, generatedModelsDir(), addon(), frame);
      expect(real.detections).toBeGreaterThanOrEqual(5);
    }
    const pointer = JSON.parse(readFileSync(join(generatedModelsDir(), '..', 'default.json'), 'utf8'));
    expect(pointer.defaultModel).toBe('generated/nanodet-coco.json');
  });

  it('`vigil models list` and `vigil models add --dry-run` work from the command line', () => {
    const list = spawnSync(process.execPath, ['bin/vigil.mjs', 'models', 'list'], { encoding: 'utf8' });
    expect(list.status).toBe(0);
    expect(list.stdout).toMatch(/\* nanodet-coco +nanodet +416×416 +80 classes/);
    expect(list.stdout).toMatch(/ {2}centernet-coco +centernet +512×512 +80 classes/);
    const dry = spawnSync(process.execPath, ['bin/vigil.mjs', 'models', 'add', join(work, 'yolov8-tiny.onnx'), '--dry-run', '--name', 'door'], {
      encoding: 'utf8',
    });
    expect(dry.status).toBe(0);
    expect(dry.stdout).toMatch(/→ yolov8/);
    expect(dry.stdout).toMatch(/"name": "door"/);
    const bad = spawnSync(process.execPath, ['bin/vigil.mjs', 'models', 'add', join(work, 'nope.onnx')], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^vigil: model '.*nope.onnx' cannot be read \(ENOENT\) — check the path/);
  });
});
