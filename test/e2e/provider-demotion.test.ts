// The provider guard at first load, end to end: a real `vigil serve` whose engine process opens the
// default model (NanoDet) on a GPU provider only after a throwaway process ran it there. This machine
// has no GPU, so the crash is a SIMULATION: VIGIL_PROBE_SIMULATE_CRASH=cuda makes the probe process
// abort() where it would open the CUDA session (and counts CUDA as offered); the serve process, the
// engine process, the probe process, ONNX Runtime, the camera (vtest.mp4) and Chromium are real.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiMethod, ApiParams, ApiResult } from '../../main/api/contract.js';
import { generatedModelsDir, projectRoot } from '../../main/paths.js';
import { unsafeOpsOf } from '../../main/models/provider-guard.js';
import { launchBrowser } from '../helpers/browser.js';
import { startServe, type ServedNode } from '../helpers/serve.js';
import { callApi } from '../helpers/faults.js';

describe('a model whose GPU session crashes at first load (SIMULATION: the probe aborts on CUDA)', () => {
  let browser: Browser;
  let served: ServedNode;
  let home: string;

  // The typed form of the API call every test helper makes (test/helpers/faults.ts).
  const call = <M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>> =>
    callApi<ApiResult<M>>(new URL(served.url).origin, method, params);

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'vigil-home-'));
    const clip = join(projectRoot(), '.vigil', 'media', 'vtest.mp4');
    const uri = existsSync(clip) ? `file://${clip}` : 'test://ball?width=768&height=576&fps=10';
    writeFileSync(join(home, 'workspace.json'), JSON.stringify({ version: 1, cameras: [{ name: 'Plaza', uri, loop: true, realtime: true }] }));
    browser = await launchBrowser();
    served = await startServe([], { VIGIL_HOME: home, VIGIL_PROBE_SIMULATE_CRASH: 'cuda' });
  });
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
  });

  it('the model is demoted, loudly (log, API, System page, model list), and the engine keeps inferring', { timeout: 120_000 }, async () => {
    await expect.poll(async () => (await call('system.status', {})).engine.inference?.demotions.length ?? 0, { timeout: 60_000 }).toBe(1);
    const status = await call('system.status', {});
    const demotion = status.engine.inference!.demotions[0]!;
    // The op types the measured table (resources/gpu/provider-unsafe-ops.json) lists for CUDA that NanoDet uses.
    const unsafe = unsafeOpsOf(join(generatedModelsDir(), 'nanodet-coco.onnx'), 'nanodet-coco.onnx', ['cuda']);
    expect(demotion).toMatchObject({ model: 'nanodet-coco', from: ['CUDAExecutionProvider'], to: 'TensorrtExecutionProvider', unsafeOps: unsafe });
    expect(demotion.reason).toBe('CUDAExecutionProvider: the probe process was killed by SIGABRT');
    // The engine process never died: no restart, and the camera is inferred (on the CPU here).
    expect(status.engine.state).toBe('running');
    expect(status.engine.restarts).toBe(0);
    expect(status.engine.executionProvider).toBe('CPUExecutionProvider');
    await expect.poll(async () => (await call('system.status', {})).streams[0]?.inferFps ?? 0, { timeout: 60_000 }).toBeGreaterThan(0);
    // The engine log, through serve's output.
    expect(served.output()).toMatch(
      /\[engine\] model 'nanodet-coco' runs on TensorrtExecutionProvider instead of CUDAExecutionProvider: CUDAExecutionProvider: the probe process was killed by SIGABRT/,
    );
    // The verdict is in the data folder, keyed by file hash, provider and ONNX Runtime version.
    const verdicts = JSON.parse(readFileSync(join(home, 'provider-verdicts.json'), 'utf8')) as { verdicts: Record<string, { outcome: string; model: string }> };
    expect(Object.values(verdicts.verdicts)).toEqual([expect.objectContaining({ model: 'nanodet-coco', outcome: 'crashed' })]);
    // The model list marks it.
    const listed = (await call('models.list', {})).find((m) => m.name === 'nanodet-coco')!;
    expect(listed.providerNote).toMatch(/instead of CUDAExecutionProvider/);

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${served.url}#/system`);
    const line = page.getByTestId('provider-demotion-nanodet-coco');
    await expect.poll(() => line.count(), { timeout: 20_000 }).toBe(1);
    expect(await line.textContent()).toBe(
      "Model 'nanodet-coco' is not run on the NVIDIA GPU (CUDA): a test run there, in a separate process, failed " +
        '(CUDAExecutionProvider: the probe process was killed by SIGABRT). It runs on the next provider in its list, ' +
        'the NVIDIA GPU (TensorRT), and the engine kept running.' +
        (unsafe.length > 0 ? ` It uses ${unsafe.join(', ')}, ${unsafe.length === 1 ? 'an operation' : 'operations'} known to crash that provider.` : ''),
    );
    await page.goto(`${served.url}#/settings`);
    const mark = page.getByTestId('model-provider-note-nanodet-coco');
    await expect.poll(() => mark.count(), { timeout: 20_000 }).toBe(1);
    expect(await mark.textContent()).toMatch(/not on the GPU: model 'nanodet-coco' runs on TensorrtExecutionProvider instead of CUDAExecutionProvider/);
    expect(await page.getByTestId('model-provider-note-centernet-coco').count()).toBe(0);
    await page.close();
  });

  it('a restarted engine trusts the recorded verdict: demoted again without a second probe', { timeout: 120_000 }, async () => {
    const before = (await call('system.status', {})).engine.pid;
    await call('engine.restart', {});
    await expect
      .poll(
        async () => {
          const s = await call('system.status', {});
          return s.engine.state === 'running' && s.engine.pid !== before && (s.engine.inference?.demotions.length ?? 0) === 1;
        },
        { timeout: 60_000 },
      )
      .toBe(true);
    expect(served.output().match(/checking cuda in a throwaway process/g)).toHaveLength(1);
  });
});
