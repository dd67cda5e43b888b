// One camera's recorded segments around the play head (recordings.list), and which one holds a
// wall time. A segment's media time t is wall time `start + 1000 t` (ARCHITECTURE.md, "One clock").
import type { RecordingSegment } from '../../main/api/contract';
import { errorText, type ApiClient } from '../api/client';

/** The span asked for at a time, either side of the play head. */
const SPAN_MS = 30 * 60_000;
/** Segments still being written appear later: a span reaching past this long ago is asked again. */
const FRESH_MS = 5_000;
/** Near the newest segments, the list is asked again at most this often. */
const REFRESH_MS = 2_000;

export class SegmentList {
  private list: RecordingSegment[] = [];
  private from = Infinity;
  private to = -Infinity;
  private fetchedAt = 0;
  private pending: Promise<void> | null = null;
  error: string | null = null;

  constructor(
    private readonly api: ApiClient,
    readonly camera: string,
  ) {}

  /** Loads the segments around `wall` unless they are loaded (or, near the end, when new ones may have closed). */
  ensure(wall: number): Promise<void> {
    if (this.pending) return this.pending;
    const loaded = wall >= this.from && wall <= this.to + SPAN_MS;
    if (loaded && (wall <= this.to - 60_000 || Date.now() - this.fetchedAt < REFRESH_MS)) return Promise.resolve();
    const from = wall - SPAN_MS;
    const to = wall + SPAN_MS;
    this.pending = this.api
      .call('recordings.list', { camera: this.camera, from, to })
      .then(
        (list) => {
          this.list = list.filter((s) => s.end > s.start).sort((a, b) => a.start - b.start);
          this.from = from;
          this.to = Math.min(to, Date.now() - FRESH_MS);
          this.error = null;
          this.fetchedAt = Date.now();
        },
        (e: unknown) => {
          this.error = `recordings not listed: ${errorText(e)}`;
        },
      )
      .finally(() => {
        this.pending = null;
      });
    return this.pending;
  }

  /**
   * How long after its media time 0 each segment's first picture comes (learnt from the video: with
   * B-frames, a frame or a few, not the same in every segment; its pictures run as long past its
   * indexed end, up to the next one's first). Segments not seen yet are guessed at the last one learnt.
   */
  private readonly leadIns = new Map<string, number>();
  /** The last lead-in learnt, ms. */
  leadInMs = 0;

  learnLeadIn(segment: string, ms: number): void {
    this.leadIns.delete(segment);
    this.leadIns.set(segment, ms);
    if (this.leadIns.size > 1000) this.leadIns.delete(this.leadIns.keys().next().value!);
    this.leadInMs = ms;
  }

  leadIn(s: RecordingSegment): number {
    return this.leadIns.get(s.id) ?? this.leadInMs;
  }

  /** Where each loaded segment's pictures end (its video's duration, ms of media time). */
  private readonly mediaEnds = new Map<string, number>();

  learnMediaEnd(segment: string, ms: number): void {
    if (!Number.isFinite(ms) || ms <= 0) return;
    this.mediaEnds.delete(segment);
    this.mediaEnds.set(segment, ms);
    if (this.mediaEnds.size > 1000) this.mediaEnds.delete(this.mediaEnds.keys().next().value!);
  }

  /** The wall time where `s`'s pictures end: its media's end where known, else its end plus its lead-in. */
  picturesEnd(s: RecordingSegment): number {
    const media = this.mediaEnds.get(s.id);
    const guess = s.end + this.leadIn(s);
    return media === undefined ? guess : Math.min(guess, s.start + media);
  }

  /** The segment whose pictures show wall time `wall` (the later one where two touch). */
  at(wall: number): RecordingSegment | null {
    let found: RecordingSegment | null = null;
    for (const s of this.list) if (s.start + this.leadIn(s) <= wall && wall < this.picturesEnd(s)) found = s;
    // Before the first picture of a run's first segment, or between one segment's last picture and
    // the next one's first: the segment indexed there (its first picture shows).
    if (!found) for (const s of this.list) if (s.start <= wall && wall < s.end) found = s;
    return found;
  }

  /** The first segment that starts after `wall`. */
  after(wall: number): RecordingSegment | null {
    return this.list.find((s) => s.start > wall) ?? null;
  }

  /** The segment that follows `s` (its successor in time), or null. */
  next(s: RecordingSegment): RecordingSegment | null {
    return this.list.find((x) => x.start > s.start && x.id !== s.id) ?? null;
  }

  get segments(): readonly RecordingSegment[] {
    return this.list;
  }
}
