// Settings → Cameras → Add a camera: the server tests the source before adding it; a failed test can
// be overridden ("add anyway, keep retrying"). One current message for the form; a name already in
// use is told under the Name field.
import { useState } from 'react';
import type { CameraView, WorkspaceView } from '../../main/api/contract';
import { ApiCallError, errorText, type ApiClient } from '../api/client';
import { MessageLine } from './helpers';
import { PreviewCanvas } from './PreviewCanvas';

const EXAMPLE_NAMES = ['Front door', 'Gate', 'Loading dock', 'Lobby', 'Car park', 'Yard'];

/** An example name no camera has yet (the placeholder must not look like an existing camera). */
export function freeExampleName(taken: string[]): string {
  const used = new Set(taken.map((n) => n.trim().toLowerCase()));
  const free = EXAMPLE_NAMES.find((n) => !used.has(n.toLowerCase()));
  if (free) return free;
  let n = taken.length + 1;
  while (used.has(`camera ${n}`)) n++;
  return `Camera ${n}`;
}

type Message =
  | { kind: 'busy' | 'ok' | 'error'; where: 'test' | 'form'; text: string; detail?: string | undefined }
  | { kind: 'error'; where: 'name'; text: string }
  | { kind: 'refused'; where: 'form'; text: string; detail?: string | undefined }
  | { kind: 'added'; where: 'form'; camera: CameraView; forced: boolean };

const TEST_IDS = { test: 'add-camera-test-result', form: 'add-camera-error' } as const;

export function AddCamera({ api, workspace, onAdded }: { api: ApiClient; workspace: WorkspaceView; onAdded(): void }) {
  const [name, setName] = useState('');
  const [uri, setUri] = useState('');
  const [model, setModel] = useState('');
  const [message, setMessage] = useState<Message | null>(null);
  const busy = message?.kind === 'busy';

  const runTest = async () => {
    setMessage({ kind: 'busy', where: 'test', text: `Testing ${uri}…` });
    try {
      const r = await api.call('cameras.test', { uri });
      setMessage(
        r.ok
          ? { kind: 'ok', where: 'test', text: `connected: ${r.width ?? '?'}×${r.height ?? '?'}` }
          : { kind: 'error', where: 'test', text: `cannot open ${uri}: ${r.error ?? 'no reason given'}`, detail: r.detail },
      );
    } catch (e) {
      setMessage({ kind: 'error', where: 'test', text: `cannot test ${uri}: ${errorText(e)}`, detail: e instanceof ApiCallError ? e.detail : undefined });
    }
  };

  const add = async (force: boolean) => {
    setMessage({ kind: 'busy', where: 'form', text: force ? `Adding '${name}'…` : `Testing ${uri} before adding '${name}'…` });
    try {
      const camera = await api.call('cameras.add', { name, uri, model: model || null, ...(force ? { force: true } : {}) });
      setMessage({ kind: 'added', where: 'form', camera, forced: force });
      setName('');
      setUri('');
      onAdded();
    } catch (e) {
      // Under the Name field the field's own name ("camera.name …") says nothing more.
      if (e instanceof ApiCallError && e.field === 'camera.name') setMessage({ kind: 'error', where: 'name', text: e.message.replace(/^camera\.name /, '') });
      else if (e instanceof ApiCallError && e.code === 'source-failed')
        setMessage({ kind: 'refused', where: 'form', text: `Not added: ${e.message}`, detail: e.detail });
      else
        setMessage({
          kind: 'error',
          where: 'form',
          text: `cannot add camera '${name}': ${errorText(e)}`,
          detail: e instanceof ApiCallError ? e.detail : undefined,
        });
    }
  };

  return (
    <div className="add-camera">
      <h3>Add a camera</h3>
      <form
        className="form-row"
        data-testid="add-camera-form"
        aria-label="Add a camera"
        onSubmit={(e) => {
          e.preventDefault();
          void add(false);
        }}
      >
        <label className="field">
          Name
          <input
            data-testid="add-camera-name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder={freeExampleName(workspace.cameras.map((c) => c.name))}
            aria-invalid={message?.where === 'name'}
            required
          />
          {message?.where === 'name' && (
            <span className="form-error field-error" role="alert" data-testid="add-camera-name-error">
              {message.text}
            </span>
          )}
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
        <button type="button" data-testid="add-camera-test" disabled={!uri || busy} onClick={runTest}>
          {busy && message?.where === 'test' ? 'Testing…' : 'Test connection'}
        </button>
        <button type="submit" data-testid="add-camera-submit" disabled={busy}>
          Add
        </button>
      </form>
      {message && message.where !== 'name' && message.kind !== 'added' && message.kind !== 'refused' && (
        <MessageLine kind={message.kind} text={message.text} detail={message.detail} testId={TEST_IDS[message.where]} />
      )}
      {message?.kind === 'refused' && (
        <div data-testid="add-camera-refused">
          <MessageLine kind="error" text={message.text} detail={message.detail} testId="add-camera-error" />
          <p className="hint">
            If the camera is not on yet, add it anyway: Vigil keeps retrying and its tile says when it answers.{' '}
            <button type="button" data-testid="add-camera-force" onClick={() => void add(true)}>
              Add anyway, keep retrying
            </button>
          </p>
        </div>
      )}
      {message?.kind === 'added' && (
        <div data-testid="add-camera-preview">
          <p className="form-ok" role="status" data-testid="add-camera-added">
            Added '{message.camera.name}'{message.forced ? ' without a working connection — Vigil keeps retrying' : ''} — live preview:
          </p>
          <PreviewCanvas api={api} camera={message.camera.id} testId={`preview-${message.camera.id}`} />
        </div>
      )}
    </div>
  );
}
