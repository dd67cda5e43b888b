import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
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

    it('opening the app (no hash, or #/) lands on the live wall', async () => {
      for (const url of [node.url, `${node.url}#/`, `${node.url}#/nowhere`]) {
        const page = await browser.newPage();
        await page.goto(url);
        await expect.poll(() => page.getByTestId('nav-live').getAttribute('aria-current'), { timeout: 20_000 }).toBe('page');
        expect(await page.locator('main.app-main').getAttribute('class')).toContain('screen-live');
        await expect.poll(() => page.getByTestId('layout-auto').count(), { timeout: 20_000 }).toBe(1); // the wall's own controls
        expect(await page.getByTestId('engine-state').count()).toBe(0); // not the System screen
        await page.close();
      }
    });

    it('shows the real GStreamer and ONNX Runtime versions reported by the engine process', async () => {
      const page = await browser.newPage();
      await page.goto(`${node.url}#/system`);
      await expect.poll(() => page.getByTestId('engine-state').textContent(), { timeout: 20_000 }).toMatch(/^running/);
      expect(await page.getByTestId('gstreamer-version').textContent()).toBe(`GStreamer ${gstVersion}`);
      expect(await page.getByTestId('onnxruntime-version').textContent()).toMatch(/^1\.29\.\d+$/);
      expect(await page.getByTestId('execution-providers').textContent()).toContain('CPUExecutionProvider');
      // The GPU row says what the driver lists on this machine: a name, or plainly none.
      const gpus = existsSync('/proc/driver/nvidia/gpus') ? readdirSync('/proc/driver/nvidia/gpus') : [];
      if (gpus.length === 0) expect(await page.getByTestId('gpu').textContent()).toBe('no NVIDIA GPU found — inference and decoding run on the CPU');
      else expect(await page.getByTestId('gpu').textContent()).toMatch(/NVIDIA/);
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
      await page.goto(`${node.url}#/system`);
      await expect.poll(() => page.getByTestId('engine-state').textContent(), { timeout: 20_000 }).toMatch(/^failed/);
      expect(await page.getByTestId('engine-state').textContent()).toContain('native engine not found at /nonexistent/vigil_engine.node');
      expect(await page.getByTestId('gstreamer-version').count()).toBe(0);
      await page.close();
    });
  });
});
