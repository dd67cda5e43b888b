// Where each track's bar goes: one lane per camera, split into one band per label, and in a band
// one row per track that overlaps the others in time (greedy interval packing), so bars never
// cover each other. Past MAX_ROWS rows, the tracks that would need more share one last row, drawn
// faded as an aggregate, and the band says how many they are.
import type { TrackSummary } from '../../main/api/contract';

export const AXIS_HEIGHT = 22;
/** The camera lane's density strip (detections per bucket) above its label bands. */
export const DENSITY_HEIGHT = 14;
/** The camera lane's row of analytics event markers (enter, exit, cross, crowded, dwell), under the density. */
export const EVENT_ROW_HEIGHT = 12;
export const ROW_HEIGHT = 8;
const ROW_GAP = 2;
const BAND_PAD = 3;
/** A lane without tracks is still this tall (its name and density show). */
export const MIN_LANE_HEIGHT = 34;
export const MAX_ROWS = 6;

export interface Placed {
  track: TrackSummary;
  /** Row in its band; MAX_ROWS for the aggregate row. */
  row: number;
  /** True when the track is drawn in the aggregate row (over others). */
  aggregated: boolean;
}

export interface BandLayout {
  label: string;
  /** CSS pixels from the canvas top. */
  top: number;
  height: number;
  rows: number;
  /** Tracks in the aggregate row. */
  aggregated: number;
  placed: Placed[];
}

export interface LaneLayout {
  camera: string;
  top: number;
  /** Centre of the event marker row, CSS pixels. */
  eventY: number;
  height: number;
  bands: BandLayout[];
}

/** Row centre, CSS pixels. */
export function rowCentre(band: BandLayout, row: number): number {
  return band.top + BAND_PAD + row * (ROW_HEIGHT + ROW_GAP) + ROW_HEIGHT / 2;
}

/**
 * Rows from the previous layout of the same view, so that a refresh (new tracks, open tracks growing)
 * moves no bar the operator is aiming at: a track keeps its row while it fits there, and a band
 * keeps its row count.
 */
export interface StickyRows {
  rowOf: Map<string, number>;
  bandRows: Map<string, number>;
}

/** Packs one label's tracks (sorted by firstSeen) into rows: its previous row if free, else the first row whose last bar ended before this one starts. */
function pack(tracks: TrackSummary[], sticky: StickyRows | undefined): { placed: Placed[]; rows: number; aggregated: number } {
  const ends: number[] = [];
  const placed: Placed[] = [];
  let aggregated = 0;
  for (const t of tracks) {
    const prev = sticky?.rowOf.get(t.id);
    const keep = prev !== undefined && prev < MAX_ROWS && (ends[prev] ?? -Infinity) < t.firstSeen;
    if (keep) while (ends.length <= prev) ends.push(-Infinity);
    let row = keep ? prev : ends.findIndex((end) => end < t.firstSeen);
    if (row < 0 && ends.length < MAX_ROWS) row = ends.push(t.lastSeen) - 1;
    else if (row >= 0) ends[row] = t.lastSeen;
    if (row < 0) {
      aggregated++;
      placed.push({ track: t, row: MAX_ROWS, aggregated: true });
    } else placed.push({ track: t, row, aggregated: false });
  }
  return { placed, rows: ends.length + (aggregated > 0 ? 1 : 0), aggregated };
}

/** The lanes top to bottom for `cameras`, given each camera's tracks sorted by firstSeen. */
export function layoutLanes(cameras: string[], tracksOf: (camera: string) => TrackSummary[], sticky?: StickyRows): LaneLayout[] {
  const lanes: LaneLayout[] = [];
  let top = AXIS_HEIGHT;
  for (const camera of cameras) {
    const byLabel = new Map<string, TrackSummary[]>();
    for (const t of tracksOf(camera)) {
      let list = byLabel.get(t.label);
      if (!list) byLabel.set(t.label, (list = []));
      list.push(t);
    }
    const bands: BandLayout[] = [];
    const eventY = top + DENSITY_HEIGHT + EVENT_ROW_HEIGHT / 2;
    let y = top + DENSITY_HEIGHT + EVENT_ROW_HEIGHT;
    for (const label of [...byLabel.keys()].sort()) {
      const packed = pack(byLabel.get(label)!, sticky);
      const { placed, aggregated } = packed;
      const key = `${camera}\n${label}`;
      const rows = Math.max(packed.rows, Math.min(sticky?.bandRows.get(key) ?? 0, MAX_ROWS + (aggregated > 0 ? 1 : 0)));
      if (sticky) {
        sticky.bandRows.set(key, rows);
        for (const p of placed) if (!p.aggregated) sticky.rowOf.set(p.track.id, p.row);
      }
      const height = BAND_PAD * 2 + rows * ROW_HEIGHT + (rows - 1) * ROW_GAP;
      bands.push({ label, top: y, height, rows, aggregated, placed });
      y += height;
    }
    const height = Math.max(MIN_LANE_HEIGHT, y - top + 2);
    lanes.push({ camera, top, eventY, height, bands });
    top += height;
  }
  return lanes;
}

/** The canvas height the lanes need. */
export function totalHeight(lanes: LaneLayout[]): number {
  const last = lanes[lanes.length - 1];
  return last ? last.top + last.height : AXIS_HEIGHT + MIN_LANE_HEIGHT;
}
