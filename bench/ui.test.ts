// `npm run bench:ui`: the operator UI in real Chromium against the fixture backend. Prints figures:
// live wall with 16 tiles × 10 preview fps (frames drawn per second per tile, dropped frames,
// main-thread busy %, delay from the backend stamping a frame to the page drawing it) and the
// timeline with 100,000 tracks (pan/zoom frame time p95). Figures only; the goals are printed beside them.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { projectRoot } from '../main/paths.js';
import { launchBrowser } from '../test/helpers/browser.js';
import { startFakeNode, type FakeNode } from '../test/helpers/fake-node.js';

const CAMERAS = Number(process.env.BENCH_CAMERAS ?? 16);
const FPS = Number(process.env.BENCH_FPS ?? 10);
const TRACKS = Number(process.env.BENCH_TRACKS ?? 100_000);
const MEASURE_S = Number(process.env.BENCH_SECONDS ?? 10);

const shots = join(projectRoot(), 'test-results', 'screenshots');
let node: FakeNode;
let browser: Awaited<ReturnType<typeof launchBrowser>>;

beforeAll(async () => {
  node = await startFakeNode({ cameras: CAMERAS, fps: FPS, width: 640, height: 360, historyTracks: TRACKS, historyMs: 7 * 86400_000, trackEveryMs: 5000 });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await node?.stop();
});

const pct = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const f1 = (x: number) => x.toFixed(1);

async function taskSeconds(cdp: CDPSession): Promise<number> {
  const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
  return metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0;
}

/** Records every rAF interval in the page from now on (window.__frames). */
async function recordFrames(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __framesOn: boolean };
    w.__frames = [];
    w.__framesOn = true;
    let last = performance.now();
    const loop = (t: number) => {
      w.__frames.push(t - last);
      last = t;
      if (w.__framesOn) requestAnimationFrame(loop);
    };
    requestAnimationFrame((t) => {
      last = t;
      requestAnimationFrame(loop);
    });
  });
}
async function stopFrames(page: Page): Promise<number[]> {
  return page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __framesOn: boolean };
    w.__framesOn = false;
    return w.__frames;
  });
}

it(`live wall: ${CAMERAS} tiles × ${FPS} fps`, async () => {
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  await page.goto(`${node.url}#/live`);
  await page.getByTestId('layout-auto').click();
  for (let i = 1; i <= CAMERAS; i++) await expect.poll(() => page.getByTestId(`tile-state-cam${i}`).textContent(), { timeout: 30_000 }).toBe('live');
  await page.waitForTimeout(2000); // warm up

  type Snap = Record<string, { received: number; drawn: number; dropped: number }>;
  const snap = () =>
    page.evaluate(() => {
      const out: Record<string, { received: number; drawn: number; dropped: number }> = {};
      for (const [cam, s] of Object.entries(window.__vigilStats!.tiles)) out[cam] = { received: s.received, drawn: s.drawn, dropped: s.dropped };
      return out;
    });
  const sentCount = () => Object.fromEntries(Array.from({ length: CAMERAS }, (_, i) => [`cam${i + 1}`, Math.max(...node.sent(`cam${i + 1}`).keys())]));
  const before: Snap = await snap();
  const sentBefore = sentCount();
  const task0 = await taskSeconds(cdp);
  await recordFrames(page);
  const t0 = Date.now();
  await page.waitForTimeout(MEASURE_S * 1000);
  const wall = (Date.now() - t0) / 1000;
  const task1 = await taskSeconds(cdp);
  const frames = await stopFrames(page);
  const after: Snap = await snap();
  const sentAfter = sentCount();
  const delays = await page.evaluate(() => Object.values(window.__vigilStats!.tiles).flatMap((s) => s.delays.slice(-60)));
  const pageDelays = await page.evaluate(() => Object.values(window.__vigilStats!.tiles).flatMap((s) => s.pageDelays.slice(-60)));

  const perTile = Object.keys(after).map((cam) => ({
    cam,
    drawnFps: (after[cam]!.drawn - (before[cam]?.drawn ?? 0)) / wall,
    sent: sentAfter[cam]! - sentBefore[cam]!,
    received: after[cam]!.received - (before[cam]?.received ?? 0),
    drawn: after[cam]!.drawn - (before[cam]?.drawn ?? 0),
    dropped: after[cam]!.dropped - (before[cam]?.dropped ?? 0),
  }));
  const fpsList = perTile.map((t) => t.drawnFps);
  const totalSent = perTile.reduce((a, t) => a + t.sent, 0);
  const totalReceived = perTile.reduce((a, t) => a + t.received, 0);
  const totalDrawn = perTile.reduce((a, t) => a + t.drawn, 0);
  const totalDropped = perTile.reduce((a, t) => a + t.dropped, 0);
  const busy = ((task1 - task0) / wall) * 100;
  const lines = [
    `live wall, ${CAMERAS} tiles × ${FPS} fps preview (640×360 JPEG), 1920×1080 viewport, ${f1(wall)} s measured`,
    `  frames drawn per second per tile: mean ${f1(fpsList.reduce((a, b) => a + b, 0) / fpsList.length)}, min ${f1(Math.min(...fpsList))}, max ${f1(Math.max(...fpsList))} (goal ${FPS})`,
    `  frames received ${totalReceived} (fixture sent ≈${totalSent}), drawn ${totalDrawn}, dropped before drawing ${totalDropped} (goal 0)`,
    `  main-thread busy: ${f1(busy)} % (CDP TaskDuration / wall time)`,
    `  delay emit → draw: p50 ${f1(pct(delays, 50))} ms, p95 ${f1(pct(delays, 95))} ms, max ${f1(Math.max(...delays))} ms (${delays.length} frames)`,
    `    of which in the page (message arrived → drawn, incl. JPEG decode): p50 ${f1(pct(pageDelays, 50))} ms, p95 ${f1(pct(pageDelays, 95))} ms`,
    `  page frame interval while streaming: p50 ${f1(pct(frames, 50))} ms, p95 ${f1(pct(frames, 95))} ms`,
  ];
  process.stdout.write(`\n${lines.join('\n')}\n`);
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: join(shots, 'bench-live-wall-16.png') });
  expect(totalDrawn).toBeGreaterThan(0);
  await page.close();
});

it(`timeline: ${TRACKS} tracks, pan and zoom`, async () => {
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  await page.goto(`${node.url}#/timeline`);
  await expect.poll(() => page.getByTestId('timeline-markers').getAttribute('data-span'), { timeout: 30_000 }).not.toBe('0');
  await page.keyboard.press(' ');
  await page.getByRole('button', { name: '1 week' }).click();
  await expect.poll(() => page.getByTestId('timeline-markers').getAttribute('data-span'), { timeout: 30_000 }).toBe(String(7 * 86400_000));
  const canvas = (await page.getByTestId('timeline-canvas').boundingBox())!;
  const cx = canvas.x + canvas.width / 2;
  const cy = canvas.y + 60;
  await page.mouse.move(cx, cy);
  await page.evaluate(() => window.__vigilTimeline!.frameTimes.splice(0));
  await recordFrames(page);
  // Zoom from a week down to seconds and back, panning at each scale.
  for (let i = 0; i < 60; i++) {
    await page.mouse.wheel(0, -120);
    await page.waitForTimeout(16);
  }
  for (let round = 0; round < 4; round++) {
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    await page.mouse.move(cx + 300, cy, { steps: 20 });
    await page.mouse.move(cx - 300, cy, { steps: 40 });
    await page.mouse.up();
    for (let i = 0; i < 15; i++) {
      await page.mouse.wheel(0, 120);
      await page.waitForTimeout(16);
    }
  }
  const frames = await stopFrames(page);
  const draws = await page.evaluate(() => window.__vigilTimeline!.frameTimes.slice());
  const span = await page.evaluate(() => window.__vigilTimeline!.view.to - window.__vigilTimeline!.view.from);
  const lines = [
    `timeline, ${TRACKS} tracks over 7 days on ${CAMERAS} lanes, 1920×1080 viewport (week → seconds → week, wheel + drag)`,
    `  frame time (rAF interval) during pan/zoom: p50 ${f1(pct(frames, 50))} ms, p95 ${f1(pct(frames, 95))} ms, max ${f1(Math.max(...frames))} ms over ${frames.length} frames (goal p95 ≤ 16 ms)`,
    `  canvas redraw cost: p50 ${f1(pct(draws, 50))} ms, p95 ${f1(pct(draws, 95))} ms over ${draws.length} redraws; final span ${f1(span / 3600_000)} h`,
  ];
  process.stdout.write(`\n${lines.join('\n')}\n`);
  await page.getByRole('button', { name: '1 day' }).click();
  await page.waitForTimeout(500);
  await page.screenshot({ path: join(shots, 'bench-timeline-100k.png') });
  expect(draws.length).toBeGreaterThan(10);
  await page.close();
});
