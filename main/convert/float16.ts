// The FP16 variant of a converted model: weights stored and activations computed in float16, with the
// graph's input and outputs still float32 (a Cast after the input, one before each output), so the
// engine feeds and reads both variants alike. Runs on the converter's graph before it is serialised.
//
// What stays float32: the sub-graph that computes a Resize's roi and scales (ONNX allows only float32
// there), traced back from the Resize up to Shape nodes (a shape does not depend on the data's type).
// Where that sub-graph meets the float16 rest, a Cast joins them.
import { OnnxType, type OnnxGraphBuilder, type OnnxNode, type OnnxTensor, type OnnxTypeId } from '../models/onnx-builder.js';

/** float32 → IEEE half bits, rounding to nearest even; beyond ±65504 becomes ±65504 (a weight, never infinity). */
export function halfBits(value: number): number {
  scratch[0] = value;
  return halfOfFloatBits(scratchBits[0]!);
}
const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

/** The same, from a float32's bit pattern (a whole tensor converts without a number per element). */
function halfOfFloatBits(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return sign | (mant ? 0x7e00 : 0x7c00); // NaN stays NaN, infinity stays infinity
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7bff;
  if (e <= 0) {
    if (e < -10) return sign; // below the smallest subnormal
    const m = mant | 0x800000;
    const shift = 14 - e;
    let h = m >>> shift;
    const rest = m & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rest > half || (rest === half && h & 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && h & 1)) h++; // a carry into the exponent is still right
  return sign | Math.min(h, 0x7bff);
}

/** IEEE half bits → number (to check the conversion and to compare outputs). */
export function halfValue(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >>> 10) & 0x1f;
  const mant = bits & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

function toHalf(t: OnnxTensor, name = t.name): OnnxTensor {
  const src = t.data as Float32Array;
  const words = new Uint32Array(src.buffer, src.byteOffset, src.length);
  const bits = new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) bits[i] = halfOfFloatBits(words[i]!);
  return { name, type: OnnxType.FLOAT16, dims: t.dims, data: new Uint8Array(bits.buffer) };
}

/** Element type of each tensor, for the ops the converter emits: most ops keep their first input's type. */
function inferTypes(b: OnnxGraphBuilder): Map<string, OnnxTypeId> {
  const types = new Map<string, OnnxTypeId>();
  for (const v of b.inputs) types.set(v.name, v.type);
  for (const t of b.initializers.values()) types.set(t.name, t.type);
  for (const n of b.nodes) {
    const first = types.get(n.inputs[0] ?? '') ?? OnnxType.FLOAT;
    n.outputs.forEach((o, i) => {
      let t: OnnxTypeId = first;
      if (n.op === 'Shape' || ((n.op === 'TopK' || n.op === 'ArgMax' || n.op === 'ArgMin') && (i === 1 || n.op !== 'TopK'))) t = OnnxType.INT64;
      else if (n.op === 'Cast') t = n.attrs.to as OnnxTypeId;
      else if (['Equal', 'Greater', 'Less', 'GreaterOrEqual', 'LessOrEqual', 'Not', 'And', 'Or'].includes(n.op)) t = OnnxType.BOOL;
      types.set(o, t);
    });
  }
  return types;
}

export interface Float16Report {
  /** Float initializers now stored as float16. */
  halved: number;
  /** Nodes kept in float32 (a Resize's scales and what computes them). */
  keptFloat32: number;
  /** Cast nodes added at the boundary and between the float32 and float16 parts. */
  casts: number;
}

/** Rewrites the graph in `b` to float16 in place (see the file comment). Call before serialize(). */
export function convertToFloat16(b: OnnxGraphBuilder): Float16Report {
  const types = inferTypes(b);
  const producer = new Map<string, OnnxNode>();
  for (const n of b.nodes) for (const o of n.outputs) producer.set(o, n);

  // The float32 island: back from each Resize's roi/scales, stopping at Shape.
  const kept = new Set<OnnxNode>();
  const keptTensors = new Set<string>();
  const visit = (tensor: string) => {
    if (!tensor || keptTensors.has(tensor)) return;
    keptTensors.add(tensor);
    const n = producer.get(tensor);
    if (!n || kept.has(n)) return;
    kept.add(n);
    if (n.op !== 'Shape') for (const i of n.inputs) visit(i);
  };
  for (const n of b.nodes) if (n.op === 'Resize') n.inputs.slice(1).forEach(visit);
  const float32Input = (n: OnnxNode, i: number) => kept.has(n) || (n.op === 'Resize' && i > 0);

  // Initializers: halved unless only the float32 island reads them; one read by both is split.
  let halved = 0;
  const readers = new Map<string, { half: boolean; full: boolean }>();
  for (const n of b.nodes)
    n.inputs.forEach((name, i) => {
      if (!b.initializers.has(name)) return;
      const r = readers.get(name) ?? { half: false, full: false };
      if (float32Input(n, i) && n.op !== 'Shape') r.full = true;
      else r.half = true;
      readers.set(name, r);
    });
  const halfName = new Map<string, string>();
  for (const [name, r] of readers) {
    const t = b.initializers.get(name)!;
    if (t.type !== OnnxType.FLOAT || !r.half) continue;
    if (r.full) {
      const copy = b.unique(`${name}_fp16`);
      b.initializers.set(copy, toHalf(t, copy));
      halfName.set(name, copy);
    } else {
      b.initializers.set(name, toHalf(t));
      types.set(name, OnnxType.FLOAT16);
    }
    halved++;
  }

  // Nodes: float16 Casts outside the island; Casts where float values cross between the parts.
  const added: { before: OnnxNode; cast: OnnxNode }[] = [];
  const castOf = new Map<string, string>();
  const castTo = (tensor: string, to: OnnxTypeId, before: OnnxNode) => {
    const key = `${tensor}>${to}`;
    let out = castOf.get(key);
    if (!out) {
      out = b.unique(`${tensor}_${to === OnnxType.FLOAT16 ? 'fp16' : 'fp32'}`);
      castOf.set(key, out);
      added.push({ before, cast: { op: 'Cast', inputs: [tensor], outputs: [out], name: b.unique('Cast'), attrs: { to } } });
    }
    return out;
  };
  const producedHalf = (tensor: string) => {
    const p = producer.get(tensor);
    return types.get(tensor) === OnnxType.FLOAT && !b.initializers.has(tensor) && !!p && !kept.has(p);
  };
  for (const n of b.nodes) {
    if (n.op === 'Cast' && !kept.has(n) && n.attrs.to === OnnxType.FLOAT) n.attrs = { ...n.attrs, to: OnnxType.FLOAT16 };
    n.inputs = n.inputs.map((name, i) => {
      if (!name) return name;
      const wantsFull = float32Input(n, i) && n.op !== 'Shape';
      if (halfName.has(name) && !wantsFull) return halfName.get(name)!;
      if (wantsFull && producedHalf(name)) return castTo(name, OnnxType.FLOAT, n);
      const p = producer.get(name);
      if (!wantsFull && p && kept.has(p) && types.get(name) === OnnxType.FLOAT) return castTo(name, OnnxType.FLOAT16, n);
      return name;
    });
  }
  for (const { before, cast } of added) b.nodes.splice(b.nodes.indexOf(before), 0, cast);

  // The boundary: float32 in and out, as before.
  let casts = added.length;
  for (const input of b.inputs) {
    if (input.type !== OnnxType.FLOAT) continue;
    const half = b.unique(`${input.name}_fp16`);
    for (const n of b.nodes) n.inputs = n.inputs.map((x, i) => (x === input.name && !(float32Input(n, i) && n.op !== 'Shape') ? half : x));
    b.nodes.unshift({ op: 'Cast', inputs: [input.name], outputs: [half], name: b.unique('Cast'), attrs: { to: OnnxType.FLOAT16 } });
    casts++;
  }
  for (const output of b.outputs) {
    if (output.type !== OnnxType.FLOAT) continue;
    const half = b.unique(`${output.name}_fp16`);
    for (const n of b.nodes) {
      n.outputs = n.outputs.map((x) => (x === output.name ? half : x));
      n.inputs = n.inputs.map((x) => (x === output.name ? half : x));
    }
    b.nodes.push({ op: 'Cast', inputs: [half], outputs: [output.name], name: b.unique('Cast'), attrs: { to: OnnxType.FLOAT } });
    casts++;
  }
  return { halved, keptFloat32: kept.size, casts };
}
