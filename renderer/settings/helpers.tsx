// What the settings sections share: the error line under a form, the error under a field, the
// effective default model.
import type { WorkspaceView } from '../../main/api/contract';
import { ApiCallError } from '../api/client';

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

/**
 * An API error pinned on a field, as the words to show under that field: the field the API named
 * ('patch.motion.sensitivity') and the message without the method and field it starts with
 * ("cameras.update: patch.motion.sensitivity must be …" → "Must be …"). Null for other errors.
 */
export function fieldProblem(e: unknown): { field: string; text: string } | null {
  if (!(e instanceof ApiCallError) || !e.field) return null;
  const at = e.message.indexOf(e.field);
  const rest = at >= 0 ? e.message.slice(at + e.field.length).trim() : e.message;
  return { field: e.field, text: rest.charAt(0).toUpperCase() + rest.slice(1) };
}

/** The error under one field (nothing when it has none). */
export function FieldError({ text, testId }: { text: string | undefined; testId: string }) {
  return text ? (
    <span className="field-error" role="alert" data-testid={testId}>
      {text}
    </span>
  ) : null;
}
