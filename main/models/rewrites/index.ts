// Install-time graph rewrites: ops that crash ONNX Runtime 1.29's CUDA provider, replaced by
// equivalent subgraphs of ops it runs (resources/gpu/provider-unsafe-ops.json lists the crashes;
// test/integration/models/rewrites.test.ts checks each rewrite's parity on the CPU provider).
import { type RewriteResult, rewriteEinsum } from './einsum.js';
import { EditableModel, type GraphNode } from './graph.js';
import { rewriteGridSample } from './gridsample.js';
import { rewriteScatterND } from './scatternd.js';

type Rewrite = (model: EditableModel, node: GraphNode, index: number) => RewriteResult;

/** The op types with a rewrite, and the rewrite. */
export const REWRITES: Readonly<Record<string, Rewrite>> = { Einsum: rewriteEinsum, ScatterND: rewriteScatterND, GridSample: rewriteGridSample };

/** Rewrites need input-style Slice/Reshape/Clip and opset-13 Unsqueeze semantics. */
const MIN_OPSET = 13;

export interface RewriteReport {
  /** Nodes replaced, by op type. */
  applied: Record<string, number>;
  /** Nodes left as they were, each with the reason. */
  refused: { op: string; node: string; reason: string }[];
  /** Op types of the default domain in the model before the rewrites. */
  opsBefore: string[];
  opsAfter: string[];
}

/** Rewrites every node whose op type is in `ops` (default: all with a rewrite); returns the new model. */
export function rewriteModel(bytes: Uint8Array, label: string, ops: readonly string[] = Object.keys(REWRITES)): { bytes: Uint8Array; report: RewriteReport } {
  const model = new EditableModel(bytes, label);
  const report: RewriteReport = { applied: {}, refused: [], opsBefore: [...model.opTypes()].sort(), opsAfter: [] };
  const targets = model.nodes.filter((n) => (n.domain === '' || n.domain === 'ai.onnx') && ops.includes(n.op) && REWRITES[n.op]);
  if (targets.length > 0 && model.opset < MIN_OPSET) {
    for (const n of targets)
      report.refused.push({
        op: n.op,
        node: n.name,
        reason: `the model's opset ${model.opset} is below ${MIN_OPSET} — re-export it with opset ${MIN_OPSET} or later`,
      });
    return { bytes, report: { ...report, opsAfter: report.opsBefore } };
  }
  targets.forEach((node, i) => {
    const result = REWRITES[node.op]!(model, node, i);
    if ('refused' in result) report.refused.push({ op: node.op, node: node.name, reason: result.refused });
    else {
      model.replace(node, result.nodes);
      report.applied[node.op] = (report.applied[node.op] ?? 0) + 1;
    }
  });
  report.opsAfter = [...model.opTypes()].sort();
  return { bytes: Object.keys(report.applied).length > 0 ? model.serialize() : bytes, report };
}
