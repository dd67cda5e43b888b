// Review by event: the zones' and lines' recorded events of one kind (events.search) for the filters'
// camera, zone and time, newest first, each with a link to the track it belongs to.
import { useEffect, useState } from 'react';
import type { ZoneEvent, ZoneEventKind } from '../../main/api/contract';
import { errorText, type ApiClient } from '../api/client';
import { labelColor } from '../common/colors';
import { formatTime } from '../common/format';
import type { ReviewFilter } from './review-query';

const PAGE = 100;

export function EventList({ api, filter, names }: { api: ApiClient; filter: ReviewFilter & { event: ZoneEventKind }; names: Map<string, string> }) {
  const [events, setEvents] = useState<ZoneEvent[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [more, setMore] = useState(false);
  const search = {
    kinds: [filter.event],
    ...(filter.cameras ? { cameras: filter.cameras } : {}),
    ...(filter.zone ? { zones: [filter.zone] } : {}),
    ...(filter.from !== undefined ? { from: filter.from } : {}),
    ...(filter.to !== undefined ? { to: filter.to } : {}),
  };
  const key = JSON.stringify(search);
  const label = filter.labels?.[0];

  useEffect(() => {
    let live = true;
    setLoading(true);
    api.call('events.search', { ...(JSON.parse(key) as typeof search), limit: PAGE }).then(
      (list) => {
        if (!live) return;
        setEvents(list);
        setMore(list.length === PAGE);
        setError(null);
        setLoading(false);
      },
      (e: unknown) => {
        if (!live) return;
        setError(`cannot search events: ${errorText(e)}`);
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
  }, [api, key]);

  const loadMore = () => {
    const last = events[events.length - 1];
    if (!last) return;
    api.call('events.search', { ...search, before: last.t, beforeId: last.id, limit: PAGE }).then(
      (list) => {
        setEvents((e) => [...e, ...list]);
        setMore(list.length === PAGE);
      },
      (e: unknown) => setError(`cannot load older events: ${errorText(e)}`),
    );
  };

  // The label filter applies to the events' objects (crowded and crowd-end have none, and stay).
  const shown = label ? events.filter((e) => e.label === null || e.label === label) : events;
  return (
    <>
      {error && (
        <div className="panel error" role="alert" data-testid="review-error">
          {error}
        </div>
      )}
      {!error && !loading && shown.length === 0 && <div className="panel empty">No {filter.event} events match these filters.</div>}
      <ul className="track-list" data-testid="review-events" aria-busy={loading}>
        {shown.length > 0 && (
          <li className="event-item track-head" aria-hidden="true">
            <span>Time</span>
            <span>Event</span>
            <span>Zone or line</span>
            <span>Camera</span>
            <span>Object</span>
            <span>Track</span>
          </li>
        )}
        {shown.map((e) => (
          <li key={e.id} className="event-item" data-testid={`review-event-${e.id}`} data-kind={e.kind} data-zone={e.zone}>
            <span>{formatTime(e.t)}</span>
            <span>
              {e.kind}
              {e.direction ? ` (${e.direction})` : ''}
            </span>
            {/* The node names it by (camera, zone): ids are unique per camera only. */}
            <span>{e.zoneName}</span>
            <span>{names.get(e.camera) ?? e.camera}</span>
            <span style={e.label ? { color: labelColor(e.label) } : undefined}>{e.label ?? '—'}</span>
            <span>{e.track ? <a href={`#/review/${encodeURIComponent(e.track)}`}>open track</a> : '—'}</span>
          </li>
        ))}
      </ul>
      {more && (
        <button type="button" onClick={loadMore}>
          Older events
        </button>
      )}
    </>
  );
}
