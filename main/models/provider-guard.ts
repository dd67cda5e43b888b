// A model must never take the engine down: before a model is used on a GPU execution provider, it is
// opened once on that provider in a throwaway child process (provider-probe-child). If the child dies or
// the session fails, the provider is dropped from the manifest's executionProviders (the model is
// demoted to the next one), the op types known to crash that provider are named from
// resources/gpu/provider-unsafe-ops.json, and the finding is written beside the manifest
// (.provider-checks/NAME.json), logged, and shown in the model list.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelManifest } from '../api/model-types.js';
import { projectRoot } from '../paths.js';
import { EditableModel } from './rewrites/graph.js';

export type GpuProvider = 'cuda' | 'tensorrt';
export const EP_NAMES: Record<GpuProvider, string> = { cuda: 'CUDAExecutionProvider', tensorrt: 'TensorrtExecutionProvider' };
export const isGpu = (p: string): p is GpuProvider => p in EP_NAMES;

export interface ProviderCheck {
  model: string;
  size: number;
  mtimeMs: number;
  checkedAt: string;
  /** What each probe found: ran (the session opened and ran a blank batch), unavailable here, failed, crashed. */
  results: { provider: GpuProvider; outcome: 'ran' | 'unavailable' | 'failed' | 'crashed'; detail: string }[];
  demoted: GpuProvider[];
  /** Op types of the model that the table lists as crashing a demoted provider. */
  unsafeOps: string[];
  note?: string;
}

interface UnsafeTable {
  providers: Record<string, { crash: Record<string, string[]> }>;
}

let table: UnsafeTable | undefined;
/** The op types whose one-op models crashed `provider` (measured by scripts/gpu/op-table.py). */
export function unsafeOps(provider: string): string[] {
  table ??= JSON.parse(readFileSync(join(projectRoot(), 'resources', 'gpu', 'provider-unsafe-ops.json'), 'utf8')) as UnsafeTable;
  return Object.keys(table.providers[provider]?.crash ?? {});
}

/** The op types of a model file that the table lists as crashing any of `providers`, sorted. */
export function unsafeOpsOf(modelPath: string, label: string, providers: string[]): string[] {
  const ops = new EditableModel(readFileSync(modelPath), label).opTypes();
  return [...new Set(providers.flatMap((p) => unsafeOps(p).filter((op) => ops.has(op))))].sort();
}

export function checkPath(manifestDir: string, name: string): string {
  return join(manifestDir, '.provider-checks', `${name}.json`);
}

export function readProviderCheck(manifestDir: string, name: string): ProviderCheck | undefined {
  const p = checkPath(manifestDir, name);
  if (!existsSync(p)) return undefined;
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as ProviderCheck;
  } catch {
    return undefined; // a damaged record only means the model is probed again
  }
}

function childCommand(): { file: string; args: string[] } {
  const here = fileURLToPath(import.meta.url);
  const child = join(dirname(here), `provider-probe-child${here.endsWith('.ts') ? '.ts' : '.js'}`);
  // from sources (tests, dev) the child runs through tsx; the built app runs the compiled file
  return { file: process.execPath, args: here.endsWith('.ts') ? ['--import', 'tsx', child] : [child] };
}

interface ChildLine {
  trying?: GpuProvider;
  provider?: GpuProvider;
  ran?: string;
  note?: string;
  error?: string;
}

/** Probes each provider in a child; a crash ends that child, and the remaining providers get a new one. */
export function probe(manifestPath: string, providers: GpuProvider[], timeoutMs: number): ProviderCheck['results'] {
  const results: ProviderCheck['results'] = [];
  let left = [...providers];
  while (left.length > 0) {
    const { file, args } = childCommand();
    const r = spawnSync(file, [...args, manifestPath, ...left], { encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
    const lines = (r.stdout ?? '')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as ChildLine);
    for (const l of lines) {
      if (!l.provider) continue;
      if (l.error) results.push({ provider: l.provider, outcome: 'failed', detail: l.error });
      else if (l.ran === EP_NAMES[l.provider]) results.push({ provider: l.provider, outcome: 'ran', detail: `ran on ${l.ran}` });
      else results.push({ provider: l.provider, outcome: 'unavailable', detail: l.note || `${EP_NAMES[l.provider]} is not available here` });
    }
    const done = new Set(results.map((x) => x.provider));
    const last = lines.filter((l) => l.trying).pop()?.trying;
    if (r.status === 0 || !last || done.has(last)) {
      if (r.status !== 0 && !results.length)
        throw new Error(`the provider probe could not start (${r.error?.message ?? r.stderr?.trim().split('\n').pop() ?? `exit ${r.status}`})`);
      break;
    }
    const how = r.signal
      ? `the probe process was killed by ${r.signal}`
      : r.error
        ? `the probe process ${r.error.message}`
        : `the probe process exited with ${r.status}`;
    results.push({ provider: last, outcome: 'crashed', detail: how });
    left = left.slice(left.indexOf(last) + 1);
  }
  return results;
}

/**
 * Probes the manifest's GPU providers (in preference order, until one runs) and demotes those that
 * crash or fail. Returns the manifest to use (unchanged when nothing was demoted) and the record.
 */
export function guardProviders(
  manifest: ModelManifest,
  manifestPath: string,
  options: { timeoutMs?: number; log?: (line: string) => void } = {},
): { manifest: ModelManifest; check: ProviderCheck } {
  const modelPath = join(dirname(manifestPath), manifest.file);
  const st = statSync(modelPath);
  const gpu = manifest.executionProviders.filter(isGpu);
  const results = gpu.length > 0 ? probe(manifestPath, gpu, options.timeoutMs ?? 120_000) : [];
  const demoted = results.filter((r) => r.outcome === 'crashed' || r.outcome === 'failed').map((r) => r.provider);
  const check: ProviderCheck = {
    model: manifest.file,
    size: st.size,
    mtimeMs: st.mtimeMs,
    checkedAt: new Date().toISOString(),
    results,
    demoted,
    unsafeOps: [],
  };
  if (demoted.length === 0) return { manifest, check };
  check.unsafeOps = unsafeOpsOf(modelPath, manifest.file, demoted);
  const providers = manifest.executionProviders.filter((p) => !demoted.includes(p as GpuProvider));
  const next = providers.find((p) => p !== 'tensorrt' || !demoted.includes('tensorrt')) ?? 'cpu';
  const why = results
    .filter((r) => demoted.includes(r.provider))
    .map((r) => `${r.provider}: ${r.detail}`)
    .join('; ');
  const named = check.unsafeOps.length > 0 ? ` It uses ${check.unsafeOps.join(', ')}, which crash that provider (resources/gpu/provider-unsafe-ops.json).` : '';
  check.note = `demoted from ${demoted.join(', ')} to ${next}: ${why}.${named}`;
  (options.log ?? ((l: string) => console.warn(l)))(`[models] model '${manifest.name}' ${check.note}`);
  const fixed: ModelManifest = { ...manifest, executionProviders: providers.length > 0 ? providers : ['cpu'] };
  if (fixed.precision === 'fp16' && !fixed.executionProviders.includes('tensorrt')) fixed.precision = 'fp32';
  return { manifest: fixed, check };
}

export function writeProviderCheck(manifestDir: string, name: string, check: ProviderCheck): void {
  const p = checkPath(manifestDir, name);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, `${JSON.stringify(check, null, 2)}\n`);
}
