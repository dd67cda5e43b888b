// Proposes a manifest for an ONNX detector from its input and output shapes; the user corrects it.
import { basename } from 'node:path';
import type { ModelManifest, ModelProposal, OnnxModelInfo, ParserName, TensorInfo } from '../api/model-types.js';
import { COCO_LABELS } from './coco.js';

const num = (d: number | string | null | undefined): number | undefined => (typeof d === 'number' && d > 0 ? d : undefined);

/** Anchor points over strides 8, 16, 32 for a W×H input (YOLOv8/v11 and NanoDet rows; YOLOv5 has 3 per point). */
function anchorPoints(w: number, h: number, strides = [8, 16, 32]): number {
  return strides.reduce((acc, s) => acc + Math.ceil(w / s) * Math.ceil(h / s), 0);
}

export function labelsFor(count: number): string[] {
  return count === COCO_LABELS.length ? [...COCO_LABELS] : Array.from({ length: count }, (_, i) => `class${i}`);
}

export interface LayoutGuess {
  parser: ParserName;
  classes: number;
  parserOptions?: ModelManifest['parserOptions'];
  note: string;
}

/** Recognises the output layout from shapes (YOLO v5/v8/v11, NanoDet, CenterNet, SSD; DETR by its output names). */
export function recogniseLayout(outputs: TensorInfo[], width: number, height: number): LayoutGuess | undefined {
  const points = anchorPoints(width, height);
  if (outputs.length === 2) {
    const [a, b] = outputs as [TensorInfo, TensorInfo];
    const boxes = [a, b].find((t) => t.shape.length === 3 && t.shape[2] === 4);
    const scores = [a, b].find((t) => t !== boxes && t.shape.length === 3);
    // DETR family (RT-DETR): the same shapes as SSD; told apart by the names its exports use (logits before sigmoid, normalised centre boxes)
    if (boxes && scores && num(scores.shape[2]) && (/logits/i.test(scores.name) || boxes.name === 'pred_boxes'))
      return {
        parser: 'detr',
        classes: num(scores.shape[2])!,
        note: `two outputs: '${scores.name}' [B, Q, ${scores.shape[2]}] logits and '${boxes.name}' [B, Q, 4] boxes → detr (RT-DETR family)`,
      };
    if (boxes && scores && num(scores.shape[2]))
      return {
        parser: 'ssd',
        classes: num(scores.shape[2])!,
        note: `two outputs: '${boxes.name}' [B, N, 4] boxes and '${scores.name}' [B, N, ${scores.shape[2]}] scores → ssd`,
      };
  }
  const out = outputs[0];
  if (!out || out.shape.length !== 3) return undefined;
  const d1 = num(out.shape[1]);
  const d2 = num(out.shape[2]);
  if (!d1 || !d2) return undefined;
  if (d2 === 6 && d1 <= 1000)
    return {
      parser: 'centernet',
      classes: COCO_LABELS.length,
      note: `output [B, ${d1}, 6] → centernet (x1, y1, x2, y2, score, class); class count unknown from shapes, COCO assumed`,
    };
  // YOLOv8/v11: [B, 4 + C, N] with N anchor points (channels-first, the default export)
  if (d2 > d1 && d1 > 4 && (d2 === points || d2 > 4 * d1))
    return { parser: 'yolov8', classes: d1 - 4, note: `output [B, ${d1}, ${d2}] = [B, 4 + ${d1 - 4}, N] with N = ${d2} anchor points → yolov8 (also YOLOv11)` };
  if (d1 > d2) {
    if (d1 === 3 * points && d2 > 5)
      return { parser: 'yolov5', classes: d2 - 5, note: `output [B, ${d1}, ${d2}] = [B, 3 × ${points} anchors, 5 + ${d2 - 5}] → yolov5` };
    if (d1 === points) {
      for (const regMax of [7, 10]) {
        const c = d2 - 4 * (regMax + 1);
        if (c === COCO_LABELS.length)
          return {
            parser: 'nanodet',
            classes: c,
            parserOptions: { strides: [8, 16, 32], regMax },
            note: `output [B, ${d1}, ${d2}] = [B, N, ${c} + 4 × ${regMax + 1}] → nanodet (strides 8, 16, 32; regMax ${regMax})`,
          };
      }
      return {
        parser: 'yolov8',
        classes: d2 - 4,
        note: `output [B, ${d1}, ${d2}] = [B, N, 4 + ${d2 - 4}] with N = ${points} anchor points → yolov8, transposed export`,
      };
    }
    if (d2 > 5)
      return {
        parser: 'yolov5',
        classes: d2 - 5,
        note: `output [B, ${d1}, ${d2}]: rows of 5 + ${d2 - 5} values → yolov5 (row count ${d1} is not the usual ${3 * points}; check the parser)`,
      };
  }
  return undefined;
}

export function proposeManifest(info: OnnxModelInfo, options: { name?: string; file?: string } = {}): ModelProposal {
  const notes: string[] = [];
  const input = info.inputs.find((i) => i.shape.length === 4) ?? info.inputs[0]!;
  const s = input.shape;
  let layout: 'NCHW' | 'NHWC' = 'NCHW';
  let width = 640;
  let height = 640;
  if (s.length === 4) {
    if (s[1] === 3 || (s[3] !== 3 && typeof s[1] !== 'number')) {
      layout = 'NCHW';
      height = num(s[2]) ?? 640;
      width = num(s[3]) ?? 640;
    } else if (s[3] === 3) {
      layout = 'NHWC';
      height = num(s[1]) ?? 640;
      width = num(s[2]) ?? 640;
    }
    notes.push(`input '${input.name}' ${JSON.stringify(s)} → ${layout}, ${width}×${height}`);
    if (!num(s[layout === 'NCHW' ? 2 : 1]) || !num(s[layout === 'NCHW' ? 3 : 2]))
      notes.push('input height/width are dynamic: 640×640 proposed — set input.width/height to the size the model was trained at');
  } else notes.push(`input '${input.name}' has shape ${JSON.stringify(s)}, not 4-D: layout and size are guesses — correct input.*`);
  const guess = recogniseLayout(info.outputs, width, height);
  if (guess) notes.push(guess.note);
  else
    notes.push(
      `outputs ${info.outputs.map((o) => `'${o.name}' ${JSON.stringify(o.shape)}`).join(', ')} match no known layout: yolov8 proposed — set parser (see resources/models/MANIFEST.md)`,
    );
  const parser = guess?.parser ?? 'yolov8';
  const classes = guess?.classes ?? COCO_LABELS.length;
  const labels = labelsFor(classes);
  if (classes !== COCO_LABELS.length) notes.push(`${classes} classes: labels are placeholders (class0…) — supply the model's labels`);
  else notes.push('80 classes: COCO labels proposed');
  const yolo = parser === 'yolov5' || parser === 'yolov8';
  const file = options.file ?? basename(info.file);
  const name =
    (options.name ?? basename(file, '.onnx'))
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'model';
  const batch0 = s.length === 4 ? num(s[0]) : undefined;
  const manifest: ModelManifest = {
    vigilManifest: 1,
    name,
    title: `${name} (${parser}, ${classes} classes)`,
    file,
    input: {
      name: input.name,
      width,
      height,
      layout,
      colorOrder: 'RGB',
      mean: [0, 0, 0],
      scale: [1 / 255, 1 / 255, 1 / 255],
      resize: yolo ? 'letterbox' : 'stretch',
      padValue: yolo ? 114 : 0,
      batch: batch0 ?? 'dynamic',
    },
    parser,
    ...(guess?.parserOptions ? { parserOptions: guess.parserOptions } : {}),
    labels,
    thresholds: { default: { score: 0.25, nmsIou: 0.45, topK: 100 } },
    maxDetections: 300,
    executionProviders: ['tensorrt', 'cuda', 'cpu'],
    precision: 'fp32',
  };
  notes.push(
    yolo
      ? 'YOLO exports take RGB 0..1 letterboxed with grey (114) padding'
      : 'normalisation proposed as RGB 0..1 — check input.mean/scale against how the model was trained',
  );
  return { info, manifest, notes };
}
