// What the services need from the recorded history; implemented over main/store.
import type {
  EventSearch,
  RecorderStatus,
  RecordingQuery,
  RecordingSegment,
  TimelineBucket,
  TimelineQuery,
  TrackDetail,
  TrackPathQuery,
  TrackPaths,
  TrackSearch,
  TrackSummary,
  ZoneEvent,
} from '../api/contract.js';

/** A zone's current name on a camera (null when the camera has no such zone any more). */
export type ZoneNamer = (camera: string, zone: string) => string | null;

export interface ReviewSource {
  timeline(q: TimelineQuery): Promise<TimelineBucket[]>;
  searchTracks(q: TrackSearch): Promise<TrackSummary[]>;
  track(id: string): Promise<TrackDetail | null>;
  /** The stored boxes of a camera's tracks within a window (playback overlays). */
  trackPaths(q: TrackPathQuery): Promise<TrackPaths>;
  eventsAround(q: { t: number; windowMs: number; cameras?: string[] }): Promise<ZoneEvent[]>;
  searchEvents(q: EventSearch): Promise<ZoneEvent[]>;
  /** The camera's video segments overlapping [from, to], oldest first. */
  recordings(q: RecordingQuery): Promise<RecordingSegment[]>;
  recorderStatus(): RecorderStatus;
  bytesUsed(): number;
}
