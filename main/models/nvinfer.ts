// Imports a DeepStream nvinfer config file into a Vigil manifest. Keys Vigil cannot honour are
// returned in `unhonoured` with the reason, never silently dropped.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import type { ModelManifest, NvinferImport } from '../api/model-types.js';
import { labelsFor, proposeManifest } from './propose.js';
import { inspectOnnxFile } from './onnx-inspect.js';

export class NvinferImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NvinferImportError';
  }
}

type Sections = Map<string, Map<string, string>>;

export function parseIni(text: string, source: string): Sections {
  const sections: Sections = new Map();
  let current: Map<string, string> | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/\s+#.*$/, '').trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      current = new Map();
      sections.set(header[1]!.trim(), current);
      return;
    }
    const eq = line.indexOf('=');
    if (eq < 0 || !current) throw new NvinferImportError(`${source}:${i + 1}: '${raw.trim()}' is not 'key=value' inside a [section] — is this an nvinfer config file?`);
    current.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  });
  return sections;
}

const semicolonNumbers = (v: string) => v.split(';').map((s) => s.trim()).filter((s) => s !== '').map(Number);

/** Keys of [property] that are about TensorRT engines, GPUs or DeepStream plumbing, with why Vigil ignores them. */
const PLUMBING: Record<string, string> = {
  'model-engine-file': 'Vigil builds and caches its own TensorRT engine from the ONNX file',
  'int8-calib-file': 'INT8 calibration is not supported; Vigil runs fp32 (or fp16 on TensorRT)',
  'gpu-id': 'the GPU is chosen per workspace, not per model',
  'gie-unique-id': 'Vigil identifies models by manifest name',
  'process-mode': 'only primary (full-frame) inference is supported',
  'custom-lib-path': 'custom parser libraries cannot be loaded; Vigil uses its built-in parser for the output layout',
  'parse-bbox-func-name': "custom parser functions cannot be loaded; Vigil's built-in parser is chosen from the output shapes",
  'output-blob-names': 'outputs are read by the parser from the ONNX graph',
  'uff-input-blob-name': 'UFF models are not supported',
  'tlt-encoded-model': 'TAO/TLT encrypted models are not supported',
  'tlt-model-key': 'TAO/TLT encrypted models are not supported',
  'workspace-size': 'TensorRT workspace is managed by the engine',
  'output-tensor-meta': 'raw tensor output is not exported',
  'scaling-filter': 'Vigil always scales bilinearly',
  'scaling-compute-hw': 'scaling hardware is chosen by the engine',
  'operate-on-gie-id': 'secondary inference is not supported',
  'operate-on-class-ids': 'secondary inference is not supported',
  'secondary-reinfer-interval': 'secondary inference is not supported',
  'input-object-min-width': 'secondary inference is not supported',
  'input-object-min-height': 'secondary inference is not supported',
  'maintain-aspect-ratio': '',
  'symmetric-padding': '',
};

const CLASS_ATTR_HONOURED = new Set(['pre-cluster-threshold', 'nms-iou-threshold', 'topk']);

export function importNvinferConfig(configPath: string, options: { name?: string } = {}): NvinferImport & { onnxPath: string } {
  let text: string;
  try {
    text = readFileSync(configPath, 'utf8');
  } catch (e) {
    throw new NvinferImportError(`nvinfer config '${configPath}' cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const sections = parseIni(text, configPath);
  const prop = sections.get('property');
  if (!prop) throw new NvinferImportError(`nvinfer config '${configPath}' has no [property] section — is this an nvinfer (gst-nvinfer) config?`);
  const unhonoured: NvinferImport['unhonoured'] = [];
  const dir = dirname(configPath);
  const rel = (p: string) => (isAbsolute(p) ? p : resolve(dir, p));

  const onnxFile = prop.get('onnx-file');
  if (!onnxFile) throw new NvinferImportError(`nvinfer config '${configPath}': [property] has no onnx-file — Vigil imports ONNX models only (convert the model to ONNX and set onnx-file)`);
  const onnxPath = rel(onnxFile);
  if (!existsSync(onnxPath)) throw new NvinferImportError(`nvinfer config '${configPath}': onnx-file '${onnxFile}' not found at ${onnxPath} — fix the path in the config`);
  const networkType = prop.get('network-type');
  if (networkType !== undefined && networkType !== '0') throw new NvinferImportError(`nvinfer config '${configPath}': network-type=${networkType} is not a detector (0); Vigil imports detectors only`);

  const proposal = proposeManifest(inspectOnnxFile(onnxPath), { name: options.name ?? basename(configPath).replace(/\.[^.]+$/, ''), file: basename(onnxPath) });
  const manifest: ModelManifest = structuredClone(proposal.manifest);
  const engineSettings: NvinferImport['engineSettings'] = {};
  const handled = new Set<string>(['onnx-file', 'network-type']);
  const use = (key: string, fn: (v: string) => void) => {
    const v = prop.get(key);
    if (v === undefined) return;
    handled.add(key);
    fn(v);
  };
  const bad = (key: string, value: string, why: string): never => {
    throw new NvinferImportError(`nvinfer config '${configPath}': ${key}=${value} ${why}`);
  };

  use('net-scale-factor', (v) => {
    const f = Number(v);
    if (!Number.isFinite(f) || f <= 0) bad('net-scale-factor', v, 'must be a positive number');
    manifest.input.scale = [f, f, f];
  });
  use('offsets', (v) => {
    const o = semicolonNumbers(v);
    if (o.length !== 3 || o.some((x) => !Number.isFinite(x))) bad('offsets', v, "must be three numbers separated by ';'");
    manifest.input.mean = o as [number, number, number];
  });
  use('model-color-format', (v) => {
    if (v === '0') manifest.input.colorOrder = 'RGB';
    else if (v === '1') manifest.input.colorOrder = 'BGR';
    else unhonoured.push({ key: 'model-color-format', value: v, reason: 'grey-scale input (2) is not supported; RGB is fed' });
  });
  use('infer-dims', (v) => {
    const d = semicolonNumbers(v);
    if (d.length !== 3) bad('infer-dims', v, "must be 'C;H;W'");
    manifest.input.height = d[1]!;
    manifest.input.width = d[2]!;
  });
  use('maintain-aspect-ratio', (v) => {
    manifest.input.resize = v === '1' ? 'letterbox' : 'stretch';
    if (v !== '1') manifest.input.padValue = 0;
  });
  use('symmetric-padding', (v) => {
    if (v !== '1' && manifest.input.resize === 'letterbox') unhonoured.push({ key: 'symmetric-padding', value: v, reason: 'Vigil always pads symmetrically (centred letterbox)' });
  });
  use('labelfile-path', (v) => {
    const p = rel(v);
    if (!existsSync(p)) bad('labelfile-path', v, `not found at ${p} — fix the path`);
    const labels = readFileSync(p, 'utf8').split(/\r?\n|;/).map((s) => s.trim()).filter((s) => s !== '');
    if (labels.length === 0) bad('labelfile-path', v, 'holds no labels');
    manifest.labels = labels;
  });
  use('num-detected-classes', (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) bad('num-detected-classes', v, 'must be a positive integer');
    if (!prop.has('labelfile-path')) manifest.labels = labelsFor(n);
    else if (manifest.labels.length !== n) bad('num-detected-classes', v, `disagrees with the ${manifest.labels.length} labels in labelfile-path — fix one of them`);
  });
  use('cluster-mode', (v) => {
    if (v !== '2') unhonoured.push({ key: 'cluster-mode', value: v, reason: `${({ '0': 'GroupRectangles', '1': 'DBSCAN', '3': 'hybrid DBSCAN + NMS', '4': 'no clustering' } as Record<string, string>)[v] ?? 'this mode'} is not supported; Vigil clusters with class-wise NMS (cluster-mode=2)` });
  });
  use('network-mode', (v) => {
    if (v === '0') manifest.precision = 'fp32';
    else if (v === '2') manifest.precision = 'fp16';
    else {
      manifest.precision = 'fp32';
      unhonoured.push({ key: 'network-mode', value: v, reason: `${v === '1' ? 'INT8' : 'this precision'} is not supported; fp32 is used (fp16 with network-mode=2 on TensorRT)` });
    }
    if (manifest.precision === 'fp16' && !manifest.executionProviders.includes('tensorrt')) manifest.executionProviders = ['tensorrt', ...manifest.executionProviders];
  });
  use('batch-size', (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) bad('batch-size', v, 'must be a positive integer');
    engineSettings.batchSize = n;
    if (typeof manifest.input.batch === 'number' && manifest.input.batch !== n) unhonoured.push({ key: 'batch-size', value: v, reason: `the ONNX input has a fixed batch of ${manifest.input.batch}; the engine batches at most that` });
  });
  use('interval', (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) bad('interval', v, 'must be an integer ≥ 0');
    engineSettings.interval = n;
  });
  for (const [key, value] of prop) {
    if (handled.has(key)) continue;
    const reason = PLUMBING[key];
    if (reason === '') continue;
    unhonoured.push({ key, value, reason: reason ?? 'not an nvinfer key Vigil knows' });
  }

  // [class-attrs-all] sets the defaults, [class-attrs-N] overrides class N.
  const applyClassAttrs = (section: string, attrs: Map<string, string>, target: { score?: number; nmsIou?: number; topK?: number }) => {
    for (const [key, value] of attrs) {
      if (!CLASS_ATTR_HONOURED.has(key)) {
        unhonoured.push({ key: `[${section}] ${key}`, value, reason: 'only pre-cluster-threshold, nms-iou-threshold and topk are honoured per class' });
        continue;
      }
      const n = Number(value);
      if (!Number.isFinite(n)) bad(`[${section}] ${key}`, value, 'must be a number');
      if (key === 'pre-cluster-threshold') target.score = n;
      else if (key === 'nms-iou-threshold') target.nmsIou = n;
      else target.topK = n;
    }
  };
  const all = sections.get('class-attrs-all');
  if (all) applyClassAttrs('class-attrs-all', all, manifest.thresholds.default);
  for (const [section, attrs] of sections) {
    const m = /^class-attrs-(\d+)$/.exec(section);
    if (section === 'property' || section === 'class-attrs-all') continue;
    if (!m) {
      unhonoured.push({ key: `[${section}]`, value: '', reason: 'section not used by nvinfer detectors' });
      continue;
    }
    const id = Number(m[1]);
    const label = manifest.labels[id];
    if (label === undefined) bad(`[${section}]`, '', `names class ${id} but there are only ${manifest.labels.length} labels`);
    const perClass = (manifest.thresholds.perClass ??= {});
    applyClassAttrs(section, attrs, (perClass[label!] ??= {}));
  }
  manifest.title = `${manifest.name} (imported from ${basename(configPath)})`;
  return { manifest, unhonoured, engineSettings, onnxPath };
}
