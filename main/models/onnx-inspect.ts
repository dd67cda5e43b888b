// Reads an ONNX file's inputs, outputs and opset without ONNX Runtime, so that a malformed or
// truncated file gets a clear error at add time.
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { OnnxModelInfo, TensorInfo } from '../api/model-types.js';
import { decodeMessage, fieldBytes, fieldInt, fieldString, ProtoDecodeError } from './protobuf.js';

export class ModelFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelFileError';
  }
}

const ELEM_TYPES: Record<number, string> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  16: 'bfloat16',
};

function tensorInfo(bytes: Uint8Array): TensorInfo {
  const vi = decodeMessage(bytes);
  const name = fieldString(vi, 1) ?? '';
  const type = fieldBytes(vi, 2)[0];
  const tensorType = type ? fieldBytes(decodeMessage(type), 1)[0] : undefined;
  if (!tensorType) return { name, elemType: 'non-tensor', shape: [] };
  const tt = decodeMessage(tensorType);
  const elem = Number(fieldInt(tt, 1) ?? 0n);
  const shapeBytes = fieldBytes(tt, 2)[0];
  const shape = shapeBytes
    ? fieldBytes(decodeMessage(shapeBytes), 1).map((d) => {
        const dim = decodeMessage(d);
        const v = fieldInt(dim, 1);
        return v !== undefined ? Number(v) : (fieldString(dim, 2) ?? null);
      })
    : [];
  return { name, elemType: ELEM_TYPES[elem] ?? `type ${elem}`, shape };
}

/** Inspects an ONNX model in memory; `label` names it in errors. */
export function inspectOnnxBytes(buf: Uint8Array, label: string): OnnxModelInfo {
  if (buf.length === 0) throw new ModelFileError(`model '${label}' is empty — copy the .onnx file again`);
  try {
    const model = decodeMessage(buf);
    const graphBytes = fieldBytes(model, 7)[0];
    if (!graphBytes || fieldInt(model, 1) === undefined)
      throw new ModelFileError(`model '${label}' is not an ONNX model (no ir_version or graph found) — export the network to ONNX first`);
    const graph = decodeMessage(graphBytes);
    const initializers = new Set(fieldBytes(graph, 5).map((t) => fieldString(decodeMessage(t), 8) ?? ''));
    const inputs = fieldBytes(graph, 11)
      .map(tensorInfo)
      .filter((t) => !initializers.has(t.name));
    const outputs = fieldBytes(graph, 12).map(tensorInfo);
    if (fieldBytes(graph, 1).length === 0) throw new ModelFileError(`model '${label}' has an empty graph (no nodes)`);
    if (inputs.length === 0 || outputs.length === 0)
      throw new ModelFileError(`model '${label}' declares ${inputs.length} inputs and ${outputs.length} outputs; a detector needs at least one of each`);
    let opset: number | null = null;
    for (const o of fieldBytes(model, 8)) {
      const set = decodeMessage(o);
      const domain = fieldString(set, 1) ?? '';
      if (domain === '' || domain === 'ai.onnx') opset = Number(fieldInt(set, 2) ?? 0n);
    }
    return { file: label, opset, producer: fieldString(model, 2) ?? '', inputs, outputs };
  } catch (e) {
    if (e instanceof ProtoDecodeError) throw new ModelFileError(`model '${label}' is truncated or not an ONNX file (${e.message}) — copy or export it again`);
    throw e;
  }
}

export function inspectOnnxFile(path: string): OnnxModelInfo {
  let buf: Buffer;
  try {
    if (!statSync(path).isFile()) throw new ModelFileError(`model '${path}' is not a file`);
    buf = readFileSync(path);
  } catch (e) {
    if (e instanceof ModelFileError) throw e;
    throw new ModelFileError(`model '${path}' cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)}) — check the path`);
  }
  const info = inspectOnnxBytes(buf, basename(path));
  return { ...info, file: path };
}
