// Tiny runnable ONNX detectors made by the test suite itself: the output is a constant tensor of the
// requested shape (broadcast against the input's mean so ONNX Runtime really reads the input).
import { writeFileSync } from 'node:fs';
import { OnnxGraphBuilder, OnnxType } from '../../main/models/onnx-builder.js';

export interface TinyModelSpec {
  input?: { name?: string; shape: (number | string)[] };
  outputs: { name: string; shape: number[]; fill?: (i: number) => number }[];
}

export function tinyOnnx(spec: TinyModelSpec): Uint8Array {
  const b = new OnnxGraphBuilder('tiny');
  const inputName = spec.input?.name ?? 'images';
  const inputShape = spec.input?.shape ?? [1, 3, 64, 64];
  b.inputs.push({ name: inputName, type: OnnxType.FLOAT, shape: inputShape });
  const mean = b.op('ReduceMean', [inputName], { axes: [1, 2, 3], keepdims: 0 }); // [B]
  const zero = b.op('Mul', [mean, b.float('zero', [0], [])]);
  for (const o of spec.outputs) {
    const n = o.shape.reduce((a, c) => a * c, 1);
    const data = new Float32Array(n);
    if (o.fill) for (let i = 0; i < n; i++) data[i] = o.fill(i);
    const c = b.constant(`${o.name}_value`, OnnxType.FLOAT, o.shape, data);
    const z = b.op('Reshape', [zero, b.int64('shape', [-1, ...o.shape.slice(1).map(() => 1)])]);
    b.op('Add', [c, z], {}, o.name);
    b.outputs.push({ name: o.name, type: OnnxType.FLOAT, shape: o.shape });
  }
  return b.serialize({ producer: 'vigil tests' });
}

export function writeTinyOnnx(path: string, spec: TinyModelSpec): string {
  writeFileSync(path, tinyOnnx(spec));
  return path;
}

/** A YOLOv8-shaped detector (96×64 input, 80 classes) whose output passes through an Einsum (an op that crashes ORT's CUDA provider). */
export function detectorWithEinsum(): Uint8Array {
  const b = new OnnxGraphBuilder('guarded');
  b.inputs.push({ name: 'images', type: OnnxType.FLOAT, shape: [1, 3, 64, 96] });
  const mean = b.op('ReduceMean', ['images'], { axes: [1, 2, 3], keepdims: 0 });
  const zero = b.op('Reshape', [b.op('Mul', [mean, b.float('zero', [0], [])]), b.int64('shape', [-1, 1, 1])]);
  const c = b.constant('value', OnnxType.FLOAT, [1, 84, 126], new Float32Array(84 * 126));
  const e = b.op('Einsum', [c], { equation: 'abc->abc' });
  b.op('Add', [e, zero], {}, 'output0');
  b.outputs.push({ name: 'output0', type: OnnxType.FLOAT, shape: [1, 84, 126] });
  return b.serialize({ producer: 'vigil tests' });
}
