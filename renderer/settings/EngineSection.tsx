// Settings → Tracker, batching and retention: the engine settings and the recorder's retention.
import { useState } from 'react';
import type { EngineSettings, RetentionSettings, WorkspaceView } from '../../main/api/contract';
import { isTrackerKind, TRACKER_KINDS, type TrackerKind } from '../../main/api/registries';
import { errorText, type ApiClient } from '../api/client';
import { ErrorLine } from './helpers';

/** How the settings screen names each tracker: typed by TrackerKind, so a tracker added to the list needs a title here. */
const TRACKER_TITLES: Record<TrackerKind, string> = { iou: 'IOU', sort: 'SORT (Kalman)', bytetrack: 'ByteTrack' };

export function EngineSection({ api, workspace, onSaved }: { api: ApiClient; workspace: WorkspaceView; onSaved(w: WorkspaceView): void }) {
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
          <select value={engine.tracker} onChange={(e) => isTrackerKind(e.target.value) && setEngine({ ...engine, tracker: e.target.value })}>
            {TRACKER_KINDS.map((t) => (
              <option key={t} value={t}>
                {TRACKER_TITLES[t]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Batch size{' '}
          <input type="number" min={1} max={64} value={engine.batchSize} onChange={(e) => setEngine({ ...engine, batchSize: num(e.target.value) })} />
        </label>
        <label>
          Batch push timeout (ms)
          <input
            type="number"
            min={0}
            value={engine.batchedPushTimeoutMs}
            onChange={(e) => setEngine({ ...engine, batchedPushTimeoutMs: num(e.target.value) })}
          />
        </label>
        <label>
          Infer every Nth frame{' '}
          <input type="number" min={1} value={engine.inferEvery} onChange={(e) => setEngine({ ...engine, inferEvery: num(e.target.value) })} />
        </label>
        <label>
          Preview width (px)
          <input
            type="number"
            min={160}
            step={16}
            value={engine.preview.width}
            onChange={(e) => setEngine({ ...engine, preview: { ...engine.preview, width: num(e.target.value) } })}
          />
        </label>
        <label>
          Preview fps
          <input
            type="number"
            min={1}
            max={30}
            value={engine.preview.fps}
            onChange={(e) => setEngine({ ...engine, preview: { ...engine.preview, fps: num(e.target.value) } })}
          />
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
