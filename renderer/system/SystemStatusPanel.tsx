// Live system status: engine, execution provider, CPU load, disk use, streams and engine outages.
import { useEffect, useState } from 'react';
import type { CameraView, EngineStatus, SystemStatus } from '../../main/api/contract';
import { errorText, type ApiClient } from '../api/client';
import { formatTime } from '../common/format';
import { ProviderDemotions } from './ProviderDemotions';
import { providerWords } from './provider-words';
import { StreamTable } from './StreamTable';

function bytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  return `${Math.round(n / 1e3)} kB`;
}

/** Why inference is not on the GPU. Without an NVIDIA GPU that is by design and said plainly, the
 * providers that could not load being detail; with a GPU it is a fault, shown in amber. */
function ProviderNote({ engine }: { engine: EngineStatus }) {
  const note = engine.inference?.providerNote ?? '';
  if (engine.info?.gpu === null) {
    return (
      <>
        <span data-testid="cpu-only"> — Inference runs on the CPU: no NVIDIA GPU was found.</span>
        {note && (
          <details className="detail" data-testid="provider-details">
            <summary>GPU providers not loaded</summary>
            <span data-testid="provider-details-text">{note}</span>
          </details>
        )}
      </>
    );
  }
  if (!note) return null;
  return (
    <span className="warning" role="status" data-testid="provider-fallback">
      {' '}
      — {engine.info?.gpu ? `${engine.info.gpu.name} found, but ` : ''}
      {note}
    </span>
  );
}

export function SystemStatusPanel({ api, cameras }: { api: ApiClient; cameras: CameraView[] }) {
  const [status, setStatus] = useState<SystemStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [restartError, setRestartError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    const load = () =>
      api.call('system.status', {}).then(
        (s) => live && (setStatus(s), setError(null)),
        (e: unknown) => live && setError(`system status unavailable: ${errorText(e)}`),
      );
    void load();
    const id = setInterval(load, 2000);
    return () => {
      live = false;
      clearInterval(id);
    };
  }, [api]);
  const restart = () =>
    api.call('engine.restart', {}).then(
      () => setRestartError(null),
      (e: unknown) => setRestartError(`cannot restart the engine: ${errorText(e)}`),
    );
  return (
    <section className="panel" aria-label="System status" data-testid="system-status">
      <h2>Status</h2>
      {error && (
        <p className="form-error" role="alert" data-testid="system-status-error">
          {error}
        </p>
      )}
      {status && (
        <dl className="facts">
          <dt>Inference runs on</dt>
          <dd data-testid="execution-provider" title={status.engine.executionProvider ?? undefined}>
            {status.engine.executionProvider ? providerWords(status.engine.executionProvider) : 'not running inference yet'}
            <ProviderNote engine={status.engine} />
          </dd>
          {status.engine.inference && status.engine.inference.demotions.length > 0 && (
            <>
              <dt>Models kept off the GPU</dt>
              <dd>
                <ProviderDemotions demotions={status.engine.inference.demotions} />
              </dd>
            </>
          )}
          {status.engine.inference && (
            <>
              <dt>Pre-processing</dt>
              <dd data-testid="preprocess-path">
                {status.engine.inference.preprocess === 'cuda'
                  ? 'GPU (CUDA letterbox; hardware-decoded frames stay in GPU memory)'
                  : `CPU${status.engine.inference.preprocessNote ? ` — ${status.engine.inference.preprocessNote}` : ''}`}
              </dd>
            </>
          )}
          <dt>CPU load</dt>
          <dd className={status.cpuPercent > 90 ? 'bad' : undefined}>
            <span data-testid="cpu-load">{status.cpuPercent.toFixed(0)} %</span>
            {status.cpuPercent > 90 && <span data-testid="cpu-warning"> — over 90 %: the CPU is saturated, cameras will drop frames</span>}
          </dd>
          <dt>Disk</dt>
          <dd data-testid="disk-use">
            {status.disk ? `${bytes(status.disk.usedBytes)} used by recordings, ${bytes(status.disk.freeBytes)} free (${status.disk.dataDir})` : 'unknown'}
          </dd>
          <dt>Recorder</dt>
          <dd>
            {status.recorder
              ? `${status.recorder.writtenPerSecond.toFixed(0)}/s written, queue ${status.recorder.queueDepth}${status.recorder.lastError ? ` — ${status.recorder.lastError}` : ''}`
              : 'not running'}
          </dd>
          <dt>Streams</dt>
          <dd>
            <StreamTable streams={status.streams} cameras={cameras} />
          </dd>
          <dt>Engine outages</dt>
          <dd>{status.gaps.length ? status.gaps.map((g) => `${formatTime(g.from)} → ${g.to ? formatTime(g.to) : 'now'}: ${g.reason}`).join('; ') : 'none'}</dd>
        </dl>
      )}
      <button type="button" onClick={() => void restart()} data-testid="engine-restart">
        Restart engine
      </button>
      {restartError && (
        <p className="form-error" role="alert" data-testid="engine-restart-error">
          {restartError}
        </p>
      )}
    </section>
  );
}
