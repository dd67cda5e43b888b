// Review: a filterable list of recorded tracks, and one track's detail (snapshot, box path, zones).
import { useEffect, useState } from 'react';
import type { TrackSearch, TrackSummary } from '../../main/api/contract';
import { errorText, type ApiClient } from '../api/client';
import { labelColor } from '../common/colors';
import { formatDuration, formatTime } from '../common/format';
import { TrackThumb } from '../common/TrackThumb';
import { replaceQuery } from '../router/router';
import type { WorkspaceState } from '../common/useWorkspace';
import { isZoneEventKind, ZONE_EVENT_KINDS } from '../../main/api/registries';
import { EventList } from './EventList';
import { filterFromQuery, LAST_QUERY_KEY, queryFromFilter, zoneOptions, zoneOptionValue, type ReviewFilter } from './review-query';
import { TrackView } from './TrackView';

const PAGE = 100;

function toLocalInput(t: number | undefined): string {
  if (t === undefined) return '';
  const d = new Date(t - new Date(t).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

export function Review({ api, workspaceState, trackId, query }: { api: ApiClient; workspaceState: WorkspaceState; trackId: string | null; query: string }) {
  return trackId ? <TrackView api={api} workspaceState={workspaceState} id={trackId} /> : <TrackList api={api} workspaceState={workspaceState} query={query} />;
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
  const [filter, setFilter] = useState<ReviewFilter>(() => filterFromQuery(query));
  const [tracks, setTracks] = useState<TrackSummary[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [more, setMore] = useState(false);
  const cameras = workspaceState.workspace?.cameras ?? [];
  const recorded = useRecordedLabels(api);
  const labels = filter.labels?.[0] && !recorded.includes(filter.labels[0]) ? [...recorded, filter.labels[0]].sort() : recorded;
  // The filter names a zone by (camera, id): renaming keeps its history, and cameras may share an id.
  const zones = zoneOptions(cameras, filter.cameras?.[0]);

  useEffect(() => {
    const q = queryFromFilter(filter);
    replaceQuery('review', q);
    sessionStorage.setItem(LAST_QUERY_KEY, q.toString());
  }, [filter]);
  const { event, ...search } = filter;
  const searchKey = JSON.stringify(search);
  useEffect(() => {
    let live = true;
    if (event) return; // the events list searches for itself
    setLoading(true);
    api.call('tracks.search', { ...(JSON.parse(searchKey) as TrackSearch), limit: PAGE }).then(
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
  }, [api, searchKey, event]);

  const loadMore = () => {
    const last = tracks[tracks.length - 1];
    if (!last) return;
    api.call('tracks.search', { ...search, before: last.firstSeen, beforeId: last.id, limit: PAGE }).then(
      (list) => {
        setTracks((t) => [...t, ...list]);
        setMore(list.length === PAGE);
      },
      (e: unknown) => setError(`cannot load older tracks: ${errorText(e)}`),
    );
  };

  const set = (patch: Partial<ReviewFilter>) =>
    setFilter((f) => {
      const next = { ...f, ...patch };
      for (const k of Object.keys(next) as (keyof ReviewFilter)[])
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
            // A zone belongs to its camera: another camera (or all) leaves the zone filter.
            onChange={(e) =>
              set({ cameras: e.target.value ? [e.target.value] : undefined, ...(e.target.value !== filter.cameras?.[0] ? { zone: undefined } : {}) })
            }
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
          <select
            data-testid="filter-zone"
            value={filter.zone && filter.cameras?.[0] ? zoneOptionValue(filter.cameras[0], filter.zone) : ''}
            onChange={(e) => {
              const picked = zones.find((z) => z.value === e.target.value);
              set(picked ? { cameras: [picked.camera], zone: picked.zone } : { zone: undefined });
            }}
          >
            <option value="">any</option>
            {zones.map((z) => (
              <option key={z.value} value={z.value}>
                {z.text}
              </option>
            ))}
          </select>
        </label>
        <label>
          Event
          <select
            data-testid="filter-event"
            value={filter.event ?? ''}
            onChange={(e) => set({ event: isZoneEventKind(e.target.value) ? e.target.value : undefined })}
          >
            <option value="">tracks (no event filter)</option>
            {ZONE_EVENT_KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
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
      {event ? (
        <EventList api={api} filter={{ ...filter, event }} names={names} />
      ) : (
        <>
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
                  <TrackThumb api={api} track={t} width={96} height={54} testId={`review-thumb-${t.id}`} />
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
        </>
      )}
    </section>
  );
}
