import { useEffect, useState } from 'react';
import type { EngineState } from '../../main/api/contract';
import type { ApiClient, ConnectionState } from '../api/client';
import { LiveWall } from '../live/LiveWall';
import { Review } from '../review/Review';
import { PlaybackScreen } from '../playback/PlaybackScreen';
import { Settings } from '../settings/Settings';
import { SystemInfoPanel } from '../system/SystemInfoPanel';
import { SystemStatusPanel } from '../system/SystemStatusPanel';
import { TimelineView } from '../timeline/TimelineView';
import { useRoute, type Screen } from '../router/router';
import { useWorkspace } from '../common/useWorkspace';

const NAV: { screen: Screen; label: string }[] = [
  { screen: 'live', label: 'Live' },
  { screen: 'timeline', label: 'Timeline' },
  { screen: 'review', label: 'Review' },
  { screen: 'playback', label: 'Playback' },
  { screen: 'settings', label: 'Settings' },
  { screen: 'system', label: 'System' },
];

export function App({ api }: { api: ApiClient }) {
  const route = useRoute();
  const workspaceState = useWorkspace(api);
  const [connection, setConnection] = useState<ConnectionState>('connecting');
  const [engineState, setEngineState] = useState<EngineState | null>(null);
  useEffect(() => api.onConnection(setConnection), [api]);
  useEffect(() => api.subscribe('engine.status', (s) => setEngineState(s.state)), [api]);
  return (
    <div className="app">
      <header className="app-header">
        <span className="brand">Vigil</span>
        <nav aria-label="Screens">
          {NAV.map((n) => (
            <a key={n.screen} href={`#/${n.screen}`} data-testid={`nav-${n.screen}`} aria-current={route.screen === n.screen ? 'page' : undefined}>
              {n.label}
            </a>
          ))}
        </nav>
        <span className="spacer" />
        {engineState && <span className={`badge state-${engineState}`}>engine {engineState}</span>}
        <span className={`badge conn-${connection}`} data-testid="connection-state" title="push channel to the Vigil node">
          {connection === 'open' ? 'connected' : connection}
        </span>
      </header>
      <main className={`app-main screen-${route.screen}`}>
        {route.screen === 'live' && <LiveWall api={api} workspaceState={workspaceState} />}
        {route.screen === 'timeline' && <TimelineView api={api} workspaceState={workspaceState} />}
        {route.screen === 'review' && <Review api={api} workspaceState={workspaceState} trackId={route.arg} query={route.query} />}
        {route.screen === 'playback' && <PlaybackScreen api={api} workspaceState={workspaceState} query={route.query} />}
        {route.screen === 'settings' && <Settings api={api} workspaceState={workspaceState} />}
        {route.screen === 'system' && (
          <div className="system-screen">
            <SystemInfoPanel api={api} />
            <SystemStatusPanel api={api} cameras={workspaceState.workspace?.cameras ?? []} />
          </div>
        )}
      </main>
    </div>
  );
}
