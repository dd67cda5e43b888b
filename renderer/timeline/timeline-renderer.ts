// Draws the timeline on one canvas: a time axis, one lane per camera with detection density from
// the store's buckets, then one band per label with the tracks stacked in rows (lane-layout.ts),
// and the playhead. Redrawn only when something changed.
import { fitCanvas } from '../common/canvas';
import type { TimelineBucket, TrackSummary, ZoneEvent } from '../../main/api/contract';
import { drawEventMark } from './event-marks';
import { labelColor } from '../common/colors';
import { AXIS_HEIGHT, DENSITY_HEIGHT, MAX_ROWS, ROW_HEIGHT, layoutLanes, rowCentre, type LaneLayout, type Placed, type StickyRows } from './lane-layout';

export { AXIS_HEIGHT } from './lane-layout';
const MIN_SPAN = 5_000;
const MAX_SPAN = 14 * 24 * 3600_000;
const TICKS = [
  1e3,
  2e3,
  5e3,
  10e3,
  15e3,
  30e3,
  60e3,
  120e3,
  300e3,
  600e3,
  900e3,
  1800e3,
  3600e3,
  7200e3,
  3 * 3600e3,
  6 * 3600e3,
  12 * 3600e3,
  86400e3,
  2 * 86400e3,
];
/** The most markers drawn one by one; beyond, density alone tells the story. */
const MAX_MARKERS = 20_000;

export interface View {
  from: number;
  to: number;
}

interface LaneData {
  buckets: { t: number; count: number }[];
  bucketMs: number;
  maxCount: number;
  /** Sorted by firstSeen. */
  tracks: TrackSummary[];
}

export interface EventHit {
  event: ZoneEvent;
  x: number;
  y: number;
}

export interface MarkerHit {
  track: TrackSummary;
  x: number;
  y: number;
}

export class TimelineRenderer {
  view: View;
  playhead: number;
  lanes: string[] = [];
  /** Where each lane, label band and track row is (CSS pixels); recomputed when lanes or data change. */
  layout: LaneLayout[] = [];
  /** Called when the layout changed (lane heights, bands), for the names beside the canvas. */
  onLayout: (layout: LaneLayout[]) => void = () => {};
  private data = new Map<string, LaneData>();
  /** Analytics events in view, sorted by time, per camera. */
  private events = new Map<string, ZoneEvent[]>();
  private width = 0;
  private height = 0;
  private dirty = true;
  private raf = 0;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly resize: ResizeObserver;
  /** Called (not per frame) when the view changed, to fetch data for it. */
  onViewChange: (view: View) => void = () => {};
  /** rAF callback durations, ms (for the benchmark). */
  readonly frameTimes: number[] = [];

  constructor(
    private readonly canvas: HTMLCanvasElement,
    view: View,
  ) {
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('this browser cannot draw on a canvas');
    this.ctx = ctx;
    this.view = view;
    this.playhead = view.to;
    this.resize = new ResizeObserver(([entry]) => {
      if (!entry) return;
      this.width = entry.contentRect.width;
      this.height = entry.contentRect.height;
      this.invalidate();
    });
    this.resize.observe(canvas);
    this.raf = requestAnimationFrame(this.frame);
  }

  dispose(): void {
    cancelAnimationFrame(this.raf);
    this.resize.disconnect();
  }

  invalidate(): void {
    this.dirty = true;
  }

  setLanes(lanes: string[]): void {
    this.lanes = lanes;
    this.relayout();
  }

  /** Rows kept across refreshes of one view (cleared when the view moves or zooms). */
  private sticky: StickyRows = { rowOf: new Map(), bandRows: new Map() };

  private relayout(): void {
    this.layout = layoutLanes(this.lanes, (camera) => (this.truncated ? [] : (this.data.get(camera)?.tracks ?? [])), this.sticky);
    this.invalidate();
    this.onLayout(this.layout);
  }

  /** True when the store held more tracks in view than were fetched: markers would be a misleading subset. */
  private truncated = false;

  setData(buckets: TimelineBucket[], bucketMs: number, tracks: TrackSummary[], truncated = false): void {
    this.truncated = truncated;
    const data = new Map<string, LaneData>();
    const lane = (camera: string) => {
      let d = data.get(camera);
      if (!d) data.set(camera, (d = { buckets: [], bucketMs, maxCount: 1, tracks: [] }));
      return d;
    };
    // Sum the labels of one bucket: the lane shows how busy the camera was.
    const sums = new Map<string, Map<number, number>>();
    for (const b of buckets) {
      let m = sums.get(b.camera);
      if (!m) sums.set(b.camera, (m = new Map()));
      m.set(b.t, (m.get(b.t) ?? 0) + b.count);
    }
    for (const [camera, m] of sums) {
      const d = lane(camera);
      d.buckets = [...m].map(([t, count]) => ({ t, count })).sort((a, b) => a.t - b.t);
      d.maxCount = Math.max(1, ...d.buckets.map((b) => b.count));
    }
    for (const t of tracks) lane(t.camera).tracks.push(t);
    for (const d of data.values()) d.tracks.sort((a, b) => a.firstSeen - b.firstSeen);
    this.data = data;
    this.relayout();
  }

  setEvents(events: ZoneEvent[]): void {
    const by = new Map<string, ZoneEvent[]>();
    for (const e of events) {
      let list = by.get(e.camera);
      if (!list) by.set(e.camera, (list = []));
      list.push(e);
    }
    for (const list of by.values()) list.sort((a, b) => a.t - b.t);
    this.events = by;
    this.invalidate();
  }

  /** Event markers in view with their positions (CSS pixels), for hit tests and accessible lists. */
  visibleEvents(limit = Infinity): EventHit[] {
    const out: EventHit[] = [];
    const { from, to } = this.view;
    for (const lane of this.layout)
      for (const e of this.events.get(lane.camera) ?? []) {
        if (out.length >= limit) return out;
        if (e.t >= from && e.t <= to) out.push({ event: e, x: this.xOf(e.t), y: lane.eventY });
      }
    return out;
  }

  /** The event marker under (x, y): on a lane's event row, the nearest within 5 px. */
  eventAt(x: number, y: number): ZoneEvent | null {
    const lane = this.laneAt(y);
    if (!lane || Math.abs(y - lane.eventY) > 6) return null;
    let best: ZoneEvent | null = null;
    let bestD = 5;
    for (const e of this.events.get(lane.camera) ?? []) {
      const d = Math.abs(this.xOf(e.t) - x);
      if (d <= bestD) {
        best = e;
        bestD = d;
      }
    }
    return best;
  }

  canvasWidth(): number {
    return this.width;
  }

  xOf(t: number): number {
    return ((t - this.view.from) / (this.view.to - this.view.from)) * this.width;
  }

  tOf(x: number): number {
    return this.view.from + (x / Math.max(1, this.width)) * (this.view.to - this.view.from);
  }

  setView(view: View, notify = true): void {
    const span = Math.min(MAX_SPAN, Math.max(MIN_SPAN, view.to - view.from));
    const mid = (view.from + view.to) / 2;
    if (view.to - view.from !== span) view = { from: mid - span / 2, to: mid + span / 2 };
    if (view.from !== this.view.from || view.to !== this.view.to) this.sticky = { rowOf: new Map(), bandRows: new Map() };
    this.view = view;
    this.invalidate();
    if (notify) this.onViewChange(view);
  }

  /** Zoom by `factor` (>1 zooms out) keeping the time under x fixed. */
  zoomAt(x: number, factor: number): void {
    const t = this.tOf(x);
    const { from, to } = this.view;
    this.setView({ from: t - (t - from) * factor, to: t + (to - t) * factor });
  }

  panBy(dx: number): void {
    const dt = (dx / Math.max(1, this.width)) * (this.view.to - this.view.from);
    this.setView({ from: this.view.from - dt, to: this.view.to - dt });
  }

  setPlayhead(t: number): void {
    this.playhead = t;
    this.invalidate();
  }

  laneAt(y: number): LaneLayout | null {
    return this.layout.find((l) => y >= l.top && y < l.top + l.height) ?? null;
  }

  /** Placed tracks of a band that show in the view. */
  private placedInView(placed: Placed[]): Placed[] {
    const { from, to } = this.view;
    return placed.filter((p) => p.track.firstSeen <= to && p.track.lastSeen >= from);
  }

  /** Visible markers with their centre positions (CSS pixels), for hit tests and accessible lists. */
  visibleMarkers(limit = Infinity): MarkerHit[] {
    const out: MarkerHit[] = [];
    if (this.truncated) return out;
    for (const lane of this.layout)
      for (const band of lane.bands)
        for (const p of this.placedInView(band.placed)) {
          if (out.length >= limit) return out;
          const x0 = this.xOf(p.track.firstSeen);
          const x1 = Math.max(x0 + 4, this.xOf(p.track.lastSeen));
          out.push({ track: p.track, x: Math.max(0, Math.min(this.width, (x0 + x1) / 2)), y: rowCentre(band, p.row) });
        }
    return out;
  }

  markerAt(x: number, y: number): TrackSummary | null {
    const lane = this.laneAt(y);
    if (!lane || this.truncated) return null;
    const band = lane.bands.find((b) => y >= b.top && y < b.top + b.height);
    if (!band) return null;
    // The row under the pointer; in it, bars under the pointer first, then the nearest within 6 px;
    // among several (the aggregate row), the one whose middle (where its marker sits) is closest.
    let row = 0;
    let rowDist = Infinity;
    for (let r = 0; r <= MAX_ROWS; r++) {
      const d = Math.abs(y - rowCentre(band, r));
      if (d < rowDist) {
        row = r;
        rowDist = d;
      }
    }
    let best: TrackSummary | null = null;
    let bestKey = [Infinity, Infinity];
    for (const p of this.placedInView(band.placed)) {
      if (p.row !== row) continue;
      const t = p.track;
      const x0 = this.xOf(t.firstSeen);
      const x1 = Math.max(x0 + 4, this.xOf(t.lastSeen));
      const dist = x < x0 ? x0 - x : x > x1 ? x - x1 : 0;
      if (dist >= 6) continue;
      const key = [dist, Math.abs(x - (x0 + x1) / 2)];
      if (key[0]! < bestKey[0]! || (key[0] === bestKey[0] && key[1]! < bestKey[1]!)) {
        best = t;
        bestKey = key;
      }
    }
    return best;
  }

  private readonly frame = (): void => {
    this.raf = requestAnimationFrame(this.frame);
    if (!this.dirty) return;
    const start = performance.now();
    this.dirty = false;
    this.draw();
    this.frameTimes.push(performance.now() - start);
    if (this.frameTimes.length > 2000) this.frameTimes.splice(0, 1000);
  };

  private draw(): void {
    const { ctx, canvas } = this;
    const { dpr } = fitCanvas(canvas, this.width, this.height);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = '#0d1014';
    ctx.fillRect(0, 0, this.width, this.height);
    const { from, to } = this.view;
    const span = to - from;

    // Axis and grid.
    const step = TICKS.find((s) => (s / span) * this.width >= 90) ?? 7 * 86400e3;
    const tzOffset = new Date(from).getTimezoneOffset() * 60_000;
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    ctx.strokeStyle = '#232a33';
    ctx.fillStyle = '#8b95a3';
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let t = Math.ceil((from - tzOffset) / step) * step + tzOffset; t <= to; t += step) {
      const x = Math.round(this.xOf(t)) + 0.5;
      ctx.moveTo(x, AXIS_HEIGHT - 4);
      ctx.lineTo(x, this.height);
      ctx.fillText(tickLabel(t, step), x + 3, AXIS_HEIGHT / 2);
    }
    ctx.stroke();

    // Lanes: density, then each label band's rows of bars.
    const markerBudget = { left: MAX_MARKERS };
    this.layout.forEach((lane, i) => {
      ctx.fillStyle = i % 2 ? '#11151a' : '#13181e';
      ctx.fillRect(0, lane.top, this.width, lane.height);
      ctx.fillStyle = '#1d242d';
      ctx.fillRect(0, lane.top + lane.height - 1, this.width, 1);
      const d = this.data.get(lane.camera);
      if (!d) return;
      const densityH = DENSITY_HEIGHT - 3;
      ctx.fillStyle = '#3a7bd5';
      const bw = Math.max(1, (d.bucketMs / span) * this.width);
      const logMax = Math.log1p(d.maxCount);
      for (const b of d.buckets) {
        if (b.t + d.bucketMs < from || b.t > to) continue;
        const bh = Math.max(1, (Math.log1p(b.count) / logMax) * densityH);
        ctx.fillRect(this.xOf(b.t), lane.top + 2 + densityH - bh, bw, bh);
      }
      for (const e of this.events.get(lane.camera) ?? []) if (e.t >= from && e.t <= to) drawEventMark(ctx, e, this.xOf(e.t), lane.eventY, 4);
      for (const band of lane.bands) {
        const placed = this.placedInView(band.placed);
        if (placed.length > markerBudget.left) return;
        markerBudget.left -= placed.length;
        ctx.fillStyle = labelColor(band.label);
        for (const p of placed) {
          const x0 = this.xOf(p.track.firstSeen);
          const x1 = Math.max(x0 + 3, this.xOf(p.track.lastSeen));
          const y = rowCentre(band, p.row) - ROW_HEIGHT / 2;
          ctx.globalAlpha = p.aggregated ? 0.35 : 1;
          ctx.fillRect(x0, y, x1 - x0, ROW_HEIGHT);
        }
        ctx.globalAlpha = 1;
      }
    });

    // Playhead.
    const px = Math.round(this.xOf(this.playhead)) + 0.5;
    if (px >= 0 && px <= this.width) {
      ctx.strokeStyle = '#ff4d4d';
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.moveTo(px, 0);
      ctx.lineTo(px, this.height);
      ctx.stroke();
    }
  }
}

function tickLabel(t: number, step: number): string {
  const d = new Date(t);
  const p = (n: number) => String(n).padStart(2, '0');
  if (step >= 86400e3) return `${d.getMonth() + 1}/${d.getDate()}`;
  if (step >= 60e3) return d.getHours() === 0 && d.getMinutes() === 0 ? `${d.getMonth() + 1}/${d.getDate()}` : `${p(d.getHours())}:${p(d.getMinutes())}`;
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
