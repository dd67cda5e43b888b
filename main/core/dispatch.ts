// One way to answer a call, shared by every transport (HTTP, WebSocket, Electron IPC).
import type { ApiMethod, ApiReply } from '../api/contract.js';
import { isApiMethod, toErrorBody, type Services } from './services.js';

export async function dispatch(services: Services, method: unknown, params: unknown, log?: (line: string) => void): Promise<ApiReply<ApiMethod>> {
  if (typeof method !== 'string' || !isApiMethod(services.handlers, method)) {
    return { ok: false, error: { code: 'not-found', message: `no API method '${String(method)}'` } };
  }
  if (params !== undefined && params !== null && (typeof params !== 'object' || Array.isArray(params))) {
    return { ok: false, error: { code: 'bad-request', message: `parameters of '${method}' must be an object` } };
  }
  try {
    const handler = services.handlers[method] as (p: unknown) => Promise<unknown>;
    return { ok: true, result: (await handler(params ?? {})) as never };
  } catch (e) {
    const error = toErrorBody(e);
    if (error.code === 'internal') log?.(`[api] ${method} failed: ${e instanceof Error ? e.stack : String(e)}`);
    return { ok: false, error };
  }
}
