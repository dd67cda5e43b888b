// "Validate by running one frame": the manifest must agree with the ONNX file, ONNX Runtime must load
// and run it on a real or blank frame, and the outputs must fit the manifest's parser.
import { join } from 'node:path';
import type { ModelManifest, OnnxModelInfo } from '../api/model-types.js';
import type { NativeTensor, RgbFrame } from '../addon/addon.js';
import { decodeParams, fitInput, type ModelAddon } from './detect.js';
import { inspectOnnxFile } from './onnx-inspect.js';

export class ModelCheckError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelCheckError';
  }
}

const shapeText = (s: readonly (number | string | null)[]) => `[${s.map((d) => d ?? '?').join(', ')}]`;

/** Static checks: the manifest's input matches the file's input. */
export function checkManifestAgainstModel(manifest: ModelManifest, info: OnnxModelInfo): void {
  const label = `model '${manifest.file}'`;
  const input = info.inputs.find((i) => i.name === manifest.input.name);
  if (!input)
    throw new ModelCheckError(
      `${label}: has no input '${manifest.input.name}' (inputs: ${info.inputs.map((i) => `'${i.name}'`).join(', ')}) — fix input.name in the manifest`,
    );
  if (input.elemType !== 'float32')
    throw new ModelCheckError(`${label}: input '${input.name}' is ${input.elemType}; Vigil feeds float32 — export the model with a float input`);
  if (input.shape.length !== 4)
    throw new ModelCheckError(`${label}: input '${input.name}' has shape ${shapeText(input.shape)}; a detector input is 4-D (NCHW or NHWC)`);
  const [n, a, b, c] = input.shape;
  const expect = manifest.input.layout === 'NCHW' ? [3, manifest.input.height, manifest.input.width] : [manifest.input.height, manifest.input.width, 3];
  const fields = manifest.input.layout === 'NCHW' ? ['channels', 'input.height', 'input.width'] : ['input.height', 'input.width', 'channels'];
  [a, b, c].forEach((d, i) => {
    if (typeof d === 'number' && d > 0 && d !== expect[i])
      throw new ModelCheckError(
        `${label}: input '${input.name}' has shape ${shapeText(input.shape)} but the manifest says ${manifest.input.layout} ${manifest.input.width}×${manifest.input.height} (${fields[i]} ${expect[i]} ≠ ${d}) — fix input.layout/width/height`,
      );
  });
  if (typeof manifest.input.batch === 'number' && typeof n === 'number' && n > 0 && n !== manifest.input.batch)
    throw new ModelCheckError(`${label}: input batch is fixed at ${n} but the manifest says ${manifest.input.batch} — set input.batch to ${n}`);
  if (manifest.input.batch === 'dynamic' && typeof n === 'number' && n > 0)
    throw new ModelCheckError(`${label}: input batch is fixed at ${n} but the manifest says "dynamic" — set input.batch to ${n}`);
}

/** Checks the outputs of one run against the parser's layout (MANIFEST.md); throws naming output, shape and fix. */
export function checkOutputsFitParser(manifest: ModelManifest, outputs: Record<string, NativeTensor>, addon?: Pick<ModelAddon, 'decodeDetections'>): void {
  const list = Object.entries(outputs);
  const c = manifest.labels.length;
  const label = `model '${manifest.file}'`;
  const fail = (name: string, dims: number[], expected: string) => {
    throw new ModelCheckError(
      `${label}: output '${name}' has shape ${shapeText(dims)} but parser ${manifest.parser} expects ${expected} — check the manifest's parser and labels (${c} labels)`,
    );
  };
  const [name, first] = list[0] ?? ['(none)', { dims: [], data: new Float32Array() }];
  const d = first.dims;
  switch (manifest.parser) {
    case 'yolov5':
      if (d.length !== 3 || d[2] !== 5 + c) fail(name, d, `[B, N, 5 + ${c}]`);
      break;
    case 'yolov8':
      if (d.length !== 3 || (d[1] !== 4 + c && d[2] !== 4 + c)) fail(name, d, `[B, 4 + ${c}, N] (or [B, N, 4 + ${c}])`);
      break;
    case 'ssd': {
      const boxes = outputs.boxes ?? list[0]?.[1];
      const scores = outputs.scores ?? list[1]?.[1];
      if (!boxes || !scores)
        throw new ModelCheckError(`${label}: parser ssd expects two outputs (boxes [B, N, 4], scores [B, N, ${c}]) but the model has ${list.length}`);
      if (boxes.dims.length !== 3 || boxes.dims[2] !== 4) fail('boxes', boxes.dims, '[B, N, 4]');
      if (scores.dims.length !== 3 || scores.dims[2] !== c || scores.dims[1] !== boxes.dims[1]) fail('scores', scores.dims, `[B, ${boxes.dims[1]}, ${c}]`);
      break;
    }
    case 'nanodet':
    case 'centernet':
      if (!addon) break;
      try {
        addon.decodeDetections(manifest.parser, { [name]: first }, decodeParams(manifest));
      } catch (e) {
        throw new ModelCheckError(`${label}: ${e instanceof Error ? e.message : String(e)}`);
      }
      break;
  }
}

/** Runs one frame (a mid-grey frame when none is given) through the model and checks the outputs. */
export function validateByRunningOneFrame(
  manifest: ModelManifest,
  manifestDir: string,
  addon: ModelAddon,
  frame?: RgbFrame,
): { outputs: Record<string, NativeTensor>; detections: number } {
  const path = join(manifestDir, manifest.file);
  const info = inspectOnnxFile(path);
  checkManifestAgainstModel(manifest, info);
  const image = frame ?? {
    width: manifest.input.width,
    height: manifest.input.height,
    data: new Uint8Array(manifest.input.width * manifest.input.height * 3).fill(128),
  };
  const input = fitInput(addon, image, manifest);
  let outputs: Record<string, NativeTensor>;
  try {
    outputs = addon.runModelOnce(path, { [manifest.input.name]: { dims: input.dims, data: input.data } });
  } catch (e) {
    throw new ModelCheckError(
      `model '${manifest.file}' failed to run in ONNX Runtime: ${e instanceof Error ? e.message : String(e)} — the file may be damaged or use operators this ONNX Runtime lacks`,
    );
  }
  checkOutputsFitParser(manifest, outputs, addon);
  let detections: number;
  try {
    detections = addon.decodeDetections(manifest.parser, outputs, decodeParams(manifest)).length;
  } catch (e) {
    throw new ModelCheckError(`model '${manifest.file}': ${e instanceof Error ? e.message : String(e)}`);
  }
  return { outputs, detections };
}
