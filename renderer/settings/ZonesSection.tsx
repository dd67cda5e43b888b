// Settings → Zones and lines: drawn on a camera's live frame, saved with the camera.
import { useState } from 'react';
import type { Point, WorkspaceView, Zone } from '../../main/api/contract';
import { errorText, type ApiClient } from '../api/client';
import { ErrorLine } from './helpers';
import { PreviewCanvas } from './PreviewCanvas';

function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'camera'
  );
}

export function ZonesSection({ api, workspace, onChanged }: { api: ApiClient; workspace: WorkspaceView; onChanged(): void }) {
  const [cameraId, setCameraId] = useState(workspace.cameras[0]?.id ?? '');
  const camera = workspace.cameras.find((c) => c.id === cameraId);
  const [draft, setDraft] = useState<Point[]>([]);
  const [kind, setKind] = useState<Zone['kind']>('zone');
  const [zoneName, setZoneName] = useState('');
  const [labels, setLabels] = useState('');
  const [error, setError] = useState<string | null>(null);

  const save = async (zones: Zone[]) => {
    if (!camera) return;
    try {
      await api.call('cameras.update', { id: camera.id, patch: { zones } });
      setError(null);
      onChanged();
    } catch (e) {
      setError(`cannot save the zones of '${camera.name}': ${errorText(e)}`);
    }
  };
  const addZone = (e: React.FormEvent) => {
    e.preventDefault();
    if (!camera) return;
    const need = kind === 'zone' ? 3 : 2;
    if (draft.length < need || (kind === 'line' && draft.length !== 2)) {
      setError(
        kind === 'zone' ? 'a zone needs at least 3 points: click on the frame to place them' : 'a line needs exactly 2 points: click twice on the frame',
      );
      return;
    }
    const zone: Zone = {
      id: slug(zoneName),
      name: zoneName,
      kind,
      points: draft,
      labels: labels
        .split(',')
        .map((l) => l.trim())
        .filter(Boolean),
    };
    void save([...camera.zones.filter((z) => z.id !== zone.id), zone]).then(() => setDraft([]));
  };
  const pts = (p: Point[]) => p.map(([x, y]) => `${x * 1000},${y * 1000}`).join(' ');
  return (
    <section className="panel wide" aria-label="Zones and lines">
      <h2>Zones and lines</h2>
      {workspace.cameras.length === 0 ? (
        <p className="hint">Add a camera first.</p>
      ) : (
        <>
          <label>
            Camera{' '}
            <select data-testid="zone-camera" value={cameraId} onChange={(e) => (setCameraId(e.target.value), setDraft([]))}>
              {workspace.cameras.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </label>
          <div className="zone-editor">
            <PreviewCanvas api={api} camera={cameraId} testId="zone-frame">
              <svg
                className="zone-svg"
                viewBox="0 0 1000 1000"
                preserveAspectRatio="none"
                data-testid="zone-draw"
                aria-label="Click to place the points of the zone or line"
                onClick={(e) => {
                  const r = e.currentTarget.getBoundingClientRect();
                  const p: Point = [+((e.clientX - r.left) / r.width).toFixed(4), +((e.clientY - r.top) / r.height).toFixed(4)];
                  setDraft((d) => (kind === 'line' && d.length >= 2 ? [p] : [...d, p]));
                }}
              >
                {camera?.zones.map((z) =>
                  z.kind === 'zone' ? (
                    <polygon key={z.id} points={pts(z.points)} className="zone-shape" />
                  ) : (
                    <polyline key={z.id} points={pts(z.points)} className="line-shape" />
                  ),
                )}
                {draft.length > 0 &&
                  (kind === 'zone' ? <polygon points={pts(draft)} className="draft-shape" /> : <polyline points={pts(draft)} className="draft-shape" />)}
                {draft.map(([x, y], i) => (
                  <circle key={i} cx={x * 1000} cy={y * 1000} r={8} className="draft-point" />
                ))}
              </svg>
            </PreviewCanvas>
            <div>
              <ul className="zone-list">
                {camera?.zones.map((z) => (
                  <li key={z.id} data-testid={`zone-${z.id}`}>
                    {z.kind} <b>{z.name}</b> {z.labels.length ? `(${z.labels.join(', ')})` : ''}{' '}
                    <button type="button" className="danger" onClick={() => void save(camera.zones.filter((x) => x.id !== z.id))}>
                      Delete
                    </button>
                  </li>
                ))}
              </ul>
              <form className="form-col" data-testid="zone-form" onSubmit={addZone}>
                <label>
                  Kind
                  <select value={kind} onChange={(e) => (setKind(e.target.value as Zone['kind']), setDraft([]))}>
                    <option value="zone">zone (polygon)</option>
                    <option value="line">line (crossing)</option>
                  </select>
                </label>
                <label>
                  Name <input data-testid="zone-name" value={zoneName} onChange={(e) => setZoneName(e.target.value)} required />
                </label>
                <label>
                  Labels <input value={labels} onChange={(e) => setLabels(e.target.value)} placeholder="person, car (empty: all)" />
                </label>
                <p className="hint">{draft.length} points placed</p>
                <div>
                  <button type="submit">Save {kind}</button>
                  <button type="button" onClick={() => setDraft([])}>
                    Clear points
                  </button>
                </div>
              </form>
              <ErrorLine error={error} testId="zone-error" />
            </div>
          </div>
        </>
      )}
    </section>
  );
}
