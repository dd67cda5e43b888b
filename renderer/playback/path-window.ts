// The stored boxes of one camera around the play head: fetched by time window ahead of it
// (tracks.paths), merged by track, the old ones let go.
import type { TrackPath } from '../../main/api/contract';
import { errorText, type ApiClient } from '../api/client';

/** Fetched ahead of the play head (this long of video, times the speed) and kept behind it. */
const AHEAD_MS = 20_000;
const BEHIND_MS = 5_000;
/** A new window is fetched when the play head comes this close to the end of the loaded one. */
const MARGIN_MS = 8_000;
/** Boxes this far behind the play head are let go. */
const KEEP_MS = 60_000;
/** Boxes newer than this are still being written: a window reaching them is fetched again later. */
const SETTLE_MS = 3_000;
/** Near the newest boxes, the window is asked again at most this often. */
const REFRESH_MS = 1_000;

export class PathWindow {
  /** Track id → its stored boxes within the loaded span, in time order. */
  readonly tracks = new Map<string, TrackPath>();
  /** The span loaded: [from, to] (to = -Infinity while nothing is). */
  private from = Infinity;
  private to = -Infinity;
  private fetchedAt = 0;
  private pending: Promise<void> | null = null;
  error: string | null = null;

  constructor(
    private readonly api: ApiClient,
    private readonly camera: string,
  ) {}

  /** Whether the boxes of `wall` are loaded. */
  covers(wall: number): boolean {
    return wall >= this.from && wall <= this.to;
  }

  /** Starts fetching what `wall` and the next seconds need, unless it is loaded or on its way. */
  ensure(wall: number, speed = 1): Promise<void> {
    const ahead = AHEAD_MS * Math.max(1, speed);
    if (this.pending) return this.pending;
    if (this.covers(wall) && (this.to - wall > MARGIN_MS * Math.max(1, speed) || Date.now() - this.fetchedAt < REFRESH_MS)) return Promise.resolve();
    // Contiguous with what is loaded: fetch on from its end; otherwise start again around `wall`.
    const contiguous = this.covers(wall);
    const from = contiguous ? this.to : wall - BEHIND_MS;
    const to = Math.max(from + 1, wall + ahead);
    if (!contiguous) {
      this.tracks.clear();
      this.from = from;
    }
    this.pending = this.api
      .call('tracks.paths', { camera: this.camera, from, to })
      .then(
        (r) => {
          this.fetchedAt = Date.now();
          this.merge(r.tracks);
          this.to = r.truncated ? from : Math.min(to, Date.now() - SETTLE_MS);
          if (this.to < this.from) this.to = this.from;
          this.error = r.truncated ? 'more boxes in this window than one answer carries: some are not drawn' : null;
          this.forget(wall);
        },
        (e: unknown) => {
          this.error = `boxes not loaded: ${errorText(e)}`;
        },
      )
      .finally(() => {
        this.pending = null;
      });
    return this.pending;
  }

  private merge(list: TrackPath[]): void {
    for (const t of list) {
      const had = this.tracks.get(t.id);
      if (!had) {
        this.tracks.set(t.id, { ...t, path: [...t.path] });
        continue;
      }
      const last = had.path.length ? had.path[had.path.length - 1]!.t : -Infinity;
      for (const p of t.path) if (p.t > last) had.path.push(p);
    }
  }

  private forget(wall: number): void {
    const before = wall - KEEP_MS;
    if (this.from >= before) return;
    for (const [id, t] of this.tracks) {
      const last = t.path[t.path.length - 1];
      if (!last || last.t < before) this.tracks.delete(id);
    }
    this.from = before;
  }
}
