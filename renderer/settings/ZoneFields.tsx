// The zone editor's fields for each kind (zone, line, mask): labels, minimum score, inertia,
// direction, reference point, crowding and dwell thresholds. Limits come from the API's ZONE_LIMITS
// (the workspace validates against the same); an error the API pins on a field shows under it.
import type { Zone } from '../../main/api/contract';
import { REFERENCE_POINTS, ZONE_LIMITS } from '../../main/api/registries';

/** What the form edits: the zone without its points (drawn on the frame) and id (from the name). */
export interface ZoneDraft {
  kind: Zone['kind'];
  name: string;
  labels: string;
  minScore: string;
  inertiaFrames: string;
  direction: NonNullable<Zone['direction']>;
  referencePoint: NonNullable<Zone['referencePoint']>;
  crowdThreshold: string;
  crowdSeconds: string;
  dwellSeconds: string;
}

export const EMPTY_DRAFT: ZoneDraft = {
  kind: 'zone',
  name: '',
  labels: '',
  minScore: '',
  inertiaFrames: '',
  direction: 'any',
  referencePoint: 'bottom-center',
  crowdThreshold: '',
  crowdSeconds: '',
  dwellSeconds: '',
};

type NumericKey = keyof typeof ZONE_LIMITS;
const NUMERIC: NumericKey[] = ['minScore', 'inertiaFrames', 'crowdThreshold', 'crowdSeconds', 'dwellSeconds'];

export function draftOf(z: Zone): ZoneDraft {
  const s = (v: number | undefined) => (v === undefined ? '' : String(v));
  return {
    kind: z.kind,
    name: z.name,
    labels: z.labels.join(', '),
    minScore: s(z.minScore),
    inertiaFrames: s(z.inertiaFrames),
    direction: z.direction ?? 'any',
    referencePoint: z.referencePoint ?? 'bottom-center',
    crowdThreshold: s(z.crowdThreshold),
    crowdSeconds: s(z.crowdSeconds),
    dwellSeconds: s(z.dwellSeconds),
  };
}

/** The zone the API gets: only the fields the kind has, numbers as numbers (the API checks their ranges). */
export function zoneOf(d: ZoneDraft, id: string, points: Zone['points']): Zone {
  const zone: Zone = {
    id,
    name: d.name.trim(),
    kind: d.kind,
    points,
    labels: d.labels
      .split(',')
      .map((l) => l.trim())
      .filter(Boolean),
  };
  if (d.kind === 'mask') return zone;
  for (const k of NUMERIC) {
    if (d.kind === 'line' && (k === 'crowdThreshold' || k === 'crowdSeconds' || k === 'dwellSeconds')) continue;
    if (d[k].trim() !== '') zone[k] = Number(d[k]);
  }
  if (d.direction !== 'any') zone.direction = d.direction;
  if (d.referencePoint !== 'bottom-center') zone.referencePoint = d.referencePoint;
  return zone;
}

const DIRECTIONS: Record<Zone['kind'], NonNullable<Zone['direction']>[]> = {
  zone: ['any', 'left', 'right', 'up', 'down'],
  line: ['any', 'in', 'out'],
  mask: [],
};

const HINTS: Record<NumericKey, string> = {
  minScore: 'detections below this score do not count (0–1, default 0)',
  inertiaFrames: 'frames in a row inside (outside) before an object enters (exits), default 3',
  crowdThreshold: 'objects inside at once that make the zone crowded (0: off)',
  crowdSeconds: 'seconds at or over the threshold before "crowded" (and under it before it ends)',
  dwellSeconds: 'seconds inside before a "dwell" event (0: off)',
};
const TITLES: Record<NumericKey, string> = {
  minScore: 'Min score',
  inertiaFrames: 'Inertia (frames)',
  crowdThreshold: 'Crowd threshold',
  crowdSeconds: 'Crowd seconds',
  dwellSeconds: 'Dwell seconds',
};

/** `errors`: field name → message (the API's `field`'s last part: 'name', 'inertiaFrames', ...). */
export function ZoneFields({ draft, set, errors }: { draft: ZoneDraft; set(patch: Partial<ZoneDraft>): void; errors: Record<string, string> }) {
  const numeric = NUMERIC.filter((k) => draft.kind === 'zone' || (draft.kind === 'line' && (k === 'minScore' || k === 'inertiaFrames')));
  const err = (k: string) =>
    errors[k] ? (
      <span className="field-error" role="alert" data-testid={`zone-field-error-${k}`}>
        {errors[k]}
      </span>
    ) : null;
  return (
    <>
      <label>
        Name <input data-testid="zone-name" value={draft.name} onChange={(e) => set({ name: e.target.value })} required />
        {err('name')}
      </label>
      <label>
        Labels <input data-testid="zone-labels" value={draft.labels} onChange={(e) => set({ labels: e.target.value })} placeholder="person, car (empty: all)" />
        {err('labels')}
      </label>
      {numeric.map((k) => (
        <label key={k} title={HINTS[k]}>
          {TITLES[k]}{' '}
          <input
            type="number"
            data-testid={`zone-${k}`}
            min={ZONE_LIMITS[k].min}
            max={ZONE_LIMITS[k].max}
            step={ZONE_LIMITS[k].integer ? 1 : 'any'}
            value={draft[k]}
            placeholder={HINTS[k]}
            onChange={(e) => set({ [k]: e.target.value })}
          />
          {err(k)}
        </label>
      ))}
      {draft.kind !== 'mask' && (
        <label>
          {draft.kind === 'line' ? 'Count crossings' : 'Only objects moving'}{' '}
          <select data-testid="zone-direction" value={draft.direction} onChange={(e) => set({ direction: e.target.value as ZoneDraft['direction'] })}>
            {DIRECTIONS[draft.kind].map((d) => (
              <option key={d} value={d}>
                {d === 'any' ? 'any way' : draft.kind === 'line' ? `${d} only` : d}
              </option>
            ))}
          </select>
          {err('direction')}
        </label>
      )}
      <label title="the point of each object's box that is judged inside or across">
        Reference point{' '}
        <select
          data-testid="zone-referencePoint"
          value={draft.referencePoint}
          onChange={(e) => set({ referencePoint: e.target.value as ZoneDraft['referencePoint'] })}
        >
          {REFERENCE_POINTS.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
        {err('referencePoint')}
      </label>
    </>
  );
}
