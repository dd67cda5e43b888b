// The live wall: a grid of camera tiles, each a canvas the WallRenderer draws into.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { CameraView, StreamStats } from '../../main/api/contract';
import type { ApiClient, ConnectionState } from '../api/client';
import { streamFigures } from '../common/format';
import { PauseButton } from '../common/PauseButton';
import type { WorkspaceState } from '../common/useWorkspace';
import { WallRenderer, type OverlayOptions, type TileState } from './wall-renderer';

export type Layout = '1' | '2' | '3' | '4' | 'auto';
const LAYOUTS: { id: Layout; label: string }[] = [
  { id: '1', label: '1' },
  { id: '2', label: '2×2' },
  { id: '3', label: '3×3' },
  { id: '4', label: '4×4' },
  { id: 'auto', label: 'auto' },
];

const ORDER_KEY = 'vigil.wall.order';
const LAYOUT_KEY = 'vigil.wall.layout';

function loadOrder(): string[] {
  try {
    return JSON.parse(localStorage.getItem(ORDER_KEY) ?? '[]') as string[];
  } catch {
    return [];
  }
}

export function LiveWall({ api, workspaceState }: { api: ApiClient; workspaceState: WorkspaceState }) {
  const [layout, setLayout] = useState<Layout>(() => (localStorage.getItem(LAYOUT_KEY) as Layout | null) ?? 'auto');
  const [order, setOrder] = useState<string[]>(loadOrder);
  const [focused, setFocused] = useState<string | null>(null);
  const [overlay, setOverlay] = useState<OverlayOptions>({ boxes: true, labels: true, trails: false, zones: true });
  const [receiving, setReceiving] = useState<Record<string, boolean>>({});
  const [streamStats, setStreamStats] = useState<Record<string, StreamStats>>({});
  const [figures, setFigures] = useState<Record<string, StreamStats>>({});
  const [paused, setPaused] = useState(false);
  const [connection, setConnection] = useState<ConnectionState>('connecting');
  const dragged = useRef<string | null>(null);

  const [renderer, setRenderer] = useState<WallRenderer | null>(null);
  useEffect(() => {
    const r = new WallRenderer(
      (camera, onFrame) => api.subscribe('preview', onFrame, camera),
      (camera, on) => setReceiving((prev) => (prev[camera] === on ? prev : { ...prev, [camera]: on })),
    );
    setRenderer(r);
    return () => r.dispose();
  }, [api]);
  useEffect(() => renderer?.setOverlay(overlay), [renderer, overlay]);
  useEffect(() => renderer?.setPaused(paused), [renderer, paused]);
  useEffect(() => api.onConnection(setConnection), [api]);
  useEffect(
    () =>
      api.subscribe('streams.stats', (list) => {
        setFigures(Object.fromEntries(list.map((s) => [s.camera, s])));
        setStreamStats((prev) => {
          const next: Record<string, StreamStats> = {};
          let changed = Object.keys(prev).length !== list.length;
          for (const s of list) {
            next[s.camera] = s;
            const p = prev[s.camera];
            if (!p || p.state !== s.state || p.error !== s.error || p.reason !== s.reason || p.advice !== s.advice || p.retryAt !== s.retryAt) changed = true;
          }
          return changed ? next : prev;
        });
      }),
    [api],
  );

  const setLayoutSaved = useCallback((l: Layout) => {
    setLayout(l);
    setFocused(null);
    localStorage.setItem(LAYOUT_KEY, l);
  }, []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement || e.target instanceof HTMLTextAreaElement) return;
      if (e.key >= '1' && e.key <= '4') setLayoutSaved(e.key as Layout);
      else if (e.key === '0') setLayoutSaved('auto');
      else if (e.key === 'Escape') setFocused(null);
      else if (e.key === ' ') {
        e.preventDefault();
        setPaused((p) => !p);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [setLayoutSaved]);

  const cameras = useMemo(() => {
    const list = (workspaceState.workspace?.cameras ?? []).filter((c) => c.enabled);
    const rank = (id: string) => {
      const i = order.indexOf(id);
      return i < 0 ? Number.MAX_SAFE_INTEGER : i;
    };
    return [...list].sort((a, b) => rank(a.id) - rank(b.id));
  }, [workspaceState.workspace, order]);

  if (workspaceState.error)
    return (
      <section className="panel error" role="alert" data-testid="wall-error">
        {workspaceState.error}
      </section>
    );
  if (!workspaceState.workspace || !renderer) return <section className="panel">Loading cameras…</section>;

  const shown = focused ? cameras.filter((c) => c.id === focused) : layout === 'auto' ? cameras : cameras.slice(0, Number(layout) ** 2);
  // A near-square grid for the cameras shown, at most the layout's columns: four cameras on "4×4"
  // are 2 × 2 tiles of the cameras' shape, not four tall thin columns.
  const cols = focused ? 1 : Math.min(layout === 'auto' ? Number.MAX_SAFE_INTEGER : Number(layout), Math.max(1, Math.ceil(Math.sqrt(shown.length))));
  const rows = Math.max(1, Math.ceil(shown.length / cols));

  const tileState = (c: CameraView): TileStatus => {
    const s = streamStats[c.id];
    const problem = { code: s?.reason ?? null, reason: s?.advice ?? s?.error ?? null, detail: s?.error ?? null, retryAt: s?.retryAt ?? null };
    if (s && (s.state === 'error' || s.state === 'ended')) return { state: s.state, ...problem };
    if (connection === 'reconnecting')
      return { state: 'reconnecting', code: null, reason: 'connection to the Vigil node lost — retrying', detail: null, retryAt: null };
    if (s?.state === 'reconnecting') return { state: 'reconnecting', ...problem };
    if (s?.state === 'live' && s.reason === 'stalled') return { state: 'stalled', ...problem };
    if (paused && receiving[c.id]) return { state: 'paused', code: null, reason: null, detail: null, retryAt: null };
    if (receiving[c.id]) return { state: 'live', code: null, reason: null, detail: null, retryAt: null };
    return { state: 'connecting', code: null, reason: null, detail: null, retryAt: null };
  };

  const drop = (target: string) => {
    const from = dragged.current;
    dragged.current = null;
    if (!from || from === target) return;
    const ids = cameras.map((c) => c.id);
    ids.splice(ids.indexOf(from), 1);
    ids.splice(ids.indexOf(target), 0, from);
    setOrder(ids);
    localStorage.setItem(ORDER_KEY, JSON.stringify(ids));
  };

  return (
    <section className="wall-screen" aria-label="Live wall">
      <div className="toolbar" role="toolbar" aria-label="Wall layout and overlays">
        <PauseButton paused={paused} onToggle={() => setPaused((p) => !p)} testId="wall-pause" />
        <span className="toolbar-label">Layout</span>
        {LAYOUTS.map((l) => (
          <button key={l.id} type="button" data-testid={`layout-${l.id}`} aria-pressed={!focused && layout === l.id} onClick={() => setLayoutSaved(l.id)}>
            {l.label}
          </button>
        ))}
        <span className="toolbar-label">Overlay</span>
        {(Object.keys(overlay) as (keyof OverlayOptions)[]).map((k) => (
          <label key={k} className="toggle">
            <input type="checkbox" data-testid={`overlay-${k}`} checked={overlay[k]} onChange={(e) => setOverlay({ ...overlay, [k]: e.target.checked })} />
            {k}
          </label>
        ))}
        <BoxLegend />
        {focused && (
          <button type="button" onClick={() => setFocused(null)} data-testid="unfocus">
            Back to grid (Esc)
          </button>
        )}
        {!focused && layout !== 'auto' && cameras.length > shown.length && (
          <span className="hint">{cameras.length - shown.length} more cameras: press 0 for auto</span>
        )}
      </div>
      {cameras.length === 0 ? (
        <div className="panel empty" data-testid="wall-empty">
          No cameras enabled. Add one in <a href="#/settings">Settings</a>.
        </div>
      ) : (
        <div className="wall" data-testid="wall" style={{ gridTemplateColumns: `repeat(${cols}, 1fr)`, gridTemplateRows: `repeat(${rows}, 1fr)` }}>
          {shown.map((c) => {
            const st = tileState(c);
            return (
              <Tile
                key={c.id}
                camera={c}
                renderer={renderer}
                status={st}
                figures={figures[c.id]}
                focused={focused === c.id}
                onFocus={() => setFocused(focused === c.id ? null : c.id)}
                onDragStart={() => (dragged.current = c.id)}
                onDrop={() => drop(c.id)}
              />
            );
          })}
        </div>
      )}
    </section>
  );
}

/** What a tile shows: its state, why (the operator sentence, with the reason code and the engine's text), and the next retry. */
interface TileStatus {
  state: TileState;
  code: StreamStats['reason'];
  reason: string | null;
  detail: string | null;
  retryAt: number | null;
}

/** What solid and dashed boxes mean. */
function BoxLegend() {
  return (
    <span className="legend" data-testid="wall-legend" aria-label="Box legend">
      <svg width="22" height="12" aria-hidden="true">
        <rect x="1" y="1" width="20" height="10" fill="none" stroke="#ccd" strokeWidth="2" />
      </svg>
      <span data-testid="legend-detected">detected</span>
      <svg width="22" height="12" aria-hidden="true">
        <rect x="1" y="1" width="20" height="10" fill="none" stroke="#ccd" strokeWidth="2" strokeDasharray="4 3" />
      </svg>
      <span data-testid="legend-predicted">predicted (tracker, not detected in this frame)</span>
    </span>
  );
}

/** The engine's figures for the camera, labelled, the same as the System page's. */
function TileFigures({
  stats,
  state,
  testId,
  spanRef,
}: {
  stats: StreamStats | undefined;
  state: TileState;
  testId: string;
  spanRef: React.RefObject<HTMLSpanElement | null>;
}) {
  const f = stats && state !== 'paused' ? streamFigures(stats) : null;
  return (
    <span className="tile-fps" ref={spanRef} data-testid={testId}>
      {f ? `detect ${f.detect} · latency ${f.latency}` : state === 'paused' ? 'frozen frame' : ''}
    </span>
  );
}

/** "in 4 s", counting down each second until the engine's next reconnect attempt. */
function RetryCountdown({ at, testId }: { at: number; testId: string }) {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  const s = Math.ceil((at - now) / 1000);
  return (
    <span className="tile-retry" data-testid={testId}>
      {s > 0 ? `retry in ${s} s` : 'retrying…'}
    </span>
  );
}

function Tile(props: {
  camera: CameraView;
  renderer: WallRenderer;
  status: TileStatus;
  figures: StreamStats | undefined;
  focused: boolean;
  onFocus(): void;
  onDragStart(): void;
  onDrop(): void;
}) {
  const { camera, renderer } = props;
  const { state, code, reason, detail, retryAt } = props.status;
  const canvas = useRef<HTMLCanvasElement>(null);
  const status = useRef<HTMLSpanElement>(null);
  const counts = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (canvas.current) renderer.attach(camera.id, canvas.current, status.current, camera.zones, counts.current);
  }, [renderer, camera.id, camera.zones]);
  useEffect(() => () => renderer.detach(camera.id), [renderer, camera.id]);
  return (
    <div
      className={`tile tile-${state}${props.focused ? ' focused' : ''}`}
      data-testid={`tile-${camera.id}`}
      data-state={state}
      data-reason={code ?? undefined}
      draggable
      onDragStart={(e) => {
        e.dataTransfer.effectAllowed = 'move';
        e.dataTransfer.setData('text/plain', camera.id);
        props.onDragStart();
      }}
      onDragOver={(e) => e.preventDefault()}
      onDrop={(e) => {
        e.preventDefault();
        props.onDrop();
      }}
    >
      <canvas
        ref={canvas}
        className="tile-canvas"
        data-testid={`tile-canvas-${camera.id}`}
        role="button"
        tabIndex={0}
        aria-label={`${camera.name}: ${props.focused ? 'back to grid' : 'focus'}`}
        onClick={props.onFocus}
        onKeyDown={(e) => e.key === 'Enter' && props.onFocus()}
      />
      <div className="tile-bar">
        <span className="tile-name">{camera.name}</span>
        <span className={`tile-state state-${state}`} data-testid={`tile-state-${camera.id}`} title={reason ?? undefined}>
          {state}
        </span>
        {state === 'reconnecting' && retryAt !== null && <RetryCountdown at={retryAt} testId={`tile-retry-${camera.id}`} />}
        <TileFigures stats={props.figures} state={state} testId={`tile-fps-${camera.id}`} spanRef={status} />
      </div>
      {camera.zones.some((z) => z.kind !== 'mask') && <div className="tile-counts" ref={counts} data-testid={`tile-counts-${camera.id}`} aria-live="off" />}
      {reason && state !== 'live' && (
        <div className="tile-reason" role="status" data-testid={`tile-reason-${camera.id}`}>
          {reason}
          {detail && detail !== reason && (
            <details className="tile-detail">
              <summary>details</summary>
              {detail}
            </details>
          )}
        </div>
      )}
    </div>
  );
}
