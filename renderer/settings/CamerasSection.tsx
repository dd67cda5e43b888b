// Settings → Cameras: the camera table (edit, disable, remove) and adding a camera after a test connection.
import { useState } from 'react';
import type { CameraInput, CameraView, WorkspaceView } from '../../main/api/contract';
import { errorText, type ApiClient } from '../api/client';
import { effectiveDefault, ErrorLine } from './helpers';
import { AddCamera } from './AddCamera';

export function CamerasSection({ api, workspace, onChanged }: { api: ApiClient; workspace: WorkspaceView; onChanged(): void }) {
  const [editing, setEditing] = useState<string | null>(null);
  const [rowError, setRowError] = useState<{ id: string; text: string } | null>(null);
  const act = async (id: string, what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
      setRowError(null);
      onChanged();
    } catch (e) {
      setRowError({ id, text: `cannot ${what}: ${errorText(e)}` });
    }
  };
  return (
    <section className="panel wide" aria-label="Cameras">
      <h2>Cameras</h2>
      <table className="table" data-testid="camera-table">
        <thead>
          <tr>
            <th>Name</th>
            <th>URI</th>
            <th>Model</th>
            <th>Detect fps</th>
            <th>Enabled</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {workspace.cameras.map((c) => (
            <CameraRow
              key={c.id}
              camera={c}
              workspace={workspace}
              editing={editing === c.id}
              error={rowError?.id === c.id ? rowError.text : null}
              onEdit={() => setEditing(editing === c.id ? null : c.id)}
              onToggle={() =>
                act(c.id, c.enabled ? `disable '${c.name}'` : `enable '${c.name}'`, () =>
                  api.call('cameras.update', { id: c.id, patch: { enabled: !c.enabled } }),
                )
              }
              onRemove={() => {
                if (window.confirm(`Remove camera '${c.name}'? Its recorded tracks stay in the store.`))
                  void act(c.id, `remove '${c.name}'`, () => api.call('cameras.remove', { id: c.id }));
              }}
              onSave={(patch) =>
                act(c.id, `save '${c.name}'`, async () => {
                  await api.call('cameras.update', { id: c.id, patch });
                  setEditing(null);
                })
              }
            />
          ))}
        </tbody>
      </table>
      <AddCamera api={api} workspace={workspace} onAdded={onChanged} />
    </section>
  );
}

function CameraRow(props: {
  camera: CameraView;
  workspace: WorkspaceView;
  editing: boolean;
  error: string | null;
  onEdit(): void;
  onToggle(): void;
  onRemove(): void;
  onSave(patch: Partial<CameraInput>): void;
}) {
  const { camera: c } = props;
  const [name, setName] = useState(c.name);
  const [uri, setUri] = useState('');
  const [detectFps, setDetectFps] = useState(c.detectFps);
  const [model, setModel] = useState(c.model ?? '');
  const [detectionsHz, setDetectionsHz] = useState(c.record.detectionsHz);
  const [snapshots, setSnapshots] = useState(c.record.snapshots);
  return (
    <>
      <tr data-testid={`camera-row-${c.id}`}>
        <td>{c.name}</td>
        <td className="mono">{c.uri}</td>
        <td>{c.model ?? `default (${effectiveDefault(props.workspace) ?? 'none'})`}</td>
        <td>{c.detectFps || 'every frame'}</td>
        <td>{c.enabled ? 'yes' : 'no'}</td>
        <td className="actions">
          <button type="button" onClick={props.onEdit} data-testid={`camera-edit-${c.id}`}>
            Edit
          </button>
          <button type="button" onClick={props.onToggle} data-testid={`camera-toggle-${c.id}`}>
            {c.enabled ? 'Disable' : 'Enable'}
          </button>
          <button type="button" className="danger" onClick={props.onRemove} data-testid={`camera-remove-${c.id}`} aria-label={`Remove ${c.name}`}>
            Remove
          </button>
        </td>
      </tr>
      {props.error && (
        <tr>
          <td colSpan={6}>
            <ErrorLine error={props.error} testId={`camera-error-${c.id}`} />
          </td>
        </tr>
      )}
      {props.editing && (
        <tr>
          <td colSpan={6}>
            <form
              className="form-row"
              data-testid={`camera-edit-form-${c.id}`}
              onSubmit={(e) => {
                e.preventDefault();
                props.onSave({ name, detectFps, model: model || null, record: { detectionsHz, snapshots }, ...(uri ? { uri } : {}) });
              }}
            >
              <label>
                Name <input value={name} onChange={(e) => setName(e.target.value)} required />
              </label>
              <label>
                New URI <input value={uri} placeholder="unchanged" onChange={(e) => setUri(e.target.value)} />
              </label>
              <label>
                Detect fps <input type="number" min={0} max={60} value={detectFps} onChange={(e) => setDetectFps(Number(e.target.value))} />
              </label>
              <label>
                Model
                <select value={model} onChange={(e) => setModel(e.target.value)}>
                  <option value="">workspace default</option>
                  {props.workspace.models.map((m) => (
                    <option key={m.name} value={m.name}>
                      {m.title}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                Record detections (Hz, 0 = every frame)
                <input type="number" min={0} max={30} value={detectionsHz} onChange={(e) => setDetectionsHz(Number(e.target.value))} />
              </label>
              <label className="toggle">
                <input type="checkbox" checked={snapshots} onChange={(e) => setSnapshots(e.target.checked)} /> snapshots
              </label>
              <button type="submit">Save</button>
            </form>
          </td>
        </tr>
      )}
    </>
  );
}
