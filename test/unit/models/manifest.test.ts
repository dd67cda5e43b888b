import { describe, expect, it } from 'vitest';
import type { ModelManifest } from '../../../main/api/model-types.js';
import { COCO_LABELS } from '../../../main/models/coco.js';
import { PARSER_NAMES } from '../../../main/api/registries.js';
import { checkManifest, DROPPED_CLASS_SCORE, ManifestError, validateManifest } from '../../../main/models/manifest.js';

function valid(): ModelManifest {
  return {
    vigilManifest: 1,
    name: 'yolov8n-coco',
    title: 'YOLOv8n',
    file: 'yolov8n.onnx',
    input: {
      name: 'images',
      width: 640,
      height: 640,
      layout: 'NCHW',
      colorOrder: 'RGB',
      mean: [0, 0, 0],
      scale: [1 / 255, 1 / 255, 1 / 255],
      resize: 'letterbox',
      padValue: 114,
      batch: 'dynamic',
    },
    parser: 'yolov8',
    labels: [...COCO_LABELS],
    thresholds: { default: { score: 0.25, nmsIou: 0.45, topK: 100 }, perClass: { person: { score: 0.3 } } },
    maxDetections: 300,
    executionProviders: ['tensorrt', 'cuda', 'cpu'],
    precision: 'fp32',
  };
}

const fields = (m: unknown) => checkManifest(m).map((i) => i.field);

describe('manifest validation', () => {
  it('accepts a complete manifest', () => {
    expect(checkManifest(valid())).toEqual([]);
    expect(validateManifest(valid(), 'x.json').name).toBe('yolov8n-coco');
  });

  it('accepts every parser of the one list, detr (RT-DETR) included', () => {
    for (const parser of PARSER_NAMES) expect(checkManifest({ ...valid(), parser, parserOptions: { strides: [8, 16, 32], regMax: 7 } }), parser).toEqual([]);
    expect(checkManifest({ ...valid(), parser: 'detr', labels: ['person', 'car'], thresholds: { default: { score: 0.5, nmsIou: 0.7, topK: 300 } } })).toEqual(
      [],
    );
  });

  it('a per-class score of 2 drops the class (filter-out-class-ids); other scores above 1 are typos', () => {
    expect(
      checkManifest({ ...valid(), thresholds: { default: { score: 0.25, nmsIou: 0.45, topK: 100 }, perClass: { car: { score: DROPPED_CLASS_SCORE } } } }),
    ).toEqual([]);
    const typo = checkManifest({ ...valid(), thresholds: { default: { score: 0.25, nmsIou: 0.45, topK: 100 }, perClass: { car: { score: 1.5 } } } });
    expect(typo).toEqual([{ field: 'thresholds.perClass.car.score', message: 'must be a number from 0 to 1 (or 2: never report this class), not 1.5' }]);
    expect(fields({ ...valid(), thresholds: { default: { score: 2, nmsIou: 0.45, topK: 100 } } })).toEqual(['thresholds.default.score']);
  });

  it('names each bad field and the fix', () => {
    const v = valid();
    const m = {
      ...v,
      name: 'My Model',
      input: { ...v.input, layout: 'CHW', scale: [1, 0, 1] },
      parser: 'yolov9',
      thresholds: { ...v.thresholds, default: { ...v.thresholds.default, score: 1.5 }, perClass: { pedestrian: { score: 0.2 } } },
      executionProviders: ['openvino'],
    };
    const issues = checkManifest(m);
    const byField = Object.fromEntries(issues.map((i) => [i.field, i.message]));
    expect(byField.name).toMatch(/lower-case letters/);
    expect(byField['input.layout']).toMatch(/"NCHW" or "NHWC", not "CHW"/);
    expect(byField['input.scale']).toMatch(/must not contain 0/);
    expect(byField.parser).toMatch(/one of yolov5, yolov8, nanodet, centernet, ssd, detr, not "yolov9"/);
    expect(byField['thresholds.default.score']).toMatch(/from 0 to 1/);
    expect(byField['thresholds.perClass.pedestrian']).toMatch(/not one of the labels/);
    expect(byField.executionProviders).toMatch(/tensorrt, cuda, cpu/);
  });

  it('requires nanodet strides and regMax, and TensorRT for fp16', () => {
    expect(fields({ ...valid(), parser: 'nanodet' })).toContain('parserOptions');
    expect(fields({ ...valid(), parser: 'nanodet', parserOptions: { strides: [8, 0], regMax: 7 } })).toContain('parserOptions.strides');
    expect(fields({ ...valid(), precision: 'fp16', executionProviders: ['cuda', 'cpu'] })).toContain('precision');
  });

  it('rejects duplicate labels, missing files and non-objects', () => {
    expect(fields({ ...valid(), labels: ['a', 'a'] })).toContain('labels');
    expect(checkManifest({ ...valid(), file: 'absent.onnx' }, { baseDir: '/nonexistent-dir' })[0]?.message).toMatch(/does not exist/);
    expect(checkManifest({ ...valid(), fp16File: 'absent.fp16.onnx' }, { baseDir: '/nonexistent-dir' }).map((i) => i.field)).toContain('fp16File');
    expect(checkManifest({ ...valid(), fp16File: 42 }).map((i) => [i.field, i.message])).toEqual([
      ['fp16File', expect.stringMatching(/FP16 variant's \.onnx file/)],
    ]);
    expect(checkManifest({ ...valid(), fp16File: 'm.fp16.onnx' })).toEqual([]);
    expect(fields(42)).toEqual(['(root)']);
    expect(() => validateManifest({ ...valid(), maxDetections: 0 }, 'bad.json')).toThrow(ManifestError);
    expect(() => validateManifest({ ...valid(), maxDetections: 0 }, 'bad.json')).toThrow(
      /model manifest 'bad.json' is invalid:\n {2}- maxDetections: must be a positive integer/,
    );
  });
});
