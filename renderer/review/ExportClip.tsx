// "Export clip" on a track: the camera's recorded video over the track's time (2 s either side),
// optionally with the stored boxes burnt in, made on the node (recordings.export), its progress
// polled (exports.status) and the file offered for download when done.
import { useEffect, useRef, useState } from 'react';
import type { ExportJob } from '../../main/api/contract';
import { errorText, type ApiClient } from '../api/client';
import { formatTime } from '../common/format';

const MARGIN_MS = 2000;
const POLL_MS = 500;

export function ExportClip({ api, camera, from, to }: { api: ApiClient; camera: string; from: number; to: number }) {
  const [boxes, setBoxes] = useState(true);
  const [job, setJob] = useState<ExportJob | null>(null);
  const [error, setError] = useState<string | null>(null);
  const alive = useRef(true);
  useEffect(
    () => () => {
      alive.current = false;
    },
    [],
  );

  const poll = (id: string) => {
    api.call('exports.status', { job: id }).then(
      (s) => {
        if (!alive.current) return;
        setJob(s);
        if (s.state === 'running') setTimeout(() => poll(id), POLL_MS);
      },
      (e: unknown) => alive.current && setError(errorText(e)),
    );
  };
  const start = () => {
    setError(null);
    setJob(null);
    api.call('recordings.export', { cameras: [camera], from: from - MARGIN_MS, to: Math.max(to, from + 1000) + MARGIN_MS, boxes }).then(
      (s) => {
        if (!alive.current) return;
        setJob(s);
        poll(s.job);
      },
      (e: unknown) => alive.current && setError(`Could not export the clip: ${errorText(e)}`),
    );
  };
  const running = job?.state === 'running';
  return (
    <span className="export-clip">
      <label>
        <input type="checkbox" checked={boxes} disabled={running} onChange={(e) => setBoxes(e.currentTarget.checked)} data-testid="export-boxes" /> with boxes
      </label>{' '}
      <button type="button" onClick={start} disabled={running} data-testid="export-clip">
        {running ? `Exporting… ${Math.round((job?.progress ?? 0) * 100)} %` : 'Export clip'}
      </button>
      {job?.state === 'done' &&
        job.files.map((f) => (
          <a key={f.url} href={f.url} download data-testid="export-link" style={{ marginLeft: '0.5em' }}>
            Download ({(f.durationMs / 1000).toFixed(1)} s, {(f.bytes / 1e6).toFixed(1)} MB)
          </a>
        ))}
      {job?.state === 'done' && job.files.length > 0 && job.keptUntil && (
        <span className="muted" data-testid="export-kept" style={{ marginLeft: '0.5em' }}>
          kept until {formatTime(job.keptUntil)}
        </span>
      )}
      {job?.state === 'done' && job.files.length === 0 && <span data-testid="export-error">No recorded video for this track's time.</span>}
      {(error ?? job?.error) && (
        <span className="error" role="alert" data-testid="export-error">
          {error ?? job?.error}
        </span>
      )}
    </span>
  );
}
