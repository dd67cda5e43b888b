// What the TF.js → ONNX converter reads from a TF.js graph: attributes, dtypes and constants, and
// the constant folding of the few ops TF.js exports leave unfolded.
import { OnnxType, type OnnxTypeId } from '../models/onnx-builder.js';
import type { ConstTensor, TfAttr, TfDtype, TfNode } from './tfjs-graph.js';

/** A graph the converter cannot convert: names the node and op. */
export class ConversionError extends Error {}

export const decodeB64 = (s: string | undefined) => (s === undefined ? '' : Buffer.from(s, 'base64').toString('utf8'));
export const ints = (a: TfAttr | undefined) => (a?.list?.i ?? []).map(Number);
const TF_TYPES: Record<string, TfDtype> = { DT_FLOAT: 'float32', DT_INT32: 'int32', DT_INT64: 'int32', DT_BOOL: 'bool' };
export const ONNX_OF: Record<TfDtype, OnnxTypeId> = { float32: OnnxType.FLOAT, int32: OnnxType.INT32, bool: OnnxType.BOOL };

export function tfType(node: TfNode, ...keys: string[]): TfDtype {
  for (const k of keys) {
    const t = node.attr[k]?.type;
    if (t) {
      const d = TF_TYPES[t];
      if (!d) throw new ConversionError(`node '${node.name}' (${node.op}) uses dtype ${t}, which the converter does not support`);
      return d;
    }
  }
  return 'float32';
}

export const nums = (c: ConstTensor): number[] => Array.from(c.data as ArrayLike<number>);

export function elementCount(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Evaluates a node whose inputs are all constants, for the few ops TF.js exports leave unfolded. */
export function foldConstant(node: TfNode, args: ConstTensor[]): ConstTensor | undefined {
  switch (node.op) {
    case 'Identity':
      return args[0]!;
    case 'Cast': {
      const to = tfType(node, 'DstT');
      const src = args[0]!.data;
      const data = to === 'float32' ? Float32Array.from(src) : to === 'int32' ? Int32Array.from(src, Math.trunc) : Uint8Array.from(src, (v) => (v ? 1 : 0));
      return { dtype: to, shape: args[0]!.shape, data };
    }
    case 'SparseToDense': {
      const [indices, outShape, values, dflt] = args as [ConstTensor, ConstTensor, ConstTensor, ConstTensor];
      const shape = Array.from(outShape.data);
      const n = elementCount(shape);
      const data = dflt.dtype === 'float32' ? new Float32Array(n).fill(dflt.data[0]!) : new Int32Array(n).fill(dflt.data[0]!);
      if (shape.length !== 1 && indices.data.length > 0) return undefined;
      for (let i = 0; i < indices.data.length; i++) data[indices.data[i]!] = values.data.length === 1 ? values.data[0]! : values.data[i]!;
      return { dtype: dflt.dtype, shape, data };
    }
    case 'Add':
    case 'AddV2':
    case 'Sub':
    case 'Mul': {
      const [a, b] = args as [ConstTensor, ConstTensor];
      const n = Math.max(a.data.length, b.data.length);
      if (a.dtype !== b.dtype || (a.data.length !== n && a.data.length !== 1) || (b.data.length !== n && b.data.length !== 1)) return undefined;
      const out = a.dtype === 'float32' ? new Float32Array(n) : new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const x = a.data[a.data.length === 1 ? 0 : i]!;
        const y = b.data[b.data.length === 1 ? 0 : i]!;
        out[i] = node.op === 'Sub' ? x - y : node.op === 'Mul' ? x * y : x + y;
      }
      return { dtype: a.dtype, shape: a.data.length === n ? a.shape : b.shape, data: out };
    }
    default:
      return undefined;
  }
}
