// The typed contract between the renderer and the main process. Types only: the renderer imports
// this file and nothing else from main/. Both transports (Electron IPC, HTTP + WebSocket) carry it.

export interface EngineInfo {
  engineVersion: string;
  gstreamerVersion: string;
  onnxRuntimeVersion: string;
  executionProviders: string[];
  /** Providers a session can actually use here (CUDA/TensorRT only when their libraries are found). */
  providers: string[];
  hardwareDecoders: string[];
  nvdec: boolean;
}

export type EngineState = 'starting' | 'running' | 'restarting' | 'failed' | 'stopped';

export interface EngineStatus {
  state: EngineState;
  /** Present once the engine process has loaded the native addon. */
  info: EngineInfo | null;
  /** What went wrong and what to do, when state is 'failed' or 'restarting'. */
  error: string | null;
  restarts: number;
  pid: number | null;
}

export interface SystemInfo {
  app: { name: 'Vigil'; version: string; mode: 'desktop' | 'serve' };
  engine: EngineStatus;
}

/** Request methods: name → params and result. */
export interface ApiRequests {
  'system.info': { params: Record<string, never>; result: SystemInfo };
}

/** Server-pushed streams: topic → payload. */
export interface ApiStreams {
  'engine.status': EngineStatus;
}

export type ApiMethod = keyof ApiRequests;
export type ApiParams<M extends ApiMethod> = ApiRequests[M]['params'];
export type ApiResult<M extends ApiMethod> = ApiRequests[M]['result'];
export type ApiTopic = keyof ApiStreams;

export interface ApiErrorBody {
  /** Stable machine-readable code, e.g. 'engine-unavailable', 'bad-request', 'unauthorized'. */
  code: string;
  /** Words an operator can act on. */
  message: string;
}

export type ApiReply<M extends ApiMethod> = { ok: true; result: ApiResult<M> } | { ok: false; error: ApiErrorBody };

/** The HTTP path of a method: 'system.info' → '/api/v1/system/info'. */
export type ApiPath = `/api/v1/${string}`;

/** The bridge the Electron preload script exposes as `window.vigil`. */
export interface VigilBridge {
  call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiReply<M>>;
  subscribe<T extends ApiTopic>(topic: T, listener: (payload: ApiStreams[T]) => void): () => void;
}
