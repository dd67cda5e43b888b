// Review: a filterable list of recorded tracks, and one track's detail (snapshot, box path, zones).
import { useEffect, useRef, useState } from 'react';
import type { TrackDetail, TrackSearch, TrackSummary } from '../../main/api/contract';
import { errorText, type ApiClient } from '../api/client';
import { labelColor } from '../common/colors';
import { formatDuration, formatTime } from '../common/format';
import { navigate, replaceQuery } from '../router/router';
import type { WorkspaceState } from '../common/useWorkspace';

const PAGE = 100;

function toLocalInput(t: number | undefined): string {
  if (t === undefined) return '';
  const d = new Date(t - new Date(t).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

export function Review({ api, workspaceState, trackId, query }: { api: ApiClient; workspaceState: WorkspaceState; trackId: string | null; query: string }) {
  return trackId ? <TrackView api={api} workspaceState={workspaceState} id={trackId} /> : <TrackList api={api} workspaceState={workspaceState} query={query} />;
}

/** The list's last filters, for "← All tracks" from a track opened elsewhere (Back restores them from the URL anyway). */
const LAST_QUERY_KEY = 'vigil.review.query';

/** Tracks shorter than this are tracker fragments more often than objects: left out unless asked for. */
const DEFAULT_MIN_SECONDS = 1;

/** The filters as the URL keeps them ('#/review?camera=gate&label=person&minSec=1'), so Back restores them. */
function filterFromQuery(query: string): TrackSearch {
  const q = new URLSearchParams(query);
  const num = (k: string) => {
    const v = q.get(k);
    return v !== null && v !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined;
  };
  const minSec = num('minSec') ?? DEFAULT_MIN_SECONDS;
  const f: TrackSearch = {
    ...(q.get('camera') ? { cameras: [q.get('camera')!] } : {}),
    ...(q.get('label') ? { labels: [q.get('label')!] } : {}),
    ...(q.get('zone') ? { zone: q.get('zone')! } : {}),
    ...(num('from') !== undefined ? { from: num('from')! } : {}),
    ...(num('to') !== undefined ? { to: num('to')! } : {}),
    ...(num('minScore') !== undefined ? { minScore: num('minScore')! } : {}),
  };
  return minSec > 0 ? { ...f, minDurationMs: minSec * 1000 } : f;
}

function queryFromFilter(f: TrackSearch): URLSearchParams {
  const q = new URLSearchParams();
  if (f.cameras?.[0]) q.set('camera', f.cameras[0]);
  if (f.labels?.[0]) q.set('label', f.labels[0]);
  if (f.zone) q.set('zone', f.zone);
  if (f.from !== undefined) q.set('from', String(f.from));
  if (f.to !== undefined) q.set('to', String(f.to));
  if (f.minScore !== undefined) q.set('minScore', String(f.minScore));
  q.set('minSec', String((f.minDurationMs ?? 0) / 1000));
  return q;
}

/** The labels recorded (in the last 30 days), from the recorder's hourly counts: not every class the model knows. */
function useRecordedLabels(api: ApiClient): string[] {
  const [labels, setLabels] = useState<string[]>([]);
  useEffect(() => {
    let live = true;
    const hour = 3_600_000;
    const now = Date.now();
    const from = Math.floor((now - 30 * 24 * hour) / hour) * hour;
    api.call('timeline.buckets', { from, to: now, bucketMs: Math.ceil((now - from) / hour) * hour }).then(
      (buckets) => live && setLabels([...new Set(buckets.filter((b) => b.count > 0).map((b) => b.label))].sort()),
      () => undefined, // the list's own search says what is wrong
    );
    return () => {
      live = false;
    };
  }, [api]);
  return labels;
}

function TrackList({ api, workspaceState, query }: { api: ApiClient; workspaceState: WorkspaceState; query: string }) {
  const [filter, setFilter] = useState<TrackSearch>(() => filterFromQuery(query));
  const [tracks, setTracks] = useState<TrackSummary[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [more, setMore] = useState(false);
  const cameras = workspaceState.workspace?.cameras ?? [];
  const recorded = useRecordedLabels(api);
  const labels = filter.labels?.[0] && !recorded.includes(filter.labels[0]) ? [...recorded, filter.labels[0]].sort() : recorded;
  // The filter names a zone by its id (renaming keeps its history); zones of several cameras may share one.
  const zones = [...new Map(cameras.flatMap((c) => c.zones.filter((z) => z.kind !== 'mask').map((z) => [z.id, z.name] as const))).entries()].sort((a, b) =>
    a[1].localeCompare(b[1]),
  );

  useEffect(() => {
    const q = queryFromFilter(filter);
    replaceQuery('review', q);
    sessionStorage.setItem(LAST_QUERY_KEY, q.toString());
  }, [filter]);
  useEffect(() => {
    let live = true;
    setLoading(true);
    api.call('tracks.search', { ...filter, limit: PAGE }).then(
      (list) => {
        if (!live) return;
        setTracks(list);
        setMore(list.length === PAGE);
        setError(null);
        setLoading(false);
      },
      (e: unknown) => {
        if (!live) return;
        setError(`cannot search tracks: ${errorText(e)}`);
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
  }, [api, filter]);

  const loadMore = () => {
    const last = tracks[tracks.length - 1];
    if (!last) return;
    api.call('tracks.search', { ...filter, before: last.firstSeen, beforeId: last.id, limit: PAGE }).then(
      (list) => {
        setTracks((t) => [...t, ...list]);
        setMore(list.length === PAGE);
      },
      (e: unknown) => setError(`cannot load older tracks: ${errorText(e)}`),
    );
  };

  const set = (patch: Partial<TrackSearch>) =>
    setFilter((f) => {
      const next = { ...f, ...patch };
      for (const k of Object.keys(next) as (keyof TrackSearch)[])
        if (next[k] === undefined || (Array.isArray(next[k]) && (next[k] as unknown[]).length === 0)) delete next[k];
      return next;
    });
  const names = new Map(cameras.map((c) => [c.id, c.name]));

  return (
    <section className="review-screen" aria-label="Review">
      <form className="filters" aria-label="Track filters" data-testid="review-filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Camera
          <select
            data-testid="filter-camera"
            value={filter.cameras?.[0] ?? ''}
            onChange={(e) => set({ cameras: e.target.value ? [e.target.value] : undefined })}
          >
            <option value="">all</option>
            {cameras.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Label
          <select data-testid="filter-label" value={filter.labels?.[0] ?? ''} onChange={(e) => set({ labels: e.target.value ? [e.target.value] : undefined })}>
            <option value="">all</option>
            {labels.map((l) => (
              <option key={l}>{l}</option>
            ))}
          </select>
        </label>
        <label>
          Zone
          <select data-testid="filter-zone" value={filter.zone ?? ''} onChange={(e) => set({ zone: e.target.value || undefined })}>
            <option value="">any</option>
            {zones.map(([id, name]) => (
              <option key={id} value={id}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label>
          From
          <input
            type="datetime-local"
            data-testid="filter-from"
            value={toLocalInput(filter.from)}
            onChange={(e) => set({ from: e.target.value ? new Date(e.target.value).getTime() : undefined })}
          />
        </label>
        <label>
          To
          <input
            type="datetime-local"
            data-testid="filter-to"
            value={toLocalInput(filter.to)}
            onChange={(e) => set({ to: e.target.value ? new Date(e.target.value).getTime() : undefined })}
          />
        </label>
        <label>
          Min score
          <input
            type="number"
            min={0}
            max={1}
            step={0.05}
            data-testid="filter-score"
            value={filter.minScore ?? ''}
            onChange={(e) => set({ minScore: e.target.value === '' ? undefined : Number(e.target.value) })}
          />
        </label>
        <label>
          Min duration (s)
          <input
            type="number"
            min={0}
            step={0.5}
            data-testid="filter-duration"
            value={(filter.minDurationMs ?? 0) / 1000}
            onChange={(e) => set({ minDurationMs: e.target.value === '' || Number(e.target.value) <= 0 ? undefined : Number(e.target.value) * 1000 })}
          />
        </label>
      </form>
      {error && (
        <div className="panel error" role="alert" data-testid="review-error">
          {error}
        </div>
      )}
      {!error && !loading && tracks.length === 0 && <div className="panel empty">No tracks match these filters.</div>}
      <ul className="track-list" data-testid="review-list" aria-busy={loading}>
        {tracks.length > 0 && (
          <li className="track-item track-head" aria-hidden="true" data-testid="review-columns">
            <span>Snapshot</span>
            <span>Label</span>
            <span>Camera</span>
            <span>Started</span>
            <span>Duration</span>
            <span>Best score</span>
            <span>Zones</span>
          </li>
        )}
        {tracks.map((t) => (
          <li key={t.id}>
            <a className="track-item" href={`#/review/${encodeURIComponent(t.id)}`} data-testid={`review-item-${t.id}`}>
              {t.snapshotUrl ? (
                <img src={t.snapshotUrl} alt={`${t.label} snapshot`} loading="lazy" width={96} height={54} />
              ) : (
                <span className="no-thumb">no snapshot yet</span>
              )}
              <span className="track-label" style={{ color: labelColor(t.label) }}>
                {t.label}
              </span>
              <span>{names.get(t.camera) ?? t.camera}</span>
              <span>{formatTime(t.firstSeen)}</span>
              <span data-testid={`review-duration-${t.id}`}>{formatDuration(t.lastSeen - t.firstSeen)}</span>
              <span>{t.bestScore.toFixed(2)}</span>
              <span className="zones">{t.zones.map((z) => z.name).join(', ')}</span>
            </a>
          </li>
        ))}
      </ul>
      {more && (
        <button type="button" onClick={loadMore}>
          Older tracks
        </button>
      )}
    </section>
  );
}

function TrackView({ api, workspaceState, id }: { api: ApiClient; workspaceState: WorkspaceState; id: string }) {
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
                <div className="panel empty">No snapshot for this track (yet): one is taken when a track ends, if its camera records snapshots. Its path:</div>
                <canvas ref={canvas} className="path-alone" data-testid="track-path" aria-label={`path of ${track.label} ${track.id}`} />
              </>
            )}
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
            <dt>Clip</dt>
            <dd>No recording for this track (clip recording is not enabled on this node).</dd>
          </dl>
        </div>
      )}
    </section>
  );
}
