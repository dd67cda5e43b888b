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

/** A message for the operator, with the technical detail (the engine's or the OS's own text) behind a disclosure. */
export function MessageLine({ kind, text, detail, testId }: { kind: 'ok' | 'error' | 'busy'; text: string; detail?: string | undefined; testId: string }) {
  return (
    <div
      className={kind === 'ok' ? 'form-ok' : kind === 'error' ? 'form-error' : 'form-busy'}
      role={kind === 'error' ? 'alert' : 'status'}
      data-testid={testId}
    >
      <span data-testid={`${testId}-text`}>{text}</span>
      {detail && (
        <details className="tech-detail" data-testid={`${testId}-detail`}>
          <summary>Technical detail</summary>
          <code>{detail}</code>
        </details>
      )}
    </div>
  );
}
