// One camera in a playback view: its recorded segments in two <video> elements (the one shown and
// the next segment, loaded and paused on its first frame, so the switch at a segment's end shows no
// gap), each an ordinary file URL the browser reads with Range requests; and a canvas over them
// with the stored boxes of the frame shown, drawn from requestVideoFrameCallback (the frame's media
// time → wall time by the segment's anchor: wall = start + 1000 × mediaTime).
import type { RecordingSegment } from '../../main/api/contract';
import { mediaUrl, type ApiClient } from '../api/client';
import { boxesAt, type ShownBox } from './boxes';
import { drawOverlay } from './overlay';
import { PathWindow } from './path-window';
import { SegmentList } from './segments';

/** Frame duration assumed until two consecutive frames were shown. */
const DEFAULT_FRAME_MS = 40;
/** Beyond this drift from the clock (seconds of video, times the speed) a playing video is moved; below it, its rate is trimmed. */
const RESEEK_S = 0.3;
const RECENT_FRAMES = 120;
/** How long past its indexed end a segment may play on to its last frame. */
const OVERRUN_MS = 1_000;
/** A frame shown this far (seconds of video) from its element's position is not of its current source. */
const STALE_S = 1;

/** No video has shorter frames (240 fps): a common step below it is noise, not a frame. */
const MIN_FRAME_MS = 4;

/** The greatest common step of two durations (ms) that are whole numbers of frames, within a millisecond. */
export function commonStep(a: number, b: number): number {
  let [x, y] = a >= b ? [a, b] : [b, a];
  while (y > 1) [x, y] = [y, x % y];
  return x;
}

export interface PresentedFrame {
  segment: string;
  /** The frame's media time in its segment, seconds (requestVideoFrameCallback's mediaTime). */
  mediaTime: number;
  /** Its wall time: the time its stored boxes carry. */
  wall: number;
  /** When it was shown (performance.now() time base). */
  at: number;
}

type Slot = 0 | 1;

export class CameraPlayer {
  readonly element: HTMLDivElement;
  readonly segments: SegmentList;
  readonly paths: PathWindow;
  private readonly videos: [HTMLVideoElement, HTMLVideoElement];
  private readonly held: [RecordingSegment | null, RecordingSegment | null] = [null, null];
  private active: Slot = 0;
  /** The frame a hidden element has ready (the next segment's first), shown at the switch. */
  private readonly waiting: [{ mediaTime: number; segment: string } | null, { mediaTime: number; segment: string } | null] = [null, null];
  private readonly canvas: HTMLCanvasElement;
  private readonly note: HTMLDivElement;
  /** The wall time the paused video was last moved to (a paused video is moved only when the clock is). */
  private placedAt: number | null = null;
  /** The media time the shown video was last moved to, until its next frame shows. */
  private asked: { segment: string; mediaTime: number } | null = null;
  private measuredFrame = false;
  private disposed = false;
  frameMs = DEFAULT_FRAME_MS;
  presented: PresentedFrame | null = null;
  boxes: ShownBox[] = [];
  framesShown = 0;
  /** The last frames shown (at most RECENT_FRAMES), oldest first: gaps at segment switches show here. */
  readonly recent: PresentedFrame[] = [];
  /** The recorded track drawn thicker (the one opened in review), if any. */
  highlight: string | null = null;
  /** Called after each frame shown (the view's timings and test hook). */
  onFrame: ((player: CameraPlayer, frame: PresentedFrame) => void) | null = null;

  constructor(
    api: ApiClient,
    readonly camera: string,
    readonly name: string,
  ) {
    this.segments = new SegmentList(api, camera);
    this.paths = new PathWindow(api, camera);
    this.element = document.createElement('div');
    this.element.className = 'playback-tile';
    this.element.dataset.testid = `playback-tile-${camera}`;
    const make = (slot: Slot) => {
      const v = document.createElement('video');
      v.className = 'playback-video';
      v.muted = true;
      v.playsInline = true;
      v.preload = 'auto';
      v.dataset.testid = `playback-video-${camera}-${slot}`;
      v.addEventListener('durationchange', () => {
        const seg = this.held[slot];
        if (seg && v.src.endsWith(seg.url)) this.segments.learnMediaEnd(seg.id, v.duration * 1000);
      });
      v.style.visibility = slot === 0 ? 'visible' : 'hidden';

      this.element.appendChild(v);
      return v;
    };
    this.videos = [make(0), make(1)];
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'playback-overlay';
    this.canvas.dataset.testid = `playback-overlay-${camera}`;
    this.element.appendChild(this.canvas);
    const title = document.createElement('div');
    title.className = 'playback-title';
    title.textContent = name;
    this.element.appendChild(title);
    this.note = document.createElement('div');
    this.note.className = 'playback-note';
    this.note.dataset.testid = `playback-note-${camera}`;
    this.element.appendChild(this.note);
    for (const slot of [0, 1] as const) this.watchFrames(slot);
  }

  /** The segment shown now, if any. */
  get segment(): RecordingSegment | null {
    return this.held[this.active];
  }

  get video(): HTMLVideoElement {
    return this.videos[this.active];
  }

  /** Whether the shown video can play on from where it is (false while it loads or seeks). */
  get ready(): boolean {
    const v = this.video;
    return !this.segment || (!v.seeking && v.readyState >= HTMLMediaElement.HAVE_FUTURE_DATA);
  }

  /** The wall time of the shown video's position (null outside a segment). */
  videoWall(): number | null {
    const s = this.segment;
    return s ? s.start + this.video.currentTime * 1000 : null;
  }

  private watchFrames(slot: Slot): void {
    const v = this.videos[slot];
    const onFrame = (_now: DOMHighResTimeStamp, meta: VideoFrameCallbackMetadata) => {
      if (this.disposed) return;
      v.requestVideoFrameCallback(onFrame);
      const seg = this.held[slot];
      if (!seg || !v.src.endsWith(seg.url)) return;
      // A frame far from the element's position is one of the file it held before (a new source or a seek since).
      if (Math.abs(meta.mediaTime - v.currentTime) > STALE_S * Math.max(1, v.playbackRate)) return;
      // The element waiting with the next segment shows its first frame while hidden: kept for the switch.
      if (slot !== this.active) {
        this.waiting[slot] = { mediaTime: meta.mediaTime, segment: seg.id };
        // Loaded at media time 0, its first picture shows where a segment's pictures start: the lead-in.
        if (v.currentTime === 0 && meta.mediaTime < 1) this.segments.learnLeadIn(seg.id, meta.mediaTime * 1000);
      } else {
        // Moved to a time near a segment's start and shown a frame well after it: nothing comes
        // earlier, so that frame is the segment's first picture (the lead-in), learnt here when no
        // segment boundary has played yet. The next follow() then takes the time to the segment
        // before, whose last pictures show it.
        const asked = this.asked;
        this.asked = null;
        if (asked?.segment === seg.id && asked.mediaTime < 1 && meta.mediaTime - asked.mediaTime > (1.5 * this.frameMs) / 1000 && meta.mediaTime < 1)
          this.segments.learnLeadIn(seg.id, meta.mediaTime * 1000);
        // No picture of a segment comes before its first: one shown earlier than the lead-in assumed
        // for it (a guess from another segment) bounds it.
        else if (meta.mediaTime * 1000 < this.segments.leadIn(seg) - 1) this.segments.learnLeadIn(seg.id, meta.mediaTime * 1000);
        this.frameShown(seg, meta.mediaTime, meta.expectedDisplayTime);
      }
    };
    v.requestVideoFrameCallback(onFrame);
  }

  private frameShown(seg: RecordingSegment, mediaTime: number, at: number): void {
    const prev = this.presented;
    if (prev && prev.segment === seg.id && prev.mediaTime === mediaTime) return; // already shown (at the switch)
    if (prev && prev.segment === seg.id) {
      // The frame duration: the greatest common step of the steps between shown frames (fast speeds
      // and a busy machine skip frames, so a step is a whole number of frames, rarely one).
      const d = Math.abs(mediaTime - prev.mediaTime) * 1000;
      if (d > 2 && d < 2000) {
        const f = this.measuredFrame ? commonStep(this.frameMs, d) : d;
        if (f >= MIN_FRAME_MS) this.frameMs = f;
        this.measuredFrame = true;
      }
    }
    const frame = { segment: seg.id, mediaTime, wall: seg.start + mediaTime * 1000, at };
    this.presented = frame;
    this.framesShown += 1;
    this.recent.push(frame);
    if (this.recent.length > RECENT_FRAMES) this.recent.shift();
    this.redraw();
    this.onFrame?.(this, frame);
  }

  /** Draws the boxes of the frame shown (again: after boxes arrived, or a resize). */
  redraw(): void {
    const seg = this.segment;
    const frame = this.presented;
    if (!seg || !frame || frame.segment !== seg.id) {
      this.boxes = [];
      drawOverlay(this.canvas, { width: 0, height: 0 }, [], this.paths.tracks, 0);
      return;
    }
    this.boxes = boxesAt(this.paths.tracks.values(), frame.wall, this.frameMs);
    drawOverlay(this.canvas, { width: seg.width, height: seg.height }, this.boxes, this.paths.tracks, frame.wall, this.highlight);
  }

  private load(slot: Slot, seg: RecordingSegment, wall: number): void {
    const v = this.videos[slot];
    const url = mediaUrl(seg.url);
    if (v.src !== url) v.src = url;
    this.held[slot] = seg;
    this.moveTo(slot, seg, Math.max(0, (wall - seg.start) / 1000));
  }

  /** Moves an element to a media time; the shown one remembers it until its next frame (lead-in learning). */
  private moveTo(slot: Slot, seg: RecordingSegment, mediaTime: number): void {
    this.videos[slot].currentTime = mediaTime;
    if (slot === this.active) this.asked = { segment: seg.id, mediaTime };
  }

  private show(slot: Slot): void {
    this.videos[slot].style.visibility = 'visible';
    this.videos[slot === 0 ? 1 : 0].style.visibility = 'hidden';
    const old = this.videos[this.active];
    this.active = slot;
    if (old !== this.videos[slot]) old.pause();
    // Its frame is on screen from now: the boxes of that frame with it.
    const ready = this.waiting[slot];
    const seg = this.held[slot];
    this.waiting[slot] = null;
    if (ready && seg && ready.segment === seg.id) this.frameShown(seg, ready.mediaTime, performance.now());
  }

  private say(text: string): void {
    if (this.note.textContent !== text) this.note.textContent = text;
    this.note.hidden = text === '';
  }

  /** Follows the view's clock: the segment of `wall`, its position, play or pause, the next segment loaded. */
  follow(wall: number, playing: boolean, speed: number, moved: boolean): void {
    void this.segments.ensure(wall);
    void this.paths.ensure(wall, speed).then(() => this.redraw());
    let want = this.segments.at(wall);
    // A segment's pictures run a few frames past its indexed end (with B-frames, its first picture
    // comes a few frames after media time 0, and its last as many after the end): the shown one
    // plays to its last frame before the next takes over.
    const cur = this.segment;
    if (!moved && cur && want && want.id !== cur.id && want.start >= cur.start && !this.video.ended && wall < cur.end + OVERRUN_MS) want = cur;
    // Moved (a seek, a frame step) to a time the shown segment's last pictures still cover: they show it
    // (the next segment's first picture comes later than its indexed start).
    if (moved && cur && want && want.id !== cur.id && want.start >= cur.start && wall >= cur.start && wall < this.segments.picturesEnd(cur)) want = cur;
    if (!want) {
      for (const v of this.videos) if (!v.paused) v.pause();
      this.say(this.segments.error ?? 'No recording at this time');
      this.placedAt = null;
      return;
    }
    this.say(this.paths.error ?? '');
    if (this.segment?.id !== want.id) {
      const other: Slot = this.active === 0 ? 1 : 0;
      if (this.held[other]?.id === want.id && this.videos[other].readyState >= HTMLMediaElement.HAVE_CURRENT_DATA) {
        this.show(other);
      } else if (this.held[other]?.id !== want.id || moved) {
        this.load(this.active, want, wall);
        this.placedAt = wall;
      }
      // else: the next segment is still loading; the last frame stays until it can show.
    }
    const seg = this.segment;
    if (seg?.id === want.id) this.place(seg, wall, playing, speed, moved);
    // The next segment waits in the other element, paused where this one ends: loaded once this one
    // shows its frame (loading both at once, after a seek or at the start, slows the one awaited).
    const next = this.segments.next(want);
    const other: Slot = this.active === 0 ? 1 : 0;
    const settled = this.segment?.id === want.id && this.presented?.segment === want.id && !this.video.seeking;
    if (next && settled && this.held[other]?.id !== next.id) this.load(other, next, next.start);
  }

  private place(seg: RecordingSegment, wall: number, playing: boolean, speed: number, moved: boolean): void {
    const v = this.video;
    const target = Math.max(0, (wall - seg.start) / 1000);
    if (!playing) {
      if (!v.paused) v.pause();
      if (this.placedAt !== wall && !v.seeking) {
        this.moveTo(this.active, seg, target);
        this.placedAt = wall;
      }
      return;
    }
    this.placedAt = null;
    const drift = v.currentTime - target;
    // Moved: to the clock at once; otherwise only when far off (a seek while playing costs frames).
    if (moved || (Math.abs(drift) > RESEEK_S * Math.max(1, speed) && !v.seeking)) this.moveTo(this.active, seg, target);
    // Small drifts: a slightly faster or slower rate brings the video back in step with the clock.
    const trim = Math.max(-0.1, Math.min(0.1, drift * 2));
    const rate = speed * (1 - trim);
    if (Math.abs(v.playbackRate - rate) > 0.001) v.playbackRate = rate;
    // Not an ended video: play() would start it again from its beginning (its last frame stays until the next segment shows).
    if (v.paused && !v.ended && v.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA) void v.play().catch(() => undefined);
  }

  dispose(): void {
    this.disposed = true;
    for (const v of this.videos) {
      v.pause();
      v.removeAttribute('src');
      v.load();
    }
    this.element.remove();
  }
}
