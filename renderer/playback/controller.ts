// A playback view's cameras on one master clock: start, seek, play/pause, speed, frame step, the
// clock kept from the lead camera's video while it plays, gaps between recordings skipped; and the
// timings of the last start or seek (request → its frame shown), for the view and the bench.
import type { ApiClient } from '../api/client';
import { CameraPlayer, type PresentedFrame } from './camera-player';
import { PlaybackClock } from './clock';

export interface PlaybackRequest {
  kind: 'start' | 'seek' | 'step';
  /** performance.now() when asked. */
  at: number;
  /** The wall time asked for. */
  target: number;
  /** When the first frame of that time was shown (performance.now() time base), null until then. */
  shownAt: number | null;
  /** That frame's wall time. */
  shownWall: number | null;
}

export class PlaybackController {
  readonly clock: PlaybackClock;
  readonly players: CameraPlayer[];
  request: PlaybackRequest | null = null;
  /** Set when the clock reached the end of every camera's recordings. */
  ended = false;
  private moved = true;
  private raf = 0;

  constructor(api: ApiClient, cameras: { id: string; name: string }[], start: number, host: HTMLElement) {
    this.clock = new PlaybackClock(start);
    this.players = cameras.map((c) => new CameraPlayer(api, c.id, c.name));
    for (const p of this.players) {
      p.onFrame = (_p, f) => this.frameShown(f);
      host.appendChild(p.element);
    }
    this.ask('start', start);
    this.raf = requestAnimationFrame(this.tick);
  }

  private ask(kind: PlaybackRequest['kind'], target: number): void {
    this.request = { kind, at: performance.now(), target, shownAt: null, shownWall: null };
  }

  private frameShown(f: PresentedFrame): void {
    const r = this.request;
    if (!r || r.shownAt !== null) return;
    const frameMs = Math.max(...this.players.map((p) => p.frameMs));
    // The asked time's frame (or, playing, a later one: the video ran on since the request).
    const ran = this.clock.playing ? Math.max(0, f.at - r.at) * this.clock.speed : 0;
    if (f.wall >= r.target - frameMs && f.wall <= r.target + frameMs + ran) {
      r.shownAt = f.at;
      r.shownWall = f.wall;
    }
  }

  private readonly tick = (): void => {
    this.raf = requestAnimationFrame(this.tick);
    let wall = this.clock.now();
    if (this.clock.playing && !this.moved) wall = this.keepTime(wall);
    for (const p of this.players) p.follow(wall, this.clock.playing, this.clock.speed, this.moved);
    this.moved = false;
  };

  /** While playing: the clock from the lead video; held while a camera loads; gaps skipped. */
  private keepTime(wall: number): number {
    const covering = this.players.filter((p) => p.segments.at(wall));
    if (covering.length === 0) {
      // A gap in every camera's recordings: on to the next recorded moment, or the end.
      const next = Math.min(...this.players.map((p) => p.segments.after(wall)?.start ?? Infinity));
      if (Number.isFinite(next)) {
        this.clock.set(next);
        this.moved = true;
        return next;
      }
      if (this.players.every((p) => p.segments.segments.length > 0 || p.segments.error)) {
        this.clock.pause();
        this.ended = true;
      }
      return wall;
    }
    const current = (p: CameraPlayer) => p.segment !== null && p.segment.id === p.segments.at(wall)?.id;
    const lead = covering.find((p) => current(p) && p.ready && !p.video.paused && !p.video.ended);
    if (lead) {
      const w = lead.videoWall();
      if (w !== null && Math.abs(w - wall) < 1000 * Math.max(1, this.clock.speed)) {
        this.clock.set(w);
        return w;
      }
      return wall;
    }
    // Nothing plays yet where there is video: wait for it (a start, a seek, a segment loading).
    if (covering.some((p) => !current(p) || (!p.ready && !p.video.ended))) {
      this.clock.set(wall);
    }
    return wall;
  }

  /** The span the cameras' listed recordings cover around the play head (null before any is listed). */
  extent(): { from: number; to: number } | null {
    let from = Infinity;
    let to = -Infinity;
    for (const p of this.players) {
      const list = p.segments.segments;
      if (!list.length) continue;
      from = Math.min(from, list[0]!.start);
      to = Math.max(to, ...list.map((s) => s.end));
    }
    return Number.isFinite(from) ? { from, to } : null;
  }

  get wall(): number {
    return this.clock.now();
  }

  play(): void {
    this.ended = false;
    this.clock.play();
  }

  pause(): void {
    this.clock.pause();
  }

  toggle(): void {
    if (this.clock.playing) this.pause();
    else this.play();
  }

  seek(wall: number): void {
    this.ended = false;
    this.clock.set(wall);
    this.moved = true;
    this.ask('seek', wall);
  }

  setSpeed(speed: number): void {
    this.clock.setSpeed(speed);
  }

  /** One frame forward (+1) or back (-1) from the frame shown; pauses. */
  step(dir: 1 | -1): void {
    this.pause();
    const lead = this.players.find((p) => p.presented) ?? this.players[0];
    const from = lead?.presented?.wall ?? this.clock.now();
    const frameMs = lead?.frameMs ?? 40;
    // A quarter frame past the frame's start: the video shows that frame, not its neighbour.
    const target = from + dir * frameMs + frameMs / 4;
    this.clock.set(target);
    this.moved = true;
    this.ask('step', target - frameMs / 4);
  }

  dispose(): void {
    cancelAnimationFrame(this.raf);
    for (const p of this.players) p.dispose();
  }
}
