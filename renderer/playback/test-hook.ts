// Test and benchmark hook: `window.__vigilPlayback`, a read-only copy of what the playback view
// shows now (each camera's frame, its wall time and the boxes drawn over it; the clock; the last
// start or seek and when its frame was shown). Made on each read; changing it changes nothing.
import type { RecordingSegment } from '../../main/api/contract';
import type { ShownBox } from './boxes';
import type { PresentedFrame } from './camera-player';
import type { PlaybackController, PlaybackRequest } from './controller';

export interface PlaybackCameraState {
  camera: string;
  segment: Pick<RecordingSegment, 'id' | 'start' | 'end' | 'url'> | null;
  /** The frame shown: its media time, wall time and when it was shown. */
  frame: PresentedFrame | null;
  /** The boxes drawn over that frame. */
  boxes: ShownBox[];
  frameMs: number;
  /** How long after a segment's media time 0 its first picture comes (learnt from the video). */
  leadInMs: number;
  framesShown: number;
  /** The last frames shown, oldest first. */
  recent: PresentedFrame[];
  currentTime: number;
  paused: boolean;
  playbackRate: number;
}

export interface PlaybackHook {
  clock: { wall: number; playing: boolean; speed: number; ended: boolean };
  cameras: Record<string, PlaybackCameraState>;
  request: PlaybackRequest | null;
}

declare global {
  interface Window {
    __vigilPlayback?: PlaybackHook;
  }
}

function snapshot(c: PlaybackController): PlaybackHook {
  const cameras: Record<string, PlaybackCameraState> = {};
  for (const p of c.players) {
    const s = p.segment;
    cameras[p.camera] = {
      camera: p.camera,
      segment: s ? { id: s.id, start: s.start, end: s.end, url: s.url } : null,
      frame: p.presented ? { ...p.presented } : null,
      boxes: p.boxes.map((b) => ({ ...b, box: [...b.box] })),
      frameMs: p.frameMs,
      leadInMs: p.segments.leadInMs,
      framesShown: p.framesShown,
      recent: p.recent.map((f) => ({ ...f })),
      currentTime: p.video.currentTime,
      paused: p.video.paused,
      playbackRate: p.video.playbackRate,
    };
  }
  return {
    clock: { wall: c.clock.now(), playing: c.clock.playing, speed: c.clock.speed, ended: c.ended },
    cameras,
    request: c.request ? { ...c.request } : null,
  };
}

/** Exposes the controller's state as `window.__vigilPlayback` until the returned function is called. */
export function exposePlayback(c: PlaybackController): () => void {
  Object.defineProperty(window, '__vigilPlayback', { configurable: true, enumerable: false, get: () => snapshot(c) });
  return () => {
    delete window.__vigilPlayback;
  };
}
