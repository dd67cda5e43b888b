// The provider guard at first load (main/models/first-load-guard.ts): before the engine opens a model
// on a GPU provider not yet proven with it here, the model runs once in a throwaway process; a crash
// there demotes the model and is remembered by file hash, provider and ONNX Runtime version. CI has no
// GPU, so the crash is a SIMULATION: VIGIL_PROBE_SIMULATE_CRASH=cuda makes the probe process abort()
// where it would open the CUDA session (and counts CUDA as offered here); the child process, the real
// addon, ONNX Runtime and the files are real.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadAddon } from '../../../main/addon/addon.js';
import { guardAtFirstLoad, readVerdicts } from '../../../main/models/first-load-guard.js';
import { addModel } from '../../../main/models/library.js';
import { detectorWithEinsum } from '../../helpers/tiny-onnx.js';

let work: string;
let manifestPath: string;
const ort = () => loadAddon().engineInfo().onnxRuntimeVersion;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'vigil-first-load-'));
  writeFileSync(join(work, 'guarded.onnx'), detectorWithEinsum());
  ({ manifestPath } = addModel(join(work, 'guarded.onnx'), loadAddon(), { name: 'guarded' }, join(work, 'models')));
});
afterEach(() => {
  delete process.env.VIGIL_PROBE_SIMULATE_CRASH;
});

describe('provider guard at first load', () => {
  it('no GPU provider offered here: nothing is probed and nothing recorded', () => {
    const verdictsFile = join(work, 'none.json');
    const lines: string[] = [];
    expect(guardAtFirstLoad(manifestPath, { offered: ['CPUExecutionProvider'], onnxRuntimeVersion: ort(), verdictsFile, log: (l) => lines.push(l) })).toEqual(
      {},
    );
    expect(readVerdicts(verdictsFile)).toEqual({});
    expect(lines).toEqual([]);
  });

  it('SIMULATION: a CUDA session that aborts demotes the model, names its unsafe ops, and is remembered', () => {
    process.env.VIGIL_PROBE_SIMULATE_CRASH = 'cuda';
    const verdictsFile = join(work, 'crash.json');
    const lines: string[] = [];
    const options = { offered: ['CPUExecutionProvider'], onnxRuntimeVersion: ort(), verdictsFile, log: (l: string) => lines.push(l) };
    const r = guardAtFirstLoad(manifestPath, options);
    expect(r.providers).toEqual(['tensorrt', 'cpu']);
    expect(r.demotion).toEqual({
      model: 'guarded',
      from: ['CUDAExecutionProvider'],
      to: 'TensorrtExecutionProvider',
      unsafeOps: ['Einsum'],
      reason: 'CUDAExecutionProvider: the probe process was killed by SIGABRT',
    });
    expect(lines[0]).toMatch(/checking cuda in a throwaway process before its first load/);
    expect(lines[1]).toMatch(/model 'guarded' runs on TensorrtExecutionProvider instead of CUDAExecutionProvider: .*SIGABRT\. It uses Einsum/);
    const verdicts = Object.entries(readVerdicts(verdictsFile));
    expect(verdicts).toHaveLength(1);
    const [key, verdict] = verdicts[0]!;
    expect(key).toMatch(new RegExp(`^[0-9a-f]{64}:cuda:${ort().replace(/\./g, '\\.')}$`));
    expect(verdict).toMatchObject({ model: 'guarded', provider: 'cuda', outcome: 'crashed' });

    // The second load trusts the verdict: no probe, the same demotion.
    lines.length = 0;
    expect(guardAtFirstLoad(manifestPath, options)).toEqual(r);
    expect(lines.some((l) => l.includes('checking'))).toBe(false);
    // Another ONNX Runtime is another verdict: probed again.
    lines.length = 0;
    guardAtFirstLoad(manifestPath, { ...options, onnxRuntimeVersion: '0.0.0-other' });
    expect(lines[0]).toMatch(/checking cuda/);
    expect(Object.keys(readVerdicts(verdictsFile))).toHaveLength(2);
  });

  it('a changed model file is a new model: probed again', () => {
    process.env.VIGIL_PROBE_SIMULATE_CRASH = 'cuda';
    const verdictsFile = join(work, 'changed.json');
    const options = { offered: [], onnxRuntimeVersion: ort(), verdictsFile, log: () => undefined };
    guardAtFirstLoad(manifestPath, options);
    const onnx = join(work, 'models', 'guarded.onnx');
    const original = readFileSync(onnx);
    writeFileSync(onnx, Buffer.concat([original, Buffer.from([0x12, 0x00])])); // an empty graph name appended: same model, other bytes
    try {
      guardAtFirstLoad(manifestPath, options);
      expect(Object.keys(readVerdicts(verdictsFile))).toHaveLength(2);
    } finally {
      writeFileSync(onnx, original);
    }
  });

  it('a damaged verdicts file only means probing again', () => {
    process.env.VIGIL_PROBE_SIMULATE_CRASH = 'cuda';
    const verdictsFile = join(work, 'damaged.json');
    writeFileSync(verdictsFile, '{ not json');
    const r = guardAtFirstLoad(manifestPath, { offered: [], onnxRuntimeVersion: ort(), verdictsFile, log: () => undefined });
    expect(r.demotion?.from).toEqual(['CUDAExecutionProvider']);
    expect(Object.values(readVerdicts(verdictsFile)).map((v) => v.outcome)).toEqual(['crashed']);
  });
});
