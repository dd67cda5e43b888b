// The provider guard at first load: before the engine process opens a model on a GPU execution
// provider that has not been proven on this machine, the model is run once on that provider in a
// throwaway process (provider-guard's probe). The verdict is kept in the data folder
// (provider-verdicts.json), keyed by the model file's hash, the provider and the ONNX Runtime version,
// so a model is probed again only when one of them changes. A provider that crashed or failed is left
// out of the providers the engine opens the model with: the model runs on the next one, and the
// demotion is returned to be shown (engine log, System page, model list).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ProviderDemotion } from '../api/contract.js';
import type { ExecutionProvider, ModelManifest } from '../api/model-types.js';
import { dataHome } from '../paths.js';
import { readManifest } from './manifest.js';
import { EP_NAMES, isGpu, probe, unsafeOpsOf, type GpuProvider, type ProviderCheck } from './provider-guard.js';

export interface ProviderVerdict {
  model: string;
  provider: GpuProvider;
  onnxRuntime: string;
  outcome: 'ran' | 'failed' | 'crashed';
  detail: string;
  checkedAt: string;
}

interface VerdictFile {
  verdicts: Record<string, ProviderVerdict>;
}

/** Where the verdicts live: $VIGIL_PROVIDER_VERDICTS (the app passes its data folder's), else the data folder's. */
export function verdictsPath(): string {
  return process.env.VIGIL_PROVIDER_VERDICTS ?? join(dataHome(), 'provider-verdicts.json');
}

export function readVerdicts(path = verdictsPath()): Record<string, ProviderVerdict> {
  if (!existsSync(path)) return {};
  try {
    const f = JSON.parse(readFileSync(path, 'utf8')) as Partial<VerdictFile>;
    return f.verdicts && typeof f.verdicts === 'object' ? f.verdicts : {};
  } catch {
    return {}; // a damaged file only means the models are probed again
  }
}

function writeVerdicts(path: string, verdicts: Record<string, ProviderVerdict>): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ verdicts } satisfies VerdictFile, null, 2)}\n`);
  renameSync(tmp, path);
}

/** The files a provider may open for this manifest, hashed together: a changed file is a new model. */
export function modelHash(manifest: ModelManifest, manifestPath: string): string {
  const h = createHash('sha256');
  for (const f of [manifest.file, ...(manifest.fp16File ? [manifest.fp16File] : [])]) h.update(readFileSync(join(dirname(manifestPath), f)));
  return h.digest('hex');
}

const verdictKey = (hash: string, provider: GpuProvider, ort: string) => `${hash}:${provider}:${ort}`;

export interface FirstLoadOptions {
  /** The providers this build can open here (EngineInfo.providers: 'CUDAExecutionProvider', ...). */
  offered: string[];
  onnxRuntimeVersion: string;
  verdictsFile?: string;
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface FirstLoadResult {
  /** The providers to open the model with; undefined: the manifest's own. */
  providers?: ExecutionProvider[];
  demotion?: ProviderDemotion;
}

/**
 * Probes the manifest's GPU providers that are offered here and have no verdict yet, records what
 * each did, and leaves out those whose verdict is a crash or a failure. Providers not offered here are
 * never probed (the engine falls back from them by itself, and they may be offered later).
 */
export function guardAtFirstLoad(manifestPath: string, options: FirstLoadOptions): FirstLoadResult {
  const manifest = readManifest(manifestPath);
  // SIMULATION for CI, which has no GPU: the provider the probe child is told to crash on counts as offered.
  const simulated = process.env.VIGIL_PROBE_SIMULATE_CRASH;
  const offered = new Set(options.offered);
  const gpu = manifest.executionProviders.filter(isGpu).filter((p) => offered.has(EP_NAMES[p]) || p === simulated);
  if (gpu.length === 0) return {};
  const file = options.verdictsFile ?? verdictsPath();
  const verdicts = readVerdicts(file);
  const hash = modelHash(manifest, manifestPath);
  const ort = options.onnxRuntimeVersion;
  const unknown = gpu.filter((p) => !verdicts[verdictKey(hash, p, ort)]);
  const log = options.log ?? ((l: string) => console.warn(l));
  if (unknown.length > 0) {
    log(`[models] model '${manifest.name}': checking ${unknown.join(', ')} in a throwaway process before its first load here`);
    const results: ProviderCheck['results'] = probe(manifestPath, unknown, options.timeoutMs ?? 120_000);
    const checkedAt = new Date().toISOString();
    for (const r of results) {
      if (r.outcome === 'unavailable') continue; // not a verdict on the model: the provider did not load
      verdicts[verdictKey(hash, r.provider, ort)] = {
        model: manifest.name,
        provider: r.provider,
        onnxRuntime: ort,
        outcome: r.outcome,
        detail: r.detail,
        checkedAt,
      };
    }
    writeVerdicts(file, verdicts);
  }
  const bad = gpu.map((p) => verdicts[verdictKey(hash, p, ort)]).filter((v): v is ProviderVerdict => !!v && v.outcome !== 'ran');
  if (bad.length === 0) return {};
  const from = bad.map((v) => v.provider);
  const providers = manifest.executionProviders.filter((p) => !from.includes(p as GpuProvider));
  const kept: ExecutionProvider[] = providers.length > 0 ? providers : ['cpu'];
  const next = kept[0]!;
  const demotion: ProviderDemotion = {
    model: manifest.name,
    from: from.map((p) => EP_NAMES[p]),
    to: next === 'cpu' ? 'CPUExecutionProvider' : EP_NAMES[next],
    unsafeOps: unsafeOpsOf(join(dirname(manifestPath), manifest.file), manifest.file, from),
    reason: bad.map((v) => `${EP_NAMES[v.provider]}: ${v.detail}`).join('; '),
  };
  log(`[models] ${demotionWords(demotion)}`);
  return { providers: kept, demotion };
}

/** One demotion in plain words, for the engine log (the System page says the same from the fields). */
export function demotionWords(d: ProviderDemotion): string {
  const ops = d.unsafeOps.length > 0 ? ` It uses ${d.unsafeOps.join(', ')}, known to crash ${d.from.join(' and ')}.` : '';
  return `model '${d.model}' runs on ${d.to} instead of ${d.from.join(', ')}: ${d.reason}.${ops}`;
}
