// What the settings sections share: the error line under a form, the effective default model.
import type { WorkspaceView } from '../../main/api/contract';

/** The model cameras without their own use: the workspace's choice, else the node's (isDefault). */
export function effectiveDefault(w: WorkspaceView): string | null {
  return w.defaultModel ?? w.models.find((m) => m.isDefault)?.name ?? null;
}

export function ErrorLine({ error, testId }: { error: string | null; testId: string }) {
  return error ? (
    <p className="form-error" role="alert" data-testid={testId}>
      {error}
    </p>
  ) : null;
}
