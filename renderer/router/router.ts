// A hash router: '#/live', '#/timeline', '#/review', '#/review/<track>', '#/playback', '#/settings', '#/system';
// a screen's own state (e.g. review's filters) rides in a query after the path: '#/review?label=person'.
import { useEffect, useState } from 'react';

export type Screen = 'live' | 'timeline' | 'review' | 'playback' | 'settings' | 'system';
export interface Route {
  screen: Screen;
  /** The rest of the path, e.g. a track id for '#/review/<id>'. */
  arg: string | null;
  /** The query after the path ('' when none), e.g. 'label=person&minSec=1'. */
  query: string;
}

const SCREENS: Screen[] = ['live', 'timeline', 'review', 'playback', 'settings', 'system'];

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?', 2);
  const [head, ...rest] = path.split('/');
  // No hash, '#/' or an unknown screen: the live wall, the operator's home.
  const screen = SCREENS.find((x) => x === head) ?? 'live';
  const arg = rest.length ? decodeURIComponent(rest.join('/')) : null;
  return { screen, arg, query };
}

/** Puts a screen's state in the URL without a new history entry (Back goes to the previous screen, which finds it there). */
export function replaceQuery(screen: Screen, query: URLSearchParams): void {
  const q = query.toString();
  const hash = `#/${screen}${q ? `?${q}` : ''}`;
  if (window.location.hash !== hash) window.history.replaceState(window.history.state, '', hash);
}

export function navigate(screen: Screen, arg?: string, query?: string): void {
  window.location.hash = `#/${screen}${arg ? `/${encodeURIComponent(arg)}` : ''}${query ? `?${query}` : ''}`;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const on = () =>
      setRoute((r) => {
        const n = parseRoute(window.location.hash);
        return n.screen === r.screen && n.arg === r.arg && n.query === r.query ? r : n;
      });
    window.addEventListener('hashchange', on);
    on(); // a change made before this listener existed (while the app was loading) is not missed
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

/** The query of '#/playback': these cameras' recordings side by side from wall time `t` (ms since the epoch). */
export function playbackQuery(cameras: string[], t: number): string {
  return new URLSearchParams({ cameras: cameras.join(','), t: String(Math.round(t)) }).toString();
}
