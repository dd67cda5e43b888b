// Imports a DeepStream nvinfer config (key-file or YAML form, or a deepstream-app config whose
// [primary-gie] config-file is followed) into a Vigil manifest. Every key is either applied or listed
// in `unhonoured` with why (nvinfer-keys.ts); every problem of one config is reported in one error,
// in the config's own words, with the unhonoured list. Errors never quote a file's contents beyond
// the values of keys of a file already recognised as a DeepStream config.
import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import type { ModelManifest, NvinferImport, OnnxModelInfo } from '../api/model-types.js';
import { inferEveryOf } from '../addon/addon.js';
import { orList, PARSER_NAMES } from '../api/registries.js';
import { DROPPED_CLASS_SCORE } from './manifest.js';
import { ConfigReadError, readDeepstreamConfig, readSmallTextFile, type Sections } from './nvinfer-config.js';
import { appSection, APP_SECTIONS, CLASS_ATTR_KEYS, PROPERTY_KEYS } from './nvinfer-keys.js';
import { inspectOnnxFile } from './onnx-inspect.js';
import { labelsFor, proposeManifest, recogniseLayout } from './propose.js';

export class NvinferImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NvinferImportError';
  }
}

type Unhonoured = NvinferImport['unhonoured'];

/** nvinfer's own defaults for what a config leaves out (gstnvinfer_property_parser.h). */
const NVINFER_DEFAULTS = { preClusterThreshold: 0.2, nmsIouThreshold: 0.3 };

const shown = (v: string) => (v.length > 80 ? `${v.slice(0, 77)}…` : v);
const list = (v: string) =>
  v
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '');
const shapeText = (s: readonly (number | string | null)[]) => `[${s.map((d) => d ?? '?').join(', ')}]`;

/** The failure message: every problem, then what would not have been honoured anyway. */
export function failureMessage(head: string, problems: string[], unhonoured: Unhonoured): string {
  const lines = [`${head} cannot be imported:`, ...problems.map((p) => `  - ${p}`)];
  if (unhonoured.length)
    lines.push('Also not honoured by Vigil, had it imported:', ...unhonoured.map((u) => `  - ${u.key}${u.value ? `=${u.value}` : ''}: ${u.reason}`));
  return lines.join('\n');
}

interface Located {
  /** The nvinfer config's path and its sections. */
  path: string;
  sections: Sections;
  /** How the config was reached, for messages: "nvinfer config 'x'" or "... from deepstream-app config 'y'". */
  head: string;
  unhonoured: Unhonoured;
  notes: string[];
  engineSettings: NvinferImport['engineSettings'];
}

/** Finds the nvinfer config: the file itself, or the [primary-gie] config-file of a deepstream-app config. */
function locate(configPath: string, mayOpen: (key: string, path: string) => void = () => undefined): Located {
  const read = (path: string, what: string) => {
    try {
      return readDeepstreamConfig(path, what).sections;
    } catch (e) {
      throw new NvinferImportError(e instanceof ConfigReadError ? e.message : `${what} '${path}': ${String(e)}`);
    }
  };
  const sections = read(configPath, 'nvinfer config');
  if (sections.has('property')) return { path: configPath, sections, head: `nvinfer config '${configPath}'`, unhonoured: [], notes: [], engineSettings: {} };
  const gie = sections.get('primary-gie');
  if (!gie)
    throw new NvinferImportError(
      `'${configPath}' is not a DeepStream nvinfer config (it has no [property] group) nor a deepstream-app config (no [primary-gie] group) — give the config-file of your nvinfer element or your deepstream-app config`,
    );

  const app = `deepstream-app config '${configPath}'`;
  const unhonoured: Unhonoured = [];
  const notes: string[] = [`${app}: the model of its [primary-gie] is imported`];
  const engineSettings: NvinferImport['engineSettings'] = {};
  const problems: string[] = [];
  for (const name of sections.keys()) {
    if (name === 'primary-gie') continue;
    const stem = appSection(name);
    unhonoured.push({
      key: `[${name}]`,
      value: '',
      reason: stem ? `not imported: ${APP_SECTIONS[stem]}` : 'not a deepstream-app group Vigil knows; not imported',
    });
  }
  const file = gie.get('config-file');
  for (const [key, value] of gie) {
    if (key === 'config-file' || key === 'enable') continue;
    const n = Number(value);
    if ((key === 'batch-size' && Number.isInteger(n) && n >= 1) || (key === 'interval' && Number.isInteger(n) && n >= 0)) {
      if (key === 'batch-size') engineSettings.batchSize = n;
      else engineSettings.inferEvery = inferEveryOf(n);
      notes.push(`[primary-gie] ${key}=${shown(value)} is used (it overrides the nvinfer config's)`);
    } else if (key === 'plugin-type' && value !== '0')
      problems.push(`[primary-gie] plugin-type=${shown(value)} is Triton (nvinferserver); Vigil imports nvinfer (TensorRT) configs only`);
    else
      unhonoured.push({
        key: `[primary-gie] ${key}`,
        value: shown(value),
        reason:
          key === 'batch-size' || key === 'interval'
            ? `must be an integer ≥ ${key === 'interval' ? 0 : 1}; the nvinfer config's value is used`
            : 'deepstream-app element setting; not used by Vigil',
      });
  }
  if (gie.get('enable') === '0') problems.push('[primary-gie] enable=0: the app runs no primary model — enable it or give the nvinfer config directly');
  if (!file) problems.push('[primary-gie] has no config-file — name the nvinfer config of the primary model');
  if (problems.length) throw new NvinferImportError(failureMessage(app, problems, unhonoured));
  const path = isAbsolute(file!) ? file! : resolve(dirname(configPath), file!);
  if (!existsSync(path))
    throw new NvinferImportError(
      failureMessage(
        app,
        [`[primary-gie] config-file=${shown(file!)}: no file at ${path} — fix the path (it is relative to the deepstream-app config's folder)`],
        unhonoured,
      ),
    );
  mayOpen('[primary-gie] config-file', path);
  const nested = read(path, `nvinfer config (the [primary-gie] config-file of ${app})`);
  if (!nested.has('property'))
    throw new NvinferImportError(
      failureMessage(
        app,
        [`[primary-gie] config-file=${shown(file!)} (${path}) has no [property] group — it must be the primary model's nvinfer config`],
        unhonoured,
      ),
    );
  return { path, sections: nested, head: `nvinfer config '${path}' (the [primary-gie] config-file of ${app})`, unhonoured, notes, engineSettings };
}

/**
 * Calls `mayOpen` with every file an import would open beside the config itself, before any is read:
 * a deepstream-app config's nvinfer config-file, then its onnx-file and labelfile-path (resolved as
 * the import resolves them). API calls limited to some folders refuse the import when one is outside
 * (`mayOpen` throws). Problems of the config itself are left to the import, which reports them all.
 */
export function checkNvinferFiles(configPath: string, mayOpen: (key: string, path: string) => void): void {
  let located: Located;
  try {
    located = locate(configPath, mayOpen);
  } catch (e) {
    if (e instanceof NvinferImportError) return;
    throw e;
  }
  const prop = located.sections.get('property')!;
  for (const key of ['onnx-file', 'labelfile-path']) {
    const value = prop.get(key);
    if (value !== undefined) mayOpen(key, isAbsolute(value) ? value : resolve(dirname(located.path), value));
  }
}

export function importNvinferConfig(configPath: string, options: { name?: string } = {}): NvinferImport & { onnxPath: string } {
  const { path, sections, head, unhonoured: appUnhonoured, notes, engineSettings } = locate(configPath);
  const prop = sections.get('property')!;
  const problems: string[] = [];
  const unhonoured: Unhonoured = [];
  const dir = dirname(path);
  const rel = (p: string) => (isAbsolute(p) ? p : resolve(dir, p));
  const get = (key: string) => prop.get(key);
  const kv = (key: string) => `${key}=${shown(get(key) ?? '')}`;
  const skip = (key: string, reason: string) => unhonoured.push({ key, value: shown(get(key) ?? ''), reason });

  // What kind of model this is: Vigil runs primary detectors only.
  const processMode = get('process-mode');
  if (processMode === '2')
    problems.push(
      `${kv('process-mode')}: a secondary model (it runs on the objects another model found${get('operate-on-gie-id') ? `, operate-on-gie-id=${shown(get('operate-on-gie-id')!)}` : ''}); Vigil runs primary detectors on whole frames only — import the primary detector's config`,
    );
  else if (processMode !== undefined && processMode !== '1') problems.push(`${kv('process-mode')} must be 1 (primary) or 2 (secondary)`);
  const networkType = get('network-type');
  const kinds: Record<string, string> = {
    '1': 'a classifier',
    '2': 'a segmentation model',
    '3': 'an instance-segmentation model',
    '100': "a model whose outputs nvinfer does not parse ('other')",
  };
  if (networkType !== undefined && networkType !== '0')
    problems.push(`${kv('network-type')} is ${kinds[networkType] ?? 'another kind of model'}, not a detector (network-type=0); Vigil imports detectors only`);
  if (get('is-classifier') === '1') problems.push('is-classifier=1 is a classifier, not a detector; Vigil imports detectors only');

  // The model file.
  let onnxPath = '';
  let info: OnnxModelInfo | undefined;
  const onnxFile = get('onnx-file');
  if (!onnxFile) {
    const other = ['tlt-encoded-model', 'uff-file', 'model-file', 'model-engine-file'].find((k) => get(k));
    const why: Record<string, string> = {
      'tlt-encoded-model': 'a TAO encoded model (.etlt) cannot be read — export it to ONNX (tao … export) and set onnx-file',
      'uff-file': 'UFF models are not supported — convert the model to ONNX and set onnx-file',
      'model-file': 'Caffe models are not supported — convert the model to ONNX and set onnx-file',
      'model-engine-file': 'a TensorRT engine alone cannot be imported — set onnx-file to the ONNX model the engine was built from',
    };
    problems.push(
      `[property] has no onnx-file — Vigil imports ONNX models only${other ? `: ${other}=${shown(get(other)!)} — ${why[other]}` : ' (set onnx-file to the model)'}`,
    );
  } else {
    onnxPath = rel(onnxFile);
    if (!existsSync(onnxPath)) problems.push(`onnx-file '${shown(onnxFile)}' not found at ${onnxPath} — fix the path (it is relative to the config's folder)`);
    else
      try {
        info = inspectOnnxFile(onnxPath);
      } catch (e) {
        problems.push(`${kv('onnx-file')}: ${e instanceof Error ? e.message : String(e)}`);
      }
  }

  const name = options.name ?? basename(path).replace(/\.[^.]+$/, '');
  const manifest: ModelManifest = info
    ? structuredClone(proposeManifest(info, { name, file: basename(onnxPath) }).manifest)
    : structuredClone(
        proposeManifest(
          { file: 'model.onnx', opset: null, producer: '', inputs: [{ name: 'input', elemType: 'float32', shape: [1, 3, 640, 640] }], outputs: [] },
          { name },
        ).manifest,
      );
  const number = (key: string, ok: (n: number) => boolean, rule: string): number | undefined => {
    const v = get(key);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || !ok(n)) {
      problems.push(`${kv(key)} ${rule}`);
      return undefined;
    }
    return n;
  };

  // Pre-processing, with nvinfer's defaults where the config is silent.
  const scale = number('net-scale-factor', (n) => n > 0, 'must be a positive number');
  manifest.input.scale = [scale ?? 1, scale ?? 1, scale ?? 1];
  if (scale === undefined && get('net-scale-factor') === undefined) notes.push("net-scale-factor is not set: nvinfer's default 1 is used (raw 0–255 pixels)");
  if (get('offsets') !== undefined) {
    const o = list(get('offsets')!).map(Number);
    if (o.length !== 3 || o.some((x) => !Number.isFinite(x))) problems.push(`${kv('offsets')} must be three numbers separated by ';' (one mean per channel)`);
    else manifest.input.mean = o as [number, number, number];
  } else manifest.input.mean = [0, 0, 0];
  const color = get('model-color-format') ?? '0';
  if (color === '0' || color === '1') manifest.input.colorOrder = color === '1' ? 'BGR' : 'RGB';
  else skip('model-color-format', color === '2' ? 'grey-scale input is not supported; Vigil feeds RGB' : 'must be 0 (RGB), 1 (BGR) or 2 (GRAY); RGB is fed');
  const aspect = get('maintain-aspect-ratio') ?? '0';
  manifest.input.resize = aspect === '1' ? 'letterbox' : 'stretch';
  if (aspect !== '1') manifest.input.padValue = 0;
  if (get('maintain-aspect-ratio') === undefined)
    notes.push("maintain-aspect-ratio is not set: nvinfer's default 0 is used (frames are stretched to the input size)");
  if (aspect === '1' && get('symmetric-padding') !== '1')
    unhonoured.push({
      key: 'symmetric-padding',
      value: get('symmetric-padding') ?? '0 (not set)',
      reason: 'nvinfer then pads only right and bottom; Vigil always centres the frame (boxes map back correctly, scores may differ slightly)',
    });

  if (info) {
    const input = info.inputs.find((i) => i.name === manifest.input.name) ?? info.inputs[0]!;
    const nhwc = manifest.input.layout === 'NHWC';
    if (get('infer-dims') !== undefined) {
      const d = list(get('infer-dims')!).map(Number);
      if (d.length !== 3 || d.some((x) => !Number.isInteger(x) || x < 1)) problems.push(`${kv('infer-dims')} must be 'C;H;W', three positive integers`);
      else {
        const model = nhwc ? [input.shape[3], input.shape[1], input.shape[2]] : [input.shape[1], input.shape[2], input.shape[3]];
        const clash = d.some((x, i) => typeof model[i] === 'number' && (model[i] as number) > 0 && model[i] !== x);
        if (clash)
          problems.push(
            `${kv('infer-dims')} but the ONNX input '${input.name}' is ${shapeText(input.shape)} (C;H;W = ${model.map((x) => x ?? '?').join(';')}) — fix infer-dims or give the model exported at that size`,
          );
        else [manifest.input.height, manifest.input.width] = [d[1]!, d[2]!];
      }
    }
    const order = get('network-input-order');
    if (order !== undefined && order !== (nhwc ? '1' : '0'))
      problems.push(
        `${kv('network-input-order')} but the ONNX input '${input.name}' ${shapeText(input.shape)} is ${manifest.input.layout} (network-input-order=${nhwc ? 1 : 0})`,
      );
    const blobs = get('output-blob-names');
    if (blobs !== undefined) {
      const missing = list(blobs).filter((b) => !info!.outputs.some((o) => o.name === b));
      if (missing.length)
        problems.push(
          `${kv('output-blob-names')} names ${missing.map((m) => `'${shown(m)}'`).join(', ')}, which the ONNX model does not have (its outputs: ${info.outputs.map((o) => `'${o.name}'`).join(', ')}) — fix output-blob-names or leave it out`,
        );
    }
  }

  // Output layout and classes: the parser is chosen from the output shapes, the classes must agree.
  const guess = info ? recogniseLayout(info.outputs, manifest.input.width, manifest.input.height) : undefined;
  if (info && !guess) {
    const custom = get('parse-bbox-func-name') ? `; DeepStream parsed them with ${kv('parse-bbox-func-name')}, custom code Vigil cannot load` : '';
    problems.push(
      `the ONNX outputs ${info.outputs.map((o) => `'${o.name}' ${shapeText(o.shape)}`).join(', ')} match none of Vigil's parsers (${orList(PARSER_NAMES)}; see resources/models/MANIFEST.md)${custom}`,
    );
  }
  if (guess) {
    manifest.parser = guess.parser;
    if (guess.parserOptions) manifest.parserOptions = guess.parserOptions;
    else delete manifest.parserOptions;
  }
  const modelClasses = guess && guess.parser !== 'centernet' ? guess.classes : undefined;
  const out = info?.outputs.map((o) => `'${o.name}' ${shapeText(o.shape)}`).join(', ');
  let labels: string[] | undefined;
  if (get('labelfile-path') !== undefined) {
    const p = rel(get('labelfile-path')!);
    if (!existsSync(p)) problems.push(`${kv('labelfile-path')}: no file at ${p} — fix the path (it is relative to the config's folder)`);
    else
      try {
        labels = readSmallTextFile(p, 'labelfile-path')
          .split(/\r?\n|;/)
          .map((s) => s.trim())
          .filter((s) => s !== '');
        if (labels.length === 0) problems.push(`${kv('labelfile-path')} (${p}) holds no labels — one class name per line`);
        else if (new Set(labels).size !== labels.length) problems.push(`${kv('labelfile-path')} (${p}) repeats a label; Vigil needs each class name once`);
        else if (modelClasses !== undefined && labels.length !== modelClasses)
          problems.push(
            `${kv('labelfile-path')} lists ${labels.length} labels but the model's output ${out} holds ${modelClasses} classes (${guess!.parser}) — one label per class`,
          );
      } catch (e) {
        problems.push(`${kv('labelfile-path')}: ${e instanceof Error ? e.message : String(e)}`);
      }
  }
  const declared = number('num-detected-classes', (n) => Number.isInteger(n) && n >= 1, 'must be a positive integer');
  if (declared !== undefined) {
    if (modelClasses !== undefined && declared !== modelClasses)
      problems.push(
        `${kv('num-detected-classes')} but the model's output ${out} holds ${modelClasses} classes (${guess!.parser}) — set num-detected-classes=${modelClasses}`,
      );
    if (labels && labels.length > 0 && labels.length !== declared)
      problems.push(`${kv('num-detected-classes')} disagrees with the ${labels.length} labels in labelfile-path — fix one of them`);
  }
  manifest.labels = labels && labels.length ? labels : labelsFor(declared ?? modelClasses ?? manifest.labels.length);

  // Clustering and precision.
  const cluster = get('cluster-mode') ?? (get('enable-dbscan') === '1' ? '1' : '2');
  const clusterKey = get('cluster-mode') !== undefined ? 'cluster-mode' : 'enable-dbscan';
  if (cluster !== '2')
    skip(
      clusterKey,
      `${({ '0': 'GroupRectangles', '1': 'DBSCAN', '3': 'hybrid DBSCAN + NMS', '4': 'no clustering' } as Record<string, string>)[cluster] ?? 'this mode'} is not supported; Vigil clusters with class-wise NMS (cluster-mode=2)`,
    );
  const mode = get('network-mode');
  if (mode === undefined || mode === '0') manifest.precision = 'fp32';
  else if (mode === '2') manifest.precision = 'fp16';
  else {
    manifest.precision = 'fp32';
    skip(
      'network-mode',
      `${mode === '1' ? 'INT8' : mode === '3' ? 'BEST' : 'this precision'} is not supported; fp32 is used (fp16 with network-mode=2 on TensorRT)`,
    );
  }
  if (manifest.precision === 'fp16' && !manifest.executionProviders.includes('tensorrt'))
    manifest.executionProviders = ['tensorrt', ...manifest.executionProviders];
  const batch = number('batch-size', (n) => Number.isInteger(n) && n >= 1, 'must be a positive integer');
  if (batch !== undefined) {
    engineSettings.batchSize ??= batch;
    if (typeof manifest.input.batch === 'number' && manifest.input.batch !== batch)
      skip('batch-size', `the ONNX input has a fixed batch of ${manifest.input.batch}; the engine batches at most that`);
  }
  const interval = number('interval', (n) => Number.isInteger(n) && n >= 0, 'must be an integer ≥ 0');
  if (interval !== undefined) engineSettings.inferEvery ??= inferEveryOf(interval);

  // Thresholds: [class-attrs-all] replaces nvinfer's defaults, [class-attrs-N] overrides class N.
  manifest.thresholds = { default: { score: NVINFER_DEFAULTS.preClusterThreshold, nmsIou: NVINFER_DEFAULTS.nmsIouThreshold, topK: manifest.maxDetections } };
  const classAttrs = (section: string, attrs: Map<string, string>, target: { score?: number; nmsIou?: number; topK?: number }) => {
    for (const [key, value] of attrs) {
      const known = CLASS_ATTR_KEYS[key];
      if (!known)
        unhonoured.push({ key: `[${section}] ${key}`, value: shown(value), reason: 'not an nvinfer class-attrs key Vigil knows (check the spelling)' });
      else if (!known.applied) unhonoured.push({ key: `[${section}] ${key}`, value: shown(value), reason: known.why });
      else {
        const n = Number(value);
        const where = `[${section}] ${key}=${shown(value)}`;
        if (key === 'topk') {
          if (!Number.isInteger(n)) problems.push(`${where} must be an integer (-1: no limit)`);
          else target.topK = n >= 1 ? n : manifest.maxDetections;
        } else if (value.trim() === '' || !(n >= 0 && n <= 1)) problems.push(`${where} must be a number from 0 to 1`);
        else if (key === 'nms-iou-threshold') target.nmsIou = n;
        else target.score = n;
      }
    }
  };
  const all = sections.get('class-attrs-all');
  if (all) classAttrs('class-attrs-all', all, manifest.thresholds.default);
  for (const [section, attrs] of sections) {
    if (section === 'property' || section === 'class-attrs-all') continue;
    const m = /^class-attrs-(\d+)$/.exec(section);
    if (!m) {
      unhonoured.push({ key: `[${section}]`, value: '', reason: 'not a Gst-nvinfer group; not read' });
      continue;
    }
    const id = Number(m[1]);
    const label = manifest.labels[id];
    if (label === undefined)
      problems.push(`[${section}] names class ${id} but there are only ${manifest.labels.length} labels (classes 0 to ${manifest.labels.length - 1})`);
    else classAttrs(section, attrs, ((manifest.thresholds.perClass ??= {})[label] ??= {}));
  }
  if (get('filter-out-class-ids') !== undefined) {
    for (const id of list(get('filter-out-class-ids')!)) {
      const n = Number(id);
      const label = Number.isInteger(n) ? manifest.labels[n] : undefined;
      if (label === undefined) problems.push(`${kv('filter-out-class-ids')} names class '${shown(id)}' but the classes are 0 to ${manifest.labels.length - 1}`);
      else {
        ((manifest.thresholds.perClass ??= {})[label] ??= {}).score = DROPPED_CLASS_SCORE;
        notes.push(`filter-out-class-ids: class ${n} ('${label}') is never reported (its score threshold is ${DROPPED_CLASS_SCORE}, above any score)`);
      }
    }
  }

  // Every other [property] key: understood but not applied (with why), or not an nvinfer key at all.
  for (const [key, value] of prop) {
    const known = PROPERTY_KEYS[key];
    if (!known)
      unhonoured.push({ key, value: shown(value), reason: 'not an nvinfer key Vigil knows: no documented Gst-nvinfer key has this name (check the spelling)' });
    else if (!known.applied) unhonoured.push({ key, value: shown(value), reason: known.why });
  }
  const rank = (key: string) => {
    const keys = [...prop.keys()];
    const i = keys.indexOf(key);
    return i >= 0 ? i : keys.length;
  };
  unhonoured.sort((a, b) => rank(a.key) - rank(b.key));
  unhonoured.push(...appUnhonoured);
  if (problems.length) throw new NvinferImportError(failureMessage(head, problems, unhonoured));
  manifest.title = `${manifest.name} (imported from ${basename(path)})`;
  return { manifest, unhonoured, engineSettings, notes, onnxPath };
}
