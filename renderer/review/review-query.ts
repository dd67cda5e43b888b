// The review list's filters as the URL keeps them, so Back (and "← All tracks") restores them.
import type { TrackSearch, Zone, ZoneEventKind } from '../../main/api/contract';
import { isZoneEventKind } from '../../main/api/registries';

/** The review's filters: the track search's, and an event kind that lists the zones' events instead of tracks. */
export type ReviewFilter = TrackSearch & { event?: ZoneEventKind };

/** The list's last filters, for "← All tracks" from a track opened elsewhere (Back restores them from the URL anyway). */
export const LAST_QUERY_KEY = 'vigil.review.query';

/** Tracks shorter than this are tracker fragments more often than objects: left out unless asked for. */
const DEFAULT_MIN_SECONDS = 1;

/** The filters as the URL keeps them ('#/review?camera=gate&label=person&minSec=1'), so Back restores them. */
export function filterFromQuery(query: string): ReviewFilter {
  const q = new URLSearchParams(query);
  const num = (k: string) => {
    const v = q.get(k);
    return v !== null && v !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined;
  };
  const minSec = num('minSec') ?? DEFAULT_MIN_SECONDS;
  const event = q.get('event');
  const f: ReviewFilter = {
    ...(isZoneEventKind(event) ? { event } : {}),
    ...(q.get('camera') ? { cameras: [q.get('camera')!] } : {}),
    ...(q.get('label') ? { labels: [q.get('label')!] } : {}),
    // Zone ids are unique per camera only: a zone filter is kept with its camera, never alone.
    ...(q.get('zone') && q.get('camera') ? { zone: q.get('zone')! } : {}),
    ...(num('from') !== undefined ? { from: num('from')! } : {}),
    ...(num('to') !== undefined ? { to: num('to')! } : {}),
    ...(num('minScore') !== undefined ? { minScore: num('minScore')! } : {}),
  };
  return minSec > 0 ? { ...f, minDurationMs: minSec * 1000 } : f;
}

export function queryFromFilter(f: ReviewFilter): URLSearchParams {
  const q = new URLSearchParams();
  if (f.event) q.set('event', f.event);
  if (f.cameras?.[0]) q.set('camera', f.cameras[0]);
  if (f.labels?.[0]) q.set('label', f.labels[0]);
  if (f.zone) q.set('zone', f.zone);
  if (f.from !== undefined) q.set('from', String(f.from));
  if (f.to !== undefined) q.set('to', String(f.to));
  if (f.minScore !== undefined) q.set('minScore', String(f.minScore));
  q.set('minSec', String((f.minDurationMs ?? 0) / 1000));
  return q;
}

/** One entry of the zone filter: a zone or line of one camera (zone ids are unique per camera only). */
export interface ZoneOption {
  /** The select's value: the (camera, zone) key. */
  value: string;
  camera: string;
  zone: string;
  /** The zone's name, and its camera's when the list spans several cameras. */
  text: string;
}

/** The select value of a (camera, zone) pair: unambiguous whatever either id holds. */
export function zoneOptionValue(camera: string, zone: string): string {
  return JSON.stringify([camera, zone]);
}

/**
 * The zone filter's entries: every zone and line of the chosen camera, or of every camera (named
 * "Zone (Camera)") when none is chosen, by name. Picking one also picks its camera.
 */
export function zoneOptions(cameras: readonly { id: string; name: string; zones: readonly Zone[] }[], camera: string | undefined): ZoneOption[] {
  return cameras
    .filter((c) => camera === undefined || c.id === camera)
    .flatMap((c) =>
      c.zones
        .filter((z) => z.kind !== 'mask')
        .map((z) => ({ value: zoneOptionValue(c.id, z.id), camera: c.id, zone: z.id, text: camera === undefined ? `${z.name} (${c.name})` : z.name })),
    )
    .sort((a, b) => a.text.localeCompare(b.text));
}
