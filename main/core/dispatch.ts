// One way to answer a call, shared by every transport (HTTP, WebSocket, Electron IPC): the method is
// looked up, its parameters are checked against the method's schema (main/api/params-schema.ts),
// and any error becomes a reply with a code — nothing a caller sends can throw out of here.
import type { ApiMethod, ApiReply } from '../api/contract.js';
import { PARAMS } from '../api/params-schema.js';
import { SchemaError, shown } from '../api/schema.js';
import { isApiMethod, toErrorBody, type Services } from './services.js';

export async function dispatch(services: Services, method: unknown, params: unknown, log?: (line: string) => void): Promise<ApiReply<ApiMethod>> {
  if (typeof method !== 'string' || !isApiMethod(services.handlers, method)) {
    return { ok: false, error: { code: 'not-found', message: `no API method ${shown(method)}` } };
  }
  let checked: unknown;
  try {
    checked = PARAMS[method].parse(params ?? {}, '');
  } catch (e) {
    if (e instanceof SchemaError) return { ok: false, error: { code: 'invalid', message: `${method}: ${e.message}`, field: e.field } };
    return { ok: false, error: { code: 'bad-request', message: `parameters of '${method}' could not be read` } };
  }
  try {
    const handler = services.handlers[method] as (p: unknown) => Promise<unknown>;
    return { ok: true, result: (await handler(checked)) as never };
  } catch (e) {
    const error = toErrorBody(e);
    if (error.code === 'internal') log?.(`[api] ${method} failed: ${e instanceof Error ? e.stack : String(e)}`);
    return { ok: false, error };
  }
}
