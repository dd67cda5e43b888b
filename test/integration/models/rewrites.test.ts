// Install-time rewrites (Einsum, ScatterND from slice assignment, GridSample bilinear/zeros): each model is
// built here, rewritten, and both versions run through the real addon's ONNX Runtime on the CPU provider;
// outputs must agree to 1e-4 (max abs) on random inputs and on real vtest.avi pixels.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadAddon, type NativeTensor } from '../../../main/addon/addon.js';
import { type AttrValue, OnnxGraphBuilder, OnnxType } from '../../../main/models/onnx-builder.js';
import { readVideoFrames } from '../../../main/models/frames.js';
import { rewriteModel } from '../../../main/models/rewrites/index.js';
import { VTEST_AVI } from '../../../bench/models-on-video.js';

const MAX_ABS_ERROR = 1e-4;
let work: string;
let pixels: Float32Array; // a real frame, RGB planar 0..1, 3 × 96 × 128
const FRAME = { w: 128, h: 96 };

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'vigil-rewrites-'));
  for await (const f of readVideoFrames(VTEST_AVI, FRAME.w, FRAME.h, { maxFrames: 40, every: 39 })) {
    pixels = new Float32Array(3 * FRAME.w * FRAME.h);
    for (let i = 0; i < FRAME.w * FRAME.h; i++) for (let c = 0; c < 3; c++) pixels[c * FRAME.w * FRAME.h + i] = f.data[i * 3 + c]! / 255;
  }
}, 60_000);

let seed = 1;
function random(n: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    out[i] = (seed / 2 ** 31) * 2 * scale - scale;
  }
  return out;
}
/** Real pixels laid into any shape (repeated when the frame is smaller). */
const real = (n: number) => Float32Array.from({ length: n }, (_, i) => pixels[(i * 7) % pixels.length]!);
const count = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

interface OneOp {
  name: string;
  op: string;
  attrs: Record<string, AttrValue>;
  inputs: { name: string; shape: number[] }[];
  /** Constant operands (int64 indices) placed after the graph inputs, by position. */
  constants?: { at: number; dims: number[]; values: number[] }[];
  opset?: number;
}

function buildOneOp(c: OneOp): Uint8Array {
  const b = new OnnxGraphBuilder(c.name);
  const names = c.inputs.map((i) => i.name);
  for (const i of c.inputs) b.inputs.push({ name: i.name, type: OnnxType.FLOAT, shape: i.shape });
  for (const k of c.constants ?? []) names.splice(k.at, 0, b.int64(`k${k.at}`, k.values, k.dims));
  b.op(c.op, names, c.attrs, 'y');
  b.outputs.push({ name: 'y', type: OnnxType.FLOAT, shape: [] });
  return b.serialize({ producer: 'vigil tests', opset: c.opset ?? 13 });
}

function runBoth(c: OneOp, feeds: Record<string, Float32Array>[]): { maxAbs: number; opsAfter: string[] } {
  const addon = loadAddon();
  const original = buildOneOp(c);
  const { bytes, report } = rewriteModel(original, c.name);
  expect(report.refused).toEqual([]);
  expect(report.applied[c.op]).toBe(1);
  const a = join(work, `${c.name}.onnx`);
  const r = join(work, `${c.name}.rewritten.onnx`);
  writeFileSync(a, original);
  writeFileSync(r, bytes);
  let maxAbs = 0;
  for (const feed of feeds) {
    const inputs: Record<string, NativeTensor> = {};
    for (const i of c.inputs) inputs[i.name] = { dims: i.shape, data: feed[i.name]! };
    const want = addon.runModelOnce(a, inputs).y!;
    const got = addon.runModelOnce(r, inputs).y!;
    expect(got.dims).toEqual(want.dims);
    expect(want.data.length).toBeGreaterThan(0);
    for (let i = 0; i < want.data.length; i++) maxAbs = Math.max(maxAbs, Math.abs(got.data[i]! - want.data[i]!));
    expect(Number.isFinite(maxAbs)).toBe(true);
  }
  return { maxAbs, opsAfter: report.opsAfter };
}

/** Random and real feeds for every input of a case. */
function feeds(c: OneOp, scale = 1): Record<string, Float32Array>[] {
  const rand: Record<string, Float32Array> = {};
  const px: Record<string, Float32Array> = {};
  for (const i of c.inputs) {
    rand[i.name] = random(count(i.shape), scale);
    px[i.name] = real(count(i.shape));
  }
  return [rand, px];
}

describe('Einsum → Transpose/MatMul/Reshape', () => {
  const cases: [string, number[], number[]][] = [
    ['bhqd,bhkd->bhqk', [2, 3, 5, 8], [2, 3, 7, 8]],
    ['i,j->ij', [6], [9]],
    ['bchw,oc->bohw', [2, 4, 5, 6], [8, 4]],
    ['bij,bjk->bik', [3, 4, 5], [3, 5, 6]],
    ['abc,cd->dab', [2, 3, 4], [4, 5]],
    ['ij,ij->i', [4, 7], [4, 7]],
    ['nqhd,khd->nhqk', [2, 10, 4, 8], [12, 4, 8]],
  ];
  for (const [equation, sa, sb] of cases) {
    it(`'${equation}' matches the original to 1e-4 on random and real inputs`, () => {
      const c: OneOp = {
        name: `einsum-${equation.replace(/[^a-z]/g, '_')}`,
        op: 'Einsum',
        attrs: { equation },
        inputs: [
          { name: 'a', shape: sa },
          { name: 'b', shape: sb },
        ],
      };
      const { maxAbs, opsAfter } = runBoth(c, feeds(c));
      expect(maxAbs).toBeLessThanOrEqual(MAX_ABS_ERROR);
      expect(opsAfter).not.toContain('Einsum');
      expect(opsAfter).toContain('MatMul');
    });
  }

  it('a pure permutation becomes one Transpose; ellipsis and diagonals are refused with the reason', () => {
    const c: OneOp = { name: 'einsum-perm', op: 'Einsum', attrs: { equation: 'abc->cab' }, inputs: [{ name: 'a', shape: [2, 3, 4] }] };
    expect(runBoth(c, feeds(c)).opsAfter).toEqual(['Transpose']);
    for (const [equation, reason] of [
      ['...ij,...jk->...ik', /uses '\.\.\.'/],
      ['ii,ij->j', /repeats a letter/],
      ['ij,jk->i', /sums letter 'k' away/],
    ] as const) {
      const model = buildOneOp({
        name: 'x',
        op: 'Einsum',
        attrs: { equation },
        inputs: [
          { name: 'a', shape: [3, 3] },
          { name: 'b', shape: [3, 3] },
        ],
      });
      const { bytes, report } = rewriteModel(model, 'x.onnx');
      expect(report.refused).toHaveLength(1);
      expect(report.refused[0]!.reason).toMatch(reason);
      expect(bytes).toBe(model);
    }
  });
});

describe('ScatterND from slice assignment → Slice/Concat', () => {
  const grid = (ranges: number[][]) => {
    const out: number[] = [];
    const rec = (prefix: number[], d: number) => {
      if (d === ranges.length) out.push(...prefix);
      else for (const v of ranges[d]!) rec([...prefix, v], d + 1);
    };
    rec([], 0);
    return out;
  };
  const cases: [string, number[], number[][], number[]][] = [
    // name, data shape, index ranges per leading dim, updates shape
    [
      'x[:, 1:3] = u',
      [2, 4, 6, 5],
      [
        [0, 1],
        [1, 2],
      ],
      [2, 2, 6, 5],
    ],
    ['x[0, :, :, 8:12] = u', [1, 4, 6, 16], [[0], [0, 1, 2, 3], [0, 1, 2, 3, 4, 5], [8, 9, 10, 11]], [1, 4, 6, 4]],
    ['x[2:5] = u', [6, 3, 4], [[2, 3, 4]], [3, 3, 4]],
    [
      'x[:, :, 0:2] = u (box reaching the start)',
      [2, 3, 5],
      [
        [0, 1],
        [0, 1, 2],
        [0, 1],
      ],
      [2, 3, 2],
    ],
  ];
  for (const [name, dataShape, ranges, updShape] of cases) {
    it(`${name} matches the original to 1e-4 on random and real inputs`, () => {
      const values = grid(ranges);
      const k = ranges.length;
      const c: OneOp = {
        name: `scatternd-${name.replace(/[^a-z0-9]/gi, '_')}`,
        op: 'ScatterND',
        attrs: {},
        inputs: [
          { name: 'data', shape: dataShape },
          { name: 'updates', shape: updShape },
        ],
        constants: [{ at: 1, dims: [...ranges.map((r) => r.length), k], values }],
      };
      const { maxAbs, opsAfter } = runBoth(c, feeds(c));
      expect(maxAbs).toBeLessThanOrEqual(MAX_ABS_ERROR);
      expect(opsAfter).not.toContain('ScatterND');
      expect(opsAfter).toContain('Concat');
    });
  }

  it('indices that are not a row-major box are refused and the model is left as it was', () => {
    const model = buildOneOp({
      name: 's',
      op: 'ScatterND',
      attrs: {},
      inputs: [
        { name: 'data', shape: [4, 3] },
        { name: 'updates', shape: [2, 3] },
      ],
      constants: [{ at: 1, dims: [2, 1], values: [3, 1] }],
    });
    const { bytes, report } = rewriteModel(model, 's.onnx');
    expect(report.refused[0]!.reason).toMatch(/contiguous box|row-major/);
    expect(bytes).toBe(model);
  });
});

describe('GridSample (bilinear, zeros padding) → gather-based bilinear sampling', () => {
  for (const alignCorners of [0, 1]) {
    it(`align_corners=${alignCorners} matches the original to 1e-4 on a real frame and random grids (points outside included)`, () => {
      const c: OneOp = {
        name: `gridsample-ac${alignCorners}`,
        op: 'GridSample',
        attrs: { mode: 'bilinear', padding_mode: 'zeros', align_corners: alignCorners },
        inputs: [
          { name: 'x', shape: [2, 3, FRAME.h, FRAME.w] },
          { name: 'grid', shape: [2, 20, 30, 2] },
        ],
        opset: 16,
      };
      const n = count([2, 3, FRAME.h, FRAME.w]);
      const gridN = count([2, 20, 30, 2]);
      const feedsList = [
        { x: real(n), grid: random(gridN, 1.15) },
        { x: random(n, 3), grid: random(gridN, 1.0) },
      ];
      const { maxAbs, opsAfter } = runBoth(c, feedsList);
      expect(maxAbs).toBeLessThanOrEqual(MAX_ABS_ERROR);
      expect(opsAfter).not.toContain('GridSample');
      expect(opsAfter).toContain('GatherElements');
    });
  }

  it('other modes and paddings are refused with the reason', () => {
    for (const [attrs, reason] of [
      [{ mode: 'nearest' }, /mode 'nearest'/],
      [{ padding_mode: 'border' }, /padding_mode 'border'/],
    ] as const) {
      const model = buildOneOp({
        name: 'g',
        op: 'GridSample',
        attrs,
        inputs: [
          { name: 'x', shape: [1, 1, 4, 4] },
          { name: 'grid', shape: [1, 2, 2, 2] },
        ],
        opset: 16,
      });
      expect(rewriteModel(model, 'g.onnx').report.refused[0]!.reason).toMatch(reason);
    }
  });
});
