// A track's thumbnail, cropped to the object with a margin: from its snapshot (the best sighting's
// frame, full size, so the stored best box crops it), or, while the track is still followed and has
// no snapshot yet, from the camera's live preview where the object is now (labelled "live").
import { useEffect, useRef, useState } from 'react';
import type { TrackSummary } from '../../main/api/contract';
import type { ApiClient } from '../api/client';
import { labelColor } from './colors';
import { cropAround, drawCrop, watchLiveTrack, type Rect } from './track-picture';

type Source = 'snapshot' | 'live' | 'none' | 'waiting';

/** How often a track listed as followed that shows in no preview is asked for again. */
const STALE_MS = 3000;

const rectText = (r: Rect) => [r.x, r.y, r.w, r.h].map((v) => Math.round(v)).join(',');

export function TrackThumb({ api, track, width, height, testId }: { api: ApiClient; track: TrackSummary; width: number; height: number; testId?: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  // The track as last known: one listed as still followed that shows in no preview for a while has
  // probably ended since; it is asked for again, and its snapshot shown if it has one now.
  const [known, setKnown] = useState(track);
  useEffect(() => setKnown(track), [track]);
  const [source, setSource] = useState<Source>(track.snapshotUrl ? 'snapshot' : track.ended ? 'none' : 'waiting');
  const [crop, setCrop] = useState<string>('');
  const aspect = width / height;
  const { id, snapshotUrl, camera, engineTrack, ended } = known;
  const [bx, by, bw, bh] = known.bestBox;

  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    if (!snapshotUrl) {
      if (ended) setSource('none');
      return;
    }
    let live = true;
    const img = new Image();
    img.onload = () => {
      if (!live) return;
      const r = cropAround([bx, by, bw, bh], img.naturalWidth, img.naturalHeight, aspect);
      drawCrop(c, img, img.naturalWidth, img.naturalWidth, r);
      setCrop(rectText(r));
      setSource('snapshot');
    };
    img.onerror = () => live && setSource(ended ? 'none' : 'waiting');
    img.src = snapshotUrl;
    return () => {
      live = false;
    };
  }, [snapshotUrl, bx, by, bw, bh, aspect, ended]);

  useEffect(() => {
    if (source !== 'waiting') return;
    let live = true;
    const timer = setInterval(() => {
      api.call('tracks.get', { id }).then(
        (t) => live && (t.ended || t.snapshotUrl) && setKnown(t),
        () => undefined, // gone (retention) or the node is unreachable: keep waiting for a live frame
      );
    }, STALE_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [api, id, source]);

  useEffect(() => {
    const c = canvas.current;
    if (!c || snapshotUrl || ended) return;
    return watchLiveTrack(api, camera, engineTrack, (s) => {
      const r = cropAround(s.box, s.frameW, s.frameH, aspect);
      drawCrop(c, s.bitmap, s.bitmap.width, s.frameW, r);
      setCrop(rectText(r));
      setSource('live');
    });
  }, [api, camera, engineTrack, snapshotUrl, ended, aspect]);

  return (
    <span className={`thumb thumb-${source}`} style={{ width, height }} data-testid={testId} data-source={source} data-crop={crop || undefined}>
      <canvas
        ref={canvas}
        width={width * 2}
        height={height * 2}
        style={{ width, height }}
        aria-label={`${track.label} ${source === 'live' ? 'now' : 'snapshot'}`}
      />
      {source === 'live' && (
        <span className="thumb-tag" style={{ borderColor: labelColor(track.label) }}>
          live
        </span>
      )}
      {source === 'none' && <span className="thumb-note">no snapshot</span>}
      {source === 'waiting' && <span className="thumb-note">waiting for a live frame…</span>}
    </span>
  );
}
