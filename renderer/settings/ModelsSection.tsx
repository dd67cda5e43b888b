// Settings → Models: the model table and default, adding an ONNX detector, importing an nvinfer config.
import { useState } from 'react';
import type { ModelProposal, ModelSummary, ParserName, WorkspaceView } from '../../main/api/contract';
import { isParserName, PARSER_NAMES } from '../../main/api/registries';
import { errorText, type ApiClient } from '../api/client';
import { effectiveDefault, ErrorLine } from './helpers';

export function ModelsSection({
  api,
  workspace,
  onSaved,
  onChanged,
}: {
  api: ApiClient;
  workspace: WorkspaceView;
  onSaved(w: WorkspaceView): void;
  onChanged(): void;
}) {
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
                {m.providerNote && (
                  <span className="warning" title={m.providerNote} data-testid={`model-provider-note-${m.name}`}>
                    {' '}
                    ⚠ not on the GPU: {m.providerNote}
                  </span>
                )}
              </td>
              <td>{m.parser}</td>
              <td>
                {m.input.width}×{m.input.height}
              </td>
              <td title={m.labels.join(', ')}>{m.labels.length}</td>
              <td>
                <input
                  type="radio"
                  name="default-model"
                  aria-label={`make ${m.title} the default`}
                  checked={effectiveDefault(workspace) === m.name}
                  onChange={() => void setDefault(m.name)}
                />
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
    const labelList = labels
      .split(/[,\n]/)
      .map((l) => l.trim())
      .filter(Boolean);
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
              <select data-testid="add-model-parser" value={parser} onChange={(e) => isParserName(e.target.value) && setParser(e.target.value)}>
                {PARSER_NAMES.map((p) => (
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
          <input
            data-testid="nvinfer-path"
            value={path}
            onChange={(e) => setPath(e.target.value)}
            placeholder="/opt/deepstream/config_infer_primary.txt"
            required
          />
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
