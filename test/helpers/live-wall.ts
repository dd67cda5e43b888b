// Reads the live wall's drawn state in Chromium, for the e2e tests of both backends.
import type { Page } from 'playwright-core';
import type { DetectedObject } from '../../main/api/contract.js';

export interface TileSnapshot {
  lastFrame: number;
  drawn: number;
  lastObjects: DetectedObject[];
  transform: { scale: number; ox: number; oy: number };
  checksum: number;
  /** Pixels around the left edge of each box, sampled in the same task as the stats. */
  edges: number[][][];
}

/** Reads a tile's canvas and its draw stats in one synchronous step, so they describe the same frame. */
export async function tileSnapshot(page: Page, camera: string): Promise<TileSnapshot> {
  return page.evaluate((cam) => {
    const s = window.__vigilStats!.tiles[cam]!;
    const canvas = document.querySelector<HTMLCanvasElement>(`[data-testid="tile-canvas-${cam}"]`)!;
    const ctx = canvas.getContext('2d')!;
    const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let checksum = 0;
    for (let i = 0; i < data.length; i += 37) checksum = (checksum * 31 + data[i]!) >>> 0;
    const { scale, ox, oy } = s.transform;
    const edges = s.lastObjects.map((o) => {
      const x = Math.round(ox + o.box[0] * scale);
      const y = Math.round(oy + (o.box[1] + o.box[3] / 2) * scale);
      return [-1, 0, 1].map((dx) => Array.from(ctx.getImageData(x + dx, y, 1, 1).data.slice(0, 3)));
    });
    return { lastFrame: s.lastFrame, drawn: s.drawn, lastObjects: s.lastObjects, transform: s.transform, checksum, edges };
  }, camera);
}
