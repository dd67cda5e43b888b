// The engine's error texts (captured from the real engine against a real gst-rtsp-server, see
// test/integration/faults/source-states.test.ts) map to distinct reasons with an operator sentence.
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { classifySourceError, diagnoseConnection } from '../../../main/engine/source-errors.js';
import { SourceHealth, STALL_REPORT_MS } from '../../../main/engine/source-health.js';
import type { EngineStreamStats } from '../../../main/api/engine-types.js';

const cam = 'rtsp://op@127.0.0.1:8554/cam';
const engineSaid = {
  auth: "camera 'c0': rtsp://op:***@127.0.0.1:8554/cam: Unauthorized — check the user name and password in the URI (reconnecting in 1 s)",
  network:
    "camera 'c1': rtsp://127.0.0.1:9/none: Could not open resource for reading and writing. — check that the camera is reachable from this machine (reconnecting in 2 s)",
  scheme: "camera 'c3': 'foo://bar': unknown scheme 'foo' — use file://, rtsp://, http(s)://, v4l2:///dev/videoN or test://",
  path: "camera 'c5': rtsp://op:***@127.0.0.1:8554/nope: Not found — check the address (reconnecting in 4 s)",
  stall: "camera 'c0': rtsp://127.0.0.1:8554/cam: no frames for 10 s — check the source (reconnecting in 1 s)",
  empty: "camera 'f': /tmp/x.mp4: the stream ended without a video frame (no video track, or the file is empty/truncated) — check the source",
};

describe('source error vocabulary', () => {
  it('gives each kind of failure its own reason and an actionable sentence', () => {
    const auth = classifySourceError(engineSaid.auth, cam);
    expect(auth.reason).toBe('auth-failed');
    expect(auth.advice).toMatch(/127\.0\.0\.1:8554 refused the user name or password/);
    expect(classifySourceError(engineSaid.network, 'rtsp://127.0.0.1:9/none').reason).toBe('unreachable');
    expect(
      classifySourceError(
        "camera 'c2': rtsp://10.0.0.9/x: Could not read from resource. — check that the camera is reachable from this machine (reconnecting in 1 s)",
        'rtsp://10.0.0.9/x',
      ).reason,
    ).toBe('disconnected');
    expect(classifySourceError(engineSaid.scheme, 'foo://bar')).toMatchObject({
      reason: 'unsupported-scheme',
      advice: expect.stringMatching(/cannot open 'foo' addresses/),
    });
    expect(classifySourceError(engineSaid.path, 'rtsp://127.0.0.1:8554/nope').advice).toMatch(/no stream at '\/nope'/);
    expect(classifySourceError(engineSaid.stall, cam)).toMatchObject({
      reason: 'stalled',
      advice: expect.stringMatching(/open but no video arrived for 10 s/),
    });
    expect(classifySourceError(engineSaid.empty, 'file:///tmp/x.mp4').reason).toBe('no-video');
    // No advice repeats another's words: each says something different.
    const advices = Object.entries(engineSaid).map(([, m]) => classifySourceError(m, cam).advice);
    expect(new Set(advices).size).toBe(advices.length);
  });

  it('asks the OS whether nothing listens, nothing resolves, or something answers', async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const port = (s.address() as { port: number }).port;
        s.close(() => resolve(port));
      });
    });
    expect(await diagnoseConnection(`rtsp://127.0.0.1:${closed}/x`)).toMatchObject({
      reason: 'connection-refused',
      advice: expect.stringMatching(`Nothing answered at 127.0.0.1:${closed} \\(connection refused\\)`),
    });
    expect((await diagnoseConnection('rtsp://camera.invalid/x'))?.reason).toBe('host-not-found');
    const open = createServer((c) => c.destroy());
    await new Promise<void>((r) => open.listen(0, '127.0.0.1', r));
    const port = (open.address() as { port: number }).port;
    expect(await diagnoseConnection(`rtsp://127.0.0.1:${port}/x`)).toBeNull();
    open.close();
  });
});

describe('source health', () => {
  const stats = (over: Partial<EngineStreamStats>): EngineStreamStats[] => [
    { camera: 'c', state: 'live', error: null, decodeFps: 15, inferFps: 15, droppedFrames: 0, latencyMs: 20, inferencesSaved: 0, ...over },
  ];

  it('fills the reason, the advice and a reconnect time that counts down from the engine message', () => {
    const h = new SourceHealth(
      () => cam,
      undefined,
      async () => null,
    );
    h.noteError('c', engineSaid.auth, 1_000);
    const [s] = h.enrich(stats({ state: 'reconnecting', error: engineSaid.auth, decodeFps: 0 }), 1_200);
    expect(s).toMatchObject({ reason: 'auth-failed', retryAt: 2_000 });
    const [ok] = h.enrich(stats({}), 3_000);
    expect(ok).toMatchObject({ reason: null, advice: null, retryAt: null });
  });

  it('reports a live camera without frames as stalled before the engine gives up on it', () => {
    const h = new SourceHealth(
      () => cam,
      undefined,
      async () => null,
    );
    h.enrich(stats({}), 0);
    expect(h.enrich(stats({ decodeFps: 0 }), STALL_REPORT_MS - 1)[0]!.reason).toBeNull();
    expect(h.enrich(stats({ decodeFps: 0 }), STALL_REPORT_MS)[0]).toMatchObject({ state: 'live', reason: 'stalled' });
    // A file paused by its clock is not a stalled camera.
    const file = new SourceHealth(
      () => 'file:///v.mp4',
      undefined,
      async () => null,
    );
    file.enrich(stats({}), 0);
    expect(file.enrich(stats({ decodeFps: 0 }), 60_000)[0]!.reason).toBeNull();
  });

  it("replaces the engine's generic network error with what the OS found", async () => {
    let found: () => void = () => undefined;
    const done = new Promise<void>((r) => (found = r));
    const h = new SourceHealth(
      () => 'rtsp://127.0.0.1:9/none',
      found,
      async () => ({ reason: 'connection-refused', advice: 'Nothing answered at 127.0.0.1:9' }),
    );
    h.noteError('c', engineSaid.network);
    await done;
    expect(h.enrich(stats({ state: 'reconnecting', error: engineSaid.network, decodeFps: 0 }))[0]).toMatchObject({
      reason: 'connection-refused',
      advice: 'Nothing answered at 127.0.0.1:9',
    });
  });
});
