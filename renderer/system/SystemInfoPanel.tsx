import { useEffect, useState } from 'react';
import type { SystemInfo } from '../../main/api/contract';
import type { ApiClient } from '../api/client';

export function SystemInfoPanel({ api }: { api: ApiClient }) {
  const [info, setInfo] = useState<SystemInfo | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    const load = () =>
      api.call('system.info', {}).then(
        (i) => live && (setInfo(i), setError(null)),
        (e: unknown) => live && setError(e instanceof Error ? e.message : String(e)),
      );
    void load();
    // Any engine change: ask again, so a change racing the first answer is never lost.
    const off = api.subscribe('engine.status', () => void load());
    return () => {
      live = false;
      off();
    };
  }, [api]);

  if (error)
    return (
      <section className="panel error" role="alert">
        {error}
      </section>
    );
  if (!info) return <section className="panel">Connecting to the Vigil node…</section>;
  const { engine } = info;
  return (
    <section className="panel" aria-label="System">
      <h2>System</h2>
      <dl className="facts">
        <dt>Vigil</dt>
        <dd data-testid="app-version">
          {info.app.version} ({info.app.mode})
        </dd>
        <dt>Engine</dt>
        <dd data-testid="engine-state" className={`state-${engine.state}`}>
          {engine.state}
          {engine.error ? ` — ${engine.error}` : ''}
        </dd>
        {engine.info && (
          <>
            <dt>GStreamer</dt>
            <dd data-testid="gstreamer-version">{engine.info.gstreamerVersion}</dd>
            <dt>ONNX Runtime</dt>
            <dd data-testid="onnxruntime-version">{engine.info.onnxRuntimeVersion}</dd>
            <dt>Execution providers</dt>
            <dd data-testid="execution-providers">{engine.info.executionProviders.join(', ')}</dd>
            <dt>GPU</dt>
            <dd data-testid="gpu">{engine.info.gpu ? engine.info.gpu.name : 'no NVIDIA GPU found — inference and decoding run on the CPU'}</dd>
            <dt>Hardware decoding</dt>
            <dd data-testid="nvdec">{engine.info.nvdec ? `NVDEC (${engine.info.hardwareDecoders.join(', ')})` : 'none found (software decoding)'}</dd>
          </>
        )}
      </dl>
    </section>
  );
}
