// Einsum → Transpose / Reshape / MatMul / Transpose. Letters shared by both operands and the output are
// batch dimensions (MatMul broadcasts them), letters shared by the operands only are contracted, and the
// rest are kept from one side. Supported: one operand (a pure permutation) or two, without '...',
// repeated letters in one operand, or letters summed away from a single operand.
import type { OnnxNode } from '../onnx-builder.js';
import { Emit } from './emit.js';
import { attrString, type EditableModel, type GraphNode } from './graph.js';

export type RewriteResult = { nodes: OnnxNode[] } | { refused: string };

function parse(equation: string): { operands: string[]; output: string } | string {
  const eq = equation.replace(/\s+/g, '');
  if (eq.includes('...')) return `equation '${equation}' uses '...' (broadcast dimensions of unknown rank)`;
  const [lhs = '', rhs] = eq.split('->');
  const operands = lhs.split(',');
  if (!operands.every((o) => /^[a-zA-Z]*$/.test(o))) return `equation '${equation}' is malformed`;
  let output = rhs;
  if (output === undefined) {
    // implicit form: the letters that appear once, in alphabetical order
    const counts = new Map<string, number>();
    for (const c of operands.join('')) counts.set(c, (counts.get(c) ?? 0) + 1);
    output = [...counts]
      .filter(([, k]) => k === 1)
      .map(([c]) => c)
      .sort()
      .join('');
  }
  for (const o of [...operands, output]) if (new Set(o).size !== o.length) return `equation '${equation}' repeats a letter in one term (a diagonal)`;
  for (const c of output) if (!operands.some((o) => o.includes(c))) return `equation '${equation}': output letter '${c}' is in no operand`;
  return { operands, output };
}

const perm = (from: string, to: string) => [...to].map((c) => from.indexOf(c));
const isIdentity = (p: number[]) => p.every((v, i) => v === i);

export function rewriteEinsum(model: EditableModel, node: GraphNode, index: number): RewriteResult {
  const equation = attrString(node, 'equation', '');
  const parsed = parse(equation);
  if (typeof parsed === 'string') return { refused: parsed };
  const { operands, output } = parsed;
  const out = node.outputs[0]!;
  const e = new Emit(model, node, index);
  if (operands.length === 1) {
    const [a] = operands as [string];
    if (a.length !== output.length) return { refused: `equation '${equation}' sums over a single operand` };
    e.op('Transpose', [node.inputs[0]!], { perm: perm(a, output) }, out);
    return { nodes: e.nodes };
  }
  if (operands.length !== 2) return { refused: `equation '${equation}' has ${operands.length} operands (1 or 2 supported)` };
  const [a, b] = operands as [string, string];
  for (const c of a + b)
    if (!output.includes(c) && !(a.includes(c) && b.includes(c))) return { refused: `equation '${equation}' sums letter '${c}' away from one operand` };
  const batch = [...output].filter((c) => a.includes(c) && b.includes(c));
  const contracted = [...a].filter((c) => b.includes(c) && !output.includes(c));
  const keptA = [...a].filter((c) => !b.includes(c));
  const keptB = [...b].filter((c) => !a.includes(c));
  const orderA = [...batch, ...keptA, ...contracted].join('');
  const orderB = [...batch, ...contracted, ...keptB].join('');
  const transpose = (x: string, from: string, to: string) => (isIdentity(perm(from, to)) ? x : e.op('Transpose', [x], { perm: perm(from, to) }));
  const at = transpose(node.inputs[0]!, a, orderA);
  const bt = transpose(node.inputs[1]!, b, orderB);
  const nb = batch.length;
  const product = [...batch, ...keptA, ...keptB].join('');
  let m: string;
  if (keptA.length === 1 && contracted.length === 1 && keptB.length === 1) {
    m = e.op('MatMul', [at, bt]); // already [batch, m, k] × [batch, k, n]
  } else {
    // fold each group into one dimension: [batch, M, K] × [batch, K, N], then unfold M and N
    const sa = e.op('Shape', [at]);
    const sb = e.op('Shape', [bt]);
    const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);
    const a3 = e.op('Reshape', [
      at,
      e.concat([e.dims(sa, 0, nb), e.product(sa, range(nb, keptA.length)), e.product(sa, range(nb + keptA.length, contracted.length))]),
    ]);
    const b3 = e.op('Reshape', [
      bt,
      e.concat([e.dims(sb, 0, nb), e.product(sb, range(nb, contracted.length)), e.product(sb, range(nb + contracted.length, keptB.length))]),
    ]);
    const mm = e.op('MatMul', [a3, b3]);
    if (product.length === 0) m = e.op('Reshape', [mm, e.i64([], [0])]);
    else {
      const batchDims = nb > 0 ? e.dims(e.op('Shape', [mm]), 0, nb) : undefined;
      m = e.op('Reshape', [
        mm,
        e.concat([batchDims, e.dims(sa, nb, nb + keptA.length), e.dims(sb, nb + contracted.length, nb + contracted.length + keptB.length)]),
      ]);
    }
  }
  if (isIdentity(perm(product, output))) e.op('Identity', [m], {}, out);
  else e.op('Transpose', [m], { perm: perm(product, output) }, out);
  return { nodes: e.nodes };
}
