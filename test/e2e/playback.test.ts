// Playback (issue 16) in real Chromium against a real `vigil serve` recording two cameras (the demo
// clip, H.264 stream copy, 3 s segments, every frame's boxes stored): a track opens with its clip
// playing; at several video times the overlay's boxes are the stored boxes of the frame shown
// (numbers, not pixels); a seek and a frame step are followed by the overlay; two cameras side by
// side stay in step; a click on a timeline lane plays that camera there; the media route gives 206.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiMethod, ApiParams, ApiResult, TrackPath } from '../../main/api/contract.js';
import { projectRoot } from '../../main/paths.js';
import type { PlaybackHook } from '../../renderer/playback/test-hook.js';
import { launchBrowser } from '../helpers/browser.js';
import { callApi, until } from '../helpers/faults.js';
import { serveRecording, waitForSegments } from '../helpers/recording-node.js';
import type { ServedNode } from '../helpers/serve.js';

const artifacts = join(projectRoot(), 'test-results', 'screenshots');
const SLOW = 240_000;

type Shown = PlaybackHook['cameras'][string];

describe('playback: recorded video with the stored boxes of each frame (vigil serve, two recording cameras)', () => {
  let browser: Browser;
  let node: ServedNode;
  const call = <M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>> => callApi<ApiResult<M>>(node.origin, method, params);
  const hook = (page: Page) => page.evaluate(() => window.__vigilPlayback ?? null);

  /** Each track's stored boxes within 3 s of wall time `wall` (tracks.paths), in time order. */
  async function storedAround(camera: string, wall: number): Promise<Map<string, TrackPath['path']>> {
    const r = await call('tracks.paths', { camera, from: wall - 3000, to: wall + 3000 });
    return new Map(r.tracks.map((t) => [t.id, t.path]));
  }

  /**
   * The overlay of the frame shown is made of the stored boxes of that frame: a box drawn as stored
   * is exactly its track's stored box at that time, within half a frame of the frame's wall time; a
   * box drawn between two stored ones (the detector does not run on every frame) lies between the
   * stored boxes either side of the frame; every track with a box stored at the frame is drawn.
   * Returns how many boxes were drawn.
   */
  async function expectStoredBoxes(camera: string, shown: Shown): Promise<number> {
    expect(shown.frame, 'a frame is shown').not.toBeNull();
    const wall = shown.frame!.wall;
    const stored = await storedAround(camera, wall);
    for (const b of shown.boxes) {
      const path = stored.get(b.track) ?? [];
      if (!b.interpolated) {
        expect(Math.abs(b.t - wall)).toBeLessThanOrEqual(shown.frameMs / 2);
        expect(path.find((p) => p.t === b.t)?.box, `stored box of track ${b.track} at ${b.t}`).toEqual(b.box);
        continue;
      }
      const before = path.filter((p) => p.t <= wall).at(-1);
      const after = path.find((p) => p.t >= wall);
      expect(before && after, `stored boxes of track ${b.track} either side of ${wall}`).toBeTruthy();
      for (let k = 0; k < 4; k++) {
        expect(b.box[k]).toBeGreaterThanOrEqual(Math.min(before!.box[k]!, after!.box[k]!) - 1);
        expect(b.box[k]).toBeLessThanOrEqual(Math.max(before!.box[k]!, after!.box[k]!) + 1);
      }
    }
    const drawn = new Set(shown.boxes.filter((b) => !b.interpolated).map((b) => b.track));
    for (const [id, path] of stored)
      if (path.some((p) => Math.abs(p.t - wall) < shown.frameMs / 2)) expect(drawn.has(id), `track ${id} drawn as stored`).toBe(true);
    return shown.boxes.length;
  }

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    browser = await launchBrowser();
    node = await serveRecording(['North', 'South']);
    // Recorded video on both cameras, and an ended track of north inside it.
    await waitForSegments(node, ['north', 'south'], 4);
    await until(
      'an ended track within the recording',
      120_000,
      async () => {
        const north = await call('recordings.list', { camera: 'north', from: 0, to: Date.now() });
        const tracks = await call('tracks.search', { cameras: ['north'], limit: 100, minDurationMs: 2000 });
        return tracks.find((t) => t.ended && t.firstSeen > north[0]!.start + 1000 && t.lastSeen < north.at(-1)!.end) ? true : undefined;
      },
      1000,
    );
  }, SLOW);
  afterAll(async () => {
    await browser?.close();
    await node?.stop();
  });

  it('the media route answers a Range request with 206, and the video element reads segments that way', { timeout: SLOW }, async () => {
    const [seg] = await call('recordings.list', { camera: 'north', from: 0, to: Date.now() });
    const res = await fetch(`${node.origin}${seg!.url}`, { headers: { Range: 'bytes=100-1099' } });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes 100-1099/${seg!.bytes}`);
    expect((await res.arrayBuffer()).byteLength).toBe(1000);
  });

  it('a track opens with its clip playing; at several video times the overlay is the stored box of the frame shown', { timeout: SLOW }, async () => {
    const segments = await call('recordings.list', { camera: 'north', from: 0, to: Date.now() });
    const tracks = await call('tracks.search', { cameras: ['north'], limit: 100, minDurationMs: 2000 });
    const track = tracks.find((t) => t.ended && t.firstSeen > segments[0]!.start + 1000 && t.lastSeen < segments.at(-1)!.end)!;
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
    const media: number[] = [];
    page.on('response', (r) => r.url().includes('/media/segments/') && media.push(r.status()));
    await page.goto(`${node.url}#/review/${track.id}`);
    await expect.poll(() => page.getByTestId('track-clip').count(), { timeout: 20_000 }).toBe(1);
    // The video plays: its position and the frame shown advance.
    const first = await until('the first frame', 20_000, async () => (await hook(page))?.cameras.north?.frame ?? undefined, 100);
    expect(first.wall).toBeGreaterThanOrEqual(track.firstSeen - 2500);
    const later = await until('frames advancing', 20_000, async () => {
      const h = await hook(page);
      const s = h?.cameras.north;
      return s?.frame && s.frame.wall > first.wall + 500 && s.currentTime > 0 ? s : undefined;
    });
    expect(later.paused).toBe(false);
    expect(media.length).toBeGreaterThan(0);
    expect(media.every((s) => s === 206 || s === 200)).toBe(true);
    expect(media).toContain(206);
    // Samples while it plays: each frame's overlay equals what the store holds for that frame.
    let boxes = 0;
    for (let i = 0; i < 6; i++) {
      const h = (await hook(page))!;
      boxes += await expectStoredBoxes('north', h.cameras.north!);
      await page.waitForTimeout(350);
    }
    expect(boxes, 'boxes drawn over the clip').toBeGreaterThan(0);
    await page.screenshot({ path: join(artifacts, 'playback-review-clip.png') });
    await page.close();
  });

  it('seek and frame step: the overlay follows the frame shown', { timeout: SLOW }, async () => {
    const segments = await call('recordings.list', { camera: 'north', from: 0, to: Date.now() });
    // A moment in the middle of the recording, paused after the seek.
    const t = Math.round((segments[1]!.start + segments.at(-2)!.end) / 2);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${node.url}#/playback?cameras=north&t=${t}`);
    await until('playing', 20_000, async () => ((await hook(page))?.cameras.north?.framesShown ?? 0) > 3 || undefined);
    // Played on into the next segment first: the player learns there where a segment's first picture
    // lies (its B-frame lead-in). A frame step across a boundary before any boundary has played can
    // land on the next segment's first picture, a few frames late (known, issue 16).
    const first = (await hook(page))!.cameras.north!.frame!.segment;
    await until('a segment boundary played', 15_000, async () => ((await hook(page))!.cameras.north?.frame?.segment ?? first) !== first || undefined);
    await page.keyboard.press(' ');
    await expect.poll(async () => (await hook(page))?.clock.playing).toBe(false);
    // ← goes back 5 s: the frame shown and its boxes are those of the new time.
    const before = (await hook(page))!.clock.wall;
    await page.keyboard.press('ArrowLeft');
    const seeked = await until('the seek shown', 10_000, async () => {
      const h = (await hook(page))!;
      return h.request?.kind === 'seek' && h.request.shownAt !== null ? h : undefined;
    });
    const shown = seeked.cameras.north!;
    expect(Math.abs(shown.frame!.wall - (before - 5000))).toBeLessThanOrEqual(shown.frameMs);
    await expectStoredBoxes('north', shown);
    // One frame forward, three times: each a frame later, with that frame's boxes.
    let prev = shown.frame!.wall;
    for (let i = 0; i < 3; i++) {
      await page.keyboard.press('.');
      const h = await until(`the next frame after ${prev} (${JSON.stringify((await hook(page))?.cameras.north?.frame)})`, 10_000, async () => {
        const x = (await hook(page))!;
        const f = x.cameras.north?.frame;
        return x.request?.kind === 'step' && x.request.shownAt !== null && f && f.wall > prev ? x : undefined;
      });
      const s = h.cameras.north!;
      expect(s.frame!.wall - prev).toBeGreaterThan(s.frameMs / 2);
      expect(s.frame!.wall - prev).toBeLessThan(s.frameMs * 1.5);
      await expectStoredBoxes('north', s);
      prev = s.frame!.wall;
    }
    // A frame whose boxes are all stored ones (solid), for the eye: each box on its object.
    for (let i = 0; i < 10; i++) {
      const s = (await hook(page))!.cameras.north!;
      if (s.boxes.length >= 2 && s.boxes.every((b) => !b.interpolated)) break;
      const at = s.frame!.wall;
      await page.keyboard.press('.');
      await until('a step', 10_000, async () => (((await hook(page))!.cameras.north?.frame?.wall ?? 0) > at ? true : undefined));
    }
    await page.getByTestId('playback-tile-north').screenshot({ path: join(artifacts, 'playback-stored-frame.png') });
    // The speed keys: + twice from 1× is 4×.
    await page.keyboard.press('+');
    await page.keyboard.press('+');
    expect((await hook(page))!.clock.speed).toBe(4);
    await page.screenshot({ path: join(artifacts, 'playback-stepped.png') });
    await page.close();
  });

  it('plays on across segment boundaries without a gap', { timeout: SLOW }, async () => {
    const segments = await call('recordings.list', { camera: 'north', from: 0, to: Date.now() });
    // Two boundaries of consecutive segments: from 0.5 s before the first (playing since 1.5 s before) to 0.8 s after the second (3 s segments).
    const a = segments.findIndex((s, i) => i > 0 && segments[i + 1] && segments[i + 2] && Math.abs(segments[i + 1]!.start - s.end) < 200);
    expect(a).toBeGreaterThan(0);
    const boundary = segments[a]!.end;
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${node.url}#/playback?cameras=north&t=${boundary - 1500}`);
    const h = await until(
      'two boundaries crossed',
      30_000,
      async () => {
        const x = (await hook(page))!.cameras.north;
        return x && x.recent.length > 5 && x.recent.at(-1)!.wall > segments[a + 1]!.end + 800 ? x : undefined;
      },
      200,
    );
    const frames = h.recent.filter((f) => f.wall >= boundary - 500);
    const ids = [...new Set(frames.map((f) => f.segment))];
    expect(ids, 'the frames came from three segments in turn').toEqual([segments[a]!.id, segments[a + 1]!.id, segments[a + 2]!.id]);
    const steps = frames.slice(1).map((f, i) => ({ wall: f.wall - frames[i]!.wall, shown: f.at - frames[i]!.at }));
    console.log(
      `[playback] across segment boundaries: frame steps (wall ms / shown ms) ${steps.map((s) => `${Math.round(s.wall)}/${Math.round(s.shown)}`).join(' ')}`,
    );
    // Each frame is a later one than the one before and comes soon after it, at the switches too:
    // nothing blank or frozen while the next segment loads (that takes hundreds of ms). A loaded
    // 2-core machine drops a frame now and then (software decoding), so up to two may be skipped.
    for (const s of steps) {
      // ≥ 0: where two segments' anchors differ by a frame, the same moment may show twice.
      expect(s.wall).toBeGreaterThanOrEqual(0);
      expect(s.wall).toBeLessThan(h.frameMs * 3.5);
      expect(s.shown).toBeLessThan(h.frameMs * 3.5);
    }
    // Most steps are exactly one frame.
    expect(steps.filter((s) => Math.abs(s.wall - h.frameMs) < h.frameMs / 2).length).toBeGreaterThan(steps.length * 0.7);
    await page.close();
  });

  it('two cameras side by side stay in step (their frames within one frame of each other)', { timeout: SLOW }, async () => {
    const now = Date.now();
    const [north, south] = await Promise.all(['north', 'south'].map((camera) => call('recordings.list', { camera, from: now - 600_000, to: now })));
    const t = Math.max(north![0]!.start, south![0]!.start) + 2000;
    const page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
    await page.goto(`${node.url}#/playback?cameras=north,south&t=${t}`);
    await until('both playing', 30_000, async () => {
      const h = await hook(page);
      return (h?.cameras.north?.framesShown ?? 0) > 10 && (h?.cameras.south?.framesShown ?? 0) > 10 ? true : undefined;
    });
    const gaps: number[] = [];
    const positions: number[] = [];
    for (let i = 0; i < 20; i++) {
      // Both cameras read in the same task: the frames they show at one moment.
      const h = (await hook(page))!;
      const a = h.cameras.north!;
      const b = h.cameras.south!;
      if (!a.paused && !b.paused && a.frame && b.frame) {
        gaps.push(Math.abs(a.frame.wall - b.frame.wall) - Math.max(a.frameMs, b.frameMs));
        positions.push(a.segment!.start + a.currentTime * 1000 - (b.segment!.start + b.currentTime * 1000));
      }
      await page.waitForTimeout(150);
    }
    console.log(
      `[playback] two cameras: wall-time gaps beyond one frame (ms): ${gaps.map((g) => Math.round(g)).join(' ')}; video positions apart (ms): ${positions.map((g) => Math.round(g)).join(' ')}`,
    );
    expect(gaps.length).toBeGreaterThan(10);
    // One frame either way: the two cameras' frames are not shot at the same instants, so frames
    // shown together differ by up to one frame; now and then a frame is shown late (software
    // decoding; one camera switching segments), never by more than two more.
    expect(gaps.filter((g) => g <= 0).length).toBeGreaterThanOrEqual(gaps.length * 0.5); // measured 68–100 %
    for (const g of gaps) expect(g).toBeLessThanOrEqual(200 + 1);
    // The videos themselves: their positions on the wall clock within one frame (a loaded machine
    // lets one fall behind now and then; the rate trim brings it back).
    expect(positions.filter((p) => Math.abs(p) <= 100).length).toBeGreaterThanOrEqual(positions.length * 0.8);
    for (const p of positions) expect(Math.abs(p)).toBeLessThanOrEqual(200);
    await page.screenshot({ path: join(artifacts, 'playback-two-cameras.png') });
    await page.close();
  });

  it('a click on a camera lane of the timeline plays that camera at that time', { timeout: SLOW }, async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // The timeline is live: a track can appear under the chosen spot between choosing and clicking
    // (the click then opens its review, as it should). Such a try is said and another spot chosen.
    let q: URLSearchParams | null = null;
    let clickedAt = 0;
    for (let attempt = 0; attempt < 5 && !q; attempt++) {
      await page.goto(`${node.url}#/timeline`);
      await page.getByTestId('timeline-play').click(); // stop following live
      await page.getByRole('button', { name: '1 min' }).click();
      await expect.poll(() => page.evaluate(() => window.__vigilTimeline?.layout.length ?? 0), { timeout: 20_000 }).toBe(2);
      const segs = await call('recordings.list', { camera: 'south', from: 0, to: Date.now() });
      const recorded = { from: segs[0]!.start + 2000, to: segs.at(-1)!.end - 1000 };
      // A point on south's lane inside its recording and the view, away from markers and events (a
      // click near one only moves the playhead), chosen from the renderer's own view and hit tests.
      const spot = await page.evaluate(
        ({ recorded, now }) => {
          const r = window.__vigilTimeline!;
          const lane = r.layout.find((l) => l.camera === 'south')!;
          const lo = Math.max(recorded.from, r.view.from + 1000);
          const hi = Math.min(recorded.to, r.view.to - 1000, now - 2000);
          if (hi <= lo) return { error: `no recorded time in view: recorded ${recorded.from}–${recorded.to}, view ${r.view.from}–${r.view.to}` };
          const marks = [...r.visibleMarkers(), ...r.visibleEvents()];
          for (let x = r.xOf(hi); x >= r.xOf(lo); x -= 6)
            for (let y = lane.top + 2; y < lane.top + lane.height - 1; y += 2)
              if (!r.markerAt(x, y) && !r.eventAt(x, y) && marks.every((m) => Math.hypot(m.x - x, m.y - y) >= 16)) return { x, y, t: r.tOf(x) };
          return { error: 'no spot on south lane clear of markers' };
        },
        { recorded, now: Date.now() },
      );
      if ('error' in spot) {
        console.log(`[playback] timeline try ${attempt + 1}: ${spot.error}`);
        await page.waitForTimeout(2000);
        continue;
      }
      const box = (await page.getByTestId('timeline-canvas').boundingBox())!;
      await page.mouse.click(box.x + spot.x, box.y + spot.y);
      await expect.poll(() => page.url(), { timeout: 10_000 }).toMatch(/#\/(playback\?|review\/)/);
      if (page.url().includes('#/review/')) {
        console.log(`[playback] timeline try ${attempt + 1}: a track appeared under the spot (${page.url()}); another spot`);
        continue;
      }
      q = new URL(page.url().replace('#/playback?', '?')).searchParams;
      clickedAt = spot.t;
    }
    expect(q, 'the click opened playback').not.toBeNull();
    expect(q!.get('cameras')).toBe('south');
    expect(Math.abs(Number(q!.get('t')) - clickedAt)).toBeLessThan(1000);
    const shown = await until('its frame', 20_000, async () => (await hook(page))?.cameras.south?.frame ?? undefined, 100);
    expect(Math.abs(shown.wall - Number(q!.get('t')))).toBeLessThan(3000);
    await page.screenshot({ path: join(artifacts, 'playback-from-timeline.png') });
    await page.close();
  });
});
