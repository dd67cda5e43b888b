// GridSample (4-D, bilinear, zeros padding: the deformable-attention form) → gather-based bilinear
// sampling: the four neighbours of each sampling point are read with GatherElements from the flattened
// image and weighted by their distances; neighbours outside the image get weight 0.
import { OnnxType } from '../onnx-builder.js';
import { Emit } from './emit.js';
import type { RewriteResult } from './einsum.js';
import { attrInt, attrString, type EditableModel, type GraphNode } from './graph.js';

export function rewriteGridSample(model: EditableModel, node: GraphNode, index: number): RewriteResult {
  const mode = attrString(node, 'mode', 'bilinear');
  const padding = attrString(node, 'padding_mode', 'zeros');
  const alignCorners = attrInt(node, 'align_corners', 0) === 1;
  if (mode !== 'bilinear' && mode !== 'linear') return { refused: `mode '${mode}' (only bilinear is rewritten)` };
  if (padding !== 'zeros') return { refused: `padding_mode '${padding}' (only zeros is rewritten)` };
  const [x, grid] = node.inputs as [string, string];
  const rank = model.staticShape(x)?.length;
  if (rank !== undefined && rank !== 4) return { refused: `input is ${rank}-D (only 4-D [N, C, H, W] is rewritten)` };
  const e = new Emit(model, node, index);
  const sx = e.op('Shape', [x]);
  const h = e.dimFloat(sx, 2);
  const w = e.dimFloat(sx, 3);
  const one = e.f32(1);
  const zero = e.f32(0);
  // grid [N, Ho, Wo, 2] → [N, 2, Ho, Wo]; gx, gy: [N, 1, Ho, Wo]
  const g = e.op('Transpose', [grid], { perm: [0, 3, 1, 2] });
  const gx = e.slice(g, [0], [1], [1]);
  const gy = e.slice(g, [1], [2], [1]);
  const half = e.f32(0.5);
  // pixel coordinates: align_corners ? (g + 1) / 2 * (size - 1) : ((g + 1) * size - 1) / 2
  const unnormalise = (gc: string, size: string) => {
    const p1 = e.op('Add', [gc, one]);
    return alignCorners ? e.op('Mul', [e.op('Mul', [p1, half]), e.op('Sub', [size, one])]) : e.op('Mul', [e.op('Sub', [e.op('Mul', [p1, size]), one]), half]);
  };
  const ix = unnormalise(gx, w);
  const iy = unnormalise(gy, h);
  const x0 = e.op('Floor', [ix]);
  const y0 = e.op('Floor', [iy]);
  const x1 = e.op('Add', [x0, one]);
  const y1 = e.op('Add', [y0, one]);
  const wx1 = e.op('Sub', [ix, x0]);
  const wy1 = e.op('Sub', [iy, y0]);
  const wx0 = e.op('Sub', [one, wx1]);
  const wy0 = e.op('Sub', [one, wy1]);
  const wMax = e.op('Sub', [w, one]);
  const hMax = e.op('Sub', [h, one]);
  const inside = (c: string, max: string) => e.op('And', [e.op('GreaterOrEqual', [c, zero]), e.op('LessOrEqual', [c, max])]);
  // image as [N, C, H*W]; the gather indices are broadcast over C
  const flat = e.op('Reshape', [x, e.i64([0, 0, -1])]);
  const channels = e.concat([e.i64([1]), e.dims(sx, 1, 2), e.i64([1])]);
  const outShape = e.concat([e.dims(sx, 0, 2), e.dims(e.op('Shape', [gx]), 2, 4)]);
  const corner = (cx: string, cy: string, wx: string, wy: string) => {
    const valid = e.op('Cast', [e.op('And', [inside(cx, wMax), inside(cy, hMax)])], { to: OnnxType.FLOAT });
    const xi = e.op('Clip', [cx, zero, wMax]);
    const yi = e.op('Clip', [cy, zero, hMax]);
    const idx = e.op('Cast', [e.op('Add', [e.op('Mul', [yi, w]), xi])], { to: OnnxType.INT64 });
    const gathered = e.op('GatherElements', [flat, e.op('Expand', [e.op('Reshape', [idx, e.i64([0, 0, -1])]), channels])], { axis: 2 });
    const weight = e.op('Mul', [e.op('Mul', [wx, wy]), valid]);
    return e.op('Mul', [e.op('Reshape', [gathered, outShape]), weight]);
  };
  const sum = e.op('Add', [
    e.op('Add', [corner(x0, y0, wx0, wy0), corner(x1, y0, wx1, wy0)]),
    e.op('Add', [corner(x0, y1, wx0, wy1), corner(x1, y1, wx1, wy1)]),
  ]);
  e.op('Identity', [sum], {}, node.outputs[0]!);
  return { nodes: e.nodes };
}
