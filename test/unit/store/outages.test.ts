// Camera outages recorded as events (a real SQLite file): offline with the reason, online with the length.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { StreamStats } from '../../../main/api/engine-types.js';
import { CameraOutages } from '../../../main/core/camera-outages.js';
import { openSqlite3 } from '../../../main/store/driver.js';
import { openStore, type Store } from '../../../main/store/store.js';

let store: Store | null = null;
let dir = '';
afterEach(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const stat = (camera: string, state: StreamStats['state'], reason: StreamStats['reason'] = null): StreamStats => ({
  camera,
  state,
  reason,
  error: null,
  advice: null,
  retryAt: null,
  decodeFps: state === 'live' ? 10 : 0,
  inferFps: 0,
  droppedFrames: 0,
  latencyMs: 0,
  inferencesSaved: 0,
});

it('records each outage of a camera that had video as an offline/online pair in the store', async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-outages-'));
  store = await openStore({ dataDir: dir, maxDelayMs: 10, log: () => undefined });
  const outages = new CameraOutages(store.recorder);
  outages.update([stat('gate', 'connecting'), stat('yard', 'live')], 1_000); // never had video: no outage yet
  outages.update([stat('gate', 'live'), stat('yard', 'live')], 2_000);
  outages.update([stat('gate', 'reconnecting', 'connection-refused'), stat('yard', 'live')], 3_000);
  outages.update([stat('gate', 'reconnecting', 'connection-refused'), stat('yard', 'live')], 4_000); // still down: one record
  outages.update([stat('gate', 'live'), stat('yard', 'live', 'stalled')], 6_500);
  outages.update([stat('gate', 'live'), stat('yard', 'live')], 7_000);
  await store.recorder.flush();
  const db = await openSqlite3(join(dir, 'vigil.db'), { readonly: true });
  const rows = await db.query<{ time: number; camera: string; kind: string; detail: string }>(
    'SELECT e.time, c.name AS camera, e.kind, e.detail FROM events e JOIN cameras c ON c.id = e.camera_id ORDER BY e.id',
  );
  await db.close();
  expect(rows.map((r) => [r.time, r.camera, r.kind, JSON.parse(r.detail)])).toEqual([
    [3_000, 'gate', 'camera-offline', { reason: 'connection-refused', state: 'reconnecting' }],
    [6_500, 'gate', 'camera-online', { outageMs: 3_500 }],
    [6_500, 'yard', 'camera-offline', { reason: 'stalled', state: 'live' }],
    [7_000, 'yard', 'camera-online', { outageMs: 500 }],
  ]);
});
