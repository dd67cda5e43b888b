// Paging the review list through the API's review adapter over a real store: many tracks start in
// the same millisecond (every object that appears in one frame), so a page boundary often falls
// inside such a group. Every track must come exactly once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { reviewOver } from '../../../main/core/review-adapter.js';
import { openStore, type Store } from '../../../main/store/store.js';
import { sceneBatch } from './batches.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function storeWithTiedTracks(): Promise<Store> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-paging-'));
  const store = await openStore({ dataDir: dir, log: () => undefined, maxDelayMs: 20 });
  cleanup.push(
    () => rmSync(dir, { recursive: true, force: true }),
    () => store.close(),
  );
  // 3 cameras × 7 objects that all appear in the first frame of each 20-frame generation: 21 tracks
  // share each start time.
  for (let n = 0; n < 60; n++) store.recorder.write(sceneBatch(n, { cameras: 3, objects: 7, trackFrames: 20 }));
  await store.recorder.flush();
  return store;
}

describe('review paging', () => {
  it('pages with before + beforeId through tracks that started in the same millisecond, each exactly once', async () => {
    const store = await storeWithTiedTracks();
    const review = reviewOver(store, () => 0);
    const all = await review.searchTracks({ limit: 500 });
    expect(all.length).toBe(63);
    expect(new Set(all.map((t) => t.firstSeen)).size).toBe(3); // heavy ties
    const seen: string[] = [];
    let page = await review.searchTracks({ limit: 8 });
    while (page.length > 0) {
      seen.push(...page.map((t) => t.id));
      const last = page[page.length - 1]!;
      page = await review.searchTracks({ limit: 8, before: last.firstSeen, beforeId: last.id });
    }
    expect(seen).toEqual(all.map((t) => t.id));
  });

  it('without beforeId, `before` still means "started strictly before" (older clients)', async () => {
    const store = await storeWithTiedTracks();
    const review = reviewOver(store, () => 0);
    const all = await review.searchTracks({ limit: 500 });
    const newest = all[0]!.firstSeen;
    const older = await review.searchTracks({ limit: 500, before: newest });
    expect(older.every((t) => t.firstSeen < newest)).toBe(true);
    expect(older.length).toBe(all.filter((t) => t.firstSeen < newest).length);
    await expect(review.searchTracks({ before: newest, beforeId: 'x' })).rejects.toThrow(/not a track id/);
  });
});
