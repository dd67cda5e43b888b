// Fault 1 (short): a real RTSP camera killed and restarted 3× during a run; `npm run bench:faults` does 10×.
import type { Browser } from 'playwright-core';
import { afterAll, expect, it } from 'vitest';
import { describeRtspRestarts, rtspRestarts } from '../../../bench/faults/rtsp-restarts.js';
import { launchBrowser } from '../../helpers/browser.js';

let browser: Browser | null = null;
afterAll(() => browser?.close());

it('RTSP camera killed and restarted 3×: reconnects within the backoff bounds, each outage a recorded gap, the API and the tile say so, the other cameras keep their rate', async () => {
  browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const f = await rtspRestarts(3, { page, log: (l) => console.log(l) });
  console.log(`[faults] ${describeRtspRestarts(f)}`);
  f.reconnectMs.forEach((ms, i) => expect(ms, `restart ${i + 1}`).toBeLessThanOrEqual(f.boundMs[i]!));
  expect(f.duringOutage.every((s) => s.startsWith('reconnecting/'))).toBe(true);
  expect(f.tileDuringOutage).toBe('reconnecting');
  expect(f.offlineEvents).toBe(3);
  expect(f.onlineEvents).toBe(3);
  expect(f.othersFpsBefore).toBeGreaterThan(5);
  expect(f.othersFpsDuring).toBeGreaterThan(f.othersFpsBefore * 0.8);
  expect(f.integrity).toBe('ok');
}, 240_000);
