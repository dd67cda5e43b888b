// Settings → Zones, lines and masks: drawn on a camera's live frame, each kind's fields beside it,
// saved with the camera; an error the API pins on a field shows under that field.
import { useState } from 'react';
import type { Point, WorkspaceView, Zone } from '../../main/api/contract';
import { ApiCallError, errorText, type ApiClient } from '../api/client';
import { draftOf, EMPTY_DRAFT, ZoneFields, zoneOf, type ZoneDraft } from './ZoneFields';
import { ErrorLine, fieldProblem } from './helpers';
import { PreviewCanvas } from './PreviewCanvas';

function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'camera'
  );
}

/** Where an API error belongs: the field's last part ('cameras[1].zones[2].inertiaFrames' → 'inertiaFrames'), 'points' for the frame. */
function fieldOf(e: unknown): string | null {
  if (!(e instanceof ApiCallError) || !e.field) return null;
  const m = /zones\[\d+\]\.([A-Za-z]+)/.exec(e.field);
  return m?.[1] ?? null;
}

export function ZonesSection({ api, workspace, onChanged }: { api: ApiClient; workspace: WorkspaceView; onChanged(): void }) {
  const [cameraId, setCameraId] = useState(workspace.cameras[0]?.id ?? '');
  const camera = workspace.cameras.find((c) => c.id === cameraId);
  const [draft, setDraft] = useState<Point[]>([]);
  const [form, setForm] = useState<ZoneDraft>(EMPTY_DRAFT);
  /** The zone being edited (its id kept, so its history stays), null for a new one. */
  const [editing, setEditing] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const kind = form.kind;
  const setKind = (k: Zone['kind']) => setForm((f) => ({ ...f, kind: k, direction: 'any' }));

  const save = async (zones: Zone[]): Promise<boolean> => {
    if (!camera) return false;
    try {
      await api.call('cameras.update', { id: camera.id, patch: { zones } });
      setError(null);
      setFieldErrors({});
      onChanged();
      return true;
    } catch (e) {
      const field = fieldOf(e);
      if (field && field !== 'points' && field !== 'id') {
        setFieldErrors({ [field]: fieldProblem(e)?.text ?? errorText(e) });
        setError(null);
      } else {
        setFieldErrors({});
        setError(`cannot save the zones of '${camera.name}': ${errorText(e)}`);
      }
      return false;
    }
  };
  const addZone = (e: React.FormEvent) => {
    e.preventDefault();
    if (!camera) return;
    const need = kind === 'line' ? 2 : 3;
    if (draft.length < need || (kind === 'line' && draft.length !== 2)) {
      setError(
        kind === 'line' ? 'a line needs exactly 2 points: click twice on the frame' : `a ${kind} needs at least 3 points: click on the frame to place them`,
      );
      return;
    }
    const zone = zoneOf(form, editing ?? slug(form.name), draft);
    const index = camera.zones.findIndex((z) => z.id === zone.id);
    const zones = index >= 0 ? camera.zones.map((z, i) => (i === index ? zone : z)) : [...camera.zones, zone];
    void save(zones).then((ok) => {
      if (!ok) return;
      setDraft([]);
      setEditing(null);
    });
  };
  const edit = (z: Zone) => {
    setEditing(z.id);
    setForm(draftOf(z));
    setDraft(z.points);
    setFieldErrors({});
    setError(null);
  };
  const pts = (p: Point[]) => p.map(([x, y]) => `${x * 1000},${y * 1000}`).join(' ');
  return (
    <section className="panel wide" aria-label="Zones and lines">
      <h2>Zones, lines and masks</h2>
      {workspace.cameras.length === 0 ? (
        <p className="hint">Add a camera first.</p>
      ) : (
        <>
          <label>
            Camera{' '}
            <select data-testid="zone-camera" value={cameraId} onChange={(e) => (setCameraId(e.target.value), setDraft([]), setEditing(null))}>
              {workspace.cameras.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </label>
          <div className="zone-editor">
            <div>
              <PreviewCanvas api={api} camera={cameraId} testId="zone-frame">
                <svg
                  className="zone-svg"
                  viewBox="0 0 1000 1000"
                  preserveAspectRatio="none"
                  data-testid="zone-draw"
                  aria-label="Click to place the points of the zone, line or mask"
                  onClick={(e) => {
                    const r = e.currentTarget.getBoundingClientRect();
                    const p: Point = [+((e.clientX - r.left) / r.width).toFixed(4), +((e.clientY - r.top) / r.height).toFixed(4)];
                    setDraft((d) => (kind === 'line' && d.length >= 2 ? [p] : [...d, p]));
                    setError(null);
                  }}
                >
                  {camera?.zones
                    .filter((z) => z.id !== editing)
                    .map((z) =>
                      z.kind === 'line' ? (
                        <polyline key={z.id} points={pts(z.points)} className="line-shape" />
                      ) : (
                        <polygon key={z.id} points={pts(z.points)} className={z.kind === 'mask' ? 'mask-shape' : 'zone-shape'} />
                      ),
                    )}
                  {draft.length > 0 &&
                    (kind === 'line' ? <polyline points={pts(draft)} className="draft-shape" /> : <polygon points={pts(draft)} className="draft-shape" />)}
                  {draft.map(([x, y], i) => (
                    <circle key={i} cx={x * 1000} cy={y * 1000} r={8} className="draft-point" />
                  ))}
                </svg>
              </PreviewCanvas>
              {/* Point problems belong to the frame, where the points are placed. */}
              <ErrorLine error={error} testId="zone-error" />
            </div>
            <div>
              <ul className="zone-list">
                {camera?.zones.map((z) => (
                  <li key={z.id} data-testid={`zone-${z.id}`}>
                    {z.kind} <b>{z.name}</b> {z.labels.length ? `(${z.labels.join(', ')})` : ''}{' '}
                    <button type="button" data-testid={`zone-edit-${z.id}`} onClick={() => edit(z)}>
                      Edit
                    </button>
                    <button type="button" className="danger" onClick={() => void save(camera.zones.filter((x) => x.id !== z.id))}>
                      Delete
                    </button>
                  </li>
                ))}
              </ul>
              <form className="form-col" data-testid="zone-form" onSubmit={addZone} noValidate>
                <label>
                  Kind
                  <select
                    data-testid="zone-kind"
                    value={kind}
                    onChange={(e) => (setKind(e.target.value as Zone['kind']), setDraft([]))}
                    disabled={editing !== null}
                  >
                    <option value="zone">zone (polygon: enter, exit, occupancy, crowding, dwell)</option>
                    <option value="line">line (crossings in and out)</option>
                    <option value="mask">mask (polygon: detections inside are ignored)</option>
                  </select>
                </label>
                <ZoneFields draft={form} set={(patch) => setForm((f) => ({ ...f, ...patch }))} errors={fieldErrors} />
                <p className="hint">
                  {draft.length} points placed
                  {kind === 'line' ? ' — a line counts a crossing from the left of a→b to its right as "in"' : ''}
                </p>
                <div>
                  <button type="submit">
                    {editing ? 'Save changes' : 'Save'} {kind}
                  </button>
                  <button type="button" onClick={() => setDraft([])}>
                    Clear points
                  </button>
                  {editing && (
                    <button type="button" onClick={() => (setEditing(null), setDraft([]), setForm(EMPTY_DRAFT))}>
                      Cancel
                    </button>
                  )}
                </div>
              </form>
            </div>
          </div>
        </>
      )}
    </section>
  );
}
