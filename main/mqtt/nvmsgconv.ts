// DeepStream's nvmsgconv payload, full schema (one object per message, as Gst-nvmsgconv writes it with
// payload-type 0): messageid, mdsversion, @timestamp, place, sensor, analyticsModule, object, event,
// videoPath. A consumer written for DeepStream's message broker reads Vigil's events unchanged.
// Vigil's event kinds map onto DeepStream's event types (docs/MQTT.md has the table).
import { randomUUID } from 'node:crypto';
import type { EventFacts } from './payloads.js';

/** DeepStream's event types (NvDsEventType) as they appear in the payload. */
export type NvEventType = 'entry' | 'exit' | 'moving' | 'stopped' | 'empty' | 'parked' | 'reset' | 'custom';

export const NV_MDS_VERSION = '1.0';

const VEHICLES: ReadonlySet<string> = new Set(['car', 'truck', 'bus', 'motorcycle', 'motorbike', 'bicycle', 'vehicle', 'van']);

export function nvEventType(f: EventFacts): NvEventType {
  switch (f.kind) {
    case 'start':
    case 'enter':
      return 'entry';
    case 'end':
    case 'exit':
      return 'exit';
    case 'update':
      return 'moving';
    case 'cross':
      return f.direction === 'out' ? 'exit' : 'entry';
    case 'dwell':
      return 'stopped';
    case 'crowd-end':
      return 'empty';
    case 'crowded':
      return 'custom';
  }
}

const ZERO_LOCATION = { lat: 0, lon: 0, alt: 0 };
const ZERO_COORDINATE = { x: 0, y: 0, z: 0 };

export interface NvFullPayload {
  messageid: string;
  mdsversion: string;
  '@timestamp': string;
  place: { id: string; name: string; type: string; location: typeof ZERO_LOCATION; info: Record<string, string> };
  sensor: { id: string; type: string; description: string; location: typeof ZERO_LOCATION; coordinate: typeof ZERO_COORDINATE };
  analyticsModule: { id: string; description: string; source: string; version: string };
  object: {
    id: string;
    speed: number;
    direction: number;
    orientation: number;
    confidence: number;
    person?: { confidence: number };
    vehicle?: { type: string; confidence: number };
    bbox: { topleftx: number; toplefty: number; bottomrightx: number; bottomrighty: number };
    location: typeof ZERO_LOCATION;
    coordinate: typeof ZERO_COORDINATE;
  };
  event: { id: string; type: NvEventType };
  videoPath: string;
}

export function nvmsgconvPayload(f: EventFacts, version: string): string {
  const [x, y, w, h] = f.box ?? [0, 0, 0, 0];
  const confidence = f.score ?? 0;
  const label = f.label ?? '';
  // place: the zone or line the event happened in; a track event's place is the camera's view.
  const info: Record<string, string> = { vigilKind: f.kind, vigilType: f.type };
  if (f.direction) info.direction = f.direction;
  if (label) info.label = label;
  const payload: NvFullPayload = {
    messageid: randomUUID(),
    mdsversion: NV_MDS_VERSION,
    '@timestamp': new Date(f.time).toISOString(),
    place: f.zone
      ? { id: f.zone.id, name: f.zone.name, type: f.zone.kind, location: ZERO_LOCATION, info }
      : { id: f.camera.id, name: f.camera.name, type: 'camera', location: ZERO_LOCATION, info },
    sensor: { id: f.camera.id, type: 'Camera', description: f.camera.name, location: ZERO_LOCATION, coordinate: ZERO_COORDINATE },
    analyticsModule: { id: 'vigil', description: 'Vigil zones, lines and tracks', source: 'Vigil', version },
    object: {
      id: f.track === null ? '-1' : String(f.track),
      speed: 0,
      direction: 0,
      orientation: 0,
      confidence,
      ...(label === 'person' ? { person: { confidence } } : {}),
      ...(VEHICLES.has(label) ? { vehicle: { type: label, confidence } } : {}),
      bbox: { topleftx: Math.round(x), toplefty: Math.round(y), bottomrightx: Math.round(x + w), bottomrighty: Math.round(y + h) },
      location: ZERO_LOCATION,
      coordinate: ZERO_COORDINATE,
    },
    event: { id: randomUUID(), type: nvEventType(f) },
    videoPath: '',
  };
  return JSON.stringify(payload);
}
