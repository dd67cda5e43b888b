// ScatterND from slice assignment (`x[a:b, c:d] = u`, as exporters write it: constant indices that
// enumerate a box of the leading k dimensions in row-major order) → Slice + Concat: along each of those
// dimensions, from the last to the first, the part before the box, the box, and the part after it.
import { Emit, TO_END } from './emit.js';
import type { RewriteResult } from './einsum.js';
import { attrString, type EditableModel, type GraphNode } from './graph.js';

interface Box {
  starts: number[];
  lengths: number[];
}

/** The box the indices enumerate, or why they are not one. */
function boxOf(dims: number[], values: number[]): Box | string {
  const k = dims[dims.length - 1] ?? 0;
  if (k < 1) return 'indices have no coordinate dimension';
  const count = values.length / k;
  if (count === 0) return 'indices are empty';
  const starts = Array.from({ length: k }, (_, d) => Math.min(...values.filter((_, i) => i % k === d)));
  const ends = Array.from({ length: k }, (_, d) => Math.max(...values.filter((_, i) => i % k === d)) + 1);
  if (starts.some((s) => s < 0)) return 'indices are negative (counted from the end)';
  const lengths = starts.map((s, d) => ends[d]! - s);
  if (lengths.reduce((p, l) => p * l, 1) !== count) return 'indices do not cover a contiguous box';
  for (let p = 0; p < count; p++) {
    let rest = p;
    for (let d = k - 1; d >= 0; d--) {
      const want = starts[d]! + (rest % lengths[d]!);
      rest = Math.floor(rest / lengths[d]!);
      if (values[p * k + d] !== want) return 'indices are not a row-major box (a strided or permuted assignment)';
    }
  }
  return { starts, lengths };
}

export function rewriteScatterND(model: EditableModel, node: GraphNode, index: number): RewriteResult {
  const reduction = attrString(node, 'reduction', 'none');
  if (reduction !== 'none') return { refused: `reduction '${reduction}' is not a slice assignment` };
  const [data, indicesName, updates] = node.inputs as [string, string, string];
  const indices = model.constant(indicesName);
  if (!indices)
    return { refused: `indices '${indicesName}' are computed at run time (only constant indices, as a static-shape export writes them, are rewritten)` };
  const box = boxOf(indices.dims, indices.values);
  if (typeof box === 'string') return { refused: box };
  const k = box.starts.length;
  const known = model.staticShape(data);
  const e = new Emit(model, node, index);
  // updates as the box: [l0 .. lk-1] + data.shape[k:]
  const tail = e.dims(e.op('Shape', [data]), k, TO_END);
  let inner = e.op('Reshape', [updates, e.concat([e.i64(box.lengths), tail])]);
  for (let d = k - 1; d >= 0; d--) {
    const outer =
      d === 0
        ? data
        : e.slice(
            data,
            box.starts.slice(0, d),
            box.starts.slice(0, d).map((s, i) => s + box.lengths[i]!),
            Array.from({ length: d }, (_, i) => i),
          );
    const start = box.starts[d]!;
    const end = start + box.lengths[d]!;
    const extent = known?.[d];
    const before = start > 0 ? e.slice(outer, [0], [start], [d]) : undefined;
    const after = typeof extent === 'number' && extent > 0 && end >= extent ? undefined : e.slice(outer, [end], [TO_END], [d]);
    inner = e.concat([before, inner, after], d);
  }
  e.op('Identity', [inner], {}, node.outputs[0]!);
  return { nodes: e.nodes };
}
