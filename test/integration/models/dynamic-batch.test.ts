// Dynamic batch of the converted default detector: one ONNX Runtime run over a batch of two different
// vtest.avi frames gives each frame's outputs as a run on that frame alone (the engine batches many
// cameras into one run; a graph constant that still carried the traced batch would mix or break them).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ModelManifest } from '../../../main/api/model-types.js';
import { loadAddon } from '../../../main/addon/addon.js';
import { ensureDefaultModels } from '../../../main/convert/default-models.js';
import { generatedModelsDir } from '../../../main/paths.js';
import { fitInput } from '../../../main/models/detect.js';
import type { RgbFrame } from '../../../main/addon/addon.js';
import { readVideoFrames } from '../../../main/models/frames.js';
import { VTEST_AVI } from '../../../bench/models-on-video.js';

const MAX_RELATIVE_ERROR = 1e-5;

const manifestOf = (name: string) => JSON.parse(readFileSync(join(generatedModelsDir(), `${name}.json`), 'utf8')) as ModelManifest;

/** max |a − b| relative to the largest |a|. */
function relativeError(a: Float32Array, b: Float32Array): number {
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < a.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
    maxRef = Math.max(maxRef, Math.abs(a[i]!));
  }
  return maxDiff / Math.max(maxRef, 1e-12);
}

const frames: RgbFrame[] = [];

beforeAll(async () => {
  ensureDefaultModels();
  for await (const f of readVideoFrames(VTEST_AVI, 768, 576, { every: 250, maxFrames: 2 })) frames.push(f);
}, 120_000);

describe('nanodet-coco: dynamic batch', () => {
  it('declares a dynamic batch in its manifest', () => {
    expect(manifestOf('nanodet-coco').input.batch).toBe('dynamic');
  });

  it('a batch of 2 different frames equals each frame run alone (within 1e-5)', { timeout: 180_000 }, () => {
    expect(frames.length).toBe(2);
    const m = manifestOf('nanodet-coco');
    const model = join(generatedModelsDir(), m.file);
    const addon = loadAddon();
    const inputs = frames.map((f) => fitInput(addon, f, m));
    const single = inputs.map((input) => Object.values(addon.runModelOnce(model, { [m.input.name]: input }))[0]!);
    const per = inputs[0]!.data.length;
    const both = new Float32Array(per * 2);
    both.set(inputs[0]!.data, 0);
    both.set(inputs[1]!.data, per);
    const batched = Object.values(addon.runModelOnce(model, { [m.input.name]: { dims: [2, ...inputs[0]!.dims.slice(1)], data: both } }))[0]!;
    expect(batched.dims[0]).toBe(2);
    expect(batched.dims.slice(1)).toEqual(single[0]!.dims.slice(1));
    const outPer = single[0]!.data.length;
    expect(batched.data.length).toBe(outPer * 2);
    // the two frames really differ, so a batch that repeated one image would fail
    expect(relativeError(single[0]!.data, single[1]!.data)).toBeGreaterThan(1e-3);
    for (let i = 0; i < 2; i++) {
      const err = relativeError(single[i]!.data, batched.data.subarray(i * outPer, (i + 1) * outPer));
      console.log(`[dynamic-batch] nanodet-coco frame ${i}: max relative error ${err.toExponential(2)}`);
      expect(err).toBeLessThanOrEqual(MAX_RELATIVE_ERROR);
    }
  });
});

describe('centernet-coco keeps a fixed batch of 1', () => {
  it('says so in its manifest (its top-k gather is folded for one image)', () => {
    expect(manifestOf('centernet-coco').input.batch).toBe(1);
  });
});
