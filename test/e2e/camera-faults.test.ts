// Fault 2: wrong credentials, a port where nothing listens, a name that does not resolve, an unknown
// scheme and a camera that stalls with its connection open each show a distinct, actionable state:
// in the API (streams' reason + advice) and on the live wall's tile. Real `vigil serve`, real engine,
// a real RTSP camera (gst-rtsp-server).
import { createServer } from 'node:net';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamStats, SystemStatus } from '../../main/api/contract.js';
import { projectRoot } from '../../main/paths.js';
import { launchBrowser } from '../helpers/browser.js';
import { callApi, until } from '../helpers/faults.js';
import { faultWorkspace, RtspCamera, serveWorkspace } from '../helpers/rtsp-camera.js';
import type { ServedNode } from '../helpers/serve.js';

const artifacts = join(projectRoot(), 'test-results', 'screenshots');

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe('camera faults: each a distinct state in the API and on the tile', () => {
  const locked = new RtspCamera({ user: 'operator', password: 's3cret' });
  const stalling = new RtspCamera();
  let node: ServedNode;
  let browser: Browser;
  const streams = async (): Promise<Record<string, StreamStats>> =>
    Object.fromEntries((await callApi<SystemStatus>(node.origin, 'system.status')).streams.map((s) => [s.camera, s]));

  beforeAll(async () => {
    await Promise.all([locked.start(), stalling.start()]);
    const refused = await closedPort();
    node = await serveWorkspace(
      faultWorkspace([
        { name: 'Wrong password', uri: locked.uri('operator:badpass') },
        { name: 'Refused', uri: `rtsp://127.0.0.1:${refused}/cam` },
        { name: 'No such host', uri: 'rtsp://camera.invalid/cam' },
        { name: 'Stalls', uri: stalling.uri() },
      ]),
    );
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await node?.stop();
    await Promise.all([locked.kill(), stalling.kill()]);
  });

  it('names each failure with its own reason and the fix', async () => {
    const s = await until(
      'every camera to show its reason',
      60_000,
      async () => {
        const s = await streams();
        return s['wrong-password']?.reason === 'auth-failed' &&
          s['refused']?.reason === 'connection-refused' &&
          s['no-such-host']?.reason === 'host-not-found' &&
          s['stalls']?.state === 'live' &&
          s['stalls'].reason === null
          ? s
          : undefined;
      },
      250,
    );
    expect(s['wrong-password']!.advice).toMatch(/refused the user name or password/);
    expect(s['refused']!.advice).toMatch(/Nothing answered at 127\.0\.0\.1:\d+ \(connection refused\)\. Check the address and port/);
    expect(s['no-such-host']!.advice).toMatch(/'camera\.invalid' does not resolve/);
    for (const id of ['wrong-password', 'refused', 'no-such-host']) {
      expect(s[id]!.state).toBe('reconnecting');
      expect(s[id]!.error).not.toMatch(/s3cret|badpass/); // the engine's detail never shows the password
    }
    // An unknown scheme never gets in: the API refuses it and names what works.
    await expect(callApi(node.origin, 'cameras.add', { name: 'Ftp', uri: 'ftp://127.0.0.1/cam' })).rejects.toThrow(
      /scheme 'ftp' is not supported — use one of/,
    );

    // The stalling camera: connection open, no video. Stalled well before the engine's 10 s watchdog reconnects.
    stalling.stall();
    const stalledAt = Date.now();
    const stalled = await until(
      'the stalled camera to be reported',
      15_000,
      async () => ((await streams())['stalls']?.reason === 'stalled' ? (await streams())['stalls'] : undefined),
      250,
    );
    const after = Date.now() - stalledAt;
    console.log(`[faults] stall reported ${after} ms after the camera stopped sending (state ${stalled!.state})`);
    expect(after).toBeLessThan(8_000);
    expect(stalled!.advice).toMatch(/open but no video arrived/);
    const reasons = new Set(Object.values(await streams()).map((x) => x.reason));
    expect(reasons).toEqual(new Set(['auth-failed', 'connection-refused', 'host-not-found', 'stalled']));

    // The wall shows the same states, with the sentence for the operator.
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(new URL('#/live', node.url).toString());
    for (const [id, reason] of [
      ['wrong-password', 'auth-failed'],
      ['refused', 'connection-refused'],
      ['no-such-host', 'host-not-found'],
      ['stalls', 'stalled'],
    ] as const) {
      await expect.poll(() => page.getByTestId(`tile-${id}`).getAttribute('data-reason'), { timeout: 15_000 }).toBe(reason);
    }
    expect(await page.getByTestId('tile-reason-refused').textContent()).toMatch(/Nothing answered at 127\.0\.0\.1:\d+ \(connection refused\)/);
    expect(await page.getByTestId('tile-reason-wrong-password').textContent()).toMatch(/refused the user name or password/);
    await expect.poll(() => page.getByTestId('tile-retry-refused').textContent(), { timeout: 10_000 }).toMatch(/retry in \d+ s|retrying/);
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'live-wall-camera-faults.png') });

    // Video again: the reason clears.
    stalling.resume();
    await until(
      'the stalled camera to recover',
      40_000,
      async () => ((await streams())['stalls']?.reason === null && (await streams())['stalls']?.state === 'live' ? true : undefined),
      250,
    );
    await page.close();
  });
});
