// Settings for motion gating and MQTT in real Chromium against a real `vigil serve` (one still camera:
// GStreamer's solid-colour test pattern, the default detector on the CPU) and a real mosquitto that
// wants a user name and password: a bad sensitivity is refused under its field, a good one is saved
// and shown after a reload, the System page says how many detector runs it saved; the MQTT settings
// are saved, the status line turns "connected", the broker receives Vigil's messages, and the
// password never appears in the page or in any API response.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiMethod, ApiParams, ApiResult } from '../../main/api/contract.js';
import { MOTION_LIMITS } from '../../main/api/registries.js';
import { projectRoot } from '../../main/paths.js';
import { launchBrowser } from '../helpers/browser.js';
import { callApi } from '../helpers/faults.js';
import { mosquittoMissing, startMosquitto, subscribe, until, type Broker } from '../helpers/mosquitto.js';
import { startServe, type ServedNode } from '../helpers/serve.js';

const artifacts = join(projectRoot(), 'test-results', 'screenshots');
const SLOW = 240_000;
const CAMERA = 'still';
const PASSWORD = 'E2e-Br0ker-Secret';
const missing = mosquittoMissing();
if (missing) console.log(`[settings e2e] MQTT part skipped: ${missing}`);

describe('Settings: motion gating and MQTT (vigil serve, a still camera, a real mosquitto)', () => {
  let browser: Browser;
  let served: ServedNode;
  let broker: Broker | null = null;
  /** Every API response body the tests read, to check that none holds the password. */
  const bodies: string[] = [];

  const call = async <M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>> => {
    const r = await callApi<ApiResult<M>>(served.origin, method, params);
    bodies.push(JSON.stringify(r));
    return r;
  };

  async function openPage(hash: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    // What the page itself fetched from the API, too.
    page.on('response', (res) => {
      if (res.url().includes('/api/v1/'))
        void res.text().then(
          (t) => bodies.push(t),
          () => undefined,
        );
    });
    await page.goto(`${served.url}#/${hash}`);
    return page;
  }

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    const home = mkdtempSync(join(tmpdir(), 'vigil-settings-e2e-'));
    writeFileSync(
      join(home, 'workspace.json'),
      JSON.stringify({
        version: 2,
        cameras: [{ id: CAMERA, name: 'Still wall', uri: 'test://solid-color?width=320&height=240&fps=10' }],
        engine: { tracker: 'bytetrack', batchSize: 1, batchedPushTimeoutMs: 40, inferEvery: 1, preview: { width: 320, fps: 2 } },
      }),
    );
    browser = await launchBrowser();
    served = await startServe([], { VIGIL_HOME: home });
    if (!missing) broker = await startMosquitto({ user: 'vigil', password: PASSWORD });
  }, SLOW);
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    await broker?.stop();
  });

  it(
    'motion gating: a bad sensitivity shows the API’s error under the field; a good one is saved, shown after a reload, and its saving on System',
    { timeout: SLOW },
    async () => {
      const page = await openPage('settings');
      await page.getByTestId(`camera-edit-${CAMERA}`).click();
      const sensitivity = page.getByTestId(`camera-motion-sensitivity-${CAMERA}`);
      // The input's bounds are MOTION_LIMITS'.
      expect(await sensitivity.getAttribute('min')).toBe(String(MOTION_LIMITS.sensitivity.min));
      expect(await sensitivity.getAttribute('max')).toBe(String(MOTION_LIMITS.sensitivity.max));
      await page.getByTestId(`camera-motion-enabled-${CAMERA}`).check();
      await sensitivity.fill('500');
      await page.getByTestId(`camera-edit-form-${CAMERA}`).getByRole('button', { name: 'Save' }).click();
      const fieldError = page.getByTestId(`camera-field-error-motion-sensitivity-${CAMERA}`);
      await expect.poll(() => fieldError.textContent(), { timeout: 10_000 }).toMatch(/^Must be a whole number from 1 to 100/);
      const input = (await sensitivity.boundingBox())!;
      const under = (await fieldError.boundingBox())!;
      expect(under.y).toBeGreaterThanOrEqual(input.y + input.height - 1);
      expect(await page.getByTestId(`camera-error-${CAMERA}`).count()).toBe(0);
      expect((await call('workspace.get', {})).cameras[0]!.motion).toEqual({ enabled: false, sensitivity: MOTION_LIMITS.sensitivity.default });
      await page.locator('section[aria-label="Cameras"]').screenshot({ path: join(artifacts, 'settings-motion-error.png') });

      await sensitivity.fill('70');
      await page.getByTestId(`camera-edit-form-${CAMERA}`).getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => page.getByTestId(`camera-motion-${CAMERA}`).textContent(), { timeout: 10_000 }).toBe('on, sensitivity 70');
      expect((await call('workspace.get', {})).cameras[0]!.motion).toEqual({ enabled: true, sensitivity: 70 });
      await page.reload();
      await expect.poll(() => page.getByTestId(`camera-motion-${CAMERA}`).textContent(), { timeout: 10_000 }).toBe('on, sensitivity 70');
      await page.getByTestId(`camera-edit-${CAMERA}`).click();
      expect(await page.getByTestId(`camera-motion-enabled-${CAMERA}`).isChecked()).toBe(true);
      expect(await page.getByTestId(`camera-motion-sensitivity-${CAMERA}`).inputValue()).toBe('70');
      await page.locator('section[aria-label="Cameras"]').screenshot({ path: join(artifacts, 'settings-motion-saved.png') });
      await page.close();

      // The still picture: most of the detector's runs are skipped, and System says so in words.
      const system = await openPage('system');
      const saved = system.getByTestId(`stream-motion-${CAMERA}`);
      const share = async () => Number(/^(\d+) % of detector runs skipped \(still picture\)$/.exec((await saved.textContent()) ?? '')?.[1] ?? -1);
      await expect.poll(share, { timeout: 90_000, interval: 1_000 }).toBeGreaterThanOrEqual(50);
      console.log(`[settings e2e] motion gating on the still camera: ${await saved.textContent()}`);
      await system.screenshot({ path: join(artifacts, 'system-motion-saved.png'), fullPage: true });
      await system.close();
    },
  );

  it.skipIf(missing !== null)(
    'MQTT: a bad topic prefix is refused under its field; the settings are saved, the status turns connected, the broker gets messages, the password is never shown',
    { timeout: SLOW },
    async () => {
      const b = broker!;
      const messages = subscribe(b, 'e2e/site/#', { id: 'settings-e2e', user: 'vigil', password: PASSWORD });
      await messages.ready();
      const page = await openPage('settings');
      await expect.poll(() => page.getByTestId('mqtt-status').textContent(), { timeout: 10_000 }).toBe('Off: nothing is published');
      await page.getByTestId('mqtt-enabled').check();
      await page.getByTestId('mqtt-url').fill(`mqtt://127.0.0.1:${b.port}`);
      await page.getByTestId('mqtt-username').fill('vigil');
      await page.getByTestId('mqtt-password').fill(PASSWORD);
      await page.getByTestId('mqtt-prefix').fill('e2e/#');
      await page.getByTestId('mqtt-format').selectOption('vigil');
      await page.getByTestId('mqtt-save').click();
      const prefixError = page.getByTestId('mqtt-field-error-topicPrefix');
      await expect.poll(() => prefixError.textContent(), { timeout: 10_000 }).toMatch(/without '\+', '#'/);
      const input = (await page.getByTestId('mqtt-prefix').boundingBox())!;
      expect((await prefixError.boundingBox())!.y).toBeGreaterThanOrEqual(input.y + input.height - 1);
      expect((await call('workspace.get', {})).mqtt.enabled).toBe(false);
      await page.locator('section[aria-label="MQTT"]').screenshot({ path: join(artifacts, 'settings-mqtt-error.png') });

      await page.getByTestId('mqtt-prefix').fill('e2e/site');
      await page.getByTestId('mqtt-save').click();
      await expect.poll(() => page.getByTestId('mqtt-field-error-topicPrefix').count(), { timeout: 10_000 }).toBe(0);
      const status = page.getByTestId('mqtt-status');
      await expect.poll(() => status.getAttribute('data-state'), { timeout: 30_000 }).toBe('connected');
      expect(await status.textContent()).toMatch(
        new RegExp(`^Connected to mqtt://vigil@127\\.0\\.0\\.1:${b.port} · \\d+ published · backlog \\d+ of \\d+ · \\d+ dropped$`),
      );
      // The broker (which refuses anyone without the password) got Vigil's messages under the prefix.
      expect(await until(() => messages.messages.some((m) => m.topic === 'e2e/site/available' && m.payload === 'online'), 20_000)).toBe(true);
      // The password field is empty again and says a password is stored.
      expect(await page.getByTestId('mqtt-password').inputValue()).toBe('');
      expect(await page.getByTestId('mqtt-password').getAttribute('placeholder')).toBe('stored');
      expect(await page.getByTestId('mqtt-password-hint').textContent()).toBe('A password is stored (never shown): leave empty to keep it.');
      await page.locator('section[aria-label="MQTT"]').screenshot({ path: join(artifacts, 'settings-mqtt-connected.png') });

      // After a reload: the settings as saved, the password still not shown; saving again without it keeps it.
      await page.reload();
      expect(await page.getByTestId('mqtt-url').inputValue()).toBe(`mqtt://127.0.0.1:${b.port}`);
      expect(await page.getByTestId('mqtt-username').inputValue()).toBe('vigil');
      expect(await page.getByTestId('mqtt-prefix').inputValue()).toBe('e2e/site');
      expect(await page.getByTestId('mqtt-enabled').isChecked()).toBe(true);
      await page.getByTestId('mqtt-format').selectOption('nvmsgconv');
      await page.getByTestId('mqtt-save').click();
      await expect.poll(async () => (await call('workspace.get', {})).mqtt.format, { timeout: 10_000 }).toBe('nvmsgconv');
      const view = (await call('workspace.get', {})).mqtt;
      expect(view.hasPassword).toBe(true);
      await expect.poll(() => page.getByTestId('mqtt-status').getAttribute('data-state'), { timeout: 30_000 }).toBe('connected');
      await call('system.status', {});
      expect(await page.content()).not.toContain(PASSWORD);
      expect(bodies.length).toBeGreaterThan(5);
      for (const body of bodies) expect(body).not.toContain(PASSWORD);
      expect(served.output()).not.toContain(PASSWORD);
      await messages.stop();
      await page.close();
    },
  );
});
