// The renderer's one way to the main process: Electron's preload bridge when present, otherwise
// HTTP + WebSocket to `vigil serve`. Both speak the contract in main/api.
import type { ApiMethod, ApiParams, ApiReply, ApiResult, ApiStreams, ApiTopic, VigilBridge } from '../../main/api/contract';

export class ApiCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ApiClient {
  call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>>;
  subscribe<T extends ApiTopic>(topic: T, listener: (payload: ApiStreams[T]) => void): () => void;
}

function unwrap<M extends ApiMethod>(reply: ApiReply<M>): ApiResult<M> {
  if (reply.ok) return reply.result;
  throw new ApiCallError(reply.error.code, reply.error.message);
}

function bridgeClient(bridge: VigilBridge): ApiClient {
  return {
    call: async (method, params) => unwrap(await bridge.call(method, params)),
    subscribe: (topic, listener) => bridge.subscribe(topic, listener),
  };
}

function httpClient(base: string): ApiClient {
  type Listener = (payload: unknown) => void;
  const listeners = new Map<string, Set<Listener>>();
  let socket: WebSocket | null = null;
  let retry = 500;

  function connect(): void {
    const wsUrl = new URL('/api/v1/ws', base);
    wsUrl.protocol = wsUrl.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(wsUrl);
    socket = ws;
    ws.onopen = () => {
      retry = 500;
    };
    ws.onmessage = (e) => {
      const msg = JSON.parse(String(e.data)) as { type: string; topic?: string; payload?: unknown };
      if (msg.type === 'event' && msg.topic) for (const l of listeners.get(msg.topic) ?? []) l(msg.payload);
    };
    ws.onclose = () => {
      socket = null;
      if (listeners.size > 0) setTimeout(connect, (retry = Math.min(retry * 2, 10_000)));
    };
  }

  return {
    async call(method, params) {
      const path = `/api/v1/${method.split('.').join('/')}`;
      let res: Response;
      try {
        res = await fetch(new URL(path, base), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(params ?? {}),
          credentials: 'same-origin',
        });
      } catch {
        throw new ApiCallError('offline', 'cannot reach the Vigil node — is `vigil serve` still running?');
      }
      const reply = (await res.json()) as ApiReply<typeof method>;
      return unwrap(reply) as ApiResult<typeof method>;
    },
    subscribe(topic, listener) {
      let set = listeners.get(topic);
      if (!set) listeners.set(topic, (set = new Set()));
      set.add(listener as Listener);
      if (!socket) connect();
      return () => {
        set.delete(listener as Listener);
        if (set.size === 0) listeners.delete(topic);
      };
    },
  };
}

export function createApiClient(): ApiClient {
  const bridge = (window as unknown as { vigil?: VigilBridge }).vigil;
  return bridge ? bridgeClient(bridge) : httpClient(window.location.origin);
}
