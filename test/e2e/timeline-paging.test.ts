// The timeline over a window with more tracks than the server answers in one page (500), in real
// Chromium against a real `vigil serve`: its store was written beforehand by the real recorder
// (SQLite, synthetic engine batches) with 800 tracks of one camera 20 minutes ago.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../main/paths.js';
import { openStore } from '../../main/store/index.js';
import { launchBrowser } from '../helpers/browser.js';
import { startServe, type ServedNode } from '../helpers/serve.js';
import { cameraName, sceneBatch } from '../unit/store/batches.js';

const artifacts = join(projectRoot(), 'test-results', 'screenshots');
const TRACKS = 800; // 80 generations of 10 objects

describe('timeline past one page of tracks (vigil serve, a recorded store)', () => {
  let browser: Browser;
  let served: ServedNode;
  let start = 0;

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    const home = mkdtempSync(join(tmpdir(), 'vigil-home-'));
    // No cameras of its own: the node only serves what was recorded.
    writeFileSync(join(home, 'workspace.json'), JSON.stringify({ version: 1, cameras: [] }));
    const store = await openStore({ dataDir: join(home, 'record') });
    store.recorder.startEngineRun();
    start = Date.now() - 20 * 60_000;
    for (let n = 0; n < (TRACKS / 10) * 20; n++)
      expect(store.recorder.write(sceneBatch(n, { cameras: 1, objects: 10, trackFrames: 20, fps: 10, start })).ok).toBe(true);
    await store.recorder.flush();
    await store.close();
    browser = await launchBrowser();
    served = await startServe([], { VIGIL_HOME: home });
  });
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
  });

  it(`marks all ${TRACKS} tracks of the hour (the server pages by 500), and says so`, { timeout: 120_000 }, async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${served.url}#/timeline`);
    await expect.poll(() => page.getByTestId(`timeline-lane-${cameraName(0)}`).count(), { timeout: 20_000 }).toBe(1);
    await page.keyboard.press(' '); // hold the view still
    await page.getByRole('button', { name: '1 h' }).click();
    await expect.poll(() => page.getByTestId('timeline-markers').getAttribute('data-span'), { timeout: 20_000 }).toBe('3600000');
    await expect.poll(() => page.getByTestId('timeline-range').textContent(), { timeout: 20_000 }).toMatch(new RegExp(` · ${TRACKS} tracks$`));
    // Every track is a marker the renderer can hit, not only the newest page.
    const ids = await page.evaluate(() => window.__vigilTimeline!.visibleMarkers().length);
    expect(ids).toBe(TRACKS);
    await page.screenshot({ path: join(artifacts, 'timeline-paged.png') });
    await page.close();
  });
});
