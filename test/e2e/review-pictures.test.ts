// Issue 18's leftovers, in real Chromium against a real `vigil serve` on the demo workspace (4 cameras
// playing vtest in a loop, the default detector on the CPU, recording to SQLite): thumbnails cropped
// to the object, a live picture for tracks still followed, "Record this camera" from a track, the
// timeline's stacked label bands with a legend and hover pictures, one Pause control on both screens.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiMethod, ApiParams, ApiResult } from '../../main/api/contract.js';
import { projectRoot } from '../../main/paths.js';
import { launchBrowser } from '../helpers/browser.js';
import { startServe, type ServedNode } from '../helpers/serve.js';
import { callApi } from '../helpers/faults.js';

const artifacts = join(projectRoot(), 'test-results', 'screenshots');
const SLOW = 180_000;
/** vtest.avi's frame size: the source pixels boxes and crops refer to. */
const FRAME = { width: 768, height: 576 };

const rect = (s: string | null) => {
  const [x, y, w, h] = s!.split(',').map(Number) as [number, number, number, number];
  return { x, y, w, h };
};

describe('review pictures, record from a track, timeline bands, one Pause (vigil serve, demo workspace)', () => {
  let browser: Browser;
  let served: ServedNode;
  let cameras: { id: string; name: string }[];

  // The typed form of the API call every test helper makes (test/helpers/faults.ts).
  const call = <M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>> =>
    callApi<ApiResult<M>>(new URL(served.url).origin, method, params);

  async function openPage(hash: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${served.url}#/${hash}`);
    return page;
  }

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    browser = await launchBrowser();
    served = await startServe();
    cameras = (await call('workspace.get', {})).cameras;
    // Ended tracks with snapshots before the screens are opened.
    const deadline = Date.now() + 120_000;
    while ((await call('tracks.search', { limit: 200 })).filter((t) => t.ended && t.snapshotUrl).length < 4) {
      if (Date.now() > deadline) throw new Error(`no ended tracks with snapshots after 120 s:\n${served.output()}`);
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }, SLOW);
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
  });

  it('review list: snapshots cropped around the object; tracks still followed show the live view of the object', { timeout: SLOW }, async () => {
    const page = await openPage('review?minSec=0');
    const thumbs = page.locator('[data-testid^="review-thumb-"]');
    await expect.poll(() => thumbs.count(), { timeout: 20_000 }).toBeGreaterThan(3);
    const bySource = async (source: string) =>
      page
        .locator(`[data-testid^="review-thumb-"][data-source="${source}"][data-crop]`)
        .evaluateAll((els) => els.map((e) => ({ id: e.getAttribute('data-testid')!.slice('review-thumb-'.length), crop: e.getAttribute('data-crop') })));
    await expect.poll(async () => (await bySource('snapshot')).length, { timeout: 20_000 }).toBeGreaterThan(0);
    const tracks = new Map((await call('tracks.search', { limit: 500 })).map((t) => [t.id, t]));
    for (const { id, crop } of await bySource('snapshot')) {
      const t = tracks.get(id);
      if (!t) continue;
      const c = rect(crop);
      const [bx, by, bw, bh] = t.bestBox;
      // Inside the frame, around the best box, and a part of the frame only.
      expect(c.x).toBeGreaterThanOrEqual(0);
      expect(c.y).toBeGreaterThanOrEqual(0);
      expect(c.x + c.w).toBeLessThanOrEqual(FRAME.width + 1);
      expect(c.y + c.h).toBeLessThanOrEqual(FRAME.height + 1);
      expect(c.x).toBeLessThanOrEqual(bx + 1);
      expect(c.y).toBeLessThanOrEqual(by + 1);
      expect(c.x + c.w).toBeGreaterThanOrEqual(bx + bw - 1);
      expect(c.y + c.h).toBeGreaterThanOrEqual(Math.min(FRAME.height, by + bh) - 1);
      if (bw < FRAME.width / 4 && bh < FRAME.height / 4) expect(c.w * c.h).toBeLessThan((FRAME.width * FRAME.height) / 2);
    }
    // Tracks that had not ended when the list loaded have no snapshot: their picture is the live preview, cropped.
    await expect.poll(async () => (await bySource('live')).length, { timeout: 30_000 }).toBeGreaterThan(0);
    for (const { crop } of await bySource('live')) {
      const c = rect(crop);
      expect(c.x + c.w).toBeLessThanOrEqual(FRAME.width + 1);
      expect(c.w).toBeLessThan(FRAME.width);
    }
    expect(await page.locator('[data-testid^="review-thumb-"][data-source="waiting"]').count()).toBeLessThan(await thumbs.count());
    await page.screenshot({ path: join(artifacts, 'review-cropped-thumbs.png') });
    await page.close();
  });

  it('a track still followed opens with its live picture and says when its snapshot comes', { timeout: SLOW }, async () => {
    const page = await openPage('review');
    page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
    // The list has loaded (and put its query in the URL) before the URL is changed to a track's.
    await expect.poll(() => page.locator('[data-testid^="review-thumb-"]').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    let seen = false;
    for (let attempt = 0; attempt < 10 && !seen; attempt++) {
      const open = (await call('tracks.search', { limit: 200 })).find((t) => !t.ended && Date.now() - t.firstSeen > 1_500);
      if (!open) {
        await page.waitForTimeout(1_000);
        continue;
      }
      await page.goto(`${served.url}#/review/${open.id}`);
      // The track's page, or the reason it did not open (said, then the next track is tried).
      await expect
        .poll(async () => (await page.getByTestId('track-id').count()) + (await page.getByTestId('track-error').count()), { timeout: 20_000 })
        .toBeGreaterThan(0);
      if ((await page.getByTestId('track-error').count()) > 0) {
        console.log(`track ${open.id} did not open: ${await page.getByTestId('track-error').textContent()}`);
        continue;
      }
      await expect.poll(() => page.getByTestId('track-id').textContent(), { timeout: 10_000 }).toBe(open.id);
      if ((await page.getByTestId('track-live').count()) === 0) continue; // it ended meanwhile
      seen = await expect
        .poll(() => page.getByTestId('track-live').getAttribute('data-source'), { timeout: 5_000 })
        .toBe('live')
        .then(
          () => true,
          () => false,
        );
      if (seen) {
        expect(await page.getByTestId('track-picture-note').textContent()).toMatch(
          /^Still followed: .* snapshot of its best moment is taken when the track ends/,
        );
        await page.screenshot({ path: join(artifacts, 'review-open-track.png') });
      }
    }
    expect(seen).toBe(true);
    await page.close();
  });

  it('Record this camera: a track of a camera that keeps no snapshots offers it, and one click turns them on', { timeout: SLOW }, async () => {
    const cam = cameras[1]!;
    await call('cameras.update', { id: cam.id, patch: { record: { snapshots: false } } });
    const track = (await call('tracks.search', { cameras: [cam.id], limit: 20 }))[0]!;
    const page = await openPage(`review/${track.id}`);
    await expect
      .poll(() => page.getByTestId('record-state').textContent(), { timeout: 20_000 })
      .toMatch(new RegExp(`^${cam.name} records boxes only .*no snapshots`));
    await page.getByTestId('record-camera').click();
    await expect
      .poll(() => page.getByTestId('record-result').textContent(), { timeout: 20_000 })
      .toBe(`Recording is on for ${cam.name}: its next tracks get a snapshot and video.`);
    const record = (await call('workspace.get', {})).cameras.find((c) => c.id === cam.id)!.record;
    expect(record.snapshots).toBe(true);
    expect(record.mode).not.toBe('off');
    await expect.poll(() => page.getByTestId('record-camera').count(), { timeout: 10_000 }).toBe(0);
    await expect
      .poll(() => page.getByTestId('record-state').textContent())
      .toMatch(new RegExp(`^${cam.name} records a snapshot of each track and its boxes \\(every frame\\), video`));
    await page.screenshot({ path: join(artifacts, 'review-record-camera.png') });
    await page.close();
  });

  it('timeline: one band per label and camera, overlapping tracks on separate rows, a legend, a cropped picture on hover', { timeout: SLOW }, async () => {
    const page = await openPage('timeline');
    await expect.poll(() => page.getByTestId('timeline-markers').getAttribute('data-span'), { timeout: 20_000 }).not.toBe('0');
    await page.getByTestId('timeline-play').click();
    await page.getByRole('button', { name: '1 min' }).click();
    await expect.poll(() => page.getByTestId('timeline-markers').getAttribute('data-span'), { timeout: 20_000 }).toBe('60000');
    await expect.poll(() => page.locator('[data-testid^="timeline-marker-"]').count(), { timeout: 20_000 }).toBeGreaterThan(3);

    // In every band, the bars of one row never overlap in time (the aggregate row aside).
    const rows = await page.evaluate(() =>
      window.__vigilTimeline!.layout.flatMap((lane) =>
        lane.bands.map((b) => ({
          key: `${lane.camera}/${b.label}`,
          rows: b.rows,
          placed: b.placed.filter((p) => !p.aggregated).map((p) => ({ row: p.row, from: p.track.firstSeen, to: p.track.lastSeen })),
        })),
      ),
    );
    expect(rows.length).toBeGreaterThan(0);
    let stacked = 0;
    for (const band of rows) {
      const byRow = new Map<number, { from: number; to: number }[]>();
      for (const p of band.placed) byRow.set(p.row, [...(byRow.get(p.row) ?? []), p]);
      for (const list of byRow.values()) {
        list.sort((a, b) => a.from - b.from);
        for (let i = 1; i < list.length; i++) expect(list[i]!.from, band.key).toBeGreaterThan(list[i - 1]!.to);
      }
      if (band.rows > 1) stacked++;
    }
    console.log(`bands: ${rows.length}, with more than one row: ${stacked}`);
    for (const c of cameras) expect(await page.getByTestId(`timeline-lane-${c.id}`).count()).toBe(1);
    const band = page.locator(`[data-testid^="timeline-band-${cameras[0]!.id}-person"]`);
    expect(await band.textContent()).toMatch(/^person/);
    // The legend: the labels in view in their colours, and what each mark means.
    expect(await page.getByTestId('legend-label-person').textContent()).toBe('person');
    expect(await page.getByTestId('legend-bar').textContent()).toMatch(/a track, first to last sighting/);
    expect(await page.getByTestId('legend-density').textContent()).toMatch(/detections/);

    // Hover the bar of a track with a snapshot: a card with its picture, cropped, and what it is.
    let hovered: string | undefined;
    await expect
      .poll(
        async () => {
          const withSnapshot = new Set((await call('tracks.search', { limit: 500 })).filter((t) => t.snapshotUrl).map((t) => t.id));
          const shown = await page
            .locator('[data-testid^="timeline-marker-"]')
            .evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')!.slice('timeline-marker-'.length)));
          hovered = shown.find((id) => withSnapshot.has(id));
          return hovered !== undefined;
        },
        { timeout: 60_000, interval: 1_000 },
      )
      .toBe(true);
    expect(hovered).toBeDefined();
    const marker = page.getByTestId(`timeline-marker-${hovered}`);
    const box = (await page.getByTestId('timeline-canvas').boundingBox())!;
    await page.mouse.move(box.x + Number(await marker.getAttribute('data-x')), box.y + Number(await marker.getAttribute('data-y')));
    await expect.poll(() => page.getByTestId('timeline-hover').getAttribute('data-track'), { timeout: 10_000 }).toBe(hovered);
    await expect.poll(() => page.getByTestId('timeline-hover-thumb').getAttribute('data-source'), { timeout: 10_000 }).toBe('snapshot');
    await page.screenshot({ path: join(artifacts, 'timeline-bands-hover.png') });
    await page.close();
  });

  it('Pause: the same control, words and place on the live wall and the timeline, pressed only while paused', { timeout: SLOW }, async () => {
    for (const [screen, id] of [
      ['live', 'wall-pause'],
      ['timeline', 'timeline-play'],
    ] as const) {
      const page = await openPage(screen);
      const pause = page.getByTestId(id);
      await expect.poll(() => pause.textContent(), { timeout: 20_000 }).toBe('Pause (space)');
      expect(await pause.getAttribute('aria-pressed')).toBe('false');
      // First in its toolbar.
      expect(await page.locator('[role="toolbar"] button').first().getAttribute('data-testid')).toBe(id);
      await page.keyboard.press(' ');
      await expect.poll(() => pause.textContent()).toBe('Resume (space)');
      expect(await pause.getAttribute('aria-pressed')).toBe('true');
      await pause.click();
      await expect.poll(() => pause.textContent()).toBe('Pause (space)');
      await page.close();
    }
  });
});
