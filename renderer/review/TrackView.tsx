// One track: its clip when its camera recorded video of it (with the stored boxes over it), its
// snapshot with the box path (or, while still followed, the live picture), its facts and what its
// camera records.
import { useEffect, useRef, useState } from 'react';
import type { TrackDetail } from '../../main/api/contract';
import { errorText, type ApiClient } from '../api/client';
import { labelColor } from '../common/colors';
import { formatDuration, formatTime } from '../common/format';
import { TrackThumb } from '../common/TrackThumb';
import { navigate } from '../router/router';
import { TrackClip, useTrackClip } from '../playback/TrackClip';
import type { WorkspaceState } from '../common/useWorkspace';
import { ExportClip } from './ExportClip';
import { RecordAction } from './RecordAction';
import { LAST_QUERY_KEY } from './review-query';

export function TrackView({ api, workspaceState, id }: { api: ApiClient; workspaceState: WorkspaceState; id: string }) {
  const [track, setTrack] = useState<TrackDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const img = useRef<HTMLImageElement>(null);
  const [imgSize, setImgSize] = useState<{ w: number; h: number } | null>(null);
  const [, setLayoutTick] = useState(0);
  useEffect(() => {
    const on = () => setLayoutTick((n) => n + 1); // redraw the path at the new size
    window.addEventListener('resize', on);
    return () => window.removeEventListener('resize', on);
  }, []);

  useEffect(() => {
    let live = true;
    setTrack(null);
    api.call('tracks.get', { id }).then(
      (t) => live && (setTrack(t), setError(null)),
      (e: unknown) => live && setError(`cannot open track ${id}: ${errorText(e)}`),
    );
    return () => {
      live = false;
    };
  }, [api, id]);

  // The box path over the snapshot, scaled from source pixels; without a snapshot (yet), drawn alone
  // over the area the track covered, so every stored position still shows.
  useEffect(() => {
    const c = canvas.current;
    if (!c || !track || (track.snapshotUrl && !imgSize)) return;
    const el = img.current;
    let w: number,
      h: number,
      sx: number,
      sy: number,
      ox = 0,
      oy = 0;
    if (track.snapshotUrl && imgSize) {
      const frame = track.frameSize ?? { width: imgSize.w, height: imgSize.h };
      w = el?.clientWidth ?? imgSize.w;
      h = el?.clientHeight ?? imgSize.h;
      sx = w / frame.width;
      sy = h / frame.height;
    } else {
      w = 480;
      h = 270;
      const xs = track.path.flatMap((p) => [p.box[0], p.box[0] + p.box[2]]);
      const ys = track.path.flatMap((p) => [p.box[1], p.box[1] + p.box[3]]);
      const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
      const s = Math.min((w * 0.9) / Math.max(1, x1 - x0), (h * 0.9) / Math.max(1, y1 - y0));
      sx = sy = s;
      ox = (w - (x1 - x0) * s) / 2 - x0 * s;
      oy = (h - (y1 - y0) * s) / 2 - y0 * s;
    }
    c.width = w;
    c.height = h;
    const ctx = c.getContext('2d');
    if (!ctx) return;
    ctx.clearRect(0, 0, w, h);
    ctx.strokeStyle = labelColor(track.label);
    ctx.fillStyle = labelColor(track.label);
    ctx.lineWidth = 2;
    ctx.beginPath();
    const at = (p: { box: number[] }) => [ox + (p.box[0]! + p.box[2]! / 2) * sx, oy + (p.box[1]! + p.box[3]!) * sy] as const;
    track.path.forEach((p, i) => {
      const [x, y] = at(p);
      if (i) ctx.lineTo(x, y);
      else ctx.moveTo(x, y);
    });
    ctx.stroke();
    for (const p of track.path) {
      const [x, y] = at(p);
      ctx.fillRect(x - 2, y - 2, 4, 4); // each stored position
    }
    const last = track.path[track.path.length - 1];
    if (last) {
      ctx.setLineDash([4, 3]);
      ctx.strokeRect(ox + last.box[0] * sx, oy + last.box[1] * sy, last.box[2] * sx, last.box[3] * sy);
    }
  });

  const camera = workspaceState.workspace?.cameras.find((c) => c.id === track?.camera);
  const clip = useTrackClip(api, track?.camera ?? null, track?.firstSeen ?? 0, track?.lastSeen ?? 0);
  return (
    <section className="track-detail" aria-label="Track detail" data-testid="track-detail">
      <div className="toolbar">
        <button type="button" onClick={() => (window.location.hash = `#/review?${sessionStorage.getItem(LAST_QUERY_KEY) ?? ''}`)} data-testid="track-back">
          ← All tracks
        </button>
        <button type="button" onClick={() => navigate('timeline')}>
          Timeline
        </button>
      </div>
      {error && (
        <div className="panel error" role="alert" data-testid="track-error">
          {error}
        </div>
      )}
      {!track && !error && <div className="panel">Loading track…</div>}
      {track && (
        <div className="detail-grid">
          <div className="track-media">
            {clip.state === 'recorded' && (
              <TrackClip
                api={api}
                camera={{ id: track.camera, name: camera?.name ?? track.camera }}
                segments={clip.segments}
                track={track.id}
                from={track.firstSeen}
                to={track.lastSeen}
              />
            )}
            <div className="snapshot-wrap">
              {track.snapshotUrl ? (
                <>
                  <img
                    ref={img}
                    src={track.snapshotUrl}
                    alt={`best snapshot of ${track.label} ${track.id}`}
                    data-testid="track-snapshot"
                    onLoad={(e) => setImgSize({ w: e.currentTarget.naturalWidth, h: e.currentTarget.naturalHeight })}
                  />
                  <canvas ref={canvas} className="path-overlay" data-testid="track-path" aria-hidden />
                </>
              ) : (
                <>
                  {!track.ended ? (
                    <div className="live-picture">
                      <TrackThumb api={api} track={track} width={384} height={216} testId="track-live" />
                      <div className="panel empty" data-testid="track-picture-note">
                        Still followed: the picture is the camera's live view of it, cropped to its box. The snapshot of its best moment is taken when the track
                        ends. Its path so far:
                      </div>
                    </div>
                  ) : (
                    <div className="panel empty" data-testid="track-picture-note">
                      No snapshot for this track: its camera did not record snapshots when it was seen. Its path:
                    </div>
                  )}
                  <canvas ref={canvas} className="path-alone" data-testid="track-path" aria-label={`path of ${track.label} ${track.id}`} />
                </>
              )}
            </div>
          </div>
          <dl className="facts">
            <dt>Track</dt>
            <dd data-testid="track-id">{track.id}</dd>
            <dt>Label</dt>
            <dd style={{ color: labelColor(track.label) }} data-testid="track-label">
              {track.label}
            </dd>
            <dt>Camera</dt>
            <dd>{camera?.name ?? track.camera}</dd>
            <dt>First seen</dt>
            <dd>{formatTime(track.firstSeen)}</dd>
            <dt>Last seen</dt>
            <dd>
              {formatTime(track.lastSeen)} ({formatDuration(track.lastSeen - track.firstSeen)})
            </dd>
            <dt>Best score</dt>
            <dd>{track.bestScore.toFixed(2)}</dd>
            <dt>Zones</dt>
            <dd>{track.zones.length ? track.zones.map((z) => z.name).join(', ') : 'none'}</dd>
            <dt>Path</dt>
            <dd data-testid="track-path-count">{track.path.length} positions</dd>
            <dt>Recording</dt>
            <dd data-testid="track-recording">
              {clip.state === 'recorded' ? (
                <span data-testid="track-video">
                  Video recorded ({clip.segments.length} segment{clip.segments.length === 1 ? '' : 's'}): the clip above plays it with the stored boxes.
                </span>
              ) : (
                <>
                  {clip.state === 'none' && clip.error && <span className="error">{clip.error} </span>}
                  <RecordAction api={api} camera={camera} onChanged={() => workspaceState.reload()} />
                </>
              )}
            </dd>
            <dt>Clip</dt>
            <dd data-testid="track-export">
              <ExportClip api={api} camera={track.camera} from={track.firstSeen} to={track.lastSeen} />
            </dd>
          </dl>
        </div>
      )}
    </section>
  );
}
