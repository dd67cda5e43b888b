import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkManifest } from '../../../main/models/manifest.js';
import { importNvinferConfig, NvinferImportError } from '../../../main/models/nvinfer.js';
import { writeTinyOnnx } from '../../helpers/tiny-onnx.js';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-nvinfer-'));
  // YOLOv8-style output for 3 classes at 96×64 (126 anchor points)
  writeTinyOnnx(join(dir, 'yolo.onnx'), { input: { name: 'images', shape: [1, 3, 64, 96] }, outputs: [{ name: 'output0', shape: [1, 7, 126] }] });
  writeFileSync(join(dir, 'labels.txt'), 'person\ncar\nbicycle\n');
});

function config(body: string): string {
  const path = join(dir, `config_${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(path, body);
  return path;
}

describe('nvinfer config import', () => {
  it('maps the honoured keys into the manifest and lists the rest', () => {
    const path = config(`[property]
gpu-id=0
net-scale-factor=0.0039215697906911373
offsets=1;2;3
model-color-format=1
onnx-file=yolo.onnx
model-engine-file=yolo.onnx_b1_gpu0_fp16.engine
labelfile-path=labels.txt
batch-size=4
network-mode=2
num-detected-classes=3
interval=2
gie-unique-id=1
network-type=0
cluster-mode=1
maintain-aspect-ratio=1
symmetric-padding=1
parse-bbox-func-name=NvDsInferParseYolo
custom-lib-path=libnvdsinfer_custom_impl_Yolo.so
some-future-key=7

[class-attrs-all]
pre-cluster-threshold=0.25
nms-iou-threshold=0.5
topk=50
eps=0.2

[class-attrs-1]
pre-cluster-threshold=0.6
`);
    const r = importNvinferConfig(path, { name: 'gate-yolo' });
    expect(checkManifest(r.manifest)).toEqual([]);
    expect(r.onnxPath).toBe(join(dir, 'yolo.onnx'));
    expect(r.manifest).toMatchObject({
      name: 'gate-yolo',
      parser: 'yolov8',
      labels: ['person', 'car', 'bicycle'],
      precision: 'fp16',
      input: { name: 'images', width: 96, height: 64, colorOrder: 'BGR', mean: [1, 2, 3], resize: 'letterbox' },
      thresholds: { default: { score: 0.25, nmsIou: 0.5, topK: 50 }, perClass: { car: { score: 0.6 } } },
    });
    expect(r.manifest.input.scale[0]).toBeCloseTo(1 / 255, 6);
    expect(r.manifest.executionProviders[0]).toBe('tensorrt');
    expect(r.engineSettings).toEqual({ batchSize: 4, inferEvery: 3 });
    const keys = r.unhonoured.map((u) => u.key);
    expect(keys).toEqual(
      expect.arrayContaining([
        'cluster-mode',
        'model-engine-file',
        'gpu-id',
        'gie-unique-id',
        'parse-bbox-func-name',
        'custom-lib-path',
        'some-future-key',
        '[class-attrs-all] eps',
        'batch-size',
      ]),
    );
    expect(r.unhonoured.find((u) => u.key === 'cluster-mode')?.reason).toMatch(/DBSCAN is not supported; Vigil clusters with class-wise NMS/);
    expect(r.unhonoured.find((u) => u.key === 'some-future-key')?.reason).toMatch(/not an nvinfer key Vigil knows/);
    // honoured keys are not listed
    expect(keys).not.toContain('net-scale-factor');
    expect(keys).not.toContain('interval');
  });

  it('INT8 and grey-scale are listed, not silently changed', () => {
    const r = importNvinferConfig(config('[property]\nonnx-file=yolo.onnx\nnetwork-mode=1\nmodel-color-format=2\nnum-detected-classes=3\n'));
    expect(r.manifest.precision).toBe('fp32');
    expect(r.manifest.labels).toEqual(['class0', 'class1', 'class2']);
    expect(r.unhonoured.map((u) => u.key)).toEqual(expect.arrayContaining(['network-mode', 'model-color-format']));
  });

  it('gives clear errors for missing files and inconsistent values', () => {
    expect(() => importNvinferConfig(config('[property]\nmodel-engine-file=x.engine\n'))).toThrow(/has no onnx-file — Vigil imports ONNX models only/);
    expect(() => importNvinferConfig(config('[property]\nonnx-file=missing.onnx\n'))).toThrow(/onnx-file 'missing.onnx' not found/);
    expect(() => importNvinferConfig(config('[property]\nonnx-file=yolo.onnx\nlabelfile-path=labels.txt\nnum-detected-classes=5\n'))).toThrow(
      /disagrees with the 3 labels/,
    );
    expect(() => importNvinferConfig(config('[property]\nonnx-file=yolo.onnx\nnetwork-type=1\n'))).toThrow(/not a detector/);
    expect(() => importNvinferConfig(config('onnx-file=yolo.onnx\n'))).toThrow(NvinferImportError);
    expect(() => importNvinferConfig(config('[property]\nonnx-file=yolo.onnx\nnum-detected-classes=3\n[class-attrs-7]\ntopk=3\n'))).toThrow(
      /names class 7 but there are only 3 labels/,
    );
  });
});
