// Which stored box of each track belongs to the frame shown at a wall time: the stored box of that
// frame when the store kept one (within half a frame), otherwise a box interpolated between the
// track's stored boxes either side (the store keeps `detectionsHz` boxes a second by default, not
// every frame), never beyond a track's first or last stored box.
import type { BoxXYWH, TrackPath } from '../../main/api/contract';

/** The longest gap between two stored boxes of a track that interpolation bridges. */
export const MAX_BRIDGE_MS = 2_000;
/** How far back a trail reaches. */
export const TRAIL_MS = 3_000;

export interface ShownBox {
  /** The recorded track's id (tracks.get). */
  track: string;
  engineTrack: number;
  label: string;
  box: BoxXYWH;
  score: number;
  /** Wall time of the stored box drawn; for an interpolated box, the wall time it was made for. */
  t: number;
  /** True when no box of this frame is stored: the box lies between two stored ones. */
  interpolated: boolean;
}

/** Index of the first point with time ≥ t (path.length when none). */
function firstAtOrAfter(path: TrackPath['path'], t: number): number {
  let lo = 0;
  let hi = path.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (path[mid]!.t < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The box of `track` for the frame shown at wall time `wall` (frames `frameMs` apart), or null. */
export function boxAt(track: TrackPath, wall: number, frameMs: number): ShownBox | null {
  const path = track.path;
  const half = frameMs / 2;
  const i = firstAtOrAfter(path, wall - half);
  const base = { track: track.id, engineTrack: track.engineTrack, label: track.label };
  // The stored box nearest the frame, within half a frame either side.
  let best = -1;
  for (let j = i; j < path.length && path[j]!.t <= wall + half; j++) {
    if (best < 0 || Math.abs(path[j]!.t - wall) < Math.abs(path[best]!.t - wall)) best = j;
  }
  if (best >= 0) {
    const p = path[best]!;
    return { ...base, box: p.box, score: p.score, t: p.t, interpolated: false };
  }
  const a = path[i - 1];
  const b = path[i];
  if (!a || !b || b.t - a.t > MAX_BRIDGE_MS) return null;
  const f = (wall - a.t) / (b.t - a.t);
  const mix = (k: 0 | 1 | 2 | 3) => Math.round(a.box[k] + (b.box[k] - a.box[k]) * f);
  return { ...base, box: [mix(0), mix(1), mix(2), mix(3)], score: a.score + (b.score - a.score) * f, t: wall, interpolated: true };
}

/** Every track's box for the frame shown at `wall`. */
export function boxesAt(tracks: Iterable<TrackPath>, wall: number, frameMs: number): ShownBox[] {
  const out: ShownBox[] = [];
  for (const t of tracks) {
    const b = boxAt(t, wall, frameMs);
    if (b) out.push(b);
  }
  return out;
}

/** The bottom centres of a track's stored boxes over the last TRAIL_MS up to `wall`, oldest first. */
export function trailAt(track: TrackPath, wall: number): [number, number][] {
  const path = track.path;
  const out: [number, number][] = [];
  for (let j = firstAtOrAfter(path, wall - TRAIL_MS); j < path.length && path[j]!.t <= wall; j++) {
    const [x, y, w, h] = path[j]!.box;
    out.push([x + w / 2, y + h]);
  }
  return out;
}
