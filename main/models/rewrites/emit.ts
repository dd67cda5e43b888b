// Emits the nodes that replace one node, with names under a prefix no exporter uses, plus the
// shape arithmetic (Shape/Slice/Gather/Mul/Concat on int64 vectors) the rewrites share.
import { type AttrValue, type OnnxGraphBuilder, type OnnxNode, OnnxType } from '../onnx-builder.js';
import type { EditableModel, GraphNode } from './graph.js';

/** Slice end meaning "to the end" (ONNX clamps it to the dimension). */
export const TO_END = Number.MAX_SAFE_INTEGER;

export class Emit {
  private readonly b: OnnxGraphBuilder;
  private n = 0;
  readonly prefix: string;

  constructor(model: EditableModel, node: GraphNode, index: number) {
    this.prefix = `vigil_rw${index}/${node.name || node.op}`;
    this.b = model.emitter(this.prefix);
  }

  get nodes(): OnnxNode[] {
    return this.b.nodes;
  }

  op(op: string, inputs: string[], attrs: Record<string, AttrValue> = {}, output?: string): string {
    const name = `${this.prefix}/${op}_${this.n++}`;
    return this.b.node(op, inputs, [output ?? name], attrs, name)[0]!;
  }

  i64(values: number[], dims: number[] = [values.length]): string {
    return this.b.int64(`${this.prefix}/i64_${this.n++}`, values, dims);
  }

  f32(value: number): string {
    return this.b.constant(`${this.prefix}/f32_${this.n++}`, OnnxType.FLOAT, [], Float32Array.of(value));
  }

  /** shape[start:end] of a 1-D shape vector; undefined when empty. */
  dims(shape: string, start: number, end: number): string | undefined {
    if (end <= start) return undefined;
    return this.op('Slice', [shape, this.i64([start]), this.i64([end]), this.i64([0])]);
  }

  /** The product of the listed entries of a shape vector, as a [1] tensor. */
  product(shape: string, indices: number[]): string {
    if (indices.length === 0) return this.i64([1]);
    let acc = this.op('Gather', [shape, this.i64([indices[0]!])], { axis: 0 });
    for (const i of indices.slice(1)) acc = this.op('Mul', [acc, this.op('Gather', [shape, this.i64([i])], { axis: 0 })]);
    return acc;
  }

  concat(parts: (string | undefined)[], axis = 0): string {
    const list = parts.filter((p): p is string => p !== undefined);
    return list.length === 1 ? list[0]! : this.op('Concat', list, { axis });
  }

  slice(x: string, starts: number[], ends: number[], axes: number[]): string {
    return this.op('Slice', [x, this.i64(starts), this.i64(ends), this.i64(axes)]);
  }

  /** A scalar dimension of `shape` as float32 (for coordinate arithmetic). */
  dimFloat(shape: string, index: number): string {
    return this.op('Cast', [this.op('Gather', [shape, this.i64([index], [])], { axis: 0 })], { to: OnnxType.FLOAT });
  }
}
