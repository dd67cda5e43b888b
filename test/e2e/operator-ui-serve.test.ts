// The operator UI in real Chromium against a real `vigil serve` on the demo workspace: 4 cameras
// playing vtest.avi in a loop at real time, the default NanoDet detector on the CPU, ByteTrack,
// recording to SQLite. The machine is small and inference is CPU-heavy, so waits are generous.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiMethod, ApiParams, ApiResult, DetectedObject } from '../../main/api/contract.js';
import { projectRoot } from '../../main/paths.js';
import { launchBrowser } from '../helpers/browser.js';
import { tileSnapshot } from '../helpers/live-wall.js';
import { startServe, type ServedNode } from '../helpers/serve.js';

const artifacts = join(projectRoot(), 'test-results', 'screenshots');
const PERSON_COLOUR = [0xff, 0x5a, 0x5f]; // labelColor('person') in renderer/common/colors.ts
const SLOW = 180_000;

interface SentPreview {
  camera: string;
  frame: number;
  width: number;
  height: number;
  objects: DetectedObject[];
}

const near = (a: number[], b: number[], tol = 40) => a.every((v, i) => Math.abs(v - b[i]!) <= tol);

describe('operator UI in Chromium against vigil serve (demo workspace, real engine)', () => {
  let browser: Browser;
  let served: ServedNode;
  let cameras: { id: string; name: string; uri: string }[];
  /** Preview headers as they came over the page's WebSocket: camera → frame → header. */
  const sent = new Map<string, Map<number, SentPreview>>();

  async function call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>> {
    const res = await fetch(new URL(`api/v1/${method.split('.').join('/')}`, served.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(params),
    });
    const reply = (await res.json()) as { ok: boolean; result: ApiResult<M>; error?: { message: string } };
    if (!reply.ok) throw new Error(`${method}: ${reply.error?.message}`);
    return reply.result;
  }

  async function openPage(hash: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('dialog', (d) => void d.accept());
    // Capture what the server sent, independently of the page's own decoding.
    page.on('websocket', (ws) =>
      ws.on('framereceived', ({ payload }) => {
        if (typeof payload === 'string') return;
        const headerLength = payload.readUInt32LE(0);
        const header = JSON.parse(payload.subarray(4, 4 + headerLength).toString('utf8')) as SentPreview;
        let frames = sent.get(header.camera);
        if (!frames) sent.set(header.camera, (frames = new Map()));
        frames.set(header.frame, header);
      }),
    );
    await page.goto(`${served.url}#/${hash}`);
    return page;
  }

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    browser = await launchBrowser();
    served = await startServe();
    cameras = (await call('workspace.get', {})).cameras;
  });
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
  });

  it('demo workspace: the live wall draws moving vtest frames with the boxes the server sent with that frame', { timeout: SLOW }, async () => {
    expect(cameras.length).toBe(4);
    const page = await openPage('live');
    for (const c of cameras) await expect.poll(() => page.getByTestId(`tile-state-${c.id}`).textContent(), { timeout: 60_000 }).toBe('live');
    const cam = cameras[0]!.id;

    // Wait for a drawn frame with people in it (pedestrians walk through vtest.avi all the time).
    await expect.poll(async () => (await tileSnapshot(page, cam)).lastObjects.length, { timeout: 60_000, interval: 250 }).toBeGreaterThan(0);
    const first = await tileSnapshot(page, cam);
    await page.waitForTimeout(1_500);
    let second = await tileSnapshot(page, cam);
    await expect
      .poll(async () => ((second = await tileSnapshot(page, cam)), second.lastObjects.some((o) => o.inferred)), { timeout: 60_000, interval: 200 })
      .toBe(true);
    expect(second.drawn).toBeGreaterThan(first.drawn);
    expect(second.lastFrame).toBeGreaterThan(first.lastFrame);
    expect(second.checksum).not.toBe(first.checksum); // the pixels moved

    // The overlay drawn is exactly the objects the server sent with that frame.
    const header = sent.get(cam)?.get(second.lastFrame);
    expect(header, `frame ${second.lastFrame} of ${cam} was drawn but not seen on the WebSocket`).toBeDefined();
    expect(second.lastObjects).toEqual(header!.objects);
    expect(second.lastObjects.every((o) => o.label === 'person' || o.label.length > 0)).toBe(true);
    // And where the metadata puts a (solid-lined) person box, the canvas has the person colour.
    const people = second.lastObjects
      .map((o, i) => ({ o, i }))
      .filter(({ o }) => o.label === 'person' && o.inferred && o.box[0] > 2 && o.box[0] + o.box[2] < header!.width - 2 && o.box[3] > 20);
    expect(people.length).toBeGreaterThan(0);
    expect(people.some(({ i }) => second.edges[i]!.some((px) => near(px, PERSON_COLOUR)))).toBe(true);
    await expect.poll(() => page.getByTestId(`tile-fps-${cam}`).textContent()).toMatch(/^detect \d+\.\d fps · latency \d+ ms$/);
    await page.screenshot({ path: join(artifacts, 'live-wall.png') });
    await page.close();
  });

  it('demo workspace: the boxes sent with a preview lie on that preview frame (same coordinate space as its width × height)', { timeout: SLOW }, async () => {
    // The wall scales boxes by the frame size sent with them; boxes in another space land beside the people.
    const page = await openPage('live');
    const objects = () => [...sent.values()].flatMap((frames) => [...frames.values()].flatMap((h) => h.objects.map((o) => ({ h, o }))));
    await expect.poll(() => objects().length, { timeout: 60_000, interval: 500 }).toBeGreaterThan(200);
    await page.close();
    const outside = objects().filter(({ h, o }) => o.box[0] + o.box[2] > h.width * 1.02 || o.box[1] + o.box[3] > h.height * 1.02);
    const example =
      outside[0] &&
      `${outside[0].h.camera} frame ${outside[0].h.frame} (${outside[0].h.width}×${outside[0].h.height}): box ${outside[0].o.box.map(Math.round).join(',')}`;
    expect(outside.length, `${outside.length} of ${objects().length} boxes reach beyond their frame, e.g. ${example}`).toBe(0);
  });

  it(
    'demo workspace: adding a test:// camera in Settings makes its tile go live with frames drawn; removing it removes the tile',
    { timeout: SLOW },
    async () => {
      const page = await openPage('settings');
      await expect.poll(() => page.locator('[data-testid^="camera-row-"]').count(), { timeout: 20_000 }).toBe(cameras.length);

      await page.getByTestId('add-camera-name').fill('Ball');
      await page.getByTestId('add-camera-uri').fill('file:///nonexistent/clip.mp4');
      await page.getByTestId('add-camera-test').click();
      await expect
        .poll(() => page.getByTestId('add-camera-test-result').textContent(), { timeout: 30_000 })
        .toMatch(/^cannot open file:\/\/\/nonexistent\/clip\.mp4: ./);
      await page.getByTestId('add-camera-uri').fill('test://ball?width=640&height=360&fps=10');
      await page.getByTestId('add-camera-test').click();
      await expect.poll(() => page.getByTestId('add-camera-test-result').textContent(), { timeout: 30_000 }).toBe('connected: 640×360');
      await page.getByTestId('add-camera-submit').click();
      await expect.poll(() => page.getByTestId('camera-row-ball').count(), { timeout: 10_000 }).toBe(1);
      await expect.poll(() => page.getByTestId('preview-ball').getAttribute('data-frame'), { timeout: 60_000 }).toMatch(/^\d+$/);

      await page.getByTestId('nav-live').click();
      await expect.poll(() => page.getByTestId('tile-state-ball').textContent(), { timeout: 60_000 }).toBe('live');
      const before = await tileSnapshot(page, 'ball');
      await expect.poll(async () => (await tileSnapshot(page, 'ball')).drawn, { timeout: 30_000 }).toBeGreaterThan(before.drawn + 3);
      const after = await tileSnapshot(page, 'ball');
      expect(after.checksum).not.toBe(before.checksum); // the ball moves
      expect(sent.get('ball')?.get(after.lastFrame)?.width).toBe(640);

      await page.getByTestId('nav-settings').click();
      await page.getByTestId('camera-remove-ball').click();
      await expect.poll(() => page.getByTestId('camera-row-ball').count(), { timeout: 10_000 }).toBe(0);
      await page.getByTestId('nav-live').click();
      await expect.poll(() => page.locator('[data-testid^="tile-state-"]').count(), { timeout: 10_000 }).toBe(cameras.length);
      expect(await page.getByTestId('tile-ball').count()).toBe(0);
      expect((await call('workspace.get', {})).cameras.map((c) => c.id)).not.toContain('ball');
      await page.close();
    },
  );

  it(
    'demo workspace: Settings → Models inspects and adds an ONNX detector (engine-generated), and shows bad paths next to the field',
    { timeout: SLOW },
    async () => {
      // The engine writes a small square-detector model (YOLOv8 layout) and its manifest.
      // In the node's import folder: the API opens model files only there (or in --models-dir folders).
      const dir = mkdtempSync(join(served.home, 'import', 'ui-model-'));
      execFileSync(join(projectRoot(), 'native', 'build', 'vigil-engine'), ['fixtures', dir], { encoding: 'utf8' });
      const onnx = join(
        dir,
        'model',
        readdirSync(join(dir, 'model')).find((f) => f.endsWith('.onnx'))!,
      );

      const page = await openPage('settings');
      // The demo workspace names no default: the node's default model is the one shown as in use.
      const nodeDefault = (await call('models.list', {})).find((m) => m.isDefault)!;
      await expect.poll(() => page.getByRole('radio', { name: `make ${nodeDefault.title} the default` }).isChecked(), { timeout: 20_000 }).toBe(true);
      expect(await page.getByTestId(`camera-row-${cameras[0]!.id}`).textContent()).toContain(`default (${nodeDefault.name})`);
      await page.getByTestId('add-model-path').fill('/nonexistent/detector.onnx');
      await page.getByTestId('add-model-inspect').click();
      await expect
        .poll(() => page.getByTestId('add-model-error').textContent(), { timeout: 20_000 })
        .toBe(
          `cannot inspect /nonexistent/detector.onnx: '/nonexistent/detector.onnx' is not a file this node may open for the API — put the file in ${join(served.home, 'import')} (or choose it with Browse… in the desktop app), then use that path (path)`,
        );
      // The error sits in the add-model form's block, right under the field the operator used.
      expect(await page.locator('.add-model').getByTestId('add-model-error').count()).toBe(1);
      expect(await page.getByTestId('add-model-proposal').count()).toBe(0);

      await page.getByTestId('add-model-path').fill(onnx);
      await page.getByTestId('add-model-inspect').click();
      await expect.poll(() => page.getByTestId('add-model-proposal').count(), { timeout: 20_000 }).toBe(1);
      expect(await page.getByTestId('add-model-error').count()).toBe(0);
      expect(await page.getByTestId('add-model-proposed-parser').textContent()).toBe('yolov8');
      expect(await page.getByTestId('add-model-input').textContent()).toMatch(/^320×320 NCHW RGB$/);
      expect(await page.getByTestId('add-model-labels-count').textContent()).toBe('1');
      expect(await page.getByTestId('add-model-notes').textContent()).toContain('yolov8');
      expect(await page.getByTestId('add-model-parser').inputValue()).toBe('yolov8');
      await page.screenshot({ path: join(artifacts, 'settings-add-model.png'), fullPage: true });

      // A wrong parser is refused by the engine's one-frame check, and said where the operator acted.
      await page.getByTestId('add-model-name').fill('squares-wrong');
      await page.getByTestId('add-model-parser').selectOption('centernet');
      await page.getByTestId('add-model-submit').click();
      await expect
        .poll(() => page.getByTestId('add-model-error').textContent(), { timeout: 60_000 })
        .toMatch(/^cannot add model 'squares-wrong': .*centernet.* \(parser\)$/);
      expect((await call('models.list', {})).map((m) => m.name)).not.toContain('squares-wrong');

      await page.getByTestId('add-model-name').fill('squares-ui');
      await page.getByTestId('add-model-parser').selectOption('yolov8');
      await page.getByTestId('add-model-labels').fill('square');
      await page.getByTestId('add-model-submit').click();
      await expect
        .poll(() => page.getByTestId('add-model-result').textContent(), { timeout: 60_000 })
        .toMatch(/^Added '.+' \(squares-ui, yolov8, 320×320\): \d+ detections? on the test frame\.$/);
      await expect.poll(() => page.getByTestId('model-row-squares-ui').count(), { timeout: 10_000 }).toBe(1);
      const listed = (await call('models.list', {})).find((m) => m.name === 'squares-ui');
      expect(listed?.labels).toEqual(['square']);
      expect(listed?.parser).toBe('yolov8');

      // nvinfer import: a config naming the same ONNX file is imported; a missing file is said next to its field.
      await page.getByTestId('nvinfer-path').fill('/nonexistent/config_infer_primary.txt');
      await page.getByTestId('nvinfer-import').click();
      await expect
        .poll(() => page.getByTestId('nvinfer-error').textContent(), { timeout: 20_000 })
        .toBe(
          `cannot import /nonexistent/config_infer_primary.txt: '/nonexistent/config_infer_primary.txt' is not a file this node may open for the API — put the file in ${join(served.home, 'import')} (or choose it with Browse… in the desktop app), then use that path (path)`,
        );
      const config = join(dir, 'config_infer_squares.txt');
      writeFileSync(join(dir, 'labels.txt'), 'square\n');
      writeFileSync(
        config,
        [
          '[property]',
          `onnx-file=${onnx}`,
          'labelfile-path=labels.txt',
          'net-scale-factor=0.00392156862745098',
          'infer-dims=3;320;320',
          'network-type=0',
          'maintain-aspect-ratio=1',
          'symmetric-padding=0',
          'batch-size=4',
          '',
        ].join('\n'),
      );
      await page.getByTestId('nvinfer-path').fill(config);
      await page.getByTestId('nvinfer-name').fill('squares-ds');
      await page.getByTestId('nvinfer-import').click();
      await expect.poll(() => page.getByTestId('nvinfer-result').textContent(), { timeout: 60_000 }).toMatch(/^Imported '.+' \(squares-ds, yolov8\)\./);
      expect(await page.getByTestId('nvinfer-error').count()).toBe(0);
      expect(await page.getByTestId('nvinfer-unhonoured').textContent()).toContain('symmetric-padding=0');
      await expect.poll(() => page.getByTestId('model-row-squares-ds').count(), { timeout: 10_000 }).toBe(1);
      await page.screenshot({ path: join(artifacts, 'settings.png'), fullPage: true });
      await page.close();
    },
  );

  it('demo workspace: the timeline shows tracks recorded during the test; clicking one opens its review with its snapshot', { timeout: SLOW }, async () => {
    // Tracks end (and get their snapshot) every few seconds in the demo.
    let ended: ApiResult<'tracks.search'> = [];
    await expect
      .poll(
        // A track that ended in the last 15 s, so that the 1-minute view around "now" below shows it.
        async () => ((ended = (await call('tracks.search', { limit: 500 })).filter((t) => t.snapshotUrl && t.lastSeen > Date.now() - 15_000)), ended.length),
        { timeout: 90_000, interval: 1_000 },
      )
      .toBeGreaterThan(0);
    const started = served.startedAt;
    for (const t of ended) expect(t.firstSeen).toBeGreaterThanOrEqual(started - 1_000); // recorded during this test run

    const page = await openPage('timeline');
    await expect.poll(() => page.getByTestId('timeline-markers').getAttribute('data-span'), { timeout: 20_000 }).not.toBe('0');
    for (const c of cameras) expect(await page.getByTestId(`timeline-lane-${c.id}`).count()).toBe(1);
    await page.keyboard.press(' '); // pause: stop following the present so markers hold still
    await page.getByRole('button', { name: '1 min' }).click();
    await expect.poll(() => page.getByTestId('timeline-markers').getAttribute('data-span'), { timeout: 20_000 }).toBe('60000');

    // A marker of an ended track (it has a snapshot) that a click at its position picks.
    const withSnapshot = new Set((await call('tracks.search', { limit: 5000 })).filter((t) => t.snapshotUrl).map((t) => t.id));
    let target: { id: string; x: number; y: number } | undefined;
    await expect
      .poll(
        async () => {
          const markers = await page.locator('[data-testid^="timeline-marker-"]').evaluateAll((els) =>
            els.map((e) => ({
              id: e.getAttribute('data-testid')!.slice('timeline-marker-'.length),
              x: Number(e.getAttribute('data-x')),
              y: Number(e.getAttribute('data-y')),
            })),
          );
          const picks = await page.evaluate((ms) => ms.filter((m) => window.__vigilTimeline?.markerAt(m.x, m.y)?.id === m.id).map((m) => m.id), markers);
          target = markers.find((m) => withSnapshot.has(m.id) && picks.includes(m.id));
          return target !== undefined;
        },
        { timeout: 40_000 },
      )
      .toBe(true);
    await page.screenshot({ path: join(artifacts, 'timeline.png') });

    const box = (await page.getByTestId('timeline-canvas').boundingBox())!;
    await page.mouse.click(box.x + target!.x, box.y + target!.y);
    await expect.poll(() => page.url()).toContain(`#/review/${encodeURIComponent(target!.id)}`);
    await expect.poll(() => page.getByTestId('track-id').textContent(), { timeout: 20_000 }).toBe(target!.id);
    const detail = await call('tracks.get', { id: target!.id });
    expect(await page.getByTestId('track-label').textContent()).toContain(detail.label);
    expect(await page.getByTestId('track-snapshot').getAttribute('src')).toContain(detail.snapshotUrl!);
    await expect
      .poll(() => page.getByTestId('track-snapshot').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), { timeout: 20_000 })
      .toBeGreaterThan(0);
    await page.screenshot({ path: join(artifacts, 'review-detail.png') });
    await page.close();
  });

  it('demo workspace: the system screen shows the running engine, its provider and the four live streams', { timeout: SLOW }, async () => {
    const page = await openPage('system');
    await expect.poll(() => page.getByTestId('engine-state').textContent(), { timeout: 20_000 }).toMatch(/^running/);
    // In plain words; ONNX Runtime's name for it stays in the tooltip.
    await expect.poll(() => page.getByTestId('execution-provider').getAttribute('title'), { timeout: 20_000 }).toBe('CPUExecutionProvider');
    expect(await page.getByTestId('execution-provider').textContent()).toMatch(/^CPU — Inference runs on the CPU/);
    // The default model prefers TensorRT, then CUDA. This machine has no NVIDIA GPU: the page says so
    // plainly, with the providers that did not load as detail behind a disclosure, not as a warning.
    expect(existsSync('/proc/driver/nvidia/gpus')).toBe(false);
    expect(await page.getByTestId('cpu-only').textContent()).toBe(' — Inference runs on the CPU: no NVIDIA GPU was found.');
    expect(await page.getByTestId('provider-fallback').count()).toBe(0);
    const details = page.getByTestId('provider-details');
    expect(await details.evaluate((d: HTMLDetailsElement) => d.open)).toBe(false);
    const detailText = page.getByTestId('provider-details-text');
    expect(await detailText.textContent()).toMatch(/falling back to CPUExecutionProvider: .*CUDAExecutionProvider/);
    expect(await detailText.isVisible()).toBe(false); // closed until asked for
    await details.locator('summary').click();
    await expect.poll(() => detailText.isVisible()).toBe(true);
    expect(await page.getByTestId('preprocess-path').textContent()).toMatch(/^CPU — inference runs on CPUExecutionProvider/);
    const engineStatus = (await call('system.info', {})).engine;
    expect(engineStatus.inference).toMatchObject({ preprocess: 'cpu' });
    expect(engineStatus.inference?.providerNote).toContain('CUDAExecutionProvider');
    await expect.poll(() => page.getByTestId('cpu-load').textContent(), { timeout: 10_000 }).toMatch(/^\d+ %$/);
    const status = await call('system.status', {});
    expect(status.streams.filter((s) => cameras.some((c) => c.id === s.camera)).length).toBe(cameras.length);
    await page.screenshot({ path: join(artifacts, 'system.png') });
    await page.close();
  });
  it('never sends a camera password to the renderer: every HTTP response and socket message the page receives is checked', { timeout: SLOW }, async () => {
    const secret = 'Zq9-door-password';
    const cam = await call('cameras.add', { name: 'Secret door', uri: `rtsp://ops:${secret}@127.0.0.1:9/door`, force: true });
    const seen: string[] = [];
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('response', (r) => {
      r.text().then(
        (t) => void seen.push(t),
        () => undefined,
      );
    });
    page.on('websocket', (ws) => ws.on('framereceived', ({ payload }) => void seen.push(typeof payload === 'string' ? payload : payload.toString('latin1'))));
    for (const hash of ['live', 'settings', 'system', 'timeline', 'review']) {
      await page.goto(`${served.url}#/${hash}`);
      await page.waitForTimeout(1_500);
    }
    expect(seen.length).toBeGreaterThan(10);
    // The page did get the camera, in its masked form (so the check below looked at the right data).
    expect(seen.some((t) => t.includes('rtsp://ops:***@127.0.0.1:9/door'))).toBe(true);
    for (const text of seen) expect(text).not.toContain(secret);
    await call('cameras.remove', { id: cam.id });
    await page.close();
  });
});
