// The handlers behind every API method. Both transports (Electron IPC and HTTP + WebSocket) call
// these same functions, so the desktop app and `vigil serve` behave identically.
import type { ApiErrorBody, ApiMethod, ApiParams, ApiResult, ApiStreams, ApiTopic } from '../api/contract.js';
import { EngineSupervisor, EngineUnavailableError } from '../engine/supervisor.js';
import { appVersion } from '../paths.js';

export type Handlers = { [M in ApiMethod]: (params: ApiParams<M>) => Promise<ApiResult<M>> };

/** An error whose message is meant for the operator, with a stable code for the client. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function toErrorBody(e: unknown): ApiErrorBody {
  if (e instanceof ApiError) return { code: e.code, message: e.message };
  if (e instanceof EngineUnavailableError) return { code: e.code, message: e.message };
  // Unexpected: keep the first line only; the stack stays in the server log.
  const message = e instanceof Error ? e.message.split('\n')[0] ?? 'internal error' : String(e);
  return { code: 'internal', message };
}

export type StreamListener = <T extends ApiTopic>(topic: T, payload: ApiStreams[T]) => void;

export interface Services {
  handlers: Handlers;
  /** Subscribe to every stream; returns an unsubscribe function. */
  subscribe(listener: StreamListener): () => void;
  close(): Promise<void>;
}

export interface ServicesOptions {
  mode: 'desktop' | 'serve';
  supervisor: EngineSupervisor;
}

export function createServices({ mode, supervisor }: ServicesOptions): Services {
  const listeners = new Set<StreamListener>();
  const onStatus = (s: ApiStreams['engine.status']) => {
    for (const l of listeners) l('engine.status', s);
  };
  supervisor.on('status', onStatus);

  const notYet = (what: string) => async (): Promise<never> => {
    throw new ApiError('unavailable', `${what} is not available in this build yet`);
  };
  const handlers: Handlers = {
    'system.info': async () => ({
      app: { name: 'Vigil', version: appVersion(), mode },
      engine: supervisor.status(),
    }),
    'system.status': notYet('system status'),
    'workspace.get': notYet('the workspace'),
    'cameras.add': notYet('adding cameras'),
    'cameras.update': notYet('editing cameras'),
    'cameras.remove': notYet('removing cameras'),
    'cameras.test': notYet('testing a camera'),
    'settings.update': notYet('settings'),
    'models.list': notYet('the model list'),
    'timeline.buckets': notYet('the timeline'),
    'tracks.search': notYet('track search'),
    'tracks.get': notYet('track details'),
    'events.around': notYet('events'),
    'engine.restart': notYet('restarting the engine'),
  };

  return {
    handlers,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      supervisor.off('status', onStatus);
      listeners.clear();
    },
  };
}

export function isApiMethod(handlers: Handlers, name: string): name is ApiMethod {
  return Object.prototype.hasOwnProperty.call(handlers, name);
}
