// The renderer's one way to the main process: Electron's preload bridge when present, otherwise
// HTTP + WebSocket to `vigil serve`. Both speak the contract in main/api.
import type {
  ApiMethod,
  ApiParams,
  ApiReply,
  ApiResult,
  ApiStreams,
  ApiTopic,
  PreviewFrameMessage,
  VigilBridge,
  WsClientMessage,
} from '../../main/api/contract';

export class ApiCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly field?: string,
    /** The technical detail behind the message, for a disclosure. */
    readonly detail?: string,
  ) {
    super(message);
  }
}

export type ConnectionState = 'connecting' | 'open' | 'reconnecting';

export interface ApiClient {
  call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>>;
  /** 'preview' needs a camera id; other topics ignore it. Returns an unsubscribe function. */
  subscribe<T extends ApiTopic>(topic: T, listener: (payload: ApiStreams[T]) => void, camera?: string): () => void;
  /** The push channel's state (the bridge is always 'open'). */
  onConnection(listener: (state: ConnectionState) => void): () => void;
  /** Desktop app only: a file dialog whose pick the API may open. Absent under `vigil serve`. */
  pickModelFile?: (kind: 'onnx' | 'nvinfer') => Promise<string | null>;
}

/** Turns any thrown value into words for the operator. */
export function errorText(e: unknown): string {
  if (e instanceof ApiCallError) return e.field ? `${e.message} (${e.field})` : e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}

function unwrap<M extends ApiMethod>(reply: ApiReply<M>): ApiResult<M> {
  if (reply.ok) return reply.result;
  throw new ApiCallError(reply.error.code, reply.error.message, reply.error.field, reply.error.detail);
}

function bridgeClient(bridge: VigilBridge): ApiClient {
  return {
    call: async (method, params) => unwrap(await bridge.call(method, params)),
    subscribe: (topic, listener, camera) => {
      // A bridge may deliver every camera's previews: keep only the one asked for.
      if (topic !== 'preview' || camera === undefined) return bridge.subscribe(topic, listener, camera);
      const only = (p: PreviewFrameMessage) => p.camera === camera && (listener as (p: PreviewFrameMessage) => void)(p);
      return bridge.subscribe('preview', only, camera);
    },
    onConnection: (listener) => {
      listener('open');
      return () => {};
    },
    pickModelFile: (kind) => bridge.pickModelFile(kind),
  };
}

/** Decodes a binary preview message: 4-byte LE header length, JSON header, JPEG bytes. */
export function decodePreview(data: ArrayBuffer): PreviewFrameMessage & { topic: string } {
  const view = new DataView(data);
  if (data.byteLength < 4) throw new Error('preview message shorter than its header length');
  const headerLength = view.getUint32(0, true);
  if (4 + headerLength > data.byteLength) throw new Error('preview header runs past the message');
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(data, 4, headerLength))) as Omit<PreviewFrameMessage, 'jpeg'> & { topic: string };
  return { ...header, jpeg: new Uint8Array(data, 4 + headerLength) };
}

type Listener = (payload: unknown) => void;

function httpClient(base: string): ApiClient {
  // key: topic, or 'preview:<camera>'
  const listeners = new Map<string, Set<Listener>>();
  const connectionListeners = new Set<(s: ConnectionState) => void>();
  let socket: WebSocket | null = null;
  let state: ConnectionState = 'connecting';
  let retry = 250;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;

  const setState = (s: ConnectionState) => {
    state = s;
    for (const l of connectionListeners) l(s);
  };
  const keyOf = (topic: string, camera?: string) => (topic === 'preview' ? `preview:${camera ?? ''}` : topic);
  const messageFor = (key: string, type: 'subscribe' | 'unsubscribe'): WsClientMessage => {
    if (key.startsWith('preview:')) return { type, topic: 'preview', camera: key.slice('preview:'.length) };
    return { type, topic: key as ApiTopic };
  };
  const send = (msg: WsClientMessage) => {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(msg));
  };
  const dispatch = (key: string, payload: unknown) => {
    const set = listeners.get(key);
    if (set) for (const l of set) l(payload);
  };

  function connect(): void {
    retryTimer = null;
    const wsUrl = new URL('/api/v1/ws', base);
    wsUrl.protocol = wsUrl.protocol === 'https:' ? 'wss:' : 'ws:';
    const opened = new WebSocket(wsUrl);
    opened.binaryType = 'arraybuffer';
    socket = opened;
    opened.onopen = () => {
      retry = 250;
      // A fresh socket knows nothing: subscribe again to everything still wanted.
      for (const key of listeners.keys()) send(messageFor(key, 'subscribe'));
      setState('open');
    };
    opened.onmessage = (e: MessageEvent) => {
      if (e.data instanceof ArrayBuffer) {
        let msg: ReturnType<typeof decodePreview>;
        try {
          msg = decodePreview(e.data);
        } catch {
          return; // a malformed frame is dropped; the next one will do
        }
        dispatch(keyOf('preview', msg.camera), msg);
        return;
      }
      let msg: { type: string; topic?: string; payload?: unknown };
      try {
        msg = JSON.parse(String(e.data)) as typeof msg;
      } catch {
        return;
      }
      if (msg.type !== 'event' || !msg.topic) return;
      if (msg.topic === 'preview') {
        const p = msg.payload as PreviewFrameMessage;
        dispatch(keyOf('preview', p.camera), p);
      } else dispatch(msg.topic, msg.payload);
    };
    opened.onclose = () => {
      if (socket === opened) socket = null;
      if (listeners.size > 0 || connectionListeners.size > 0) {
        setState('reconnecting');
        retryTimer = setTimeout(connect, retry);
        retry = Math.min(retry * 2, 5_000);
      }
    };
  }

  const ensureSocket = () => {
    if (!socket && !retryTimer) connect();
  };

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
      let reply: ApiReply<typeof method>;
      try {
        reply = (await res.json()) as ApiReply<typeof method>;
      } catch {
        throw new ApiCallError('internal', `the Vigil node answered ${method} with HTTP ${res.status} and no readable reply`);
      }
      return unwrap(reply) as ApiResult<typeof method>;
    },
    subscribe(topic, listener, camera) {
      const key = keyOf(topic, camera);
      let set = listeners.get(key);
      const first = !set;
      if (!set) listeners.set(key, (set = new Set()));
      set.add(listener as Listener);
      ensureSocket();
      if (first) send(messageFor(key, 'subscribe'));
      return () => {
        set.delete(listener as Listener);
        if (set.size === 0 && listeners.get(key) === set) {
          listeners.delete(key);
          send(messageFor(key, 'unsubscribe'));
        }
      };
    },
    onConnection(listener) {
      connectionListeners.add(listener);
      ensureSocket();
      listener(state);
      return () => connectionListeners.delete(listener);
    },
  };
}

/**
 * The address of recorded media (`/media/...`, as the API gives it: snapshots, video segments), the
 * one place such URLs are made: over HTTP it is the node's origin (the session cookie goes with it;
 * byte ranges answer 206), in the desktop app the app's protocol (app://app/media/...), which is the
 * page's own origin in both cases.
 */
export function mediaUrl(path: string): string {
  if (!path.startsWith('/media/')) throw new Error(`not a media path: '${path}' (the API gives /media/... paths)`);
  return new URL(path, window.location.href).toString();
}

export function createApiClient(): ApiClient {
  const bridge = (window as unknown as { vigil?: VigilBridge }).vigil;
  if (bridge) return bridgeClient(bridge);
  // The desktop app talks over IPC only: its page never falls back to a network API.
  if (window.location.protocol === 'vigil:') throw new Error('the desktop bridge is missing (preload script not loaded) — reinstall Vigil');
  return httpClient(window.location.origin);
}
