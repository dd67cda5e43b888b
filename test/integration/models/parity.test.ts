// Conversion parity: the converted ONNX models under ONNX Runtime against the original TF.js graph
// models run by @tensorflow/tfjs on its pure-JS CPU backend, on random inputs and real vtest.avi frames.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ModelManifest } from '../../../main/api/model-types.js';
import { loadAddon } from '../../../main/addon/addon.js';
import { ensureDefaultModels, humanModelsDir } from '../../../main/convert/default-models.js';
import { generatedModelsDir } from '../../../main/paths.js';
import { fitInput } from '../../../main/models/detect.js';
import type { RgbFrame } from '../../../main/addon/addon.js';
import { readVideoFrames } from '../../../main/models/frames.js';
import { VTEST_AVI } from '../../../bench/models-on-video.js';

const MAX_RELATIVE_ERROR = 1e-4;

interface Case {
  name: string;
  tfjsFile: string;
  tfOutputs: string[];
  // the same appended layout the converter adds (MANIFEST.md), expressed in tfjs
  layout: (outs: tf.Tensor[]) => tf.Tensor;
  randomScale: number;
}

const CASES: Case[] = [
  {
    name: 'nanodet-coco',
    tfjsFile: 'nanodet.json',
    tfOutputs: ['Identity:0', 'Identity_3:0', 'Identity_1:0', 'Identity_4:0', 'Identity_2:0', 'Identity_5:0'],
    layout: (o) =>
      tf.concat(
        [0, 1, 2].map((s) => tf.concat([o[2 * s]!, o[2 * s + 1]!], 2)),
        1,
      ),
    randomScale: 1,
  },
  {
    name: 'centernet-coco',
    tfjsFile: 'centernet.json',
    tfOutputs: ['tower_0/detections'],
    layout: (o) => tf.div(o[0]!, tf.tensor([512, 512, 512, 512, 1, 1])),
    randomScale: 255,
  },
];

async function loadTfjs(file: string): Promise<tf.GraphModel> {
  const path = join(humanModelsDir(), 'models', file);
  const json = JSON.parse(readFileSync(path, 'utf8'));
  const bin = readFileSync(path.replace(/\.json$/, '.bin'));
  return tf.loadGraphModel({
    load: async () => ({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g: { weights: unknown[] }) => g.weights),
      weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
      format: json.format,
      generatedBy: json.generatedBy,
      convertedBy: json.convertedBy,
      signature: json.signature,
    }),
  });
}

/** max |onnx − tfjs| over the tensor, relative to the largest |tfjs| value. */
function relativeError(reference: Float32Array, actual: Float32Array): number {
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < reference.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(reference[i]! - actual[i]!));
    maxRef = Math.max(maxRef, Math.abs(reference[i]!));
  }
  return maxDiff / Math.max(maxRef, 1e-12);
}

const frames: RgbFrame[] = [];

beforeAll(async () => {
  await tf.setBackend('cpu');
  ensureDefaultModels();
  for await (const f of readVideoFrames(VTEST_AVI, 768, 576, { every: 300, maxFrames: 2 })) frames.push(f);
}, 120_000);

describe.each(CASES)('$name: ONNX Runtime matches TF.js (CPU backend) within 1e-4', (c) => {
  const manifest = () => JSON.parse(readFileSync(join(generatedModelsDir(), `${c.name}.json`), 'utf8')) as ModelManifest;
  let model: tf.GraphModel;

  const compare = async (dims: number[], data: Float32Array) => {
    model ??= await loadTfjs(c.tfjsFile);
    const outs = model.execute(tf.tensor(data, dims), c.tfOutputs);
    const reference = (await c.layout(Array.isArray(outs) ? outs : [outs]).data()) as Float32Array;
    const m = manifest();
    const result = loadAddon().runModelOnce(join(generatedModelsDir(), m.file), { [m.input.name]: { dims, data } });
    const actual = Object.values(result)[0]!;
    expect(actual.data.length).toBe(reference.length);
    const err = relativeError(reference, actual.data);
    console.log(`[parity] ${c.name}: max relative error ${err.toExponential(2)}`);
    return err;
  };

  it('on a random input', { timeout: 180_000 }, async () => {
    const m = manifest();
    const dims = m.input.layout === 'NCHW' ? [1, 3, m.input.height, m.input.width] : [1, m.input.height, m.input.width, 3];
    const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
    let seed = 12345;
    for (let i = 0; i < data.length; i++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      data[i] = (seed / 2147483648) * c.randomScale;
    }
    expect(await compare(dims, data)).toBeLessThanOrEqual(MAX_RELATIVE_ERROR);
  });

  it('on real vtest.avi frames', { timeout: 300_000 }, async () => {
    expect(frames.length).toBe(2);
    for (const frame of frames) {
      const input = fitInput(loadAddon(), frame, manifest());
      expect(await compare(input.dims, input.data)).toBeLessThanOrEqual(MAX_RELATIVE_ERROR);
    }
  });
});
