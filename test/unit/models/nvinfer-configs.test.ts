// The DeepStream configs a user brings (test/fixtures/nvinfer: key-file and YAML nvinfer configs, a
// secondary classifier, deepstream-app configs), imported against real ONNX files made here.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkManifest, DROPPED_CLASS_SCORE } from '../../../main/models/manifest.js';
import { importNvinferConfig, NvinferImportError } from '../../../main/models/nvinfer.js';
import { CLASS_ATTR_KEYS, PROPERTY_KEYS } from '../../../main/models/nvinfer-keys.js';
import { projectRoot } from '../../../main/paths.js';
import { writeTinyOnnx } from '../../helpers/tiny-onnx.js';

const fixtures = join(projectRoot(), 'test', 'fixtures', 'nvinfer');
let dir: string;
let configs: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-nvinfer-configs-'));
  configs = join(dir, 'configs');
  mkdirSync(configs);
  mkdirSync(join(dir, 'models'));
  for (const f of readdirSync(fixtures)) copyFileSync(join(fixtures, f), join(configs, f));
  // YOLOv8 layout, 3 classes at 96×64 (126 anchor points)
  writeTinyOnnx(join(configs, 'yolo.onnx'), { input: { name: 'images', shape: [1, 3, 64, 96] }, outputs: [{ name: 'output0', shape: [1, 7, 126] }] });
  writeFileSync(join(configs, 'labels.txt'), 'person\ncar\nbicycle\n');
  writeFileSync(join(configs, 'coco-labels.txt'), `${Array.from({ length: 80 }, (_, i) => `c${i}`).join('\n')}\n`);
  // SSD layout (boxes + scores), 4 classes at 128×96
  writeTinyOnnx(join(dir, 'models', 'traffic.onnx'), {
    input: { name: 'input_1', shape: [1, 3, 96, 128] },
    outputs: [
      { name: 'boxes', shape: [1, 50, 4] },
      { name: 'scores', shape: [1, 50, 4] },
    ],
  });
  writeFileSync(join(dir, 'models', 'traffic-labels.txt'), 'Car\nBicycle\nPerson\nRoadsign\n');
});

const failure = (path: string): string => {
  try {
    importNvinferConfig(path);
  } catch (e) {
    expect(e).toBeInstanceOf(NvinferImportError);
    return (e as Error).message;
  }
  throw new Error(`${path} was imported`);
};
const config = (name: string, body: string) => {
  const path = join(configs, name);
  writeFileSync(path, body);
  return path;
};

describe('DeepStream-Yolo style primary detector (key-file)', () => {
  it('is imported as a primary YOLO detector; custom-parser keys are understood, not unknown', () => {
    const r = importNvinferConfig(join(configs, 'yolo-primary.txt'), { name: 'street-yolo' });
    expect(checkManifest(r.manifest)).toEqual([]);
    expect(r.manifest).toMatchObject({
      parser: 'yolov8',
      labels: ['person', 'car', 'bicycle'],
      precision: 'fp16',
      input: { name: 'images', width: 96, height: 64, colorOrder: 'RGB', mean: [0, 0, 0], resize: 'letterbox' },
      thresholds: { default: { score: 0.25, nmsIou: 0.45, topK: 300 } },
    });
    expect(r.engineSettings).toEqual({ batchSize: 2, inferEvery: 1 });
    const byKey = new Map(r.unhonoured.map((u) => [u.key, u.reason]));
    // process-mode=1 is primary, network-type=0 a detector: applied, not complained about
    for (const k of ['process-mode', 'network-type', 'interval', 'num-detected-classes', 'cluster-mode', 'maintain-aspect-ratio', 'symmetric-padding'])
      expect(byKey.has(k), k).toBe(false);
    for (const k of ['parse-bbox-func-name', 'custom-lib-path', 'engine-create-func-name'])
      expect(byKey.get(k), k).toMatch(/custom code libraries cannot be loaded/);
    expect(byKey.get('model-engine-file')).toMatch(/builds and caches its own TensorRT engine/);
    expect(byKey.get('batch-size')).toMatch(/fixed batch of 1/);
    expect(r.unhonoured.some((u) => /not an nvinfer key/.test(u.reason))).toBe(false);
  });

  it('the YAML form of the same config gives the same manifest, settings and unhonoured list', () => {
    const a = importNvinferConfig(join(configs, 'yolo-primary.txt'), { name: 'same' });
    const b = importNvinferConfig(join(configs, 'yolo-primary.yml'), { name: 'same' });
    expect({ ...b.manifest, title: '' }).toEqual({ ...a.manifest, title: '' });
    expect(b.unhonoured).toEqual(a.unhonoured);
    expect(b.engineSettings).toEqual(a.engineSettings);
  });

  it('every documented nvinfer key is known: none is reported as unknown, each not applied has its reason', () => {
    const base = ['onnx-file=yolo.onnx', 'num-detected-classes=3', 'process-mode=1', 'network-type=0', 'is-classifier=0', 'cluster-mode=2', 'enable-dbscan=0'];
    const notApplied = Object.entries(PROPERTY_KEYS).filter(([, h]) => !h.applied);
    const attrs = Object.entries(CLASS_ATTR_KEYS).filter(([, h]) => !h.applied);
    const path = config(
      'every-key.txt',
      `[property]\n${base.join('\n')}\n${notApplied.map(([k]) => `${k}=1`).join('\n')}\n[class-attrs-all]\n${attrs.map(([k]) => `${k}=1`).join('\n')}\n`,
    );
    const r = importNvinferConfig(path);
    expect(r.unhonoured.filter((u) => /not an nvinfer/.test(u.reason))).toEqual([]);
    for (const [k, h] of notApplied) expect(r.unhonoured.find((u) => u.key === k)?.reason, k).toBe(!h.applied && h.why);
    for (const [k, h] of attrs) expect(r.unhonoured.find((u) => u.key === `[class-attrs-all] ${k}`)?.reason, k).toBe(!h.applied && h.why);
    expect(Object.keys(PROPERTY_KEYS).length).toBeGreaterThanOrEqual(70);
  });
});

describe('YAML config with offsets, infer-dims, filter-out-class-ids and per-class attributes', () => {
  it('applies them; the filtered class can never be reported; DBSCAN and size filters are listed with why', () => {
    const r = importNvinferConfig(join(configs, 'traffic-pgie.yml'));
    expect(checkManifest(r.manifest)).toEqual([]);
    expect(r.onnxPath).toBe(join(dir, 'models', 'traffic.onnx')); // relative to the config's folder
    expect(r.manifest).toMatchObject({
      name: 'traffic-pgie',
      parser: 'ssd',
      labels: ['Car', 'Bicycle', 'Person', 'Roadsign'],
      precision: 'fp32',
      input: { width: 128, height: 96, colorOrder: 'BGR', mean: [127.5, 127.5, 127.5], resize: 'stretch' },
      thresholds: {
        default: { score: 0.3, nmsIou: 0.5, topK: r.manifest.maxDetections }, // topk -1: no limit
        perClass: { Car: { score: 0.45 }, Person: { score: 0.6, nmsIou: 0.3 }, Roadsign: { score: DROPPED_CLASS_SCORE } },
      },
    });
    expect(r.manifest.input.scale[0]).toBeCloseTo(1 / 127.5, 9);
    expect(r.engineSettings).toEqual({ batchSize: 1, inferEvery: 2 });
    expect(r.notes.join('\n')).toMatch(/filter-out-class-ids: class 3 \('Roadsign'\) is never reported/);
    const keys = r.unhonoured.map((u) => u.key);
    expect(keys).toEqual(
      expect.arrayContaining([
        'uff-input-order',
        'tlt-model-key',
        '[class-attrs-all] eps',
        '[class-attrs-all] group-threshold',
        '[class-attrs-0] detected-min-w',
        '[class-attrs-0] detected-min-h',
      ]),
    );
    expect(r.unhonoured.find((u) => u.key === 'tlt-model-key')?.value).toBe('tlt_encode'); // the comment is not part of the value
    expect(r.unhonoured.find((u) => u.key === '[class-attrs-all] eps')?.reason).toMatch(/class-wise NMS/);
    expect(keys).not.toContain('filter-out-class-ids');
    expect(keys).not.toContain('output-blob-names');
  });

  it('filter-out-class-ids naming a class the model lacks is an error', () => {
    const msg = failure(config('filter-bad.txt', '[property]\nonnx-file=yolo.onnx\nnum-detected-classes=3\nfilter-out-class-ids=1;7\n'));
    expect(msg).toContain("filter-out-class-ids=1;7 names class '7' but the classes are 0 to 2");
  });

  it("what the config leaves out takes nvinfer's defaults, and says so", () => {
    const r = importNvinferConfig(config('bare.txt', '[property]\nonnx-file=yolo.onnx\n'));
    expect(r.manifest.input).toMatchObject({ scale: [1, 1, 1], mean: [0, 0, 0], resize: 'stretch', colorOrder: 'RGB' });
    expect(r.manifest.thresholds.default).toEqual({ score: 0.2, nmsIou: 0.3, topK: r.manifest.maxDetections });
    expect(r.manifest.labels).toEqual(['class0', 'class1', 'class2']);
    expect(r.notes.join('\n')).toMatch(/net-scale-factor is not set: nvinfer's default 1/);
    const padded = importNvinferConfig(config('topleft.txt', '[property]\nonnx-file=yolo.onnx\nmaintain-aspect-ratio=1\n'));
    expect(padded.unhonoured.find((u) => u.key === 'symmetric-padding')).toMatchObject({
      value: '0 (not set)',
      reason: expect.stringMatching(/pads only right and bottom; Vigil always centres/),
    });
  });
});

describe('what Vigil refuses, with why', () => {
  it('a secondary classifier is refused, every reason and the unhonoured list in one message', () => {
    const msg = failure(join(configs, 'sgie-vehicle-type.txt'));
    expect(msg).toMatch(/^nvinfer config '.*sgie-vehicle-type\.txt' cannot be imported:\n/);
    expect(msg).toContain(
      'process-mode=2: a secondary model (it runs on the objects another model found, operate-on-gie-id=1); Vigil runs primary detectors on whole frames only',
    );
    expect(msg).toContain('network-type=1 is a classifier, not a detector');
    expect(msg).toContain('is-classifier=1 is a classifier');
    expect(msg).toMatch(/Also not honoured by Vigil, had it imported:\n(.|\n)*classifier-threshold=0\.51: classifier setting/);
    expect(msg).toMatch(/network-mode=1: INT8 is not supported/);
  });

  it('shape mismatches are named by the config keys, all of them in one message', () => {
    const msg = failure(join(configs, 'broken-shapes.txt'));
    const problems = msg
      .split('\nAlso not honoured')[0]!
      .split('\n')
      .filter((l) => l.startsWith('  - '));
    expect(problems).toHaveLength(4);
    expect(msg).toContain("infer-dims=3;640;640 but the ONNX input 'images' is [1, 3, 64, 96] (C;H;W = 3;64;96)");
    expect(msg).toContain("output-blob-names=boxes;scores names 'boxes', 'scores', which the ONNX model does not have (its outputs: 'output0')");
    expect(msg).toContain("labelfile-path=coco-labels.txt lists 80 labels but the model's output 'output0' [1, 7, 126] holds 3 classes (yolov8)");
    expect(msg).toContain("num-detected-classes=80 but the model's output 'output0' [1, 7, 126] holds 3 classes (yolov8) — set num-detected-classes=3");
    expect(msg).toContain('symmetric-padding'); // the unhonoured list is shown on failure too
    expect(msg).toMatch(/Also not honoured(.|\n)*cluster-mode=1: DBSCAN is not supported(.|\n)*parse-bbox-func-name=NvDsInferParseCustomBatchedNMSTLT/);
    expect(msg).not.toMatch(/manifest|parserOptions|input\.width/);
  });

  it('a missing onnx-file names the file the config points to; other model formats say what to do', () => {
    expect(failure(config('gone.txt', '[property]\nonnx-file=../exports/detector.onnx\n'))).toContain(
      `onnx-file '../exports/detector.onnx' not found at ${join(dir, 'exports', 'detector.onnx')}`,
    );
    expect(failure(config('tao.txt', '[property]\ntlt-encoded-model=peoplenet.etlt\ntlt-model-key=tlt_encode\n'))).toMatch(
      /no onnx-file — Vigil imports ONNX models only: tlt-encoded-model=peoplenet\.etlt — a TAO encoded model/,
    );
    expect(failure(config('caffe.txt', '[property]\nmodel-file=resnet10.caffemodel\nproto-file=resnet10.prototxt\n'))).toMatch(
      /model-file=resnet10\.caffemodel — Caffe models are not supported/,
    );
  });

  it('errors never quote a file that is not a DeepStream config', () => {
    const secret = 'S3CRET-7f2c';
    const files: [string, string | Buffer][] = [
      ['env', `API_TOKEN=${secret}\n`],
      ['ssh-config', `Host ${secret}\n  User root\n`],
      ['gitconfig', `[user]\n\temail = ${secret}@example.com\n`],
      ['yaml.yml', `password: ${secret}\n`],
      ['nested.yml', `db:\n  password: ${secret}\n`],
      ['page.html', `<html><title>${secret}</title></html>\n`],
      ['bin', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, ...Buffer.from(secret)])],
      ['big', `# ${secret}\n${'x'.repeat(1_100_000)}`],
    ];
    for (const [name, body] of files) {
      const path = join(dir, `hostile-${name}`);
      writeFileSync(path, body);
      const msg = failure(path);
      expect(msg, name).not.toContain(secret);
      expect(msg, name).toContain(path);
    }
    const app = failure(join(dir, 'hostile-gitconfig'));
    expect(app).toMatch(/is not a DeepStream nvinfer config \(it has no \[property\] group\) nor a deepstream-app config/);
    expect(failure(dir)).toMatch(/is not a regular file/);
  });
});

describe('deepstream-app configs', () => {
  it('are recognised: the [primary-gie] config-file is imported and the rest is listed as not imported', () => {
    const r = importNvinferConfig(join(configs, 'deepstream-app.txt'));
    expect(r.manifest).toMatchObject({ name: 'yolo-primary', parser: 'yolov8', labels: ['person', 'car', 'bicycle'] });
    expect(r.onnxPath).toBe(join(configs, 'yolo.onnx'));
    expect(r.engineSettings).toEqual({ batchSize: 4, inferEvery: 3 }); // [primary-gie] overrides the nvinfer config
    const notImported = new Map(r.unhonoured.map((u) => [u.key, u.reason]));
    for (const s of ['[application]', '[tiled-display]', '[source0]', '[sink0]', '[osd]', '[streammux]', '[tracker]', '[secondary-gie0]', '[tests]'])
      expect(notImported.get(s), s).toMatch(/^not imported: /);
    expect(notImported.get('[source0]')).toMatch(/add each camera under Settings → Cameras/);
    expect(notImported.get('[tracker]')).toMatch(/iou, sort or bytetrack/);
    expect(notImported.get('[secondary-gie0]')).toMatch(/secondary models are not run/);
    expect(notImported.get('[primary-gie] bbox-border-color0')).toBeDefined();
    expect(r.notes[0]).toMatch(/deepstream-app config '.*deepstream-app\.txt': the model of its \[primary-gie\] is imported/);
  });

  it('the YAML deepstream-app form is followed the same way', () => {
    const r = importNvinferConfig(join(configs, 'deepstream-app.yml'));
    expect(r.manifest).toMatchObject({ name: 'yolo-primary', parser: 'yolov8' });
    expect(r.unhonoured.map((u) => u.key)).toEqual(expect.arrayContaining(['[application]', '[source]', '[sink0]', '[streammux]', '[tracker]']));
  });

  it('a config-file that is missing or is not an nvinfer config is named, with the app config', () => {
    const missing = failure(
      config('app-missing.txt', '[application]\nenable-perf-measurement=1\n[primary-gie]\nenable=1\nconfig-file=pgie/config_infer_primary.txt\n'),
    );
    expect(missing).toContain(`[primary-gie] config-file=pgie/config_infer_primary.txt: no file at ${join(configs, 'pgie', 'config_infer_primary.txt')}`);
    expect(missing).toMatch(/deepstream-app config '.*app-missing\.txt' cannot be imported/);
    expect(missing).toMatch(/\[application\]: not imported/);
    const loop = failure(config('app-loop.txt', '[primary-gie]\nconfig-file=deepstream-app.txt\n'));
    expect(loop).toMatch(/has no \[property\] group — it must be the primary model's nvinfer config/);
    expect(failure(config('app-triton.txt', '[primary-gie]\nplugin-type=1\nconfig-file=yolo-primary.txt\n'))).toMatch(
      /plugin-type=1 is Triton \(nvinferserver\)/,
    );
  });
});
