// Preload bridge: exposes exactly the typed API as window.vigil; the page gets no Node access.
import { contextBridge, ipcRenderer } from 'electron';
import type { ApiMethod, ApiParams, ApiReply, ApiStreams, ApiTopic, VigilBridge } from '../api/contract.js';

const bridge: VigilBridge = {
  call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiReply<M>> {
    return ipcRenderer.invoke('vigil:call', method, params) as Promise<ApiReply<M>>;
  },
  subscribe<T extends ApiTopic>(topic: T, listener: (payload: ApiStreams[T]) => void): () => void {
    const handler = (_e: unknown, t: string, payload: unknown) => {
      if (t === topic) listener(payload as ApiStreams[T]);
    };
    ipcRenderer.on('vigil:event', handler);
    return () => ipcRenderer.removeListener('vigil:event', handler);
  },
};

contextBridge.exposeInMainWorld('vigil', bridge);
