// The workspace as the renderer sees it: loaded once, then kept fresh by 'workspace.changed'.
import { useCallback, useEffect, useState } from 'react';
import type { WorkspaceView } from '../../main/api/contract';
import { errorText, type ApiClient } from '../api/client';

export interface WorkspaceState {
  workspace: WorkspaceView | null;
  error: string | null;
  reload(): void;
  /** Apply a result the operator just caused, without waiting for the push. */
  set(view: WorkspaceView): void;
}

export function useWorkspace(api: ApiClient): WorkspaceState {
  const [workspace, setWorkspace] = useState<WorkspaceView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let live = true;
    api.call('workspace.get', {}).then(
      (view) => live && (setWorkspace(view), setError(null)),
      (e: unknown) => live && setError(`cannot load the workspace: ${errorText(e)}`),
    );
    const off = api.subscribe('workspace.changed', (view) => {
      setWorkspace(view);
      setError(null);
    });
    return () => {
      live = false;
      off();
    };
  }, [api, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { workspace, error, reload, set: setWorkspace };
}
