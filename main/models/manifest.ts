// Model manifest validation (format: resources/models/MANIFEST.md). Every issue names the field
// and the fix; the engine reads only manifests that pass.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ManifestIssue, ModelManifest } from '../api/model-types.js';
import { isParserName, PARSER_NAMES } from '../api/registries.js';

const PROVIDERS = ['tensorrt', 'cuda', 'cpu'];

/** A per-class score threshold no score reaches (parsers report scores from 0 to 1): the class is never
 * reported. What DeepStream's filter-out-class-ids imports as (MANIFEST.md). */
export const DROPPED_CLASS_SCORE = 2;

export class ManifestError extends Error {
  constructor(
    readonly source: string,
    readonly issues: ManifestIssue[],
  ) {
    super(`model manifest '${source}' is invalid:\n${issues.map((i) => `  - ${i.field}: ${i.message}`).join('\n')}`);
    this.name = 'ManifestError';
  }
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Returns every problem found; an empty list means the manifest is valid. */
export function checkManifest(value: unknown, options: { baseDir?: string } = {}): ManifestIssue[] {
  const issues: ManifestIssue[] = [];
  const add = (field: string, message: string) => issues.push({ field, message });
  if (!isObj(value)) return [{ field: '(root)', message: 'must be a JSON object — see resources/models/MANIFEST.md' }];
  const m = value;
  if (m.vigilManifest !== 1) add('vigilManifest', `must be 1 (the manifest format version), not ${JSON.stringify(m.vigilManifest)}`);
  if (typeof m.name !== 'string' || !/^[a-z0-9._-]+$/.test(m.name))
    add('name', `must be a unique id of lower-case letters, digits, '.', '_' or '-' (e.g. "yolov8n-coco"), not ${JSON.stringify(m.name)}`);
  if (typeof m.title !== 'string' || m.title.trim() === '') add('title', 'must be a non-empty string shown to operators');
  if (typeof m.file !== 'string' || !m.file.endsWith('.onnx'))
    add('file', `must name the .onnx file relative to the manifest's folder, not ${JSON.stringify(m.file)}`);
  else if (options.baseDir && !existsSync(join(options.baseDir, m.file)))
    add('file', `'${m.file}' does not exist in ${options.baseDir} — copy the model there or fix the path`);
  if (m.fp16File !== undefined) {
    if (typeof m.fp16File !== 'string' || !m.fp16File.endsWith('.onnx'))
      add('fp16File', `must name the FP16 variant's .onnx file relative to the manifest's folder, not ${JSON.stringify(m.fp16File)}`);
    else if (options.baseDir && !existsSync(join(options.baseDir, m.fp16File)))
      add('fp16File', `'${m.fp16File}' does not exist in ${options.baseDir} — run set-up again (it writes the FP16 variants) or remove the field`);
  }

  const input = m.input;
  if (!isObj(input)) add('input', 'must be an object with name, width, height, layout, colorOrder, mean, scale, resize, padValue, batch');
  else {
    if (typeof input.name !== 'string' || input.name === '') add('input.name', "must be the ONNX input's name (see `vigil models add` for the model's inputs)");
    for (const k of ['width', 'height'] as const) {
      if (!Number.isInteger(input[k]) || (input[k] as number) < 8 || (input[k] as number) > 8192)
        add(`input.${k}`, `must be an integer from 8 to 8192 (network input ${k} in pixels), not ${JSON.stringify(input[k])}`);
    }
    if (input.layout !== 'NCHW' && input.layout !== 'NHWC') add('input.layout', `must be "NCHW" or "NHWC", not ${JSON.stringify(input.layout)}`);
    if (input.colorOrder !== 'RGB' && input.colorOrder !== 'BGR') add('input.colorOrder', `must be "RGB" or "BGR", not ${JSON.stringify(input.colorOrder)}`);
    for (const k of ['mean', 'scale'] as const) {
      const v = input[k];
      if (!Array.isArray(v) || v.length !== 3 || !v.every(isNum))
        add(`input.${k}`, `must be three numbers, one per channel (value = (pixel - mean) × scale), not ${JSON.stringify(v)}`);
      else if (k === 'scale' && v.some((x) => x === 0))
        add('input.scale', 'must not contain 0 (every input would be 0); use 1 for raw pixels or 1/255 ≈ 0.0039215686 for 0..1');
    }
    if (input.resize !== 'letterbox' && input.resize !== 'stretch')
      add('input.resize', `must be "letterbox" (keep aspect, pad) or "stretch", not ${JSON.stringify(input.resize)}`);
    if (!isNum(input.padValue) || input.padValue < 0 || input.padValue > 255)
      add('input.padValue', `must be a number from 0 to 255, not ${JSON.stringify(input.padValue)}`);
    if (input.batch !== 'dynamic' && !(Number.isInteger(input.batch) && (input.batch as number) >= 1))
      add('input.batch', `must be "dynamic" or a positive integer, not ${JSON.stringify(input.batch)}`);
  }

  if (!isParserName(m.parser)) add('parser', `must be one of ${PARSER_NAMES.join(', ')}, not ${JSON.stringify(m.parser)}`);
  if (m.parserOptions !== undefined) {
    const po = m.parserOptions;
    if (!isObj(po)) add('parserOptions', 'must be an object');
    else {
      if (po.strides !== undefined && (!Array.isArray(po.strides) || po.strides.length === 0 || !po.strides.every((s) => Number.isInteger(s) && s > 0)))
        add('parserOptions.strides', `must be a list of positive integers such as [8, 16, 32], not ${JSON.stringify(po.strides)}`);
      if (po.regMax !== undefined && !(Number.isInteger(po.regMax) && (po.regMax as number) >= 1))
        add('parserOptions.regMax', `must be a positive integer (distribution bins − 1), not ${JSON.stringify(po.regMax)}`);
    }
  }
  if (m.parser === 'nanodet' && !(isObj(m.parserOptions) && Array.isArray(m.parserOptions.strides) && m.parserOptions.regMax !== undefined))
    add('parserOptions', 'nanodet needs parserOptions.strides (e.g. [8, 16, 32]) and parserOptions.regMax (e.g. 7)');

  const labels = m.labels;
  if (!Array.isArray(labels) || labels.length === 0 || !labels.every((l) => typeof l === 'string' && l !== ''))
    add('labels', 'must be a non-empty list of class names, index = class id (e.g. from a labels.txt file)');
  else {
    const seen = new Set<string>();
    for (const l of labels as string[]) {
      if (seen.has(l)) add('labels', `'${l}' appears twice; per-class thresholds need unique names`);
      seen.add(l);
    }
  }

  const th = m.thresholds;
  const checkClass = (field: string, t: unknown, required: boolean) => {
    if (!isObj(t)) return add(field, 'must be an object with score, nmsIou, topK');
    for (const k of ['score', 'nmsIou'] as const) {
      if (t[k] === undefined && !required) continue;
      if (k === 'score' && !required && t[k] === DROPPED_CLASS_SCORE) continue; // a class never reported
      if (!isNum(t[k]) || (t[k] as number) < 0 || (t[k] as number) > 1)
        add(
          `${field}.${k}`,
          `must be a number from 0 to 1${k === 'score' && !required ? ` (or ${DROPPED_CLASS_SCORE}: never report this class)` : ''}, not ${JSON.stringify(t[k])}`,
        );
    }
    if (t.topK !== undefined || required)
      if (!Number.isInteger(t.topK) || (t.topK as number) < 1) add(`${field}.topK`, `must be a positive integer, not ${JSON.stringify(t.topK)}`);
  };
  if (!isObj(th)) add('thresholds', 'must be an object: { "default": { "score": 0.3, "nmsIou": 0.45, "topK": 100 } }');
  else {
    checkClass('thresholds.default', th.default, true);
    if (th.perClass !== undefined) {
      if (!isObj(th.perClass)) add('thresholds.perClass', 'must be an object keyed by label');
      else
        for (const [label, t] of Object.entries(th.perClass)) {
          if (Array.isArray(labels) && !labels.includes(label))
            add(`thresholds.perClass.${label}`, `'${label}' is not one of the labels — fix the spelling or remove it`);
          checkClass(`thresholds.perClass.${label}`, t, false);
        }
    }
  }
  if (!Number.isInteger(m.maxDetections) || (m.maxDetections as number) < 1)
    add('maxDetections', `must be a positive integer, not ${JSON.stringify(m.maxDetections)}`);
  const eps = m.executionProviders;
  if (!Array.isArray(eps) || eps.length === 0 || !eps.every((e) => PROVIDERS.includes(e as string)))
    add('executionProviders', `must be a preference list drawn from ${PROVIDERS.join(', ')} (cpu is always the last resort), not ${JSON.stringify(eps)}`);
  if (m.precision !== 'fp32' && m.precision !== 'fp16') add('precision', `must be "fp32" or "fp16", not ${JSON.stringify(m.precision)}`);
  else if (m.precision === 'fp16' && Array.isArray(eps) && !eps.includes('tensorrt'))
    add('precision', 'fp16 is only honoured by the TensorRT execution provider — add "tensorrt" to executionProviders or use "fp32"');
  if (m.credits !== undefined && !(isObj(m.credits) && typeof m.credits.source === 'string' && typeof m.credits.license === 'string'))
    add('credits', 'must be { "source": "...", "license": "..." }');
  return issues;
}

/** Validates and returns the manifest; throws ManifestError listing every issue. */
export function validateManifest(value: unknown, source: string, options: { baseDir?: string } = {}): ModelManifest {
  const issues = checkManifest(value, options);
  if (issues.length > 0) throw new ManifestError(source, issues);
  return value as ModelManifest;
}

export function readManifest(path: string): ModelManifest {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ManifestError(path, [{ field: '(file)', message: `cannot be read as JSON (${e instanceof Error ? e.message : String(e)})` }]);
  }
  return validateManifest(json, path, { baseDir: dirname(path) });
}
