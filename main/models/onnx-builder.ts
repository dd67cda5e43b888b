// Builds ONNX models (opset 13) in memory and serialises them with the protobuf writer.
import { ProtoWriter } from './protobuf.js';

export const OnnxType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, BOOL: 9, FLOAT16: 10 } as const;
export type OnnxTypeId = (typeof OnnxType)[keyof typeof OnnxType];

export type AttrValue = number | string | number[] | { floats: number[] } | { float: number } | { tensor: OnnxTensor };

export interface OnnxTensor {
  name: string;
  type: OnnxTypeId;
  dims: number[];
  data: Float32Array | Int32Array | BigInt64Array | Uint8Array;
}

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  name: string;
  attrs: Record<string, AttrValue>;
}

export interface OnnxValueInfo {
  name: string;
  type: OnnxTypeId;
  shape: (number | string)[];
}

export const OPSET = 13;

export class OnnxGraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers = new Map<string, OnnxTensor>();
  readonly inputs: OnnxValueInfo[] = [];
  readonly outputs: OnnxValueInfo[] = [];
  private counter = 0;

  constructor(readonly graphName: string) {}

  /** A fresh tensor name derived from `base`, unique in this graph. */
  unique(base: string): string {
    return `${base}__${this.counter++}`;
  }

  node(op: string, inputs: string[], outputs: string[] | number, attrs: Record<string, AttrValue> = {}, name?: string): string[] {
    const nodeName = name ?? this.unique(op);
    const outs = typeof outputs === 'number' ? Array.from({ length: outputs }, (_, i) => `${nodeName}:${i}`) : outputs;
    this.nodes.push({ op, inputs, outputs: outs, name: nodeName, attrs });
    return outs;
  }

  /** One-output node; returns its output name. */
  op(op: string, inputs: string[], attrs: Record<string, AttrValue> = {}, output?: string): string {
    return this.node(op, inputs, [output ?? this.unique(op)], attrs)[0]!;
  }

  constant(base: string, type: OnnxTypeId, dims: number[], data: OnnxTensor['data']): string {
    const name = this.initializers.has(base) ? this.unique(base) : base;
    this.initializers.set(name, { name, type, dims, data });
    return name;
  }

  int64(base: string, values: number[], dims: number[] = [values.length]): string {
    return this.constant(base, OnnxType.INT64, dims, BigInt64Array.from(values.map((v) => BigInt(v))));
  }

  float(base: string, values: number[], dims: number[] = [values.length]): string {
    return this.constant(base, OnnxType.FLOAT, dims, Float32Array.from(values));
  }

  /** `opset` defaults to OPSET (13); GridSample and LayerNormalization need 16 and 17. */
  serialize(meta: { producer: string; docString?: string; metadata?: Record<string, string>; opset?: number }): Uint8Array {
    const graph = new ProtoWriter();
    for (const n of this.nodes) graph.message(1, encodeNode(n));
    graph.string(2, this.graphName);
    for (const t of this.initializers.values()) graph.message(5, encodeTensor(t));
    for (const v of this.inputs) graph.message(11, encodeValueInfo(v));
    for (const v of this.outputs) graph.message(12, encodeValueInfo(v));
    const model = new ProtoWriter();
    model.int(1, 8); // ir_version 8 (ONNX 1.10+), understood by every current ONNX Runtime
    model.string(2, meta.producer);
    model.string(3, '1');
    if (meta.docString) model.string(6, meta.docString);
    model.message(7, graph);
    model.message(8, new ProtoWriter().string(1, '').int(2, meta.opset ?? OPSET));
    for (const [key, value] of Object.entries(meta.metadata ?? {})) model.message(14, new ProtoWriter().string(1, key).string(2, value));
    return model.finish();
  }
}

export function encodeTensor(t: OnnxTensor): ProtoWriter {
  const w = new ProtoWriter();
  if (t.dims.length > 0) w.packedInts(1, t.dims);
  w.int(2, t.type);
  w.string(8, t.name);
  // raw_data is little-endian, which is what typed arrays hold on every platform Vigil targets
  w.bytes(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  return w;
}

function encodeAttr(name: string, value: AttrValue): ProtoWriter {
  const w = new ProtoWriter().string(1, name);
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`attribute '${name}': ${value} is not an integer — wrap floats as { float }`);
    w.int(3, value).int(20, 2);
  } else if (typeof value === 'string') w.string(4, value).int(20, 3);
  else if (Array.isArray(value)) w.packedInts(8, value).int(20, 7);
  else if ('floats' in value) w.packedFloats(7, value.floats).int(20, 6);
  else if ('float' in value) w.float(2, value.float).int(20, 1);
  else w.message(5, encodeTensor(value.tensor)).int(20, 4);
  return w;
}

export function encodeNode(n: OnnxNode): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name);
  w.string(4, n.op);
  for (const [k, v] of Object.entries(n.attrs)) w.message(5, encodeAttr(k, v));
  return w;
}

function encodeValueInfo(v: OnnxValueInfo): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.shape) shape.message(1, typeof d === 'number' ? new ProtoWriter().int(1, d) : new ProtoWriter().string(2, d));
  // an empty shape list means "unknown rank" here (TF.js signatures often omit shapes), so no shape is written
  const tensorType = new ProtoWriter().int(1, v.type);
  if (v.shape.length > 0) tensorType.message(2, shape);
  return new ProtoWriter().string(1, v.name).message(2, new ProtoWriter().message(1, tensorType));
}
