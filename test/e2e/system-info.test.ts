import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../main/paths.js';
import { launchBrowser } from '../helpers/browser.js';
import { startServe, type ServedNode } from '../helpers/serve.js';

const gstVersion = execFileSync('pkg-config', ['--modversion', 'gstreamer-1.0'], { encoding: 'utf8' }).trim();
const artifacts = join(projectRoot(), 'test-results', 'screenshots');

describe('system info in Chromium against vigil serve', () => {
  let browser: Browser;
  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    browser = await launchBrowser();
  });
  afterAll(() => browser?.close());

  describe('with the engine built', () => {
    let node: ServedNode;
    beforeAll(async () => {
      node = await startServe();
    });
    afterAll(() => node?.stop());

    it('shows the real GStreamer and ONNX Runtime versions reported by the engine process', async () => {
      const page = await browser.newPage();
      await page.goto(node.url);
      await expect.poll(() => page.getByTestId('engine-state').textContent(), { timeout: 20_000 }).toMatch(/^running/);
      expect(await page.getByTestId('gstreamer-version').textContent()).toBe(`GStreamer ${gstVersion}`);
      expect(await page.getByTestId('onnxruntime-version').textContent()).toMatch(/^1\.29\.\d+$/);
      expect(await page.getByTestId('execution-providers').textContent()).toContain('CPUExecutionProvider');
      await page.screenshot({ path: join(artifacts, 'system-info.png') });
      await page.close();
    });
  });

  describe('when the addon cannot be loaded', () => {
    let node: ServedNode;
    beforeAll(async () => {
      node = await startServe([], { VIGIL_ADDON: '/nonexistent/vigil_engine.node' });
    });
    afterAll(() => node?.stop());

    it('says the engine failed and why, and shows no versions', async () => {
      const page = await browser.newPage();
      await page.goto(node.url);
      await expect.poll(() => page.getByTestId('engine-state').textContent(), { timeout: 20_000 }).toMatch(/^failed/);
      expect(await page.getByTestId('engine-state').textContent()).toContain('native engine not found at /nonexistent/vigil_engine.node');
      expect(await page.getByTestId('gstreamer-version').count()).toBe(0);
      await page.close();
    });
  });
});
