// Older workspace files brought up to the current version before validation. Each step takes the
// parsed file of one version and gives the next; anything it cannot read is left for validation to
// name (it never throws).
import { slugify } from './slug.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isUnit = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1;

/**
 * Version 1 → 2: a camera's `masks` rectangles ([x, y, w, h], 0..1 of the frame) become zones of kind
 * 'mask' (4-point polygons, clockwise from the top-left corner), named "Mask 1", "Mask 2", ... A
 * rectangle that is not four numbers in 0..1 leaves the camera as it was, for validation to refuse by name.
 */
function masksToZones(camera: Json): Json {
  const masks = camera.masks;
  if (!Array.isArray(masks) || !masks.every((m: unknown) => Array.isArray(m) && m.length === 4 && m.every(isUnit))) return camera;
  const zones = Array.isArray(camera.zones) ? [...(camera.zones as unknown[])] : [];
  const taken = new Set(zones.map((z) => (isObject(z) ? (typeof z.id === 'string' && z.id ? z.id : typeof z.name === 'string' ? slugify(z.name) : '') : '')));
  (masks as [number, number, number, number][]).forEach(([x, y, w, h], i) => {
    // Rounded to a millionth of the frame, so 0.2 + 0.4 is 0.6 in the file, not 0.6000000000000001.
    const right = Math.min(1, Math.round((x + w) * 1e6) / 1e6);
    const bottom = Math.min(1, Math.round((y + h) * 1e6) / 1e6);
    let id = `mask-${i + 1}`;
    for (let n = 2; taken.has(id); n++) id = `mask-${i + 1}-${n}`;
    taken.add(id);
    zones.push({
      id,
      name: `Mask ${i + 1}`,
      kind: 'mask',
      points: [
        [x, y],
        [right, y],
        [right, bottom],
        [x, bottom],
      ],
      labels: [],
    });
  });
  const rest = { ...camera };
  delete rest.masks;
  return { ...rest, zones };
}

/** The workspace file's content brought to version 2; `from` is the version it was written as. */
export function migrateWorkspace(raw: unknown): { workspace: unknown; from: number } {
  if (!isObject(raw)) return { workspace: raw, from: 0 };
  const from = typeof raw.version === 'number' ? raw.version : 1;
  if (from >= 2) return { workspace: raw, from };
  const cameras = Array.isArray(raw.cameras) ? raw.cameras.map((c: unknown) => (isObject(c) ? masksToZones(c) : c)) : raw.cameras;
  return { workspace: { ...raw, version: 2, cameras }, from };
}
