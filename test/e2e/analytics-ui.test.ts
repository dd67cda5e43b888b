// Issue 15's UI, in real Chromium against a real `vigil serve` on the demo workspace (4 cameras playing
// vtest in a loop, the default detector on the CPU, the engine's analytics stage, SQLite): the operator
// draws a line in Settings, its counters move on the live wall, its crossings appear as markers on the
// timeline, a marker opens review at that moment, and review filtered by the line lists its tracks.
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
const SLOW = 240_000;
const LINE = { id: 'crossing', name: 'Crossing' };

describe('analytics in the UI: draw a line, live counters, timeline markers, review by zone (vigil serve, demo workspace)', () => {
  let browser: Browser;
  let served: ServedNode;
  let camera: { id: string; name: string };

  // The typed form of the API call every test helper makes (test/helpers/faults.ts).
  const call = <M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>> =>
    callApi<ApiResult<M>>(new URL(served.url).origin, method, params);

  async function openPage(hash: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${served.url}#/${hash}`);
    return page;
  }

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    browser = await launchBrowser();
    served = await startServe();
    // A camera without zones of its own: the line drawn below is the only one it has.
    camera = (await call('workspace.get', {})).cameras.find((c) => c.zones.length === 0)!;
  }, SLOW);
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
  });

  it('Settings: a field the API refuses shows its error under that field; a line drawn on the live frame is saved', { timeout: SLOW }, async () => {
    const page = await openPage('settings');
    await page.getByTestId('zone-camera').selectOption(camera.id);
    await expect.poll(() => page.getByTestId('zone-frame').getAttribute('data-frame'), { timeout: 30_000 }).toMatch(/^\d+$/);
    await page.getByTestId('zone-kind').selectOption('line');
    // A vertical line across the walkway (people in vtest walk left and right).
    const area = (await page.getByTestId('zone-draw').boundingBox())!;
    for (const [fx, fy] of [
      [0.62, 0.95],
      [0.62, 0.3],
    ])
      await page.mouse.click(area.x + fx! * area.width, area.y + fy! * area.height);
    await page.getByTestId('zone-name').fill(LINE.name);
    await page.getByTestId('zone-labels').fill('person');
    // Inertia 0 is out of range: the API's words, under the Inertia field, and nothing saved.
    await page.getByTestId('zone-inertiaFrames').fill('0');
    await page.getByRole('button', { name: 'Save line' }).click();
    const fieldError = page.getByTestId('zone-field-error-inertiaFrames');
    await expect.poll(() => fieldError.textContent(), { timeout: 10_000 }).toMatch(/^Must be .*from 1 to 1000/);
    const input = (await page.getByTestId('zone-inertiaFrames').boundingBox())!;
    const under = (await fieldError.boundingBox())!;
    expect(under.y).toBeGreaterThanOrEqual(input.y + input.height - 1);
    expect((await call('workspace.get', {})).cameras.find((c) => c.id === camera.id)!.zones).toEqual([]);
    await page.screenshot({ path: join(artifacts, 'zones-field-error.png'), fullPage: true });

    await page.getByTestId('zone-inertiaFrames').fill('2');
    await page.getByRole('button', { name: 'Save line' }).click();
    await expect.poll(() => page.getByTestId(`zone-${LINE.id}`).count(), { timeout: 10_000 }).toBe(1);
    expect(await page.getByTestId('zone-field-error-inertiaFrames').count()).toBe(0);
    const saved = (await call('workspace.get', {})).cameras.find((c) => c.id === camera.id)!.zones.find((z) => z.id === LINE.id)!;
    expect(saved).toMatchObject({ kind: 'line', name: LINE.name, labels: ['person'], inertiaFrames: 2 });
    expect(saved.points.map(([x, y]) => [Math.round(x * 100) / 100, Math.round(y * 100) / 100])).toEqual([
      [0.62, 0.95],
      [0.62, 0.3],
    ]);
    await page.screenshot({ path: join(artifacts, 'zones-line-saved.png'), fullPage: true });
    await page.close();
  });

  it('Live wall: the line is drawn with its in/out counters, which move as people cross', { timeout: SLOW }, async () => {
    const page = await openPage('live');
    const counts = page.getByTestId(`tile-counts-${camera.id}`);
    await expect.poll(() => counts.textContent(), { timeout: 30_000 }).toMatch(new RegExp(`^${LINE.name} {2}in \\d+ · out \\d+$`));
    const total = async () => {
      const m = /in (\d+) · out (\d+)/.exec((await counts.textContent()) ?? '');
      return m ? Number(m[1]) + Number(m[2]) : -1;
    };
    const first = await total();
    await expect.poll(total, { timeout: 120_000, interval: 1_000 }).toBeGreaterThan(first);
    // What is drawn is what the engine counted for the same frame.
    const drawn = await page.evaluate((cam) => window.__vigilStats?.tiles[cam]?.lastCounts ?? null, camera.id);
    expect(drawn?.find((c) => c.zone === LINE.id)?.kind).toBe('line');
    console.log(`crossings on the live wall: ${first} → ${await total()}`);
    // The label on the picture and the text under the tile read one value per zone at every moment:
    // both are read in one synchronous step, twenty times over ten seconds while the counts move.
    const pairs: { drawn: string; text: string }[] = [];
    for (let i = 0; i < 20; i++) {
      pairs.push(
        await page.evaluate((cam) => {
          const drawn = window.__vigilStats?.tiles[cam]?.drawnCountTexts ?? [];
          const text = document.querySelector(`[data-testid="tile-counts-${cam}"]`)?.textContent ?? '';
          return { drawn: drawn.join(' | '), text };
        }, camera.id),
      );
      await page.waitForTimeout(500);
    }
    for (const p of pairs) expect(p.text).toBe(p.drawn);
    expect(pairs.every((p) => p.text.startsWith(`${LINE.name}  in `))).toBe(true);
    await page.getByTestId(`tile-canvas-${camera.id}`).click(); // focus the tile: a bigger picture for the screenshot
    await page.waitForTimeout(1_500);
    await page.screenshot({ path: join(artifacts, 'live-wall-line-counts.png') });
    await page.close();
  });

  it("Timeline: the line's crossings are markers on the camera's lane; a click opens review at that moment", { timeout: SLOW }, async () => {
    const page = await openPage('timeline');
    await expect.poll(() => page.getByTestId('timeline-markers').getAttribute('data-span'), { timeout: 20_000 }).not.toBe('0');
    await page.getByTestId('timeline-play').click();
    await page.getByRole('button', { name: '1 min' }).click();
    const crossing = page.locator('[data-testid^="timeline-event-"][data-kind="cross"]');
    await expect.poll(() => crossing.count(), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await page.getByTestId('legend-event-cross').textContent()).toMatch(/crossed a line/);
    // A marker of this camera's line, clicked where it is drawn.
    const ids = await crossing.evaluateAll((els) =>
      els.map((e) => ({ id: e.getAttribute('data-testid')!.slice('timeline-event-'.length), text: e.textContent })),
    );
    const mine = ids.find((e) => e.text?.includes(`${LINE.name} on ${camera.name}`));
    expect(mine, JSON.stringify(ids.slice(0, 5))).toBeDefined();
    const marker = page.getByTestId(`timeline-event-${mine!.id}`);
    const box = (await page.getByTestId('timeline-canvas').boundingBox())!;
    await page.screenshot({ path: join(artifacts, 'timeline-event-markers.png') });
    // The marker is clicked where it is drawn now: a refresh may redraw the lane between reading its
    // place and the click on a loaded machine, so the place is read again before each of 3 tries.
    for (let attempt = 0; attempt < 3 && !page.url().includes('#/review?'); attempt++) {
      await page.mouse.click(box.x + Number(await marker.getAttribute('data-x')), box.y + Number(await marker.getAttribute('data-y')));
      await page.waitForURL(/#\/review\?/, { timeout: 3_000 }).catch(() => undefined);
    }
    await expect.poll(() => page.url(), { timeout: 10_000 }).toContain('#/review?');
    const q = new URL(page.url().replace('#/review?', '?')).searchParams;
    expect(q.get('camera')).toBe(camera.id);
    expect(q.get('zone')).toBe(LINE.id);
    expect(q.get('event')).toBe('cross');
    // The events of that moment, this event among them.
    await expect.poll(() => page.getByTestId(`review-event-${mine!.id}`).count(), { timeout: 20_000 }).toBe(1);
    expect(await page.getByTestId(`review-event-${mine!.id}`).getAttribute('data-zone')).toBe(LINE.id);
    await page.screenshot({ path: join(artifacts, 'review-at-event.png') });
    await page.close();
  });

  it('Review filtered by the line lists the tracks that crossed it, and by event kind its crossings', { timeout: SLOW }, async () => {
    const page = await openPage('review?minSec=0');
    // Zone ids are unique per camera only: the list names each zone with its camera, and picking one picks its camera too.
    const option = `${LINE.name} (${camera.name})`;
    await expect.poll(() => page.getByTestId('filter-zone').locator('option').allTextContents(), { timeout: 20_000 }).toContain(option);
    await page.getByTestId('filter-zone').selectOption({ label: option });
    expect(page.url()).toContain(`zone=${LINE.id}`);
    expect(page.url()).toContain(`camera=${encodeURIComponent(camera.id)}`);
    expect(await page.getByTestId('filter-camera').inputValue()).toBe(camera.id);
    // With the camera chosen, the list holds that camera's zones only, under their own names.
    expect(await page.getByTestId('filter-zone').locator('option').allTextContents()).toContain(LINE.name);
    const items = page.locator('[data-testid^="review-item-"]');
    // The filtered list has replaced the unfiltered one: every row names the line.
    await expect
      .poll(
        async () => {
          const zones = await page.locator('a.track-item .zones').allTextContents();
          return zones.length > 0 && zones.every((z) => z.includes(LINE.name));
        },
        { timeout: 30_000 },
      )
      .toBe(true);
    const listed = await items.evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')!.slice('review-item-'.length)));
    for (const id of listed.slice(0, 10)) {
      const t = await call('tracks.get', { id });
      expect(t.camera).toBe(camera.id);
      expect(t.zones.map((z) => z.id)).toContain(LINE.id);
    }
    expect(await page.locator('.zones').first().textContent()).toContain(LINE.name);
    await page.screenshot({ path: join(artifacts, 'review-by-zone.png') });

    await page.getByTestId('filter-event').selectOption('cross');
    expect(page.url()).toContain('event=cross');
    const events = page.locator('[data-testid^="review-event-"]');
    await expect.poll(() => events.count(), { timeout: 20_000 }).toBeGreaterThan(0);
    for (const zone of await events.evaluateAll((els) => els.map((e) => e.getAttribute('data-zone')))) expect(zone).toBe(LINE.id);
    for (const kind of await events.evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')))) expect(kind).toBe('cross');
    await page.screenshot({ path: join(artifacts, 'review-by-event.png') });
    // Back to tracks: the event filter off, the zone filter kept.
    await page.getByTestId('filter-event').selectOption('');
    await expect.poll(() => items.count(), { timeout: 20_000 }).toBeGreaterThan(0);
    expect(page.url()).toContain(`zone=${LINE.id}`);
    await page.close();
  });
});
