// What Vigil publishes on a camera's event topic, in its own JSON shape (docs/MQTT.md): one message per
// zone/line event and per track start, best-snapshot update and end. The nvmsgconv shape is in nvmsgconv.ts.
import type { AnalyticsEvent, BoxXYWH, MetadataBatch, TrackEvent, TrackEventKind, ZoneCounts } from '../api/engine-types.js';
import type { ZoneEventKind } from '../api/registries.js';

/** What the workspace says about the camera and its zones (names are the operator's). */
export interface CameraNames {
  name: string;
  zones: ReadonlyMap<string, { name: string; kind: 'zone' | 'line' | 'mask' }>;
}

export type NamesOf = (camera: string) => CameraNames | undefined;

/** One event, with everything a payload of either format needs. */
export interface EventFacts {
  type: 'analytics' | 'track';
  kind: ZoneEventKind | TrackEventKind;
  camera: { id: string; name: string };
  zone: { id: string; name: string; kind: 'zone' | 'line' | 'mask' } | null;
  direction: 'in' | 'out' | null;
  track: number | null;
  label: string | null;
  /** ms since the epoch. */
  time: number;
  /** The object's box in source pixels, where known. */
  box: BoxXYWH | null;
  score: number | null;
  /** Track events: the best sighting so far (the snapshot shows it). */
  best: { frame: number; time: number; score: number; box: BoxXYWH } | null;
}

/** Vigil's own payload: EventFacts with an ISO time beside the epoch one. */
export interface VigilEventPayload extends EventFacts {
  timestamp: string;
}

function cameraOf(id: string, names: NamesOf): { id: string; name: string } {
  return { id, name: names(id)?.name ?? id };
}

/** The box of `track` in the batch's frame of `camera` at `time` (analytics events carry no box). */
function boxAt(batch: MetadataBatch, camera: string, time: number, track: number | null): { box: BoxXYWH; score: number } | null {
  if (track === null) return null;
  for (const f of batch.frames) {
    if (f.camera !== camera || f.time !== time) continue;
    const o = f.objects.find((x) => x.track === track);
    if (o) return { box: o.box, score: o.score };
  }
  return null;
}

export function analyticsFacts(e: AnalyticsEvent, batch: MetadataBatch, names: NamesOf): EventFacts {
  const zone = names(e.camera)?.zones.get(e.zone);
  const seen = boxAt(batch, e.camera, e.time, e.track);
  return {
    type: 'analytics',
    kind: e.kind,
    camera: cameraOf(e.camera, names),
    zone: { id: e.zone, name: zone?.name ?? e.zone, kind: zone?.kind ?? (e.kind === 'cross' ? 'line' : 'zone') },
    direction: e.direction,
    track: e.track,
    label: e.label,
    time: e.time,
    box: seen?.box ?? null,
    score: seen?.score ?? null,
    best: null,
  };
}

export function trackFacts(e: TrackEvent, names: NamesOf): EventFacts {
  return {
    type: 'track',
    kind: e.kind,
    camera: cameraOf(e.camera, names),
    zone: null,
    direction: null,
    track: e.track,
    label: e.label,
    time: e.time,
    box: e.box,
    score: e.score,
    best: e.best,
  };
}

export function vigilPayload(f: EventFacts): string {
  const payload: VigilEventPayload = { ...f, timestamp: new Date(f.time).toISOString() };
  return JSON.stringify(payload);
}

/** The retained count of one zone/line and label: zone: objects inside now; line: crossings so far. */
export interface CountPayload {
  camera: string;
  zone: string;
  name: string;
  kind: 'zone' | 'line';
  label: string;
  inside: number;
  in: number;
  out: number;
  /** Zones: crowded now (the whole zone's state, on every label's topic). */
  crowded: boolean;
  time: number;
}

/** The count of one label of a zone or line (`l`: the zone's totals for 'all'). */
export function countPayload(
  camera: string,
  z: ZoneCounts,
  l: { label: string; inside: number; in: number; out: number },
  time: number,
  names: NamesOf,
): CountPayload {
  const name = names(camera)?.zones.get(z.zone)?.name ?? z.zone;
  return { camera, zone: z.zone, name, kind: z.kind, label: l.label, inside: l.inside, in: l.in, out: l.out, crowded: z.crowded, time };
}
