// Settings: cameras, models, zones and lines, tracker and retention. Each form shows its own errors;
// each section is its own file in this folder.
import type { ApiClient } from '../api/client';
import type { WorkspaceState } from '../common/useWorkspace';
import { CamerasSection } from './CamerasSection';
import { EngineSection } from './EngineSection';
import { ModelsSection } from './ModelsSection';
import { ZonesSection } from './ZonesSection';

export function Settings({ api, ws }: { api: ApiClient; ws: WorkspaceState }) {
  if (ws.error)
    return (
      <section className="panel error" role="alert" data-testid="settings-error">
        {ws.error}{' '}
        <button type="button" onClick={ws.reload}>
          Retry
        </button>
      </section>
    );
  if (!ws.workspace) return <section className="panel">Loading settings…</section>;
  const w = ws.workspace;
  return (
    <div className="settings-screen">
      <CamerasSection api={api} workspace={w} onChanged={ws.reload} />
      <ZonesSection api={api} workspace={w} onChanged={ws.reload} />
      <ModelsSection api={api} workspace={w} onSaved={ws.set} onChanged={ws.reload} />
      <EngineSection api={api} workspace={w} onSaved={ws.set} />
    </div>
  );
}
