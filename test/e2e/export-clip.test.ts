// "Export clip" on the track view (issue 16), in real Chromium against a real `vigil serve` recording
// the demo clip: one click exports the track's time with its boxes burnt in (recordings.export,
// progress shown on the button), and the download link gives an MP4 that GStreamer plays.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordingSegment, TrackSummary } from '../../main/api/contract.js';
import { projectRoot } from '../../main/paths.js';
import { launchBrowser } from '../helpers/browser.js';
import { callApi, until } from '../helpers/faults.js';
import { faultWorkspace, serveWorkspace } from '../helpers/rtsp-camera.js';
import type { ServedNode } from '../helpers/serve.js';

const artifacts = join(projectRoot(), 'test-results', 'screenshots');
const clip = `file://${join(projectRoot(), '.vigil', 'media', 'vtest.mp4')}`;
const SLOW = 240_000;

describe('Export clip from a track (vigil serve, Chromium)', () => {
  let browser: Browser;
  let node: ServedNode;
  let track: TrackSummary;

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    browser = await launchBrowser();
    node = await serveWorkspace(
      faultWorkspace([
        { name: 'North', uri: clip, detectFps: 3, record: { detectionsHz: 0, snapshots: true, mode: 'continuous', segmentSeconds: 4 } } as never,
      ]),
      { VIGIL_RECORDINGS_EVERY_MS: '1000' },
    );
    // An ended track whose whole time (± the 2 s the button adds) is inside indexed video.
    track = await until(
      'an ended track inside the recorded video',
      SLOW - 30_000,
      async () => {
        const segments = await callApi<RecordingSegment[]>(node.origin, 'recordings.list', { camera: 'north', from: 0, to: Date.now() + 60_000 });
        if (segments.length < 2) return undefined;
        const first = Math.min(...segments.map((s) => s.start));
        const last = Math.max(...segments.map((s) => s.end));
        const tracks = await callApi<TrackSummary[]>(node.origin, 'tracks.search', { cameras: ['north'], limit: 200 });
        return tracks.find((t) => t.ended && t.firstSeen - 2000 > first && t.lastSeen + 2000 < last && t.lastSeen - t.firstSeen > 1000);
      },
      1000,
    );
  }, SLOW);
  afterAll(async () => {
    await browser?.close();
    await node?.stop();
  });

  it('one click on "Export clip" gives a download link to an MP4 with the boxes that GStreamer plays', { timeout: SLOW }, async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${node.url}#/review/${track.id}`);
    const button = page.getByTestId('export-clip');
    await expect.poll(() => button.isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await page.getByTestId('export-boxes').isChecked()).toBe(true);
    await button.click();
    const link = page.getByTestId('export-link');
    await expect.poll(() => link.count(), { timeout: 180_000 }).toBe(1);
    await page.screenshot({ path: join(artifacts, 'export-clip.png') });
    const href = await link.getAttribute('href');
    expect(href).toMatch(/^\/media\/exports\/[0-9a-f]{16}\/north_\d{8}T\d{6}Z_\d{8}T\d{6}Z_boxes\.mp4$/);
    expect(await page.getByTestId('export-error').count()).toBe(0);
    // How long the file stays: a day from now (main/core/export-jobs.ts KEEP_MS), said beside the link.
    const kept = (await page.getByTestId('export-kept').textContent()) ?? '';
    const until = new Date(kept.replace('kept until ', '').replace(' ', 'T')).getTime();
    expect(Math.abs(until - (Date.now() + 24 * 3_600_000))).toBeLessThan(10 * 60_000);
    // The browser fetches it as the link would (same origin, same cookies), and GStreamer plays it.
    const bytes = await page.evaluate(async (url) => Array.from(new Uint8Array(await (await fetch(url)).arrayBuffer())), href!);
    const file = join(mkdtempSync(join(tmpdir(), 'vigil-e2e-export-')), 'clip.mp4');
    writeFileSync(file, Buffer.from(bytes));
    const played = spawnSync('gst-launch-1.0', ['-q', 'filesrc', `location=${file}`, '!', 'qtdemux', '!', 'decodebin', '!', 'fakesink'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(played.status, `${played.stdout}${played.stderr}`).toBe(0);
    const seconds = (track.lastSeen - track.firstSeen + 4000) / 1000;
    expect(bytes.length).toBeGreaterThan(seconds * 10_000); // a clip of that many seconds, not an empty file
    await page.close();
  });
});
