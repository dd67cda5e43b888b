// The playback screen, '#/playback?cameras=a,b&t=<ms>': the chosen cameras' recordings side by side
// from that moment (the timeline opens it at a click on a camera's lane); cameras added or removed
// with the checkboxes, the state kept in the URL.
import { useMemo, useRef } from 'react';
import type { ApiClient } from '../api/client';
import { formatTime } from '../common/format';
import type { WorkspaceState } from '../common/useWorkspace';
import { playbackQuery, replaceQuery } from '../router/router';
import { PlaybackView } from './PlaybackView';

export function PlaybackScreen({ api, workspaceState, query }: { api: ApiClient; workspaceState: WorkspaceState; query: string }) {
  const q = new URLSearchParams(query);
  const t = Number(q.get('t'));
  const start = Number.isFinite(t) && t > 0 ? t : Date.now() - 60_000;
  const chosen = (q.get('cameras') ?? '').split(',').filter(Boolean);
  const all = workspaceState.workspace?.cameras ?? [];
  // Where the clock is now: cameras added or removed reopen the view at that moment.
  const wall = useRef(start);
  const names = new Map(all.map((c) => [c.id, c.name]));
  const key = chosen.map((id) => `${id}\u0000${names.get(id) ?? id}`).join('\n');
  const cameras = useMemo(
    () =>
      key
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [id = '', name = ''] = line.split('\u0000');
          return { id, name };
        }),
    [key],
  );
  const toggle = (id: string) => {
    const next = chosen.includes(id) ? chosen.filter((c) => c !== id) : [...chosen, id];
    const at = wall.current;
    replaceQuery('playback', new URLSearchParams(playbackQuery(next, at)));
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  };
  return (
    <section className="playback-screen" aria-label="Playback">
      <div className="toolbar playback-cameras" role="group" aria-label="Cameras shown">
        <span className="toolbar-label">Recorded video from {formatTime(start)} — cameras:</span>
        {all.map((c) => (
          <label key={c.id}>
            <input type="checkbox" data-testid={`playback-camera-${c.id}`} checked={chosen.includes(c.id)} onChange={() => toggle(c.id)} /> {c.name}
            {c.record.mode === 'off' ? ' (not recording)' : ''}
          </label>
        ))}
      </div>
      {cameras.length === 0 ? (
        <div className="panel empty" data-testid="playback-empty">
          Choose a camera above, or click a camera's lane on the timeline at the moment to play.
        </div>
      ) : (
        <PlaybackView api={api} cameras={cameras} start={start} wallRef={wall} />
      )}
    </section>
  );
}
