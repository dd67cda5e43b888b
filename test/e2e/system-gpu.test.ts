// The System screen's execution-provider line, on a machine with an NVIDIA GPU whose provider could not
// load versus one without a GPU. This machine has no GPU, so the GPU case comes from the fixture backend
// (test/helpers/fake-node.ts, a stand-in for the engine at the GPU boundary); the real no-GPU case is in
// operator-ui-serve.test.ts against `vigil serve`.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.js';
import { startFakeNode, type FakeNode } from '../helpers/fake-node.js';

const NOTE =
  'falling back to CPUExecutionProvider: CUDAExecutionProvider: libonnxruntime_providers_cuda.so could not be loaded (libcudnn.so.9: cannot open shared object file)';

describe('System screen: CPU inference explained by whether a GPU exists', () => {
  let browser: Browser;
  const nodes: FakeNode[] = [];
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    for (const n of nodes) await n.stop();
  });

  async function systemPage(options: Parameters<typeof startFakeNode>[0]) {
    const node = await startFakeNode({ cameras: 1, ...options });
    nodes.push(node);
    const page = await browser.newPage();
    await page.goto(`${node.url}#/system`);
    await expect.poll(() => page.getByTestId('execution-provider').getAttribute('title'), { timeout: 15_000 }).toBe('CPUExecutionProvider');
    expect(await page.getByTestId('execution-provider').textContent()).toMatch(/^CPU\b/);
    return page;
  }

  it('a GPU whose provider could not load: an amber warning naming the GPU and why', async () => {
    const page = await systemPage({ gpu: { name: 'NVIDIA H200' }, providerNote: NOTE });
    const warning = page.getByTestId('provider-fallback');
    expect(await warning.textContent()).toBe(` — NVIDIA H200 found, but ${NOTE}`);
    expect(await warning.getAttribute('class')).toBe('warning');
    expect(await warning.evaluate((e) => getComputedStyle(e).color)).toBe('rgb(255, 195, 107)'); // amber
    expect(await page.getByTestId('cpu-only').count()).toBe(0);
    expect(await page.getByTestId('gpu').textContent()).toBe('NVIDIA H200');
    await page.close();
  });

  it('no GPU: said plainly, not amber; the providers that did not load are behind a disclosure', async () => {
    const page = await systemPage({ gpu: null, providerNote: NOTE });
    expect(await page.getByTestId('provider-fallback').count()).toBe(0);
    const plain = page.getByTestId('cpu-only');
    expect(await plain.textContent()).toBe(' — Inference runs on the CPU: no NVIDIA GPU was found.');
    expect(await plain.evaluate((e) => getComputedStyle(e).color)).not.toBe('rgb(255, 195, 107)');
    expect(await page.getByTestId('provider-details-text').isVisible()).toBe(false);
    await page.getByTestId('provider-details').locator('summary').click();
    await expect.poll(() => page.getByTestId('provider-details-text').isVisible()).toBe(true);
    expect(await page.getByTestId('provider-details-text').textContent()).toBe(NOTE);
    expect(await page.getByTestId('gpu').textContent()).toBe('no NVIDIA GPU found — inference and decoding run on the CPU');
    await page.close();
  });

  it('no GPU and nothing failed (a CPU-only model): the plain line, no disclosure', async () => {
    const page = await systemPage({ gpu: null });
    expect(await page.getByTestId('cpu-only').textContent()).toContain('no NVIDIA GPU was found');
    expect(await page.getByTestId('provider-details').count()).toBe(0);
    expect(await page.getByTestId('provider-fallback').count()).toBe(0);
    await page.close();
  });
});
