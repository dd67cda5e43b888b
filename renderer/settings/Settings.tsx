// Settings: cameras, models, zones and lines, tracker and retention. Each form shows its own errors.
import { useState } from 'react';
import type { CameraInput, CameraView, EngineSettings, ModelProposal, ModelSummary, ParserName, Point, RetentionSettings, TrackerKind, WorkspaceView, Zone } from '../../main/api/contract';
import { errorText, type ApiClient } from '../api/client';
import type { WorkspaceState } from '../app/useWorkspace';
import { PreviewCanvas } from './PreviewCanvas';

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'camera';
}

export function Settings({ api, ws }: { api: ApiClient; ws: WorkspaceState }) {
  if (ws.error)
    return (
      <section className="panel error" role="alert" data-testid="settings-error">
        {ws.error}{' '}
        <button type="button" onClick={ws.reload}>
          Retry
        </button>
      </section>
    );
  if (!ws.workspace) return <section className="panel">Loading settings…</section>;
  const w = ws.workspace;
  return (
    <div className="settings-screen">
      <CamerasSection api={api} workspace={w} onChanged={ws.reload} />
      <ZonesSection api={api} workspace={w} onChanged={ws.reload} />
      <ModelsSection api={api} workspace={w} onSaved={ws.set} onChanged={ws.reload} />
      <EngineSection api={api} workspace={w} onSaved={ws.set} />
    </div>
  );
}

/** The model cameras without their own use: the workspace's choice, else the node's (isDefault). */
function effectiveDefault(w: WorkspaceView): string | null {
  return w.defaultModel ?? w.models.find((m) => m.isDefault)?.name ?? null;
}

function ErrorLine({ error, testId }: { error: string | null; testId: string }) {
  return error ? (
    <p className="form-error" role="alert" data-testid={testId}>
      {error}
    </p>
  ) : null;
}

function CamerasSection({ api, workspace, onChanged }: { api: ApiClient; workspace: WorkspaceView; onChanged(): void }) {
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
              onToggle={() => act(c.id, c.enabled ? `disable '${c.name}'` : `enable '${c.name}'`, () => api.call('cameras.update', { id: c.id, patch: { enabled: !c.enabled } }))}
              onRemove={() => {
                if (window.confirm(`Remove camera '${c.name}'? Its recorded tracks stay in the store.`)) void act(c.id, `remove '${c.name}'`, () => api.call('cameras.remove', { id: c.id }));
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

function AddCamera({ api, workspace, onAdded }: { api: ApiClient; workspace: WorkspaceView; onAdded(): void }) {
  const [name, setName] = useState('');
  const [uri, setUri] = useState('');
  const [model, setModel] = useState('');
  const [test, setTest] = useState<{ busy: boolean; text: string | null; ok: boolean }>({ busy: false, text: null, ok: false });
  const [error, setError] = useState<string | null>(null);
  const [added, setAdded] = useState<CameraView | null>(null);

  const runTest = async () => {
    setTest({ busy: true, text: null, ok: false });
    try {
      const r = await api.call('cameras.test', { uri });
      setTest({ busy: false, ok: r.ok, text: r.ok ? `connected: ${r.width ?? '?'}×${r.height ?? '?'}` : `cannot open ${uri}: ${r.error ?? 'no reason given'}` });
    } catch (e) {
      setTest({ busy: false, ok: false, text: `cannot test ${uri}: ${errorText(e)}` });
    }
  };
  const add = async (e: React.FormEvent) => {
    e.preventDefault();
    try {
      const cam = await api.call('cameras.add', { name, uri, model: model || null });
      setAdded(cam);
      setError(null);
      setName('');
      setUri('');
      setTest({ busy: false, text: null, ok: false });
      onAdded();
    } catch (err) {
      setError(`cannot add camera '${name}': ${errorText(err)}`);
    }
  };
  return (
    <div className="add-camera">
      <h3>Add a camera</h3>
      <form className="form-row" data-testid="add-camera-form" aria-label="Add a camera" onSubmit={add}>
        <label>
          Name <input data-testid="add-camera-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="Gate" required />
        </label>
        <label className="grow">
          URI
          <input
            data-testid="add-camera-uri"
            value={uri}
            onChange={(e) => setUri(e.target.value)}
            placeholder="rtsp://user:pass@host/stream, file:///video.mp4, v4l2:///dev/video0"
            required
          />
        </label>
        <label>
          Model
          <select value={model} onChange={(e) => setModel(e.target.value)}>
            <option value="">workspace default</option>
            {workspace.models.map((m) => (
              <option key={m.name} value={m.name}>
                {m.title}
              </option>
            ))}
          </select>
        </label>
        <button type="button" data-testid="add-camera-test" disabled={!uri || test.busy} onClick={runTest}>
          {test.busy ? 'Testing…' : 'Test connection'}
        </button>
        <button type="submit" data-testid="add-camera-submit">
          Add
        </button>
      </form>
      {test.text && (
        <p className={test.ok ? 'form-ok' : 'form-error'} role="status" data-testid="add-camera-test-result">
          {test.text}
        </p>
      )}
      <ErrorLine error={error} testId="add-camera-error" />
      {added && (
        <div data-testid="add-camera-preview">
          <p className="form-ok">
            Added '{added.name}' ({added.id}) — live preview:
          </p>
          <PreviewCanvas api={api} camera={added.id} testId={`preview-${added.id}`} />
        </div>
      )}
    </div>
  );
}

function ZonesSection({ api, workspace, onChanged }: { api: ApiClient; workspace: WorkspaceView; onChanged(): void }) {
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
      setError(kind === 'zone' ? 'a zone needs at least 3 points: click on the frame to place them' : 'a line needs exactly 2 points: click twice on the frame');
      return;
    }
    const zone: Zone = {
      id: slug(zoneName),
      name: zoneName,
      kind,
      points: draft,
      labels: labels.split(',').map((l) => l.trim()).filter(Boolean),
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
                {draft.length > 0 && (kind === 'zone' ? <polygon points={pts(draft)} className="draft-shape" /> : <polyline points={pts(draft)} className="draft-shape" />)}
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

function ModelsSection({ api, workspace, onSaved, onChanged }: { api: ApiClient; workspace: WorkspaceView; onSaved(w: WorkspaceView): void; onChanged(): void }) {
  const [error, setError] = useState<string | null>(null);
  const setDefault = async (name: string) => {
    try {
      onSaved(await api.call('settings.update', { defaultModel: name }));
      setError(null);
    } catch (e) {
      setError(`cannot make '${name}' the default model: ${errorText(e)}`);
    }
  };
  return (
    <section className="panel wide" aria-label="Models">
      <h2>Models</h2>
      <table className="table" data-testid="model-table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Parser</th>
            <th>Input</th>
            <th>Labels</th>
            <th>Default</th>
          </tr>
        </thead>
        <tbody>
          {workspace.models.map((m) => (
            <tr key={m.name} data-testid={`model-row-${m.name}`}>
              <td>
                {m.title} <span className="mono hint">{m.name}</span>
              </td>
              <td>{m.parser}</td>
              <td>
                {m.input.width}×{m.input.height}
              </td>
              <td title={m.labels.join(', ')}>{m.labels.length}</td>
              <td>
                <input type="radio" name="default-model" aria-label={`make ${m.title} the default`} checked={effectiveDefault(workspace) === m.name} onChange={() => void setDefault(m.name)} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ErrorLine error={error} testId="model-error" />
      <p className="hint">Per-camera models are picked under Cameras → Edit. Paths below are files on the Vigil node, not on this browser's machine.</p>
      <AddModel api={api} onAdded={onChanged} />
      <ImportNvinfer api={api} onAdded={onChanged} />
    </section>
  );
}

const PARSERS: ParserName[] = ['yolov8', 'yolov5', 'nanodet', 'centernet', 'ssd', 'detr'];

/** Two steps, like the CLI: inspect the ONNX file (the node proposes a manifest), correct it, add it (one frame is run through it). */
function AddModel({ api, onAdded }: { api: ApiClient; onAdded(): void }) {
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState<'inspect' | 'add' | null>(null);
  const [proposal, setProposal] = useState<ModelProposal | null>(null);
  const [name, setName] = useState('');
  const [parser, setParser] = useState<ParserName>('yolov8');
  const [labels, setLabels] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<{ model: ModelSummary; detections: number; notes: string[] } | null>(null);

  const inspect = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy('inspect');
    setProposal(null);
    setResult(null);
    try {
      const p = await api.call('models.inspect', { path });
      setProposal(p);
      setName(p.manifest.name);
      setParser(p.manifest.parser);
      setLabels('');
      setError(null);
    } catch (err) {
      setError(`cannot inspect ${path || 'the model'}: ${errorText(err)}`);
    } finally {
      setBusy(null);
    }
  };
  const add = async () => {
    if (!proposal) return;
    setBusy('add');
    const labelList = labels.split(/[,\n]/).map((l) => l.trim()).filter(Boolean);
    try {
      const r = await api.call('models.add', { path, name, parser, ...(labelList.length ? { labels: labelList } : {}) });
      setResult(r);
      setProposal(null);
      setError(null);
      onAdded();
    } catch (err) {
      setError(`cannot add model '${name}': ${errorText(err)}`);
    } finally {
      setBusy(null);
    }
  };
  const m = proposal?.manifest;
  return (
    <div className="add-model">
      <h3>Add an ONNX detector</h3>
      <form className="form-row" data-testid="add-model-form" aria-label="Add an ONNX detector" onSubmit={inspect}>
        <label className="grow">
          ONNX file
          <input data-testid="add-model-path" value={path} onChange={(e) => setPath(e.target.value)} placeholder="/models/yolov8n.onnx" required />
        </label>
        <BrowseButton api={api} kind="onnx" onPicked={setPath} />
        <button type="submit" data-testid="add-model-inspect" disabled={!path || busy !== null}>
          {busy === 'inspect' ? 'Inspecting…' : 'Inspect'}
        </button>
      </form>
      <ErrorLine error={error} testId="add-model-error" />
      {proposal && m && (
        <div className="model-proposal" data-testid="add-model-proposal">
          <dl className="facts">
            <dt>Proposed parser</dt>
            <dd data-testid="add-model-proposed-parser">{m.parser}</dd>
            <dt>Input</dt>
            <dd data-testid="add-model-input">
              {m.input.width}×{m.input.height} {m.input.layout} {m.input.colorOrder}
            </dd>
            <dt>Labels</dt>
            <dd data-testid="add-model-labels-count" title={m.labels.join(', ')}>
              {m.labels.length}
            </dd>
          </dl>
          <ul className="notes" data-testid="add-model-notes">
            {proposal.notes.map((n, i) => (
              <li key={i}>{n}</li>
            ))}
          </ul>
          <div className="form-row">
            <label>
              Name <input data-testid="add-model-name" value={name} onChange={(e) => setName(e.target.value)} required />
            </label>
            <label>
              Parser
              <select data-testid="add-model-parser" value={parser} onChange={(e) => setParser(e.target.value as ParserName)}>
                {PARSERS.map((p) => (
                  <option key={p} value={p}>
                    {p}
                  </option>
                ))}
              </select>
            </label>
            <label className="grow">
              Labels (comma-separated; empty keeps {m.labels.length} proposed)
              <input data-testid="add-model-labels" value={labels} onChange={(e) => setLabels(e.target.value)} placeholder={m.labels.slice(0, 3).join(', ')} />
            </label>
            <button type="button" data-testid="add-model-submit" disabled={!name || busy !== null} onClick={() => void add()}>
              {busy === 'add' ? 'Adding…' : 'Add'}
            </button>
          </div>
        </div>
      )}
      {result && (
        <div className="form-ok" role="status" data-testid="add-model-result">
          Added '{result.model.title}' ({result.model.name}, {result.model.parser}, {result.model.input.width}×{result.model.input.height}): {result.detections}{' '}
          {result.detections === 1 ? 'detection' : 'detections'} on the test frame.
        </div>
      )}
    </div>
  );
}

function ImportNvinfer({ api, onAdded }: { api: ApiClient; onAdded(): void }) {
  const [path, setPath] = useState('');
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<{ model: ModelSummary; unhonoured: { key: string; value: string; reason: string }[] } | null>(null);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setResult(null);
    try {
      setResult(await api.call('models.importNvinfer', { path, ...(name ? { name } : {}) }));
      setError(null);
      onAdded();
    } catch (err) {
      setError(`cannot import ${path || 'the nvinfer config'}: ${errorText(err)}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="import-nvinfer">
      <h3>Import a DeepStream nvinfer config</h3>
      <form className="form-row" data-testid="nvinfer-form" aria-label="Import a DeepStream nvinfer config" onSubmit={submit}>
        <label className="grow">
          Config file
          <input data-testid="nvinfer-path" value={path} onChange={(e) => setPath(e.target.value)} placeholder="/opt/deepstream/config_infer_primary.txt" required />
        </label>
        <BrowseButton api={api} kind="nvinfer" onPicked={setPath} />
        <label>
          Name <input data-testid="nvinfer-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="from the config" />
        </label>
        <button type="submit" data-testid="nvinfer-import" disabled={!path || busy}>
          {busy ? 'Importing…' : 'Import'}
        </button>
      </form>
      <ErrorLine error={error} testId="nvinfer-error" />
      {result && (
        <div className="form-ok" role="status" data-testid="nvinfer-result">
          Imported '{result.model.title}' ({result.model.name}, {result.model.parser}).
          {result.unhonoured.length > 0 && (
            <ul className="notes" data-testid="nvinfer-unhonoured">
              {result.unhonoured.map((u) => (
                <li key={u.key}>
                  {u.key}={u.value}: {u.reason}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}

function EngineSection({ api, workspace, onSaved }: { api: ApiClient; workspace: WorkspaceView; onSaved(w: WorkspaceView): void }) {
  const [engine, setEngine] = useState<EngineSettings>(workspace.engine);
  const [retention, setRetention] = useState<RetentionSettings>(workspace.retention);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    try {
      onSaved(await api.call('settings.update', { engine, retention }));
      setError(null);
      setSaved(true);
    } catch (err) {
      setSaved(false);
      setError(`cannot save the engine settings: ${errorText(err)}`);
    }
  };
  const num = (v: string) => (v === '' ? 0 : Number(v));
  return (
    <section className="panel wide" aria-label="Tracker and retention">
      <h2>Tracker, batching and retention</h2>
      <form className="form-grid" data-testid="engine-form" onSubmit={submit}>
        <label>
          Tracker
          <select value={engine.tracker} onChange={(e) => setEngine({ ...engine, tracker: e.target.value as TrackerKind })}>
            <option value="iou">IOU</option>
            <option value="sort">SORT (Kalman)</option>
            <option value="bytetrack">ByteTrack</option>
          </select>
        </label>
        <label>
          Batch size <input type="number" min={1} max={64} value={engine.batchSize} onChange={(e) => setEngine({ ...engine, batchSize: num(e.target.value) })} />
        </label>
        <label>
          Batch push timeout (ms)
          <input type="number" min={0} value={engine.batchedPushTimeoutMs} onChange={(e) => setEngine({ ...engine, batchedPushTimeoutMs: num(e.target.value) })} />
        </label>
        <label>
          Infer every Nth frame <input type="number" min={1} value={engine.inferEvery} onChange={(e) => setEngine({ ...engine, inferEvery: num(e.target.value) })} />
        </label>
        <label>
          Preview width (px)
          <input type="number" min={160} step={16} value={engine.preview.width} onChange={(e) => setEngine({ ...engine, preview: { ...engine.preview, width: num(e.target.value) } })} />
        </label>
        <label>
          Preview fps
          <input type="number" min={1} max={30} value={engine.preview.fps} onChange={(e) => setEngine({ ...engine, preview: { ...engine.preview, fps: num(e.target.value) } })} />
        </label>
        <label>
          Keep recordings (days)
          <input type="number" min={1} value={retention.maxAgeDays} onChange={(e) => setRetention({ ...retention, maxAgeDays: num(e.target.value) })} />
        </label>
        <label>
          Disk limit (GB)
          <input type="number" min={1} value={retention.maxGigabytes} onChange={(e) => setRetention({ ...retention, maxGigabytes: num(e.target.value) })} />
        </label>
        <div>
          <button type="submit" data-testid="engine-save">
            Save
          </button>
          {saved && <span className="form-ok"> saved</span>}
        </div>
      </form>
      <ErrorLine error={error} testId="engine-error" />
    </section>
  );
}

/** Desktop app only: the API opens model files the operator picked in the file dialog. */
function BrowseButton({ api, kind, onPicked }: { api: ApiClient; kind: 'onnx' | 'nvinfer'; onPicked(path: string): void }) {
  const pick = api.pickModelFile;
  if (!pick) return null;
  return (
    <button type="button" data-testid={`browse-${kind}`} onClick={() => void pick(kind).then((p) => p && onPicked(p))}>
      Browse…
    </button>
  );
}
