// Settings: cameras, models, zones and lines, tracker and retention, MQTT. Each form shows its own errors;
// each section is its own file in this folder.
import type { ApiClient } from '../api/client';
import type { WorkspaceState } from '../common/useWorkspace';
import { CamerasSection } from './CamerasSection';
import { EngineSection } from './EngineSection';
import { ModelsSection } from './ModelsSection';
import { MqttSection } from './MqttSection';
import { ZonesSection } from './ZonesSection';

export function Settings({ api, workspaceState }: { api: ApiClient; workspaceState: WorkspaceState }) {
  if (workspaceState.error)
    return (
      <section className="panel error" role="alert" data-testid="settings-error">
        {workspaceState.error}{' '}
        <button type="button" onClick={workspaceState.reload}>
          Retry
        </button>
      </section>
    );
  if (!workspaceState.workspace) return <section className="panel">Loading settings…</section>;
  const w = workspaceState.workspace;
  return (
    <div className="settings-screen">
      <CamerasSection api={api} workspace={w} onChanged={workspaceState.reload} />
      <ZonesSection api={api} workspace={w} onChanged={workspaceState.reload} />
      <ModelsSection api={api} workspace={w} onSaved={workspaceState.set} onChanged={workspaceState.reload} />
      <EngineSection api={api} workspace={w} onSaved={workspaceState.set} />
      <MqttSection api={api} workspace={w} onSaved={workspaceState.set} />
    </div>
  );
}
