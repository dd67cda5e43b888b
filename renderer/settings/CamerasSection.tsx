// Settings → Cameras: the camera table (edit, disable, remove; motion gating) and adding a camera
// after a test connection. An API error pinned on a field of the edit form shows under that field.
import { useState } from 'react';
import type { CameraInput, CameraView, MotionGating, WorkspaceView } from '../../main/api/contract';
import { MOTION_LIMITS } from '../../main/api/registries';
import { errorText, type ApiClient } from '../api/client';
import { effectiveDefault, ErrorLine, FieldError, fieldProblem } from './helpers';
import { AddCamera } from './AddCamera';

/** The edit form's fields an API error can be pinned on, by the end of the API's field name. */
const FORM_FIELDS = ['motion.sensitivity', 'motion.enabled', 'detectFps', 'name'] as const;
type FormField = (typeof FORM_FIELDS)[number];

/** The words for a camera's motion gating in the table. */
export function motionWords(m: MotionGating): string {
  return m.enabled ? `on, sensitivity ${m.sensitivity}` : 'off';
}

export function CamerasSection({ api, workspace, onChanged }: { api: ApiClient; workspace: WorkspaceView; onChanged(): void }) {
  const [editing, setEditing] = useState<string | null>(null);
  const [rowError, setRowError] = useState<{ id: string; text: string } | null>(null);
  /** `claim`: the row's form takes an error pinned on one of its fields (shown under it) and says so. */
  const act = async (id: string, what: string, fn: () => Promise<unknown>, claim?: (e: unknown) => boolean) => {
    try {
      await fn();
      setRowError(null);
      onChanged();
    } catch (e) {
      if (claim?.(e)) return setRowError(null);
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
            <th>Motion gating</th>
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
              onSave={(patch, claim) =>
                act(
                  c.id,
                  `save '${c.name}'`,
                  async () => {
                    await api.call('cameras.update', { id: c.id, patch });
                    setEditing(null);
                  },
                  claim,
                )
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
  onSave(patch: Partial<CameraInput>, claim: (e: unknown) => boolean): void;
}) {
  const { camera: c } = props;
  const [name, setName] = useState(c.name);
  const [uri, setUri] = useState('');
  const [detectFps, setDetectFps] = useState(c.detectFps);
  const [model, setModel] = useState(c.model ?? '');
  const [detectionsHz, setDetectionsHz] = useState(c.record.detectionsHz);
  const [snapshots, setSnapshots] = useState(c.record.snapshots);
  const [motionOn, setMotionOn] = useState(c.motion.enabled);
  // Text, so a value the API refuses reaches it as typed and its answer shows under the field.
  const [sensitivity, setSensitivity] = useState(String(c.motion.sensitivity));
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<FormField, string>>>({});
  const claim = (e: unknown): boolean => {
    const p = fieldProblem(e);
    const field = p && FORM_FIELDS.find((f) => p.field === f || p.field.endsWith(`.${f}`));
    if (!p || !field) return false;
    setFieldErrors({ [field]: p.text });
    return true;
  };
  const limits = MOTION_LIMITS.sensitivity;
  return (
    <>
      <tr data-testid={`camera-row-${c.id}`}>
        <td>{c.name}</td>
        <td className="mono">{c.uri}</td>
        <td>{c.model ?? `default (${effectiveDefault(props.workspace) ?? 'none'})`}</td>
        <td>{c.detectFps || 'every frame'}</td>
        <td data-testid={`camera-motion-${c.id}`}>{motionWords(c.motion)}</td>
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
          <td colSpan={7}>
            <ErrorLine error={props.error} testId={`camera-error-${c.id}`} />
          </td>
        </tr>
      )}
      {props.editing && (
        <tr>
          <td colSpan={7}>
            <form
              className="form-row"
              data-testid={`camera-edit-form-${c.id}`}
              // The API checks every value (MOTION_LIMITS and the rest) and its answer shows under the field.
              noValidate
              onSubmit={(e) => {
                e.preventDefault();
                setFieldErrors({});
                const motion = { enabled: motionOn, sensitivity: sensitivity.trim() === '' ? Number.NaN : Number(sensitivity) };
                props.onSave({ name, detectFps, model: model || null, record: { detectionsHz, snapshots }, motion, ...(uri ? { uri } : {}) }, claim);
              }}
            >
              <label>
                Name <input value={name} onChange={(e) => setName(e.target.value)} required />
                <FieldError text={fieldErrors.name} testId={`camera-field-error-name-${c.id}`} />
              </label>
              <label>
                New URI <input value={uri} placeholder="unchanged" onChange={(e) => setUri(e.target.value)} />
              </label>
              <label>
                Detect fps <input type="number" min={0} max={60} value={detectFps} onChange={(e) => setDetectFps(Number(e.target.value))} />
                <FieldError text={fieldErrors.detectFps} testId={`camera-field-error-detectFps-${c.id}`} />
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
              <label className="toggle" title="Skip the detector while the picture is still; the tracker carries the objects meanwhile">
                <input type="checkbox" data-testid={`camera-motion-enabled-${c.id}`} checked={motionOn} onChange={(e) => setMotionOn(e.target.checked)} /> skip
                detection while the picture is still
                <FieldError text={fieldErrors['motion.enabled']} testId={`camera-field-error-motion-enabled-${c.id}`} />
              </label>
              <label title={`${limits.min}: only large, strong changes count as motion; ${limits.max}: a faint flicker of a small area does`}>
                Motion sensitivity ({limits.min}–{limits.max})
                <input
                  type="number"
                  data-testid={`camera-motion-sensitivity-${c.id}`}
                  min={limits.min}
                  max={limits.max}
                  step={limits.integer ? 1 : 'any'}
                  value={sensitivity}
                  onChange={(e) => setSensitivity(e.target.value)}
                />
                <FieldError text={fieldErrors['motion.sensitivity']} testId={`camera-field-error-motion-sensitivity-${c.id}`} />
              </label>
              <button type="submit">Save</button>
            </form>
          </td>
        </tr>
      )}
    </>
  );
}
