// Draws every tile of the live wall from one requestAnimationFrame loop, outside React: a preview
// frame and the objects of that same frame arrive in one message and are drawn together.
import { fitCanvas } from '../common/canvas';
import type { DetectedObject, PreviewFrameMessage, Zone, ZoneCounts } from '../../main/api/contract';
import { labelColor } from '../common/colors';
import { placeLabel, type Rect } from '../common/label-placement';
import { countText, drawZones } from './zone-overlay';

export interface OverlayOptions {
  boxes: boolean;
  labels: boolean;
  trails: boolean;
  zones: boolean;
}

/** 'stalled': connected, but no video arrives. */
export type TileState = 'connecting' | 'live' | 'paused' | 'stalled' | 'reconnecting' | 'error' | 'ended';

/** Per-tile figures, exposed as window.__vigilStats for tests and the benchmark. */
export interface TileStats {
  received: number;
  drawn: number;
  /** Decoded frames replaced by a newer one before they could be drawn. */
  dropped: number;
  lastFrame: number;
  lastObjects: DetectedObject[];
  /** The zone and line counts drawn with the last frame (absent when the camera has none). */
  lastCounts?: ZoneCounts[];
  /** The count labels drawn on the picture with the current frame (zones, then lines, in the camera's order). */
  drawnCountTexts: string[];
  /** Source pixels → canvas pixels for the last drawn frame. */
  transform: { scale: number; ox: number; oy: number; canvasWidth: number; canvasHeight: number };
  /** Delay from the engine stamping the frame (`time`) to its drawing, ms (last 600). */
  delays: number[];
  /** The page's own share: the message arriving → its drawing, ms (last 600). */
  pageDelays: number[];
}

interface Decoded {
  bitmap: ImageBitmap;
  msg: Omit<PreviewFrameMessage, 'jpeg'>;
  arrivedAt: number;
}

interface Tile {
  camera: string;
  canvas: HTMLCanvasElement;
  ctx: CanvasRenderingContext2D;
  stats: TileStats;
  /** Decoded frames waiting for a display frame, oldest first (a burst of arrivals is drawn, not dropped). */
  pending: Decoded[];
  current: Decoded | null;
  /** Highest frame number handed to the decoder, so late decodes never overwrite newer frames. */
  newestSubmitted: number;
  dirty: boolean;
  cssWidth: number;
  cssHeight: number;
  trails: Map<number, { x: number; y: number; seen: number }[]>;
  zones: Zone[];
  lastFrameAt: number;
  fpsWindow: number[];
  statusEl: HTMLElement | null;
  /** Where the zones' and lines' counts are written as text, with the frame whose counts are drawn. */
  countsEl: HTMLElement | null;
  unsubscribe: (() => void) | null;
}

const TRAIL_POINTS = 30;
/** Frames a tile may hold back for drawing: absorbs network/decode bursts at ≤ 2 display frames of delay. */
const MAX_QUEUE = 2;

declare global {
  interface Window {
    __vigilStats?: { tiles: Record<string, TileStats> };
  }
}

export class WallRenderer {
  private readonly tiles = new Map<string, Tile>();
  private raf = 0;
  private paused = false;
  private overlay: OverlayOptions = { boxes: true, labels: true, trails: false, zones: true };
  private readonly resize = new ResizeObserver((entries) => {
    for (const entry of entries) {
      for (const tile of this.tiles.values()) {
        if (tile.canvas === entry.target) {
          tile.cssWidth = entry.contentRect.width;
          tile.cssHeight = entry.contentRect.height;
          tile.dirty = true;
        }
      }
    }
  });
  private statsTimer: ReturnType<typeof setInterval>;

  constructor(
    private readonly subscribe: (camera: string, onFrame: (msg: PreviewFrameMessage) => void) => () => void,
    private readonly onStaleChange?: (camera: string, receiving: boolean) => void,
  ) {
    window.__vigilStats = { tiles: {} };
    this.raf = requestAnimationFrame(this.frame);
    this.statsTimer = setInterval(() => this.updateStatusTexts(), 1000);
  }

  setOverlay(options: OverlayOptions): void {
    this.overlay = options;
    for (const t of this.tiles.values()) t.dirty = true;
  }

  /** Paused: the wall holds its current frames; new ones are decoded but not drawn. */
  setPaused(paused: boolean): void {
    this.paused = paused;
  }

  attach(camera: string, canvas: HTMLCanvasElement, statusEl: HTMLElement | null, zones: Zone[], countsEl: HTMLElement | null = null): void {
    const existing = this.tiles.get(camera);
    if (existing && existing.canvas === canvas) {
      existing.zones = zones;
      existing.statusEl = statusEl;
      existing.countsEl = countsEl;
      existing.dirty = true;
      return;
    }
    if (existing) this.detach(camera);
    const ctx = canvas.getContext('2d', { alpha: false, desynchronized: true });
    if (!ctx) return;
    const stats: TileStats = window.__vigilStats?.tiles[camera] ?? {
      received: 0,
      drawn: 0,
      dropped: 0,
      lastFrame: -1,
      lastObjects: [],
      drawnCountTexts: [],
      transform: { scale: 1, ox: 0, oy: 0, canvasWidth: 0, canvasHeight: 0 },
      delays: [],
      pageDelays: [],
    };
    const tile: Tile = {
      camera,
      canvas,
      ctx,
      stats,
      pending: [],
      current: null,
      newestSubmitted: -1,
      dirty: true,
      cssWidth: canvas.clientWidth,
      cssHeight: canvas.clientHeight,
      trails: new Map(),
      zones,
      lastFrameAt: 0,
      fpsWindow: [],
      statusEl,
      countsEl,
      unsubscribe: null,
    };
    if (window.__vigilStats) window.__vigilStats.tiles[camera] = stats;
    this.tiles.set(camera, tile);
    this.resize.observe(canvas);
    tile.unsubscribe = this.subscribe(camera, (msg) => this.receive(tile, msg));
  }

  detach(camera: string): void {
    const tile = this.tiles.get(camera);
    if (!tile) return;
    tile.unsubscribe?.();
    this.resize.unobserve(tile.canvas);
    for (const d of tile.pending) d.bitmap.close();
    tile.current?.bitmap.close();
    this.tiles.delete(camera);
  }

  dispose(): void {
    cancelAnimationFrame(this.raf);
    clearInterval(this.statsTimer);
    for (const camera of [...this.tiles.keys()]) this.detach(camera);
    this.resize.disconnect();
  }

  private receive(tile: Tile, msg: PreviewFrameMessage): void {
    tile.stats.received++;
    const arrivedAt = performance.timeOrigin + performance.now();
    if (msg.frame <= tile.newestSubmitted) return;
    tile.newestSubmitted = msg.frame;
    const { jpeg, ...meta } = msg;
    createImageBitmap(new Blob([jpeg as Uint8Array<ArrayBuffer>], { type: 'image/jpeg' })).then(
      (bitmap) => {
        if (this.tiles.get(tile.camera) !== tile || (tile.current && tile.current.msg.frame >= meta.frame)) {
          bitmap.close();
          return;
        }
        // Decodes may finish out of order: keep the queue sorted by frame number.
        let i = tile.pending.length;
        while (i > 0 && tile.pending[i - 1]!.msg.frame > meta.frame) i--;
        tile.pending.splice(i, 0, { bitmap, msg: meta, arrivedAt });
        // More than MAX_QUEUE behind: the display cannot keep up, so skip the oldest.
        while (tile.pending.length > MAX_QUEUE) {
          tile.pending.shift()!.bitmap.close();
          tile.stats.dropped++;
        }
      },
      () => {
        tile.stats.dropped++; // undecodable JPEG: skip it, keep the last good frame
      },
    );
  }

  private readonly frame = (): void => {
    this.raf = requestAnimationFrame(this.frame);
    const now = performance.timeOrigin + performance.now();
    for (const tile of this.tiles.values()) {
      if (this.paused && tile.current && tile.pending.length) {
        for (const d of tile.pending) d.bitmap.close();
        tile.pending = [];
      }
      const next = tile.pending.shift();
      if (next) {
        tile.current?.bitmap.close();
        tile.current = next;
        this.updateTrails(tile, tile.current.msg.objects, tile.current.msg.frame);
        this.draw(tile);
        const s = tile.stats;
        s.drawn++;
        s.lastFrame = tile.current.msg.frame;
        s.lastObjects = tile.current.msg.objects;
        if (tile.current.msg.counts) s.lastCounts = tile.current.msg.counts;
        else delete s.lastCounts;
        s.delays.push(now - tile.current.msg.time);
        if (s.delays.length > 600) s.delays.splice(0, s.delays.length - 600);
        s.pageDelays.push(now - next.arrivedAt);
        if (s.pageDelays.length > 600) s.pageDelays.splice(0, s.pageDelays.length - 600);
        if (tile.lastFrameAt === 0) this.onStaleChange?.(tile.camera, true);
        tile.lastFrameAt = now;
        tile.fpsWindow.push(now);
      } else if (tile.dirty) {
        this.draw(tile);
      }
    }
  };

  private updateTrails(tile: Tile, objects: DetectedObject[], frame: number): void {
    for (const o of objects) {
      let trail = tile.trails.get(o.track);
      if (!trail) tile.trails.set(o.track, (trail = []));
      trail.push({ x: o.box[0] + o.box[2] / 2, y: o.box[1] + o.box[3], seen: frame });
      if (trail.length > TRAIL_POINTS) trail.shift();
    }
    for (const [id, trail] of tile.trails) if (frame - (trail[trail.length - 1]?.seen ?? 0) > TRAIL_POINTS) tile.trails.delete(id);
  }

  private draw(tile: Tile): void {
    tile.dirty = false;
    const { canvas, ctx } = tile;
    const { w, h, dpr } = fitCanvas(canvas, tile.cssWidth, tile.cssHeight);
    ctx.fillStyle = '#07090c';
    ctx.fillRect(0, 0, w, h);
    const cur = tile.current;
    if (!cur) return;
    const { width: fw, height: fh } = cur.msg;
    const scale = Math.min(w / fw, h / fh);
    const ox = (w - fw * scale) / 2;
    const oy = (h - fh * scale) / 2;
    ctx.drawImage(cur.bitmap, ox, oy, fw * scale, fh * scale);
    tile.stats.transform = { scale, ox, oy, canvasWidth: w, canvasHeight: h };
    const o = this.overlay;
    // One source for the counts on the picture and the text under it: this frame's message.
    tile.stats.drawnCountTexts = o.zones ? drawZones(ctx, tile.zones, cur.msg.counts, ox, oy, fw * scale, fh * scale, dpr) : [];
    this.writeCounts(tile, cur.msg.counts);
    if (o.trails) {
      ctx.lineWidth = 2 * dpr;
      for (const [id, trail] of tile.trails) {
        if (trail.length < 2) continue;
        const label = cur.msg.objects.find((x) => x.track === id)?.label;
        ctx.strokeStyle = label ? labelColor(label) : '#888';
        ctx.globalAlpha = 0.7;
        ctx.beginPath();
        trail.forEach((p, i) => (i ? ctx.lineTo(ox + p.x * scale, oy + p.y * scale) : ctx.moveTo(ox + p.x * scale, oy + p.y * scale)));
        ctx.stroke();
      }
      ctx.globalAlpha = 1;
    }
    if (!o.boxes) return;
    const font = Math.max(10, Math.round(11 * dpr));
    ctx.font = `${font}px system-ui, sans-serif`;
    ctx.textBaseline = 'top';
    // Boxes first, then every label over them: no box line crosses a label.
    for (const obj of cur.msg.objects) {
      ctx.strokeStyle = labelColor(obj.label);
      ctx.lineWidth = Math.max(2, 2 * dpr);
      ctx.setLineDash(obj.inferred ? [] : [4 * dpr, 3 * dpr]);
      ctx.strokeRect(ox + obj.box[0] * scale, oy + obj.box[1] * scale, obj.box[2] * scale, obj.box[3] * scale);
    }
    ctx.setLineDash([]);
    if (!o.labels) return;
    const placed: Rect[] = [];
    for (const obj of cur.msg.objects) {
      const text = `${obj.label} ${obj.score.toFixed(2)} #${obj.track}`;
      const r = placeLabel({ x: ox + obj.box[0] * scale, y: oy + obj.box[1] * scale, w: ctx.measureText(text).width + 6, h: font + 4 }, placed, {
        x: ox,
        y: oy,
        w: fw * scale,
        h: fh * scale,
      });
      placed.push(r);
      ctx.fillStyle = labelColor(obj.label);
      ctx.fillRect(r.x, r.y, r.w, r.h);
      ctx.fillStyle = '#000';
      ctx.fillText(text, r.x + 3, r.y + 2);
    }
  }

  /** The tile's counts as text, from the same message as the picture drawn now (written only when it changes). */
  private writeCounts(tile: Tile, counts: ZoneCounts[] | undefined): void {
    if (!tile.countsEl) return;
    const text = tile.zones
      .filter((z) => z.kind !== 'mask')
      .map((z) =>
        countText(
          z,
          counts?.find((c) => c.zone === z.id),
        ),
      )
      .join(' | ');
    if (tile.countsEl.textContent !== text) tile.countsEl.textContent = text;
  }

  /** Once a second: per-tile fps and delay as text, and whether frames still arrive. */
  private updateStatusTexts(): void {
    const now = performance.timeOrigin + performance.now();
    for (const tile of this.tiles.values()) {
      tile.fpsWindow = tile.fpsWindow.filter((t) => now - t <= 2000);
      const fps = tile.fpsWindow.length / 2;
      const d = tile.stats.delays;
      const recent = d.slice(-10).sort((a, b) => a - b);
      const delay = recent.length ? recent[Math.floor(recent.length / 2)]! : null;
      // What this page shows (the tile's labelled figures are the engine's, as on System).
      if (tile.statusEl)
        tile.statusEl.title = tile.lastFrameAt ? `shown here: ${fps.toFixed(1)} fps, ${delay === null ? '–' : Math.round(delay)} ms after capture` : '';
      // A paused wall draws nothing new on purpose: that is not a camera going quiet.
      if (!this.paused && tile.lastFrameAt && now - tile.lastFrameAt > 3000) {
        tile.lastFrameAt = 0;
        this.onStaleChange?.(tile.camera, false);
      }
    }
  }
}
