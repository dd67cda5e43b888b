// Event queries on the review connection: events around a moment (any kind) and the analytics event
// search (timeline markers, review). Every value is a bound parameter; lists are one JSON parameter.
import { ZONE_EVENT_KINDS } from '../api/registries.js';
import type { SqlDriver, SqlValue } from './driver.js';
import type { EventSearchQuery, EventsAroundQuery, StoredEvent, StoredEventKind } from './types.js';

export class BadQueryError extends Error {
  override name = 'BadQueryError';
}

export interface EventRow {
  id: number;
  kind: StoredEventKind;
  camera: string;
  time: number;
  track_id: number | null;
  label: string | null;
  zone: string | null;
  direction: string | null;
  detail: string | null;
}

/** The columns of an EventRow from `events e JOIN cameras c LEFT JOIN tracks t` (the event's own label, else its track's). */
export const eventColumns = 'e.id, e.kind, c.name AS camera, e.time, e.track_id, coalesce(e.label, t.label) AS label, e.zone, e.direction, e.detail';
export const eventFrom = 'events e JOIN cameras c ON c.id = e.camera_id LEFT JOIN tracks t ON t.id = e.track_id';

export function toEvent(r: EventRow): StoredEvent {
  return {
    id: r.id,
    kind: r.kind,
    camera: r.camera,
    time: r.time,
    trackId: r.track_id,
    label: r.label,
    zone: r.zone,
    direction: r.direction,
    detail: r.detail ? (JSON.parse(r.detail) as StoredEvent['detail']) : null,
  };
}

export function requireTime(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new BadQueryError(`${name} must be a time in ms since the epoch, got ${String(v)}`);
  return v;
}

export function stringList(name: string, v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw new BadQueryError(`${name} must be a list of names, got ${JSON.stringify(v)}`);
  return JSON.stringify(v);
}

/**
 * Zone ids are unique per camera only (two cameras may each have a 'door'): a zone filter is a
 * (camera, zone) key, so it needs exactly one camera beside it, or it would mix cameras.
 */
export function requireZoneCamera(name: string, cameras: unknown): void {
  if (!Array.isArray(cameras) || cameras.length !== 1)
    throw new BadQueryError(`${name} needs its camera: zone ids are unique per camera only — give cameras: [the zone's camera id] with it`);
}

function limitOf(name: string, limit: unknown): number {
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw new BadQueryError(`${name}: limit must be 1 ... 1000, got ${String(limit)}`);
  return limit;
}

/** Events within ±windowMs of `time`, the nearest kept when there are more than `limit`; in time order. */
export async function eventsAround(db: SqlDriver, q: EventsAroundQuery): Promise<StoredEvent[]> {
  const time = requireTime('eventsAround: time', q.time);
  const windowMs = q.windowMs ?? 60_000;
  const limit = limitOf('eventsAround', q.limit ?? 200);
  if (!(windowMs > 0)) throw new BadQueryError(`eventsAround: windowMs must be positive, got ${String(q.windowMs)}`);
  const params: SqlValue[] = [time - windowMs, time + windowMs];
  let where = '';
  const cams = stringList('eventsAround: cameras', q.cameras);
  if (cams !== null) {
    where += ' AND e.camera_id IN (SELECT id FROM cameras WHERE name IN (SELECT value FROM json_each(?)))';
    params.push(cams);
  }
  const kinds = stringList('eventsAround: kinds', q.kinds);
  if (kinds !== null) {
    where += ' AND e.kind IN (SELECT value FROM json_each(?))';
    params.push(kinds);
  }
  params.push(time, limit);
  const rows = await db.query<EventRow>(
    `SELECT ${eventColumns} FROM ${eventFrom}
      WHERE e.time BETWEEN ? AND ?${where}
      ORDER BY abs(e.time - ?), e.id LIMIT ?`,
    params,
  );
  return rows.map(toEvent).sort((a, b) => a.time - b.time || a.id - b.id);
}

/** Analytics events (ZONE_EVENT_KINDS) matching every filter given, newest first. */
export async function searchEvents(db: SqlDriver, q: EventSearchQuery): Promise<StoredEvent[]> {
  const limit = limitOf('searchEvents', q.limit ?? 200);
  const conds = ['e.zone IS NOT NULL', 'e.kind IN (SELECT value FROM json_each(?))'];
  const params: SqlValue[] = [stringList('searchEvents: kinds', q.kinds) ?? JSON.stringify(ZONE_EVENT_KINDS)];
  const cams = stringList('searchEvents: cameras', q.cameras);
  if (cams !== null) {
    conds.push('e.camera_id IN (SELECT id FROM cameras WHERE name IN (SELECT value FROM json_each(?)))');
    params.push(cams);
  }
  const zones = stringList('searchEvents: zones', q.zones);
  if (zones !== null) {
    requireZoneCamera('searchEvents: zones', q.cameras);
    conds.push('e.zone IN (SELECT value FROM json_each(?))');
    params.push(zones);
  }
  if (q.from !== undefined) {
    conds.push('e.time >= ?');
    params.push(requireTime('searchEvents: from', q.from));
  }
  if (q.to !== undefined) {
    conds.push('e.time <= ?');
    params.push(requireTime('searchEvents: to', q.to));
  }
  if (q.before !== undefined) {
    const before = requireTime('searchEvents: before', q.before);
    if (q.beforeId !== undefined) {
      const id = Number(q.beforeId);
      if (!Number.isSafeInteger(id)) throw new BadQueryError(`searchEvents: beforeId must be an event id, got ${JSON.stringify(q.beforeId)}`);
      conds.push('(e.time < ? OR (e.time = ? AND e.id < ?))');
      params.push(before, before, id);
    } else {
      conds.push('e.time < ?');
      params.push(before);
    }
  }
  params.push(limit);
  const rows = await db.query<EventRow>(
    `SELECT ${eventColumns} FROM ${eventFrom} WHERE ${conds.join(' AND ')} ORDER BY e.time DESC, e.id DESC LIMIT ?`,
    params,
  );
  return rows.map(toEvent);
}
