// The engine's letterbox through the addon (what model checks feed a model): geometry, channel order,
// layout, padding, and clear errors for hostile frames and manifests.
import { describe, expect, it } from 'vitest';
import type { ModelManifest } from '../../../main/api/model-types.js';
import { loadAddon } from '../../../main/addon/addon.js';
import { fitInput } from '../../../main/models/detect.js';

const input = (over: Partial<ModelManifest['input']> = {}): ModelManifest['input'] => ({
  name: 'images',
  width: 8,
  height: 8,
  layout: 'NCHW',
  colorOrder: 'RGB',
  mean: [0, 0, 0],
  scale: [1 / 255, 1 / 255, 1 / 255],
  resize: 'letterbox',
  padValue: 114,
  batch: 'dynamic',
  ...over,
});
const manifestWith = (i: ModelManifest['input']) => ({ input: i }) as ModelManifest;
// 4x2 pure red frame.
const red = { width: 4, height: 2, data: new Uint8Array(24).map((_, i) => (i % 3 === 0 ? 255 : 0)) };

describe('letterbox through the addon', () => {
  it('letterboxes with padding split evenly and the transform to map boxes back', () => {
    const r = fitInput(loadAddon(), red, manifestWith(input()));
    expect(r.dims).toEqual([1, 3, 8, 8]);
    expect(r.transform).toEqual({ scaleX: 2, scaleY: 2, padX: 0, padY: 2 });
    expect(r.data[0]).toBeCloseTo(114 / 255, 5); // top padding, R plane
    expect(r.data[3 * 8 + 3]).toBeCloseTo(1, 5); // image row, R plane
    expect(r.data[64 + 3 * 8 + 3]).toBeCloseTo(0, 5); // image row, G plane
  });

  it('stretches, swaps to BGR and writes NHWC when the manifest says so', () => {
    const r = fitInput(loadAddon(), red, manifestWith(input({ width: 2, height: 2, layout: 'NHWC', colorOrder: 'BGR', resize: 'stretch' })));
    expect(r.dims).toEqual([1, 2, 2, 3]);
    expect(r.transform.padX).toBe(0);
    expect(r.transform.scaleY).toBe(1);
    expect(r.data[0]).toBeCloseTo(0, 5); // B
    expect(r.data[2]).toBeCloseTo(1, 5); // R last
  });

  it('names what is wrong with a frame or an input section', () => {
    const addon = loadAddon();
    expect(() => addon.letterbox(JSON.stringify(input()), { width: 4, height: 2, data: new Uint8Array(5) })).toThrow(/24 bytes but data has 5/);
    expect(() => addon.letterbox(JSON.stringify(input({ width: 0 })), red)).toThrow(/input.width\/height/);
    expect(() => addon.letterbox('not json', red)).toThrow(/not valid/);
  });
});
