// "Record this camera" from a track: what the camera records now (snapshots, boxes, video), and one
// click to turn recording on (cameras.update with the camera's record policy), the answer shown where
// it was asked.
import { useState } from 'react';
import type { CameraView, RecordPolicy } from '../../main/api/contract';
import { errorText, type ApiClient } from '../api/client';

/** Boxes kept per track and second once the operator turns recording on (the workspace's default). */
const ON_HZ = 2;

/** Whether the camera keeps what a review needs: a snapshot per track and video (boxes are always kept, at detectionsHz). */
function recordsTracks(p: RecordPolicy): boolean {
  return p.snapshots && p.mode !== 'off';
}

const VIDEO_WORDS: Record<RecordPolicy['mode'], string> = {
  off: 'no video',
  continuous: 'video all the time',
  events: 'video around events',
};

function policyText(p: RecordPolicy): string {
  // While video is recorded every inferred frame's box is kept (main/core/recordings.ts, recordingPolicy).
  const boxes = p.mode !== 'off' || p.detectionsHz === 0 ? 'every frame' : `${p.detectionsHz} per second`;
  return `${p.snapshots ? `a snapshot of each track and its boxes (${boxes})` : `boxes only (${boxes}), no snapshots`}, ${VIDEO_WORDS[p.mode]}`;
}

export function RecordAction({ api, camera, onChanged }: { api: ApiClient; camera: CameraView | undefined; onChanged(view: CameraView): void }) {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  if (!camera) return <span data-testid="record-state">This track's camera is no longer in the workspace.</span>;
  const on = recordsTracks(camera.record);
  const turnOn = () => {
    setBusy(true);
    setMessage(null);
    const record: Partial<RecordPolicy> = { snapshots: true, detectionsHz: camera.record.detectionsHz || ON_HZ };
    if (camera.record.mode === 'off') record.mode = 'continuous';
    api.call('cameras.update', { id: camera.id, patch: { record } }).then(
      (view) => {
        setBusy(false);
        setMessage({ ok: true, text: `Recording is on for ${view.name}: its next tracks get a snapshot and video.` });
        onChanged(view);
      },
      (e: unknown) => {
        setBusy(false);
        setMessage({ ok: false, text: `Could not turn recording on for ${camera.name}: ${errorText(e)}` });
      },
    );
  };
  return (
    <span className="record-action">
      <span data-testid="record-state">
        {camera.name} records {policyText(camera.record)}.
      </span>
      {!on && (
        <button type="button" data-testid="record-camera" disabled={busy} onClick={turnOn}>
          {busy ? 'Turning recording on…' : 'Record this camera'}
        </button>
      )}
      {message && (
        <span className={message.ok ? 'ok' : 'error'} role={message.ok ? 'status' : 'alert'} data-testid="record-result">
          {message.text}
        </span>
      )}
    </span>
  );
}
