// The models folder: the generated defaults plus the operator's own models. Adding a model copies the
// ONNX file in, validates the manifest by running one frame, then writes the manifest beside it.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { ModelManifest, ModelProposal, NvinferImport } from '../api/model-types.js';
import { dataHome, generatedModelsDir, projectRoot } from '../paths.js';
import type { ModelAddon } from './detect.js';
import { readManifest, validateManifest } from './manifest.js';
import { failureMessage, importNvinferConfig, NvinferImportError } from './nvinfer.js';
import { inspectOnnxFile } from './onnx-inspect.js';
import { proposeManifest } from './propose.js';
import { guardProviders, readProviderCheck, writeProviderCheck } from './provider-guard.js';
import { validateByRunningOneFrame } from './validate-run.js';

export function userModelsDir(): string {
  return process.env.VIGIL_USER_MODELS_DIR ?? join(dataHome(), 'models');
}

export function defaultModelName(): string {
  const pointer = JSON.parse(readFileSync(join(projectRoot(), 'resources', 'models', 'default.json'), 'utf8')) as { defaultModel: string };
  return basename(pointer.defaultModel, '.json');
}

export interface ListedModel {
  manifestPath: string;
  manifest?: ModelManifest;
  error?: string;
  isDefault: boolean;
  /** Set when the provider guard demoted the model (a GPU provider crashed or failed on it). */
  providerNote?: string;
}

/** Where manifests are found: the generated defaults, then the operator's own. */
export function modelDirs(): string[] {
  return [generatedModelsDir(), userModelsDir()];
}

export function listModels(dirs = modelDirs()): ListedModel[] {
  const def = defaultModelName();
  const out: ListedModel[] = [];
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)
      .filter((n) => n.endsWith('.json'))
      .sort()) {
      const manifestPath = join(dir, f);
      try {
        const manifest = readManifest(manifestPath);
        const providerNote = readProviderCheck(dir, manifest.name)?.note;
        out.push({ manifestPath, manifest, isDefault: manifest.name === def, ...(providerNote ? { providerNote } : {}) });
      } catch (e) {
        out.push({ manifestPath, error: e instanceof Error ? e.message : String(e), isDefault: false });
      }
    }
  }
  return out;
}

export interface Corrections {
  name?: string;
  labelsFile?: string;
  parser?: ModelManifest['parser'];
  /** Partial manifest merged over the proposal (the user's corrections). */
  overrides?: Partial<ModelManifest>;
}

function applyCorrections(proposal: ModelProposal, c: Corrections): ModelManifest {
  const m: ModelManifest = { ...structuredClone(proposal.manifest), ...(c.overrides ?? {}) };
  if (c.overrides?.input) m.input = { ...proposal.manifest.input, ...c.overrides.input };
  if (c.parser) m.parser = c.parser;
  if (c.labelsFile)
    m.labels = readFileSync(c.labelsFile, 'utf8')
      .split(/\r?\n/)
      .map((s) => s.trim())
      .filter(Boolean);
  return m;
}

function install(
  manifest: ModelManifest,
  onnxSource: string,
  addon: ModelAddon,
  dir: string,
): { manifestPath: string; detections: number; providerNote?: string } {
  const existing = listModels([generatedModelsDir(), dir]).find((l) => l.manifest?.name === manifest.name);
  if (existing) throw new Error(`a model named '${manifest.name}' already exists (${existing.manifestPath}) — choose another --name`);
  validateManifest(manifest, `${manifest.name} (proposed)`);
  mkdirSync(dir, { recursive: true });
  const target = join(dir, manifest.file);
  if (resolve(onnxSource) !== resolve(target)) {
    if (existsSync(target)) throw new Error(`'${target}' already exists — rename the ONNX file or choose another --name`);
    copyFileSync(onnxSource, target);
  }
  const { detections } = validateByRunningOneFrame(manifest, dir, addon);
  const manifestPath = join(dir, `${manifest.name}.json`);
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  // GPU providers are tried in a throwaway process; one that crashes is dropped from the manifest
  const guarded = guardProviders(manifest, manifestPath);
  writeProviderCheck(dir, manifest.name, guarded.check);
  if (guarded.manifest !== manifest) writeFileSync(manifestPath, `${JSON.stringify(guarded.manifest, null, 2)}\n`);
  return { manifestPath, detections, providerNote: guarded.check.note };
}

/** Inspects an ONNX file and proposes a manifest, applying any corrections; nothing is written. */
export function proposeForFile(onnxPath: string, c: Corrections = {}): { proposal: ModelProposal; manifest: ModelManifest } {
  const info = inspectOnnxFile(onnxPath);
  const name = c.name ?? basename(onnxPath, '.onnx');
  const proposal = proposeManifest(info, { name, file: `${name.toLowerCase().replace(/[^a-z0-9._-]+/g, '-')}.onnx` });
  return { proposal, manifest: applyCorrections(proposal, c) };
}

export function addModel(onnxPath: string, addon: ModelAddon, c: Corrections = {}, dir = userModelsDir()) {
  const { proposal, manifest } = proposeForFile(onnxPath, c);
  const result = install(manifest, onnxPath, addon, dir);
  return { ...result, manifest, notes: proposal.notes };
}

export function addNvinferModel(
  configPath: string,
  addon: ModelAddon,
  options: { name?: string } = {},
  dir = userModelsDir(),
): NvinferImport & { manifestPath: string } {
  const imported = importNvinferConfig(configPath, options);
  const manifest = { ...imported.manifest, file: `${imported.manifest.name}.onnx` };
  let manifestPath: string;
  try {
    ({ manifestPath } = install(manifest, imported.onnxPath, addon, dir));
  } catch (e) {
    // In the config's words where the manifest's fields have nvinfer names; the unhonoured list too.
    const why = (e instanceof Error ? e.message : String(e))
      .replace(/fix input\.layout\/width\/height/g, 'fix infer-dims')
      .replace(/fix input\.name in the manifest/g, 'the model needs one float image input')
      .replace(/check the manifest's parser and labels \((\d+) labels\)/g, 'check num-detected-classes and labelfile-path ($1 classes)');
    throw new NvinferImportError(failureMessage(`nvinfer config '${configPath}'`, [why], imported.unhonoured));
  }
  return { manifest, unhonoured: imported.unhonoured, engineSettings: imported.engineSettings, notes: imported.notes, manifestPath };
}
