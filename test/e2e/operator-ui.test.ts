// The operator UI in real Chromium against the fixture backend (test/helpers/fake-node.ts: the
// contract's wire format with scripted data and real GStreamer JPEGs), for what a real node cannot
// be made to do on demand: stream errors, dropped sockets, failing API calls. The same screens
// against a real `vigil serve` on the demo workspace: operator-ui-serve.test.ts.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../main/paths.js';
import { launchBrowser } from '../helpers/browser.js';
import { startFakeNode, type FakeNode } from '../helpers/fake-node.js';
import { tileSnapshot } from '../helpers/live-wall.js';

const artifacts = join(projectRoot(), 'test-results', 'screenshots');
const CAR_COLOUR = [0x4d, 0xa3, 0xff]; // labelColor('car') in renderer/common/colors.ts

const near = (a: number[], b: number[], tol = 40) => a.every((v, i) => Math.abs(v - b[i]!) <= tol);

describe('operator UI in Chromium (fixture backend)', () => {
  let browser: Browser;
  let node: FakeNode;
  let url: string;
  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    browser = await launchBrowser();
    node = await startFakeNode({ cameras: 4, fps: 10, trackEveryMs: 2000 });
    url = process.env.VIGIL_E2E_URL ?? node.url;
  });
  afterAll(async () => {
    await browser?.close();
    await node?.stop();
  });

  async function openPage(hash: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${url}#/${hash}`);
    return page;
  }

  it('live wall draws moving frames with the boxes of the same frame (fixture backend)', async () => {
    const page = await openPage('live');
    for (const cam of ['cam1', 'cam2', 'cam3', 'cam4']) {
      await expect.poll(() => page.getByTestId(`tile-state-${cam}`).textContent(), { timeout: 15_000 }).toBe('live');
    }
    const first = await tileSnapshot(page, 'cam1');
    await page.waitForTimeout(600);
    const second = await tileSnapshot(page, 'cam1');
    expect(second.drawn).toBeGreaterThan(first.drawn);
    expect(second.lastFrame).toBeGreaterThan(first.lastFrame);
    expect(second.checksum).not.toBe(first.checksum); // the pixels moved

    // The overlay drawn is exactly the metadata the backend sent with that frame.
    const sent = node.sent('cam1').get(second.lastFrame);
    expect(sent).toBeDefined();
    expect(second.lastObjects).toEqual(sent!.objects);
    const carIndex = second.lastObjects.findIndex((o) => o.label === 'car');
    expect(carIndex).toBeGreaterThanOrEqual(0);
    // And the car's box edge on the canvas has the car's class colour, where the metadata puts it.
    expect(second.edges[carIndex]!.some((px) => near(px, CAR_COLOUR))).toBe(true);
    await expect.poll(() => page.getByTestId('tile-fps-cam1').textContent()).toMatch(/^detect \d+\.\d fps · latency \d+ ms$/);
    await page.screenshot({ path: join(artifacts, 'fixture-live-wall.png') });

    // 1 shows one tile, 0 goes back to auto, clicking a tile focuses it, Escape goes back.
    await page.keyboard.press('1');
    await expect.poll(() => page.locator('[data-testid^="tile-state-"]').count()).toBe(1);
    await page.keyboard.press('0');
    await expect.poll(() => page.locator('[data-testid^="tile-state-"]').count()).toBe(4);
    await page.getByTestId('tile-canvas-cam3').click();
    await expect.poll(() => page.locator('[data-testid^="tile-state-"]').count()).toBe(1);
    expect(await page.getByTestId('tile-cam3').count()).toBe(1);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('[data-testid^="tile-state-"]').count()).toBe(4);

    // Space pauses the wall: frames keep arriving but the drawn frame holds still.
    await page.keyboard.press(' ');
    expect(await page.getByTestId('wall-pause').getAttribute('aria-pressed')).toBe('true');
    await page.waitForTimeout(300); // let the pause reach the renderer and any relayout settle
    const held = await tileSnapshot(page, 'cam2');
    await page.waitForTimeout(500);
    const stillHeld = await tileSnapshot(page, 'cam2');
    expect(stillHeld.lastFrame).toBe(held.lastFrame);
    expect(stillHeld.checksum).toBe(held.checksum);
    await page.keyboard.press(' ');
    await expect.poll(async () => (await tileSnapshot(page, 'cam2')).lastFrame).toBeGreaterThan(held.lastFrame);

    // Dragging cam4 onto cam1 puts it first.
    await page.getByTestId('tile-cam4').dragTo(page.getByTestId('tile-cam1'));
    await expect.poll(() => page.locator('[data-testid^="tile-cam"]').first().getAttribute('data-testid')).toBe('tile-cam4');
    await page.close();
  });

  it('a tile shows the stream error and its reason, and goes live again (fixture backend)', async () => {
    const page = await openPage('live');
    await expect.poll(() => page.getByTestId('tile-state-cam3').textContent(), { timeout: 15_000 }).toBe('live');
    node.setStreamState('cam3', { state: 'error', error: "camera 'Camera 3': cannot open rtsp://10.0.0.3/live: 401 Unauthorized — check the credentials" });
    await expect.poll(() => page.getByTestId('tile-state-cam3').textContent()).toBe('error');
    expect(await page.getByTestId('tile-reason-cam3').textContent()).toBe(
      "camera 'Camera 3': cannot open rtsp://10.0.0.3/live: 401 Unauthorized — check the credentials",
    );
    expect(await page.getByTestId('tile-state-cam1').textContent()).toBe('live');
    node.setStreamState('cam3', null);
    await expect.poll(() => page.getByTestId('tile-state-cam3').textContent()).toBe('live');
    expect(await page.getByTestId('tile-reason-cam3').count()).toBe(0);
    await page.close();
  });

  it('tiles reconnect and resubscribe when the connection drops (fixture backend)', async () => {
    const page = await openPage('live');
    await expect.poll(() => page.getByTestId('tile-state-cam2').textContent(), { timeout: 15_000 }).toBe('live');
    node.dropSockets();
    await expect.poll(() => page.getByTestId('connection-state').textContent(), { timeout: 5_000 }).toBe('reconnecting');
    await expect.poll(() => page.getByTestId('connection-state').textContent(), { timeout: 10_000 }).toBe('connected');
    const before = (await tileSnapshot(page, 'cam2')).drawn;
    await expect.poll(async () => (await tileSnapshot(page, 'cam2')).drawn, { timeout: 5_000 }).toBeGreaterThan(before + 3);
    await page.close();
  });

  it('adding a camera in Settings makes a new tile go live; removing it removes the tile (fixture backend)', async () => {
    const page = await openPage('settings');
    await page.getByTestId('add-camera-name').fill('Gate');
    await page.getByTestId('add-camera-uri').fill('rtsp://10.0.0.9/stream');
    await page.getByTestId('add-camera-test').click();
    await expect.poll(() => page.getByTestId('add-camera-test-result').textContent()).toContain('connection refused — check the address');
    await page.getByTestId('add-camera-uri').fill('test://pattern/gate');
    await page.getByTestId('add-camera-test').click();
    await expect.poll(() => page.getByTestId('add-camera-test-result').textContent()).toContain('connected: 320×180');
    await page.getByTestId('add-camera-submit').click();
    await expect.poll(() => page.getByTestId('preview-gate').getAttribute('data-frame'), { timeout: 10_000 }).toMatch(/^\d+$/);
    await expect.poll(() => page.getByTestId('camera-row-gate').count()).toBe(1);
    await page.screenshot({ path: join(artifacts, 'fixture-settings.png'), fullPage: true });

    await page.getByTestId('nav-live').click();
    await expect.poll(() => page.getByTestId('tile-state-gate').textContent(), { timeout: 15_000 }).toBe('live');

    await page.getByTestId('nav-settings').click();
    await page.getByTestId('camera-remove-gate').click();
    await expect.poll(() => page.getByTestId('camera-row-gate').count()).toBe(0);
    await page.getByTestId('nav-live').click();
    await expect.poll(() => page.getByTestId('tile-state-cam1').textContent(), { timeout: 15_000 }).toBe('live');
    expect(await page.getByTestId('tile-gate').count()).toBe(0);
    await page.close();
  });

  it('draws a zone on a camera frame and saves it to the camera (fixture backend)', async () => {
    const page = await openPage('settings');
    await page.getByTestId('zone-camera').selectOption('cam2');
    await expect.poll(() => page.getByTestId('zone-frame').getAttribute('data-frame'), { timeout: 10_000 }).toMatch(/^\d+$/);
    const area = (await page.getByTestId('zone-draw').boundingBox())!;
    for (const [fx, fy] of [
      [0.5, 0.2],
      [0.9, 0.2],
      [0.9, 0.8],
    ])
      await page.mouse.click(area.x + fx! * area.width, area.y + fy! * area.height);
    await page.getByTestId('zone-name').fill('Loading bay');
    await page.getByRole('button', { name: 'Save zone' }).click();
    await expect.poll(() => page.getByTestId('zone-loading-bay').count()).toBe(1);
    const ws = (await (await fetch(new URL('api/v1/workspace/get', url), { method: 'POST', body: '{}' })).json()) as {
      result: { cameras: { id: string; zones: { id: string; kind: string; points: number[][] }[] }[] };
    };
    const zone = ws.result.cameras.find((c) => c.id === 'cam2')!.zones.find((z) => z.id === 'loading-bay')!;
    expect(zone.kind).toBe('zone');
    expect(zone.points.map(([x, y]) => [Math.round(x! * 10) / 10, Math.round(y! * 10) / 10])).toEqual([
      [0.5, 0.2],
      [0.9, 0.2],
      [0.9, 0.8],
    ]);
    await page.close();
  });

  it('shows API errors where the operator acted, in words (fixture backend)', async () => {
    const page = await openPage('settings');
    await page.getByTestId('add-camera-name').fill('Yard');
    await page.getByTestId('add-camera-uri').fill('yard camera');
    await page.getByTestId('add-camera-submit').click();
    await expect
      .poll(() => page.getByTestId('add-camera-error').textContent())
      .toBe("cannot add camera 'Yard': 'yard camera' is not a URI — use rtsp://host/path, file:///path/video.mp4 or test://pattern (uri)");
    node.failMethod('settings.update', { code: 'invalid', field: 'engine.batchSize', message: 'batch size must be between 1 and 64' });
    await page.getByTestId('engine-save').click();
    await expect
      .poll(() => page.getByTestId('engine-error').textContent())
      .toBe('cannot save the engine settings: batch size must be between 1 and 64 (engine.batchSize)');
    node.failMethod('settings.update', null);

    node.failMethod('workspace.get', { code: 'engine-unavailable', message: 'the engine is restarting — try again in a few seconds' });
    await page.goto(`${url}#/live`);
    await page.reload();
    await expect
      .poll(() => page.getByTestId('wall-error').textContent())
      .toBe('cannot load the workspace: the engine is restarting — try again in a few seconds');
    node.failMethod('workspace.get', null);
    await page.close();
  });

  it('timeline shows tracks recorded during the test; clicking one opens its review with its snapshot (fixture backend)', async () => {
    const page = await openPage('timeline');
    await expect.poll(() => page.getByTestId('timeline-markers').getAttribute('data-span')).not.toBe('0');
    for (const cam of ['cam1', 'cam2', 'cam3', 'cam4']) expect(await page.getByTestId(`timeline-lane-${cam}`).count()).toBe(1);
    await page.keyboard.press(' '); // pause: stop following the present so markers hold still
    await page.getByRole('button', { name: '1 min' }).click();
    // Wait for the markers of the 1-minute view (the list is recomputed when its data arrives).
    await expect.poll(() => page.getByTestId('timeline-markers').getAttribute('data-span')).toBe('60000');
    const marker = page.locator('[data-testid^="timeline-marker-cam1-t"]').first();
    await expect.poll(() => marker.count(), { timeout: 10_000 }).toBeGreaterThan(0);
    const id = (await marker.getAttribute('data-testid'))!.slice('timeline-marker-'.length);
    expect(node.tracks().some((t) => t.id === id)).toBe(true);
    const x = Number(await marker.getAttribute('data-x'));
    const y = Number(await marker.getAttribute('data-y'));
    await page.screenshot({ path: join(artifacts, 'fixture-timeline.png') });

    // Wheel zooms, drag pans (the visible range text changes each time).
    const range = () => page.getByTestId('timeline-range').textContent();
    const canvas = page.getByTestId('timeline-canvas');
    const box = (await canvas.boundingBox())!;
    // A real click on the canvas where the marker is drawn.
    await page.mouse.click(box.x + x, box.y + y);
    await expect.poll(() => page.url()).toContain(`#/review/${encodeURIComponent(id)}`);
    await expect.poll(() => page.getByTestId('track-id').textContent()).toBe(id);
    await expect
      .poll(() => page.getByTestId('track-snapshot').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), { timeout: 10_000 })
      .toBe(320);
    await page.screenshot({ path: join(artifacts, 'fixture-review-detail.png') });

    await page.goBack();
    await expect.poll(() => page.getByTestId('timeline-canvas').count()).toBe(1);
    const before = await range();
    await page.mouse.move(box.x + box.width / 2, box.y + 40);
    await page.mouse.wheel(0, 400);
    await expect.poll(range).not.toBe(before);
    const zoomed = await range();
    await page.mouse.move(box.x + 300, box.y + 40);
    await page.mouse.down();
    await page.mouse.move(box.x + 500, box.y + 40, { steps: 5 });
    await page.mouse.up();
    await expect.poll(range).not.toBe(zoomed);
    // Arrows move the playhead (they stop following live and keep the view around it): paused, pressed as the wall's Pause.
    await page.keyboard.press('ArrowRight');
    expect(await page.getByTestId('timeline-play').getAttribute('aria-pressed')).toBe('true');
    expect(await page.getByTestId('timeline-play').textContent()).toBe('Resume (space)');
    await page.close();
  });

  it('review lists recorded tracks with snapshots and filters them by camera (fixture backend)', async () => {
    const page = await openPage('review');
    await expect.poll(() => page.locator('[data-testid^="review-item-"]').count(), { timeout: 10_000 }).toBeGreaterThan(2);
    await page.getByTestId('filter-camera').selectOption('cam2');
    await expect
      .poll(async () => {
        const ids = await page.locator('[data-testid^="review-item-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')));
        return ids.length > 0 && ids.every((i) => i!.startsWith('review-item-cam2-')) ? 'only cam2' : ids.join(' ');
      })
      .toBe('only cam2');
    // The thumbnail is the snapshot (320 px wide) cropped to the object: a part of the frame, not all of it.
    const thumb = page.locator('[data-testid^="review-thumb-"]').first();
    await expect.poll(() => thumb.getAttribute('data-source'), { timeout: 10_000 }).toBe('snapshot');
    const [cx, , cw] = (await thumb.getAttribute('data-crop'))!.split(',').map(Number);
    expect(cx).toBeGreaterThanOrEqual(0);
    expect(cw).toBeGreaterThan(0);
    expect(cx! + cw!).toBeLessThanOrEqual(320);
    expect(cw).toBeLessThan(320);
    await page.screenshot({ path: join(artifacts, 'fixture-review-list.png') });
    await page.locator('[data-testid^="review-item-"]').first().click();
    await expect.poll(() => page.getByTestId('track-detail').count()).toBe(1);
    node.failMethod('tracks.get', { code: 'not-found', message: "no track 'x'" });
    await page.goto(`${url}#/review/x`);
    await expect.poll(() => page.getByTestId('track-error').textContent()).toBe("cannot open track x: no track 'x'");
    node.failMethod('tracks.get', null);
    await page.close();
  });
});
