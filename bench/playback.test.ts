// `npm run bench:playback`: playback in real Chromium against a real `vigil serve` recording the
// demo clip. Prints the start time (the click that opens a camera's recording at a moment → that
// moment's first frame on screen) and the seek time (the seek bar moved → the new moment's frame on
// screen), paused and playing, as p50 / p95 / max over several tries at random recorded moments.
// Figures only; the goals (issue 16: start < 500 ms, seek < 300 ms) are printed beside them.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RecordingSegment } from '../main/api/contract.js';
import { launchBrowser } from '../test/helpers/browser.js';
import { until } from '../test/helpers/faults.js';
import { serveRecording, waitForSegments } from '../test/helpers/recording-node.js';
import type { ServedNode } from '../test/helpers/serve.js';

const TRIES = Number(process.env.BENCH_TRIES ?? 10);
const SEGMENTS = Number(process.env.BENCH_SEGMENTS ?? 12);

let node: ServedNode;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let segments: RecordingSegment[];

beforeAll(async () => {
  node = await serveRecording(['North']);
  browser = await launchBrowser();
  segments = (await waitForSegments(node, ['north'], SEGMENTS, 300_000)).north!;
}, 320_000);
afterAll(async () => {
  await browser?.close();
  await node?.stop();
});

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const figures = (xs: number[]) =>
  `p50 ${Math.round(pct(xs, 50))} ms, p95 ${Math.round(pct(xs, 95))} ms, max ${Math.round(Math.max(...xs))} ms (n=${xs.length})`;

/** A random moment inside the recording, away from its ends. */
function randomMoment(): number {
  const from = segments[0]!.start + 2000;
  const to = segments.at(-1)!.end - 4000;
  return Math.round(from + Math.random() * (to - from));
}

/** When the page last saw a pointer go down (a click's start), in its performance.now() time base. */
async function markInputs(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __inputAt: number };
    document.addEventListener('pointerdown', (e) => (w.__inputAt = e.timeStamp), true);
  });
}

/** Input → the asked moment's frame shown (the controller's request, answered from requestVideoFrameCallback). */
async function inputToFrame(page: Page, kind: 'start' | 'seek', after: number): Promise<number> {
  const state = () =>
    page.evaluate(() => {
      const h = window.__vigilPlayback;
      return JSON.stringify({
        request: h?.request,
        clock: h?.clock,
        frame: h?.cameras.north?.frame,
        input: (window as unknown as { __inputAt?: number }).__inputAt,
      });
    });
  return until(`${kind} shown`, 20_000, () =>
    page.evaluate(
      ({ kind, after }) => {
        const r = window.__vigilPlayback?.request;
        const input = (window as unknown as { __inputAt?: number }).__inputAt;
        if (!r || r.kind !== kind || r.shownAt === null || input === undefined || r.at < after) return undefined;
        return r.shownAt - input;
      },
      { kind, after },
    ),
  ).catch(async (e: unknown) => {
    throw new Error(`${(e as Error).message}; the page's playback: ${await state()}`);
  });
}

it(`playback start and seek (${TRIES} tries each, one camera, 3 s segments)`, async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const starts: number[] = [];
  for (let i = 0; i < TRIES; i++) {
    // The playback screen with no camera chosen, then the click that plays north at that moment.
    await page.goto(`${node.url}#/playback?cameras=&t=${randomMoment()}`);
    await page.reload();
    await page.getByTestId('playback-camera-north').waitFor();
    await markInputs(page);
    const before = await page.evaluate(() => performance.now());
    await page.getByTestId('playback-camera-north').click();
    starts.push(await inputToFrame(page, 'start', before));
  }
  const seeks: Record<'paused' | 'playing', number[]> = { paused: [], playing: [] };
  for (const mode of ['paused', 'playing'] as const) {
    await page.goto(`${node.url}#/playback?cameras=north&t=${randomMoment()}`);
    await page.reload();
    await until('playing', 20_000, () => page.evaluate(() => ((window.__vigilPlayback?.cameras.north?.framesShown ?? 0) > 2 ? true : undefined)));
    if (mode === 'paused') await page.getByTestId('playback-play').click();
    await markInputs(page);
    const bar = page.getByTestId('playback-seek');
    for (let i = 0; i < TRIES; i++) {
      // Away from the bar's thumb (a click on the thumb moves nothing).
      const now = await page.evaluate(() => window.__vigilPlayback!.clock.wall);
      const span = Number(await bar.getAttribute('max'));
      const from = Number(await bar.getAttribute('data-from'));
      let target = randomMoment();
      while (Math.abs(target - now) < span / 8) target = randomMoment();
      const before = await page.evaluate(() => performance.now());
      // A click on the seek bar where the moment is (the bar spans [data-from, data-from + max]; Chromium's thumb is 16 px wide).
      await bar.scrollIntoViewIfNeeded();
      const box = (await bar.boundingBox())!;
      const f = Math.max(0, Math.min(1, (target - from) / span));
      await page.mouse.click(box.x + 8 + f * (box.width - 16), box.y + box.height / 2);
      seeks[mode].push(await inputToFrame(page, 'seek', before));
      await page.waitForTimeout(300);
    }
  }
  await page.close();
  console.log(`[bench:playback] start (click → first frame): ${figures(starts)}   goal < 500 ms`);
  console.log(`[bench:playback] seek, paused (seek bar → frame): ${figures(seeks.paused)}   goal < 300 ms`);
  console.log(`[bench:playback] seek, playing (seek bar → frame): ${figures(seeks.playing)}   goal < 300 ms`);
  expect(starts.length).toBe(TRIES);
});
