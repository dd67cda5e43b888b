// Shape checks for what arrives from the engine: a malformed batch is refused as a whole with a
// message naming the field, so one bad batch never poisons a write transaction.

import { CROSSING_DIRECTIONS, isZoneEventKind, orList, ZONE_EVENT_KINDS } from '../api/registries.js';
import type { RecorderBatch } from './types.js';

const trackEventKinds = new Set(['start', 'update', 'end']);

function describe(value: unknown): string {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 60)}…` : text;
  } catch {
    return String(value);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

class Checker {
  fail(path: string, expected: string, got: unknown): never {
    throw new Error(`${path} must be ${expected}, got ${describe(got)}`);
  }
  finite(obj: Record<string, unknown>, key: string, path: string): number {
    const v = obj[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(`${path}.${key}`, 'a finite number', v);
    return v;
  }
  integer(obj: Record<string, unknown>, key: string, path: string): number {
    const v = obj[key];
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) this.fail(`${path}.${key}`, 'an integer', v);
    return v;
  }
  text(obj: Record<string, unknown>, key: string, path: string): string {
    const v = obj[key];
    if (typeof v !== 'string' || v.length === 0 || v.length > 200) this.fail(`${path}.${key}`, 'a non-empty string (at most 200 characters)', v);
    return v;
  }
  box(obj: Record<string, unknown>, key: string, path: string): void {
    const v = obj[key];
    if (!Array.isArray(v) || v.length !== 4 || !v.every((n) => typeof n === 'number' && Number.isFinite(n))) {
      this.fail(`${path}.${key}`, '4 finite numbers [x, y, w, h]', v);
    }
  }
  time(obj: Record<string, unknown>, key: string, path: string): void {
    const v = this.finite(obj, key, path);
    // Wall-clock ms since the epoch: between 2000 and 2200 catches seconds-vs-ms mix-ups.
    if (v < 946_684_800_000 || v > 7_258_118_400_000) this.fail(`${path}.${key}`, 'wall-clock ms since the epoch', v);
  }
}

/** Throws an Error whose message names the first bad field; returns the batch typed when it is fine. */
export function validateBatch(input: unknown): RecorderBatch {
  const c = new Checker();
  if (!isObject(input)) c.fail('batch', 'an object { frames, events }', input);
  const { frames, events, analytics, attributes } = input as Loose;
  if (!Array.isArray(frames)) c.fail('batch.frames', 'an array', frames);
  if (!Array.isArray(events)) c.fail('batch.events', 'an array', events);
  frames.forEach((f: Loose, i: number) => {
    const p = `frames[${i}]`;
    if (!isObject(f)) c.fail(p, 'an object', f);
    c.text(f, 'camera', p);
    c.integer(f, 'frame', p);
    c.time(f, 'time', p);
    if (!Array.isArray(f.objects)) c.fail(`${p}.objects`, 'an array', f.objects);
    f.objects.forEach((o: Loose, j: number) => {
      const q = `${p}.objects[${j}]`;
      if (!isObject(o)) c.fail(q, 'an object', o);
      c.integer(o, 'track', q);
      c.integer(o, 'classId', q);
      c.text(o, 'label', q);
      c.finite(o, 'score', q);
      c.box(o, 'box', q);
    });
  });
  events.forEach((e: Loose, i: number) => {
    const p = `events[${i}]`;
    if (!isObject(e)) c.fail(p, 'an object', e);
    if (!trackEventKinds.has(e.kind as string)) c.fail(`${p}.kind`, "'start', 'update' or 'end'", e.kind);
    c.text(e, 'camera', p);
    c.integer(e, 'track', p);
    c.integer(e, 'classId', p);
    c.text(e, 'label', p);
    c.time(e, 'time', p);
    c.finite(e, 'score', p);
    c.box(e, 'box', p);
    const best = e.best;
    if (!isObject(best)) c.fail(`${p}.best`, 'an object { frame, time, score, box }', best);
    c.time(best, 'time', `${p}.best`);
    c.finite(best, 'score', `${p}.best`);
    c.box(best, 'box', `${p}.best`);
  });
  if (analytics !== undefined) {
    if (!Array.isArray(analytics)) c.fail('batch.analytics', 'an array', analytics);
    analytics.forEach((z: Loose, i: number) => {
      const p = `analytics[${i}]`;
      if (!isObject(z)) c.fail(p, 'an object', z);
      if (!isZoneEventKind(z.kind)) c.fail(`${p}.kind`, orList(ZONE_EVENT_KINDS), z.kind);
      c.text(z, 'camera', p);
      c.text(z, 'zone', p);
      c.time(z, 'time', p);
      if (z.track !== null) c.integer(z, 'track', p);
      if (z.label !== null) c.text(z, 'label', p);
      if (z.direction !== null && !(CROSSING_DIRECTIONS as readonly unknown[]).includes(z.direction))
        c.fail(`${p}.direction`, `${orList(CROSSING_DIRECTIONS)} or null`, z.direction);
    });
  }
  if (attributes !== undefined) {
    if (!Array.isArray(attributes)) c.fail('batch.attributes', 'an array', attributes);
    attributes.forEach((a: Loose, i: number) => {
      const p = `attributes[${i}]`;
      if (!isObject(a)) c.fail(p, 'an object', a);
      c.text(a, 'camera', p);
      c.integer(a, 'track', p);
      if (!isObject(a.attributes)) c.fail(`${p}.attributes`, 'an object', a.attributes);
    });
  }
  return input as unknown as RecorderBatch;
}
