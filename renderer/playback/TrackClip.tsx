// A track's clip in review: its camera's recorded video from a little before the track appeared to
// a little after it left, with the stored boxes over it; and whether there is any.
import { useEffect, useState } from 'react';
import type { RecordingSegment } from '../../main/api/contract';
import { errorText, type ApiClient } from '../api/client';
import { navigate, playbackQuery } from '../router/router';
import { PlaybackView } from './PlaybackView';

/** Video shown before a track's first sighting and after its last. */
export const CLIP_PRE_MS = 2_000;
export const CLIP_POST_MS = 3_000;

export type ClipState = { state: 'loading' } | { state: 'none'; error: string | null } | { state: 'recorded'; segments: RecordingSegment[] };

/** Whether the camera recorded video of [from, to] (recordings.list). */
export function useTrackClip(api: ApiClient, camera: string | null, from: number, to: number): ClipState {
  const [state, setState] = useState<ClipState>({ state: 'loading' });
  useEffect(() => {
    if (camera === null) return;
    let live = true;
    setState({ state: 'loading' });
    api.call('recordings.list', { camera, from: from - CLIP_PRE_MS, to: to + CLIP_POST_MS }).then(
      (segments) => live && setState(segments.length ? { state: 'recorded', segments } : { state: 'none', error: null }),
      (e: unknown) => live && setState({ state: 'none', error: `recordings not listed: ${errorText(e)}` }),
    );
    return () => {
      live = false;
    };
  }, [api, camera, from, to]);
  return state;
}

export function TrackClip({
  api,
  camera,
  segments,
  from,
  to,
  track,
}: {
  api: ApiClient;
  /** The recorded track (drawn thicker). */
  track: string;
  camera: { id: string; name: string };
  segments: RecordingSegment[];
  from: number;
  to: number;
}) {
  // From just before the track, or from where the video starts when it starts later.
  const first = segments[0]!;
  const start = Math.max(from - CLIP_PRE_MS, first.start);
  const range = { from: from - CLIP_PRE_MS, to: to + CLIP_POST_MS };
  return (
    <div className="track-clip" data-testid="track-clip">
      <PlaybackView api={api} cameras={[camera]} start={start} range={range} highlight={track} />
      <button type="button" data-testid="track-clip-open" onClick={() => navigate('playback', undefined, playbackQuery([camera.id], start))}>
        Open in playback (other cameras beside it)
      </button>
    </div>
  );
}
