// Recorded video of one or more cameras side by side at the same moment, on one clock, with the
// stored boxes over each; controls: play/pause, speed 0.5×–8×, frame step, seek bar; keyboard:
// space, ←/→ (5 s), ,/. (one frame), +/- (speed).
import { useEffect, useRef, useState } from 'react';
import type { ApiClient } from '../api/client';
import { formatTime } from '../common/format';
import { SPEEDS, stepSpeed } from './clock';
import { PlaybackController } from './controller';
import { exposePlayback } from './test-hook';
import './playback.css';

const JUMP_MS = 5_000;

export interface PlaybackViewProps {
  api: ApiClient;
  cameras: { id: string; name: string }[];
  /** Wall time to start at (ms since the epoch). */
  start: number;
  /** The seek bar's span (default: what the cameras recorded around `start`). */
  range?: { from: number; to: number };
  autoplay?: boolean;
  /** A recorded track drawn thicker (review: the track opened). */
  highlight?: string;
  /** Kept at the clock's wall time (a few times a second), for a caller that reopens the view there. */
  wallRef?: { current: number };
}

export function PlaybackView({ api, cameras, start, range: fixedRange, autoplay = true, wallRef, highlight }: PlaybackViewProps) {
  const host = useRef<HTMLDivElement>(null);
  const [controller, setController] = useState<PlaybackController | null>(null);
  const [, setTick] = useState(0);
  const cameraKey = cameras.map((c) => `${c.id}\u0000${c.name}`).join('\n');

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const list = cameraKey.split('\n').map((line) => {
      const [id = '', name = ''] = line.split('\u0000');
      return { id, name };
    });
    const c = new PlaybackController(api, list, start, el);
    for (const p of c.players) p.highlight = highlight ?? null;
    if (autoplay) c.play();
    const hide = exposePlayback(c);
    setController(c);
    // The controls show the clock a few times a second (the video and boxes run on their own).
    const timer = setInterval(() => setTick((n) => n + 1), 250);
    return () => {
      clearInterval(timer);
      hide();
      c.dispose();
      setController(null);
    };
  }, [api, cameraKey, start, autoplay, highlight]);

  useEffect(() => {
    if (!controller) return;
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (t && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA') && !(t instanceof HTMLInputElement && t.type === 'range')) return;
      const act: Record<string, () => void> = {
        ' ': () => controller.toggle(),
        ArrowLeft: () => controller.seek(controller.wall - JUMP_MS),
        ArrowRight: () => controller.seek(controller.wall + JUMP_MS),
        ',': () => controller.step(-1),
        '.': () => controller.step(1),
        '+': () => controller.setSpeed(stepSpeed(controller.clock.speed, 1)),
        '=': () => controller.setSpeed(stepSpeed(controller.clock.speed, 1)),
        '-': () => controller.setSpeed(stepSpeed(controller.clock.speed, -1)),
      };
      const f = act[e.key];
      if (!f) return;
      e.preventDefault();
      f();
      setTick((n) => n + 1);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [controller]);

  const wall = controller?.wall ?? start;
  if (wallRef) wallRef.current = wall;
  const playing = controller?.clock.playing ?? false;
  const speed = controller?.clock.speed ?? 1;
  const range = fixedRange ?? controller?.extent() ?? { from: start - 60_000, to: start + 60_000 };
  const span = Math.max(1, range.to - range.from);
  const act = (f: (c: PlaybackController) => void) => () => {
    if (!controller) return;
    f(controller);
    setTick((n) => n + 1);
  };
  return (
    <div className="playback" data-testid="playback">
      <div className={`playback-tiles n${Math.min(cameras.length, 4)}`} ref={host} />
      <div className="playback-controls" role="toolbar" aria-label="Playback controls">
        <button type="button" data-testid="playback-play" data-playing={playing ? 'true' : 'false'} onClick={act((c) => c.toggle())}>
          {playing ? 'Pause (space)' : 'Play (space)'}
        </button>
        <button type="button" data-testid="playback-step-back" title="One frame back (,)" onClick={act((c) => c.step(-1))}>
          ◀︎ frame
        </button>
        <button type="button" data-testid="playback-step-forward" title="One frame forward (.)" onClick={act((c) => c.step(1))}>
          frame ▶︎
        </button>
        <label>
          Speed{' '}
          <select data-testid="playback-speed" value={String(speed)} onChange={(e) => controller?.setSpeed(Number(e.target.value))}>
            {SPEEDS.map((s) => (
              <option key={s} value={String(s)}>
                {s}×
              </option>
            ))}
          </select>
        </label>
        <input
          type="range"
          className="playback-seek"
          data-testid="playback-seek"
          data-from={range.from}
          aria-label="Seek"
          min={0}
          max={span}
          step={100}
          value={Math.max(0, Math.min(span, wall - range.from))}
          onChange={(e) => controller?.seek(range.from + Number(e.target.value))}
        />
        <span className="playback-time" data-testid="playback-time">
          {formatTime(wall)}.{String(Math.floor(wall % 1000)).padStart(3, '0')}
          {controller?.ended ? ' — end of the recording' : ''}
        </span>
      </div>
    </div>
  );
}
