import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectOnnxBytes, inspectOnnxFile, ModelFileError } from '../../../main/models/onnx-inspect.js';
import { proposeManifest, recogniseLayout } from '../../../main/models/propose.js';
import { tinyOnnx } from '../../helpers/tiny-onnx.js';

// 96×64 input: anchor points over strides 8/16/32 = 12·8 + 6·4 + 3·2 = 126
const W = 96;
const H = 64;
const POINTS = 126;
const input = { name: 'images', shape: [1, 3, H, W] };

describe('ONNX inspection', () => {
  it('reads input and output names, shapes and opset from a file the writer made', () => {
    const info = inspectOnnxBytes(
      tinyOnnx({ input: { name: 'images', shape: ['batch', 3, H, W] }, outputs: [{ name: 'output0', shape: [1, 84, POINTS] }] }),
      'tiny.onnx',
    );
    expect(info.opset).toBe(13);
    expect(info.inputs).toEqual([{ name: 'images', elemType: 'float32', shape: ['batch', 3, H, W] }]);
    expect(info.outputs).toEqual([{ name: 'output0', elemType: 'float32', shape: [1, 84, POINTS] }]);
  });

  it('rejects a truncated file with a message naming the file and the fix', () => {
    const bytes = tinyOnnx({ input, outputs: [{ name: 'output0', shape: [1, 84, POINTS] }] });
    const cut = bytes.subarray(0, Math.floor(bytes.length * 0.6));
    expect(() => inspectOnnxBytes(cut, 'yolo.onnx')).toThrow(ModelFileError);
    expect(() => inspectOnnxBytes(cut, 'yolo.onnx')).toThrow(/model 'yolo.onnx' is truncated or not an ONNX file .*export it again/);
  });

  it('rejects empty files, non-ONNX files and missing paths clearly', () => {
    expect(() => inspectOnnxBytes(new Uint8Array(), 'empty.onnx')).toThrow(/model 'empty.onnx' is empty/);
    expect(() => inspectOnnxBytes(new TextEncoder().encode('{"format": "graph-model"}'), 'model.json')).toThrow(
      /model 'model.json' is (truncated or not an ONNX file|not an ONNX model)/,
    );
    const dir = mkdtempSync(join(tmpdir(), 'vigil-inspect-'));
    expect(() => inspectOnnxFile(join(dir, 'missing.onnx'))).toThrow(/cannot be read \(ENOENT\) — check the path/);
    writeFileSync(join(dir, 'noise.onnx'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
    expect(() => inspectOnnxFile(join(dir, 'noise.onnx'))).toThrow(ModelFileError);
  });
});

describe('layout recognition from output shapes', () => {
  const guess = (shape: number[]) => recogniseLayout([{ name: 'output0', elemType: 'float32', shape }], W, H);

  it('YOLOv8 / YOLOv11: [B, 4 + C, N]', () => {
    expect(guess([1, 84, POINTS])).toMatchObject({ parser: 'yolov8', classes: 80 });
    expect(guess([1, 6, POINTS])).toMatchObject({ parser: 'yolov8', classes: 2 });
  });

  it('YOLOv8 transposed export: [B, N, 4 + C]', () => {
    expect(guess([1, POINTS, 84])).toMatchObject({ parser: 'yolov8', classes: 80 });
  });

  it('YOLOv5: [B, 3 × N, 5 + C]', () => {
    expect(guess([1, 3 * POINTS, 85])).toMatchObject({ parser: 'yolov5', classes: 80 });
    expect(guess([1, 3 * POINTS, 8])).toMatchObject({ parser: 'yolov5', classes: 3 });
  });

  it('NanoDet, CenterNet and SSD layouts', () => {
    expect(guess([1, POINTS, 80 + 32])).toMatchObject({ parser: 'nanodet', classes: 80, parserOptions: { regMax: 7 } });
    expect(guess([1, POINTS, 80 + 44])).toMatchObject({ parser: 'nanodet', parserOptions: { regMax: 10 } });
    expect(guess([1, 100, 6])).toMatchObject({ parser: 'centernet' });
    const ssd = recogniseLayout(
      [
        { name: 'boxes', elemType: 'float32', shape: [1, 500, 4] },
        { name: 'scores', elemType: 'float32', shape: [1, 500, 21] },
      ],
      W,
      H,
    );
    expect(ssd).toMatchObject({ parser: 'ssd', classes: 21 });
    const detr = recogniseLayout(
      [
        { name: 'logits', elemType: 'float32', shape: [1, 300, 80] },
        { name: 'pred_boxes', elemType: 'float32', shape: [1, 300, 4] },
      ],
      W,
      H,
    );
    expect(detr).toMatchObject({ parser: 'detr', classes: 80 });
  });

  it('proposes a complete manifest with COCO labels for 80 classes and placeholders otherwise', () => {
    const info = inspectOnnxBytes(tinyOnnx({ input, outputs: [{ name: 'output0', shape: [1, 84, POINTS] }] }), 'YOLOv8n Export.onnx');
    const p = proposeManifest(info);
    expect(p.manifest).toMatchObject({
      name: 'yolov8n-export',
      parser: 'yolov8',
      input: { name: 'images', width: W, height: H, layout: 'NCHW', resize: 'letterbox', padValue: 114, batch: 1 },
    });
    expect(p.manifest.labels[0]).toBe('person');
    const three = proposeManifest(inspectOnnxBytes(tinyOnnx({ input, outputs: [{ name: 'o', shape: [1, 7, POINTS] }] }), 'x.onnx'));
    expect(three.manifest.labels).toEqual(['class0', 'class1', 'class2']);
    expect(three.notes.join('\n')).toMatch(/labels are placeholders/);
  });

  it('recognises NHWC inputs and says when the size is dynamic', () => {
    const info = inspectOnnxBytes(
      tinyOnnx({ input: { name: 'x', shape: ['n', 'h', 'w', 3] }, outputs: [{ name: 'detections', shape: [1, 100, 6] }] }),
      'c.onnx',
    );
    const p = proposeManifest(info);
    expect(p.manifest.input.layout).toBe('NHWC');
    expect(p.manifest.input.batch).toBe('dynamic');
    expect(p.notes.join('\n')).toMatch(/dynamic: 640×640 proposed/);
  });
});
