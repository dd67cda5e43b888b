// System → Streams: one row per camera, by name, with headed columns and the figures the live wall's
// tiles show; a figure past its threshold is marked and says why.
import { useRef } from 'react';
import type { CameraView, StreamStats } from '../../main/api/contract';
import { streamFigures } from '../common/format';

/** When a figure is bad: what the marks on this table mean (also shown under it). */
export const THRESHOLDS = { droppedPerMinute: 30, latencyMs: 1000 } as const;

/** Dropped frames per minute from the last two readings of each camera's running count. */
function useDropRates(streams: StreamStats[]): Map<string, number | null> {
  const last = useRef(new Map<string, { at: number; dropped: number; rate: number | null }>());
  const now = Date.now();
  const rates = new Map<string, number | null>();
  for (const s of streams) {
    const prev = last.current.get(s.camera);
    if (!prev) last.current.set(s.camera, { at: now, dropped: s.droppedFrames, rate: null });
    else if (now - prev.at >= 1500) {
      const rate = s.droppedFrames >= prev.dropped ? ((s.droppedFrames - prev.dropped) * 60_000) / (now - prev.at) : null; // a restart resets the count
      last.current.set(s.camera, { at: now, dropped: s.droppedFrames, rate });
    }
    rates.set(s.camera, last.current.get(s.camera)!.rate);
  }
  return rates;
}

/** Motion gating's saving in plain words: how many of the detector's runs were skipped on a still picture. */
export function motionSavedWords(camera: CameraView | undefined, saved: number): string {
  if (!camera?.motion.enabled) return 'off';
  return `${Math.round(saved * 100)} % of detector runs skipped (still picture)`;
}

export function StreamTable({ streams, cameras }: { streams: StreamStats[]; cameras: CameraView[] }) {
  const rates = useDropRates(streams);
  const names = new Map(cameras.map((c) => [c.id, c.name]));
  const byId = new Map(cameras.map((c) => [c.id, c]));
  return (
    <>
      <table className="table compact" data-testid="stream-table">
        <thead>
          <tr>
            <th>Camera</th>
            <th>State</th>
            <th>Decode</th>
            <th>Detect</th>
            <th>Latency</th>
            <th>Dropped frames</th>
            <th title="Motion gating: the detector skips frames while the picture is still">Motion gating</th>
            <th>Problem</th>
          </tr>
        </thead>
        <tbody>
          {streams.map((s) => {
            const f = streamFigures(s);
            const rate = rates.get(s.camera) ?? null;
            const slow = s.latencyMs > THRESHOLDS.latencyMs;
            const dropping = rate !== null && rate > THRESHOLDS.droppedPerMinute;
            return (
              <tr key={s.camera} data-testid={`stream-row-${s.camera}`}>
                <td data-testid={`stream-name-${s.camera}`}>{names.get(s.camera) ?? s.camera}</td>
                <td className={`state-${s.state}`}>{s.state}</td>
                <td>{f.decode}</td>
                <td data-testid={`stream-detect-${s.camera}`}>{f.detect}</td>
                <td className={slow ? 'bad' : undefined} title={slow ? `over ${THRESHOLDS.latencyMs} ms: boxes trail the picture` : undefined}>
                  {f.latency}
                  {slow ? ' — slow' : ''}
                </td>
                <td
                  className={dropping ? 'bad' : undefined}
                  data-testid={`stream-dropped-${s.camera}`}
                  title={`${s.droppedFrames} dropped since the stream started`}
                >
                  {rate === null ? 'measuring…' : `${Math.round(rate)} /min`}
                  {dropping ? ' — too many' : ''}
                </td>
                <td data-testid={`stream-motion-${s.camera}`}>{motionSavedWords(byId.get(s.camera), s.inferencesSaved)}</td>
                <td>{s.advice ?? s.error ?? ''}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p className="hint" data-testid="stream-thresholds">
        Marked bad: latency over {THRESHOLDS.latencyMs} ms (boxes trail the picture); more than {THRESHOLDS.droppedPerMinute} dropped frames a minute (the
        machine cannot keep up: lower the camera&apos;s detect fps or add a GPU). Detect is the rate of frames the detector looks at.
      </p>
    </>
  );
}
