// The provider guard: a model whose GPU session crashes is demoted (the provider dropped from its
// manifest, named in the model list) and the process that added it keeps running. CI has no GPU, so the
// crash is a SIMULATION: VIGIL_PROBE_SIMULATE_CRASH=cuda makes the throwaway probe process abort()
// where it would open the CUDA session; everything else (the child process, the real addon, ONNX
// Runtime, the manifest files) is real.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ModelManifest } from '../../../main/api/model-types.js';
import { loadAddon } from '../../../main/addon/addon.js';
import { readProviderCheck, unsafeOps } from '../../../main/models/provider-guard.js';
import { addModel, listModels } from '../../../main/models/library.js';
import { validateByRunningOneFrame } from '../../../main/models/validate-run.js';
import { detectorWithEinsum } from '../../helpers/tiny-onnx.js';

const addon = () => loadAddon();
let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'vigil-guard-'));
  writeFileSync(join(work, 'guarded.onnx'), detectorWithEinsum());
});
afterEach(() => {
  delete process.env.VIGIL_PROBE_SIMULATE_CRASH;
});

describe('provider guard', () => {
  it('the measured table lists op types that crash the CUDA provider', () => {
    expect(unsafeOps('cuda')).toContain('Einsum');
    expect(unsafeOps('nonexistent')).toEqual([]);
  });

  it('SIMULATION: a CUDA session that aborts demotes the model to the next provider; this process keeps running', () => {
    process.env.VIGIL_PROBE_SIMULATE_CRASH = 'cuda';
    const dir = join(work, 'crash');
    const r = addModel(join(work, 'guarded.onnx'), addon(), { name: 'guarded' }, dir);
    const written = JSON.parse(readFileSync(r.manifestPath, 'utf8')) as ModelManifest;
    expect(r.manifest.executionProviders).toEqual(['tensorrt', 'cuda', 'cpu']); // the proposal
    expect(written.executionProviders).toEqual(['tensorrt', 'cpu']);
    expect(r.providerNote).toMatch(/demoted from cuda to tensorrt: cuda: the probe process was killed by SIGABRT\. It uses Einsum, which crash that provider/);
    const check = readProviderCheck(dir, 'guarded')!;
    expect(check.results.map((x) => [x.provider, x.outcome])).toEqual([
      ['tensorrt', 'unavailable'],
      ['cuda', 'crashed'],
    ]);
    expect(check.unsafeOps).toEqual(['Einsum']);
    const listed = listModels([dir]).find((l) => l.manifest?.name === 'guarded')!;
    expect(listed.providerNote).toBe(check.note);
    // still alive: the demoted model runs here, in this process, on the real addon
    expect(validateByRunningOneFrame(written, dir, addon()).outputs.output0!.dims).toEqual([1, 84, 126]);
  });

  it('without a crash nothing is demoted: providers not offered here are recorded as unavailable', () => {
    const dir = join(work, 'fine');
    const r = addModel(join(work, 'guarded.onnx'), addon(), { name: 'fine' }, dir);
    const written = JSON.parse(readFileSync(r.manifestPath, 'utf8')) as ModelManifest;
    expect(written.executionProviders).toEqual(['tensorrt', 'cuda', 'cpu']);
    expect(r.providerNote).toBeUndefined();
    expect(readProviderCheck(dir, 'fine')!.results.every((x) => x.outcome === 'unavailable' || x.outcome === 'ran')).toBe(true);
    expect(listModels([dir])[0]!.providerNote).toBeUndefined();
  });
});
