// The converter on small TF.js graph models the test writes itself.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAddon } from '../../../main/addon/addon.js';
import { inspectOnnxBytes } from '../../../main/models/onnx-inspect.js';
import { loadTfjsGraphModel, TfjsModelError } from '../../../main/convert/tfjs-graph.js';
import { ConversionError } from '../../../main/convert/tfjs-constants.js';
import { convertTfjsToOnnx } from '../../../main/convert/tfjs-to-onnx.js';

const f32 = { type: 'DT_FLOAT' };
const b64 = (s: string) => Buffer.from(s).toString('base64');

function writeModel(nodes: object[], weights: { name: string; shape: number[]; values: number[] }[], options: { truncate?: number } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-tfjs-'));
  const bin = Buffer.concat(weights.map((w) => Buffer.from(Float32Array.from(w.values).buffer)));
  writeFileSync(join(dir, 'model.bin'), options.truncate ? bin.subarray(0, options.truncate) : bin);
  const json = {
    format: 'graph-model',
    modelTopology: { node: nodes },
    weightsManifest: [{ paths: ['model.bin'], weights: weights.map((w) => ({ name: w.name, shape: w.shape, dtype: 'float32' })) }],
    signature: {
      inputs: { 'x:0': { name: 'x:0', tensorShape: { dim: [{ size: '1' }, { size: '2' }, { size: '2' }, { size: '1' }] } } },
      outputs: { 'out:0': { name: 'out:0' } },
    },
  };
  writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
  return join(dir, 'model.json');
}

const convNodes = [
  { name: 'x', op: 'Placeholder', attr: { dtype: f32 } },
  { name: 'w', op: 'Const', attr: { dtype: f32 } },
  { name: 'bias', op: 'Const', attr: { dtype: f32 } },
  {
    name: 'conv',
    op: '_FusedConv2D',
    input: ['x', 'w', 'bias'],
    attr: {
      T: f32,
      strides: { list: { i: ['1', '1', '1', '1'] } },
      padding: { s: b64('SAME') },
      data_format: { s: b64('NHWC') },
      dilations: { list: { i: ['1', '1', '1', '1'] } },
      fused_ops: { list: { s: [b64('BiasAdd'), b64('Relu6')] } },
    },
  },
  { name: 'out', op: 'Identity', input: ['conv'], attr: { T: f32 } },
];
// 2×2 kernel, 1 → 1 channel, all ones: SAME padding sums each pixel with its right/lower neighbours
const convWeights = [
  { name: 'w', shape: [2, 2, 1, 1], values: [1, 1, 1, 1] },
  { name: 'bias', shape: [1], values: [0.5] },
];

describe('TF.js graph → ONNX', () => {
  it('converts a fused NHWC convolution with bias and Relu6 that ONNX Runtime runs to the right numbers', () => {
    const model = loadTfjsGraphModel(writeModel(convNodes, convWeights));
    const result = convertTfjsToOnnx(model, { inputName: 'input' });
    const info = inspectOnnxBytes(result.onnx, 'conv.onnx');
    expect(info.inputs[0]).toMatchObject({ name: 'input', shape: [1, 2, 2, 1] });
    const dir = mkdtempSync(join(tmpdir(), 'vigil-conv-'));
    writeFileSync(join(dir, 'conv.onnx'), result.onnx);
    const out = loadAddon().runModelOnce(join(dir, 'conv.onnx'), { input: { dims: [1, 2, 2, 1], data: Float32Array.from([1, 2, 3, -4]) } });
    // [1+2+3-4, 2-4, 3-4, -4] + 0.5, clipped to 0..6
    expect(Array.from(Object.values(out)[0]!.data)).toEqual([2.5, 0, 0, 0]);
  });

  it('dynamicBatch: a symbolic input batch, and a constant Reshape target that carried batch 1 reshapes any batch', () => {
    const nodes = [
      ...convNodes.slice(0, 4),
      { name: 'shape', op: 'Const', attr: { dtype: f32 } },
      { name: 'out', op: 'Reshape', input: ['conv', 'shape'], attr: { T: f32 } },
    ];
    const model = loadTfjsGraphModel(writeModel(nodes, [...convWeights, { name: 'shape', shape: [2], values: [1, 4] }]));
    const result = convertTfjsToOnnx(model, { inputName: 'input', dynamicBatch: true });
    expect(result.input.shape).toEqual(['batch', 2, 2, 1]);
    expect(inspectOnnxBytes(result.onnx, 'reshape.onnx').inputs[0]).toMatchObject({ name: 'input', shape: ['batch', 2, 2, 1] });
    const dir = mkdtempSync(join(tmpdir(), 'vigil-reshape-'));
    writeFileSync(join(dir, 'reshape.onnx'), result.onnx);
    const out = Object.values(
      loadAddon().runModelOnce(join(dir, 'reshape.onnx'), { input: { dims: [2, 2, 2, 1], data: Float32Array.from([1, 2, 3, -4, 0, 0, 0, 1]) } }),
    )[0]!;
    expect(out.dims).toEqual([2, 4]);
    // image 0 as in the test above; image 1: only its last pixel is 1 → 1.5 there and in the pixels that sum it
    expect(Array.from(out.data)).toEqual([2.5, 0, 0, 0, 1.5, 1.5, 1.5, 1.5]);
    // the traced-batch graph still refuses a batch of 2
    const fixed = convertTfjsToOnnx(model, { inputName: 'input' });
    writeFileSync(join(dir, 'fixed.onnx'), fixed.onnx);
    expect(() => loadAddon().runModelOnce(join(dir, 'fixed.onnx'), { input: { dims: [2, 2, 2, 1], data: new Float32Array(8) } })).toThrow();
  });

  it('names the node and op it cannot convert', () => {
    const nodes = [
      { name: 'x', op: 'Placeholder', attr: { dtype: f32 } },
      { name: 'out', op: 'Erf', input: ['x'], attr: { T: f32 } },
    ];
    expect(() => convertTfjsToOnnx(loadTfjsGraphModel(writeModel(nodes, [])))).toThrow(ConversionError);
    expect(() => convertTfjsToOnnx(loadTfjsGraphModel(writeModel(nodes, [])))).toThrow(
      /node 'out' uses op 'Erf', which the TF.js → ONNX converter does not support yet/,
    );
  });

  it('refuses truncated weight shards and non-graph models clearly', () => {
    expect(() => loadTfjsGraphModel(writeModel(convNodes, convWeights, { truncate: 10 }))).toThrow(/weight 'w' needs 16 bytes .* the .bin file is truncated/);
    const dir = mkdtempSync(join(tmpdir(), 'vigil-tfjs-'));
    writeFileSync(join(dir, 'layers.json'), JSON.stringify({ format: 'layers-model' }));
    expect(() => loadTfjsGraphModel(join(dir, 'layers.json'))).toThrow(TfjsModelError);
  });
});
