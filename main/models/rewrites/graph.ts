// An ONNX model opened for node-level edits: the graph's nodes are decoded, everything else is kept as
// the bytes it came in (weights, value_info, metadata), so a rewrite touches only what it replaces.
import { encodeNode, encodeTensor, OnnxGraphBuilder, type OnnxNode } from '../onnx-builder.js';
import { ModelFileError } from '../onnx-inspect.js';
import { decodeMessage, fieldBytes, fieldInt, fieldString, ProtoDecodeError, type ProtoValue, ProtoWriter } from '../protobuf.js';

export interface GraphNode {
  op: string;
  domain: string;
  name: string;
  inputs: string[];
  outputs: string[];
  /** The node as read (kept nodes are written back byte for byte). */
  raw: Uint8Array;
  attrs: Map<string, Uint8Array>;
}

/** A constant tensor's contents, enough to read index tensors. */
export interface ConstTensor {
  dims: number[];
  dataType: number;
  values: number[];
}

const textDecoder = new TextDecoder();

function readVarints(v: ProtoValue[]): bigint[] {
  const out: bigint[] = [];
  for (const x of v) {
    if (x.wire === 0) out.push(x.value);
    else if (x.wire === 2) {
      let pos = 0;
      while (pos < x.bytes.length) {
        let r = 0n;
        let shift = 0n;
        for (;;) {
          const b = x.bytes[pos++];
          if (b === undefined) throw new ProtoDecodeError('packed varint runs past the end of its field');
          r |= BigInt(b & 0x7f) << shift;
          if ((b & 0x80) === 0) break;
          shift += 7n;
        }
        out.push(BigInt.asIntN(64, r));
      }
    }
  }
  return out;
}

export function attrInt(node: GraphNode, name: string, fallback: number): number {
  const a = node.attrs.get(name);
  if (!a) return fallback;
  const v = fieldInt(decodeMessage(a), 3);
  return v === undefined ? fallback : Number(BigInt.asIntN(64, v));
}

export function attrString(node: GraphNode, name: string, fallback: string): string {
  const a = node.attrs.get(name);
  return (a && fieldString(decodeMessage(a), 4)) ?? fallback;
}

/** Decodes a TensorProto holding integers or floats (raw_data or typed fields); null for external data. */
export function decodeTensor(bytes: Uint8Array): ConstTensor | null {
  const t = decodeMessage(bytes);
  if ((t.get(14) ?? []).length > 0 && fieldInt(t, 14) === 1n) return null; // data_location EXTERNAL
  const dims = readVarints(t.get(1) ?? []).map(Number);
  const dataType = Number(fieldInt(t, 2) ?? 0n);
  const raw = fieldBytes(t, 9)[0];
  let values: number[];
  if (raw) {
    const buf = new Uint8Array(raw).buffer; // a copy: Node Buffers are views into a shared pool
    if (dataType === 7) values = Array.from(new BigInt64Array(buf), Number);
    else if (dataType === 6) values = Array.from(new Int32Array(buf));
    else if (dataType === 1) values = Array.from(new Float32Array(buf));
    else return null;
  } else if (dataType === 7) values = readVarints(t.get(7) ?? []).map(Number);
  else if (dataType === 6) values = readVarints(t.get(5) ?? []).map((v) => Number(BigInt.asIntN(32, v)));
  else return null;
  return { dims, dataType, values };
}

export class EditableModel {
  readonly nodes: GraphNode[];
  readonly opset: number;
  private readonly model: Map<number, ProtoValue[]>;
  private readonly graph: Map<number, ProtoValue[]>;
  private readonly initializerBytes = new Map<string, Uint8Array>();
  private readonly added: OnnxGraphBuilder[] = [];
  private readonly shapes = new Map<string, (number | null)[]>();
  /** Inputs of replaced nodes: initializers among them that nothing reads any more are dropped. */
  private readonly orphans = new Set<string>();

  constructor(
    bytes: Uint8Array,
    readonly label: string,
  ) {
    try {
      this.model = decodeMessage(bytes);
      const g = fieldBytes(this.model, 7)[0];
      if (!g) throw new ModelFileError(`model '${label}' has no graph — export the network to ONNX first`);
      this.graph = decodeMessage(g);
      this.nodes = fieldBytes(this.graph, 1).map((raw) => {
        const n = decodeMessage(raw);
        const attrs = new Map<string, Uint8Array>();
        for (const a of fieldBytes(n, 5)) attrs.set(fieldString(decodeMessage(a), 1) ?? '', a);
        const strings = (f: number) => fieldBytes(n, f).map((b) => textDecoder.decode(b));
        return {
          op: fieldString(n, 4) ?? '',
          domain: fieldString(n, 7) ?? '',
          name: fieldString(n, 3) ?? '',
          inputs: strings(1),
          outputs: strings(2),
          raw,
          attrs,
        };
      });
      for (const t of fieldBytes(this.graph, 5)) this.initializerBytes.set(fieldString(decodeMessage(t), 8) ?? '', t);
      for (const f of [11, 12, 13]) for (const vi of fieldBytes(this.graph, f)) this.readShape(vi);
      let opset = 0;
      for (const o of fieldBytes(this.model, 8)) {
        const set = decodeMessage(o);
        const domain = fieldString(set, 1) ?? '';
        if (domain === '' || domain === 'ai.onnx') opset = Number(fieldInt(set, 2) ?? 0n);
      }
      this.opset = opset;
    } catch (e) {
      if (e instanceof ProtoDecodeError) throw new ModelFileError(`model '${label}' is truncated or not an ONNX file (${e.message}) — copy or export it again`);
      throw e;
    }
  }

  private readShape(vi: Uint8Array): void {
    const v = decodeMessage(vi);
    const type = fieldBytes(v, 2)[0];
    const tensor = type ? fieldBytes(decodeMessage(type), 1)[0] : undefined;
    const shape = tensor ? fieldBytes(decodeMessage(tensor), 2)[0] : undefined;
    if (!shape) return;
    const dims = fieldBytes(decodeMessage(shape), 1).map((d) => {
      const x = fieldInt(decodeMessage(d), 1);
      return x === undefined ? null : Number(x);
    });
    this.shapes.set(fieldString(v, 1) ?? '', dims);
  }

  /** The static shape recorded for a tensor (graph input/output, value_info, initializer), if any. */
  staticShape(name: string): (number | null)[] | undefined {
    const init = this.initializerBytes.get(name);
    if (init) return readVarints(decodeMessage(init).get(1) ?? []).map(Number);
    return this.shapes.get(name);
  }

  /** The value of a tensor fixed at export time: an initializer or a Constant node's output. */
  constant(name: string): ConstTensor | null {
    const init = this.initializerBytes.get(name);
    if (init) return decodeTensor(init);
    const node = this.nodes.find((n) => n.op === 'Constant' && n.domain === '' && n.outputs[0] === name);
    const attr = node?.attrs.get('value');
    const t = attr ? fieldBytes(decodeMessage(attr), 5)[0] : undefined;
    return t ? decodeTensor(t) : null;
  }

  opTypes(): Set<string> {
    return new Set(this.nodes.filter((n) => n.domain === '' || n.domain === 'ai.onnx').map((n) => n.op));
  }

  /** A builder for the nodes that replace one node; its names are prefixed so they cannot clash. */
  emitter(prefix: string): OnnxGraphBuilder {
    const b = new OnnxGraphBuilder(prefix);
    this.added.push(b);
    return b;
  }

  /** Puts `replacement` (built with an emitter) where `node` was: the order stays topological. */
  replace(node: GraphNode, replacement: OnnxNode[]): void {
    const i = this.nodes.indexOf(node);
    if (i < 0) throw new Error(`node '${node.name}' is not in the graph`);
    for (const name of node.inputs) this.orphans.add(name);
    const encoded = replacement.map((n): GraphNode => ({ ...n, domain: '', raw: encodeNode(n).finish(), attrs: new Map() }));
    this.nodes.splice(i, 1, ...encoded);
  }

  serialize(): Uint8Array {
    const graph = new ProtoWriter();
    for (const n of this.nodes) graph.bytes(1, n.raw);
    // nodes with subgraphs (If, Loop, Scan) may read outer initializers: then nothing is dropped
    const hasSubgraphs = this.nodes.some((n) => [...n.attrs.values()].some((a) => fieldBytes(decodeMessage(a), 6).length > 0));
    const read = new Set(this.nodes.flatMap((n) => n.inputs));
    const dropped = (t: Uint8Array) => {
      const name = fieldString(decodeMessage(t), 8) ?? '';
      return !hasSubgraphs && this.orphans.has(name) && !read.has(name);
    };
    for (const [field, values] of this.graph) {
      if (field !== 1) for (const v of values) if (!(field === 5 && v.wire === 2 && dropped(v.bytes))) graph.value(field, v);
    }
    for (const b of this.added) for (const t of b.initializers.values()) graph.message(5, encodeTensor(t));
    const model = new ProtoWriter();
    for (const [field, values] of this.model) {
      if (field === 7) model.message(7, graph);
      else for (const v of values) model.value(field, v);
    }
    return model.finish();
  }
}
