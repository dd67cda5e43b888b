// The timeline screen: lanes per camera on a canvas, wheel to zoom, drag to pan, a playhead.
import { useEffect, useRef, useState } from 'react';
import type { TrackSummary, ZoneEvent } from '../../main/api/contract';
import { errorText, type ApiClient } from '../api/client';
import { formatTime } from '../common/format';
import { PauseButton } from '../common/PauseButton';
import { navigate, playbackQuery } from '../router/router';
import type { WorkspaceState } from '../common/useWorkspace';
import { totalHeight, type LaneLayout } from './lane-layout';
import { HoverCard, LaneNames, TimelineLegend } from './TimelineSide';
import { TimelineRenderer, type EventHit, type MarkerHit, type View } from './timeline-renderer';

/** Most analytics events fetched for one view (the newest); beyond, the range text says so. */
const EVENT_LIMIT = 1000;

/** Review at the moment of an event: that camera's events of that kind in that zone, a minute either side. */
function reviewAt(e: ZoneEvent): void {
  const q = new URLSearchParams({ camera: e.camera, zone: e.zone, event: e.kind, from: String(e.t - 60_000), to: String(e.t + 60_000), minSec: '0' });
  window.location.hash = `#/review?${q}`;
}

declare global {
  interface Window {
    __vigilTimeline?: TimelineRenderer;
  }
}

const HOUR = 3600_000;
const MARKER_LIST_LIMIT = 300;
/** A click this close to a track or event marker that missed it only moves the playhead. */
const NEAR_MARKER_PX = 12;
/**
 * Every track that started in the view, page by page (the server answers at most a page per call),
 * up to TRACK_LIMIT; `more` says that some were left out.
 */
async function tracksInView(api: ApiClient, view: View, stale: () => boolean): Promise<{ tracks: TrackSummary[]; more: boolean }> {
  const tracks: TrackSummary[] = [];
  for (;;) {
    const last = tracks[tracks.length - 1];
    const page = await api.call('tracks.search', {
      from: view.from,
      to: view.to,
      limit: TRACK_LIMIT - tracks.length + 1,
      ...(last ? { before: last.firstSeen, beforeId: last.id } : {}),
    });
    if (stale()) return { tracks, more: false };
    tracks.push(...page);
    if (page.length === 0) return { tracks, more: false };
    if (tracks.length > TRACK_LIMIT) return { tracks: tracks.slice(0, TRACK_LIMIT), more: true };
  }
}

/** Most tracks fetched for one view; beyond it the lanes show density only until the operator zooms in. */
const TRACK_LIMIT = 5000;

export function TimelineView({ api, workspaceState }: { api: ApiClient; workspaceState: WorkspaceState }) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [renderer, setRenderer] = useState<TimelineRenderer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [markers, setMarkers] = useState<{ list: MarkerHit[]; span: number }>({ list: [], span: 0 });
  const [eventMarks, setEventMarks] = useState<{ list: EventHit[]; more: boolean }>({ list: [], more: false });
  const [playing, setPlaying] = useState(true);
  const [viewText, setViewText] = useState('');
  const [trackCount, setTrackCount] = useState<number | null>(null);
  // Cameras with recordings but no longer (or not yet) in the workspace still get a lane.
  const [extraLanes, setExtraLanes] = useState<string[]>([]);
  const [layout, setLayout] = useState<LaneLayout[]>([]);
  const [hover, setHover] = useState<{ track: TrackSummary; x: number; y: number } | null>(null);
  const configured = (workspaceState.workspace?.cameras ?? []).map((c) => c.id);
  const lanes = [...configured, ...extraLanes.filter((c) => !configured.includes(c))];
  const laneKey = lanes.join('\n');
  const names = new Map((workspaceState.workspace?.cameras ?? []).map((c) => [c.id, c.name]));

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const now = Date.now();
    const r = new TimelineRenderer(canvas, { from: now - HOUR, to: now + HOUR / 20 });
    r.onLayout = setLayout;
    window.__vigilTimeline = r;
    setRenderer(r);
    return () => {
      r.dispose();
      if (window.__vigilTimeline === r) delete window.__vigilTimeline;
    };
  }, []);

  useEffect(() => renderer?.setLanes(laneKey ? laneKey.split('\n') : []), [renderer, laneKey]);

  // Fetch buckets and tracks for the view, once the view settles; a newer request wins.
  useEffect(() => {
    if (!renderer) return;
    let generation = 0;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const load = async (view: View) => {
      const mine = ++generation;
      const width = Math.max(200, renderer.canvasWidth());
      const bucketMs = Math.max(1000, niceBucket(((view.to - view.from) / width) * 3));
      const from = Math.floor(view.from / bucketMs) * bucketMs;
      try {
        const [buckets, { tracks, more }, events] = await Promise.all([
          api.call('timeline.buckets', { from, to: view.to, bucketMs }),
          tracksInView(api, view, () => mine !== generation),
          api.call('events.search', { from: Math.floor(view.from), to: Math.ceil(view.to), limit: EVENT_LIMIT }),
        ]);
        if (mine !== generation) return;
        renderer.setData(buckets, bucketMs, tracks, more);
        renderer.setEvents(events);
        setEventMarks({ list: renderer.visibleEvents(MARKER_LIST_LIMIT), more: events.length >= EVENT_LIMIT });
        setTrackCount(more ? TRACK_LIMIT + 1 : tracks.length);
        const seen = [...new Set([...buckets.map((b) => b.camera), ...tracks.map((t) => t.camera)])].sort();
        setExtraLanes((prev) => (seen.every((c) => prev.includes(c)) ? prev : [...new Set([...prev, ...seen])].sort()));
        setError(null);
        setMarkers({ list: renderer.visibleMarkers(MARKER_LIST_LIMIT), span: Math.round(renderer.view.to - renderer.view.from) });
      } catch (e) {
        if (mine === generation) setError(`cannot load the timeline: ${errorText(e)}`);
      }
    };
    renderer.onViewChange = (view) => {
      setViewText(`${formatTime(view.from)} → ${formatTime(view.to)}`);
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => void load(view), 150);
    };
    renderer.onViewChange(renderer.view);
    // New tracks recorded while watching: refresh when the view shows the present.
    const off = api.subscribe('tracks.events', (events) => {
      if (events.some((e) => e.kind !== 'update') && renderer.view.to >= Date.now() - 60_000) renderer.onViewChange(renderer.view);
    });
    // Zone events come with most batches on a busy camera: refresh at most every 2 s for them.
    let eventRefresh: ReturnType<typeof setTimeout> | null = null;
    const offZones = api.subscribe('zones.events', () => {
      if (eventRefresh || renderer.view.to < Date.now() - 60_000) return;
      eventRefresh = setTimeout(() => {
        eventRefresh = null;
        renderer.onViewChange(renderer.view);
      }, 2000);
    });
    return () => {
      off();
      offZones();
      if (eventRefresh) clearTimeout(eventRefresh);
      if (timer) clearTimeout(timer);
      renderer.onViewChange = () => {};
    };
  }, [api, renderer]);

  // Playing: the playhead follows the present, and the view with it.
  useEffect(() => {
    if (!renderer || !playing) return;
    const tick = () => {
      const now = Date.now();
      const { from, to } = renderer.view;
      if (renderer.playhead <= to && now > to) renderer.setView({ from: from + (now - renderer.playhead), to: to + (now - renderer.playhead) });
      renderer.setPlayhead(now);
    };
    tick();
    const id = setInterval(tick, 1000);
    return () => clearInterval(id);
  }, [renderer, playing]);

  useEffect(() => {
    if (!renderer) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement || e.target instanceof HTMLTextAreaElement) return;
      const span = renderer.view.to - renderer.view.from;
      if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
        e.preventDefault();
        setPlaying(false);
        const step = (e.shiftKey ? span / 10 : span / 100) * (e.key === 'ArrowLeft' ? -1 : 1);
        const t = renderer.playhead + step;
        renderer.setPlayhead(t);
        if (t < renderer.view.from || t > renderer.view.to) renderer.setView({ from: t - span / 2, to: t + span / 2 });
      } else if (e.key === ' ') {
        e.preventDefault();
        setPlaying((p) => !p);
      } else if (e.key === '+' || e.key === '=') renderer.zoomAt(renderer.xOf(renderer.playhead), 0.5);
      else if (e.key === '-') renderer.zoomAt(renderer.xOf(renderer.playhead), 2);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [renderer]);

  // Wheel zooms around the pointer (passive: false so the page does not scroll).
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || !renderer) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const rect = canvas.getBoundingClientRect();
      if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) renderer.panBy(-(e.deltaX || e.deltaY));
      else renderer.zoomAt(e.clientX - rect.left, Math.exp(e.deltaY * 0.0015));
    };
    canvas.addEventListener('wheel', onWheel, { passive: false });
    return () => canvas.removeEventListener('wheel', onWheel);
  }, [renderer]);

  const drag = useRef<{ x: number; moved: boolean } | null>(null);
  const onPointerDown = (e: React.PointerEvent<HTMLCanvasElement>) => {
    e.currentTarget.setPointerCapture(e.pointerId);
    drag.current = { x: e.clientX, moved: false };
  };
  const onPointerMove = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const d = drag.current;
    if (!d && renderer) {
      const rect = e.currentTarget.getBoundingClientRect();
      const x = e.clientX - rect.left;
      const y = e.clientY - rect.top;
      const hit = renderer.eventAt(x, y) ? null : renderer.markerAt(x, y);
      setHover((h) => (hit ? (h?.track.id === hit.id ? h : { track: hit, x, y }) : null));
    }
    if (!d || !renderer) return;
    const dx = e.clientX - d.x;
    if (!d.moved && Math.abs(dx) < 3) return;
    d.moved = true;
    d.x = e.clientX;
    renderer.panBy(dx);
  };
  const onPointerUp = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const d = drag.current;
    drag.current = null;
    if (!renderer) return;
    if (d?.moved) {
      setMarkers({ list: renderer.visibleMarkers(MARKER_LIST_LIMIT), span: Math.round(renderer.view.to - renderer.view.from) });
      setEventMarks((m) => ({ ...m, list: renderer.visibleEvents(MARKER_LIST_LIMIT) }));
      return;
    }
    const rect = e.currentTarget.getBoundingClientRect();
    const x = e.clientX - rect.left;
    const y = e.clientY - rect.top;
    const event = renderer.eventAt(x, y);
    const hit = event ? null : renderer.markerAt(x, y);
    if (event) reviewAt(event);
    else if (hit) navigate('review', hit.id);
    else {
      setPlaying(false);
      const t = renderer.tOf(x);
      renderer.setPlayhead(t);
      // A click on a camera's lane, away from its markers, plays that camera's recording at that time.
      const lane = renderer.laneAt(y);
      const near = (m: { x: number; y: number }) => Math.hypot(m.x - x, m.y - y) < NEAR_MARKER_PX;
      if (lane && t < Date.now() && !renderer.visibleMarkers().some(near) && !renderer.visibleEvents().some(near)) {
        navigate('playback', undefined, playbackQuery([lane.camera], t));
      }
    }
  };

  return (
    <section className="timeline-screen" aria-label="Timeline">
      <div className="toolbar" role="toolbar" aria-label="Timeline controls">
        <PauseButton paused={!playing} onToggle={() => setPlaying((p) => !p)} testId="timeline-play" />
        <button type="button" onClick={() => renderer?.zoomAt(renderer.xOf(renderer.playhead), 0.5)} aria-label="Zoom in">
          +
        </button>
        <button type="button" onClick={() => renderer?.zoomAt(renderer.xOf(renderer.playhead), 2)} aria-label="Zoom out">
          −
        </button>
        {(
          [
            ['1 min', 60_000],
            ['1 h', HOUR],
            ['1 day', 24 * HOUR],
            ['1 week', 7 * 24 * HOUR],
          ] as const
        ).map(([label, span]) => (
          <button key={label} type="button" onClick={() => renderer?.setView({ from: renderer.playhead - span / 2, to: renderer.playhead + span / 2 })}>
            {label}
          </button>
        ))}
        <span className="hint" data-testid="timeline-range">
          {viewText}
          {trackCount === null
            ? ''
            : trackCount > TRACK_LIMIT
              ? ` · over ${TRACK_LIMIT} tracks: the newest ${TRACK_LIMIT} are marked, older ones only as density — zoom in to see each one`
              : ` · ${trackCount} tracks`}
        </span>
      </div>
      {error && (
        <div className="panel error" role="alert" data-testid="timeline-error">
          {error}
        </div>
      )}
      <TimelineLegend labels={[...new Set(layout.flatMap((l) => l.bands.map((b) => b.label)))].sort()} />
      <div className="timeline-body">
        <LaneNames layout={layout} names={names} />
        <div className="timeline-canvas-wrap" style={{ height: totalHeight(layout) }}>
          <canvas
            ref={canvasRef}
            className="timeline-canvas"
            data-testid="timeline-canvas"
            aria-label="Timeline: wheel to zoom, drag to pan, click a track to review it, click a lane elsewhere to play its recording there, arrows move the playhead"
            onPointerDown={onPointerDown}
            onPointerMove={onPointerMove}
            onPointerUp={onPointerUp}
            onPointerLeave={() => setHover(null)}
          />
          {hover && <HoverCard api={api} track={hover.track} x={hover.x} y={hover.y} camera={names.get(hover.track.camera) ?? hover.track.camera} />}
        </div>
      </div>
      {workspaceState.error && (
        <div className="panel error" role="alert">
          {workspaceState.error}
        </div>
      )}
      <ul className="sr-only" aria-label="Zone and line events in view" data-testid="timeline-events" data-more={eventMarks.more}>
        {eventMarks.list.map((m) => (
          <li key={m.event.id}>
            <button
              type="button"
              data-testid={`timeline-event-${m.event.id}`}
              data-kind={m.event.kind}
              data-x={m.x.toFixed(1)}
              data-y={m.y.toFixed(1)}
              onClick={() => reviewAt(m.event)}
            >
              {m.event.kind}
              {m.event.direction ? ` ${m.event.direction}` : ''} {m.event.zoneName} on {names.get(m.event.camera) ?? m.event.camera} at {formatTime(m.event.t)}
            </button>
          </li>
        ))}
      </ul>
      <ul className="sr-only" aria-label="Tracks in view" data-testid="timeline-markers" data-span={markers.span}>
        {markers.list.map((m) => (
          <li key={m.track.id}>
            <button
              type="button"
              data-testid={`timeline-marker-${m.track.id}`}
              data-x={m.x.toFixed(1)}
              data-y={m.y.toFixed(1)}
              onClick={() => navigate('review', m.track.id)}
            >
              {m.track.label} on {names.get(m.track.camera) ?? m.track.camera} at {formatTime(m.track.firstSeen)}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function niceBucket(ms: number): number {
  const steps = [1e3, 5e3, 10e3, 30e3, 60e3, 300e3, 600e3, 1800e3, 3600e3, 3 * 3600e3, 6 * 3600e3, 86400e3];
  return steps.find((s) => s >= ms) ?? 86400e3;
}
