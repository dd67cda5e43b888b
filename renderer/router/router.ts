// A hash router: '#/live', '#/timeline', '#/review', '#/review/<track>', '#/settings', '#/system'.
import { useEffect, useState } from 'react';

export type Screen = 'live' | 'timeline' | 'review' | 'settings' | 'system';
export interface Route {
  screen: Screen;
  /** The rest of the path, e.g. a track id for '#/review/<id>'. */
  arg: string | null;
}

const SCREENS: Screen[] = ['live', 'timeline', 'review', 'settings', 'system'];

export function parseRoute(hash: string): Route {
  const [head, ...rest] = hash.replace(/^#\/?/, '').split('/');
  // No hash, '#/' or an unknown screen: the live wall, the operator's home.
  const screen = SCREENS.find((x) => x === head) ?? 'live';
  const arg = rest.length ? decodeURIComponent(rest.join('/')) : null;
  return { screen, arg };
}

export function navigate(screen: Screen, arg?: string): void {
  window.location.hash = `#/${screen}${arg ? `/${encodeURIComponent(arg)}` : ''}`;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}
