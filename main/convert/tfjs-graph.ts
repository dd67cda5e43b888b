// Reads a TensorFlow.js graph model (model.json + binary weight shards) into nodes and constant tensors.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface TfAttr {
  i?: string;
  f?: number;
  b?: boolean;
  s?: string; // base64
  type?: string;
  list?: { i?: string[]; s?: string[]; f?: number[] };
  shape?: unknown;
  tensor?: unknown;
}

export interface TfNode {
  name: string;
  op: string;
  inputs: string[]; // data inputs only, "name" or "name:k"
  attr: Record<string, TfAttr>;
}

export type TfDtype = 'float32' | 'int32' | 'bool';

export interface ConstTensor {
  dtype: TfDtype;
  shape: number[];
  data: Float32Array | Int32Array | Uint8Array;
}

export interface TfGraphModel {
  nodes: TfNode[];
  weights: Map<string, ConstTensor>;
  inputs: { name: string; shape: number[] }[];
  outputs: { name: string; shape: number[] }[];
  source: string;
}

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: 'float16' | 'uint8' | 'uint16'; scale?: number; min?: number };
}

interface ModelJson {
  format?: string;
  modelTopology?: { node?: { name: string; op: string; input?: string[]; attr?: Record<string, TfAttr> }[] };
  weightsManifest?: { paths: string[]; weights: WeightSpec[] }[];
  signature?: { inputs?: Record<string, SigTensor>; outputs?: Record<string, SigTensor> };
}

interface SigTensor {
  name: string;
  tensorShape?: { dim?: { size?: string }[] };
}

export class TfjsModelError extends Error {}

function float16ToFloat32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

const sigShape = (t: SigTensor): number[] => (t.tensorShape?.dim ?? []).map((d) => Number(d.size ?? -1));

/** Loads `model.json` and its weight shards from disk; errors name the file and what is wrong. */
export function loadTfjsGraphModel(jsonPath: string): TfGraphModel {
  let json: ModelJson;
  try {
    json = JSON.parse(readFileSync(jsonPath, 'utf8')) as ModelJson;
  } catch (e) {
    throw new TfjsModelError(`TF.js model '${jsonPath}' cannot be read as JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (json.format !== 'graph-model' || !json.modelTopology?.node) {
    throw new TfjsModelError(`TF.js model '${jsonPath}' is not a graph model (format '${json.format}') — only tfjs graph models can be converted`);
  }
  const weights = new Map<string, ConstTensor>();
  for (const group of json.weightsManifest ?? []) {
    const buffers = group.paths.map((p) => readFileSync(join(dirname(jsonPath), p)));
    const all = Buffer.concat(buffers);
    let offset = 0;
    for (const spec of group.weights) {
      const count = spec.shape.reduce((a, b) => a * b, 1);
      const q = spec.quantization;
      const bytesPer = q ? (q.dtype === 'uint8' ? 1 : 2) : spec.dtype === 'bool' ? 1 : 4;
      const size = count * bytesPer;
      if (offset + size > all.length) {
        throw new TfjsModelError(
          `TF.js model '${jsonPath}': weight '${spec.name}' needs ${size} bytes at offset ${offset} but the shards hold ${all.length} — the .bin file is truncated or belongs to another model`,
        );
      }
      const view = new DataView(all.buffer, all.byteOffset + offset, size);
      offset += size;
      let data: ConstTensor['data'];
      if (q) {
        const out = new Float32Array(count);
        for (let i = 0; i < count; i++) {
          if (q.dtype === 'float16') out[i] = float16ToFloat32(view.getUint16(i * 2, true));
          else {
            const raw = q.dtype === 'uint8' ? view.getUint8(i) : view.getUint16(i * 2, true);
            out[i] = raw * (q.scale ?? 1) + (q.min ?? 0);
          }
        }
        data = spec.dtype === 'int32' ? Int32Array.from(out, Math.round) : out;
      } else if (spec.dtype === 'float32') {
        data = new Float32Array(count);
        for (let i = 0; i < count; i++) data[i] = view.getFloat32(i * 4, true);
      } else if (spec.dtype === 'int32') {
        data = new Int32Array(count);
        for (let i = 0; i < count; i++) data[i] = view.getInt32(i * 4, true);
      } else if (spec.dtype === 'bool') {
        data = new Uint8Array(count);
        for (let i = 0; i < count; i++) data[i] = view.getUint8(i);
      } else throw new TfjsModelError(`TF.js model '${jsonPath}': weight '${spec.name}' has dtype '${spec.dtype}', which the converter does not support`);
      weights.set(spec.name, { dtype: spec.dtype as TfDtype, shape: spec.shape, data });
    }
  }
  const nodes: TfNode[] = json.modelTopology.node.map((n) => ({
    name: n.name,
    op: n.op,
    inputs: (n.input ?? []).filter((i) => !i.startsWith('^')).map((i) => (i.endsWith(':0') ? i.slice(0, -2) : i)),
    attr: n.attr ?? {},
  }));
  const strip = (s: string) => s.replace(/:0$/, '');
  const inputs = Object.values(json.signature?.inputs ?? {}).map((t) => ({ name: strip(t.name), shape: sigShape(t) }));
  const outputs = Object.values(json.signature?.outputs ?? {}).map((t) => ({ name: strip(t.name), shape: sigShape(t) }));
  if (inputs.length === 0) {
    for (const n of nodes)
      if (n.op === 'Placeholder')
        inputs.push({ name: n.name, shape: ((n.attr.shape?.shape as { dim?: { size?: string }[] })?.dim ?? []).map((d) => Number(d.size ?? -1)) });
  }
  return { nodes, weights, inputs, outputs, source: jsonPath };
}
