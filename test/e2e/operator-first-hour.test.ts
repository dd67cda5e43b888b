// The operator's first hour (issue 18), in real Chromium against a real `vigil serve` on the demo
// workspace (4 cameras playing vtest in a loop, the default detector on the CPU, recording to SQLite):
// adding a camera safely, the live wall's legend, figures and pause, review's filters, the system page.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiMethod, ApiParams, ApiResult } from '../../main/api/contract.js';
import { projectRoot } from '../../main/paths.js';
import { launchBrowser } from '../helpers/browser.js';
import { startServe, type ServedNode } from '../helpers/serve.js';

const artifacts = join(projectRoot(), 'test-results', 'screenshots');
const SLOW = 180_000;

describe("the operator's first hour in Chromium against vigil serve (demo workspace, real engine)", () => {
  let browser: Browser;
  let served: ServedNode;
  let cameras: { id: string; name: string }[];

  async function call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>> {
    const res = await fetch(new URL(`api/v1/${method.split('.').join('/')}`, served.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(params),
    });
    const reply = (await res.json()) as { ok: boolean; result: ApiResult<M>; error?: { message: string } };
    if (!reply.ok) throw new Error(`${method}: ${reply.error?.message}`);
    return reply.result;
  }

  async function openPage(hash: string, viewport = { width: 1280, height: 800 }): Promise<Page> {
    const page = await browser.newPage({ viewport });
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${served.url}#/${hash}`);
    return page;
  }

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    browser = await launchBrowser();
    served = await startServe();
    cameras = (await call('workspace.get', {})).cameras;
  });
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
  });

  it('Add camera: a source that does not answer is refused in plain words (detail behind a disclosure), then added on "add anyway"; a taken name is refused under Name', { timeout: SLOW }, async () => {
    const page = await openPage('settings');
    await expect.poll(() => page.locator('[data-testid^="camera-row-"]').count(), { timeout: 20_000 }).toBe(cameras.length);
    // The name field's example is not the name of a camera the workspace has.
    const placeholder = await page.getByTestId('add-camera-name').getAttribute('placeholder');
    expect(placeholder).toBeTruthy();
    expect(cameras.map((c) => c.name.toLowerCase())).not.toContain(placeholder!.toLowerCase());

    // Nothing listens on port 9: Add tests first and refuses, in the operators' words.
    await page.getByTestId('add-camera-name').fill('Dock');
    await page.getByTestId('add-camera-uri').fill('rtsp://127.0.0.1:9/none');
    await page.getByTestId('add-camera-submit').click();
    await expect.poll(() => page.getByTestId('add-camera-error-text').textContent(), { timeout: 30_000 }).toMatch(/^Not added: Nothing answered at 127\.0\.0\.1:9 \(connection refused\)\. Check the address and port/);
    expect((await call('workspace.get', {})).cameras.map((c) => c.name)).not.toContain('Dock');
    // The engine's own text is there, closed until asked for.
    const detail = page.getByTestId('add-camera-error-detail');
    expect(await detail.evaluate((d: HTMLDetailsElement) => d.open)).toBe(false);
    expect((await detail.locator('code').textContent())?.length).toBeGreaterThan(0);
    expect(await detail.locator('code').isVisible()).toBe(false);
    await page.screenshot({ path: join(artifacts, 'settings-add-refused.png'), fullPage: true });

    // The connection test speaks the same words; its message replaces the refusal (one message per form).
    await page.getByTestId('add-camera-test').click();
    await expect.poll(() => page.getByTestId('add-camera-test-result-text').textContent(), { timeout: 30_000 }).toMatch(/^cannot open rtsp:\/\/127\.0\.0\.1:9\/none: Nothing answered at 127\.0\.0\.1:9 \(connection refused\)/);
    expect(await page.getByTestId('add-camera-error').count()).toBe(0);
    expect(await page.getByTestId('add-camera-test-result-text').textContent()).not.toMatch(/Could not open resource|ENOENT|\(camera\.uri\)/);

    // Add anyway: the camera is added and keeps retrying.
    await page.getByTestId('add-camera-submit').click();
    await expect.poll(() => page.getByTestId('add-camera-force').count(), { timeout: 30_000 }).toBe(1);
    await page.getByTestId('add-camera-force').click();
    await expect.poll(() => page.getByTestId('add-camera-added').textContent(), { timeout: 20_000 }).toMatch(/^Added 'Dock' without a working connection — Vigil keeps retrying/);
    expect(await page.getByTestId('add-camera-error').count()).toBe(0); // no old red message under the green one
    expect(await page.getByTestId('add-camera-test-result').count()).toBe(0);
    await expect.poll(() => page.getByTestId('camera-row-dock').count(), { timeout: 10_000 }).toBe(1);
    expect(await page.getByTestId('add-camera-name').getAttribute('placeholder')).not.toBe('Dock');

    // A second "dock" (any case) is refused, the error under the Name field; nothing is added.
    await page.getByTestId('add-camera-name').fill('DOCK');
    await page.getByTestId('add-camera-uri').fill('test://ball?width=320&height=180&fps=5');
    await page.getByTestId('add-camera-submit').click();
    await expect.poll(() => page.getByTestId('add-camera-name-error').textContent(), { timeout: 20_000 }).toBe("a camera named 'Dock' already exists — give this camera its own name");
    const nameBox = (await page.getByTestId('add-camera-name').boundingBox())!;
    const errorBox = (await page.getByTestId('add-camera-name-error').boundingBox())!;
    expect(errorBox.y).toBeGreaterThan(nameBox.y + nameBox.height - 1); // under the field
    expect(Math.abs(errorBox.x - nameBox.x)).toBeLessThan(40);
    expect(await page.getByTestId('add-camera-added').count()).toBe(0);
    expect((await call('workspace.get', {})).cameras.filter((c) => c.name.toLowerCase() === 'dock').length).toBe(1);
    await page.screenshot({ path: join(artifacts, 'settings-add-duplicate.png'), fullPage: true });

    await call('cameras.remove', { id: 'dock' });
    await page.close();
  });
});
