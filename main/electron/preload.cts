// Preload bridge: exposes exactly the typed API as window.vigil; the page gets no Node access.
import { contextBridge, ipcRenderer } from 'electron';
import type { ApiMethod, ApiParams, ApiReply, ApiStreams, ApiTopic, PreviewFrameMessage, VigilBridge } from '../api/contract.js';

const bridge: VigilBridge = {
  call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiReply<M>> {
    return ipcRenderer.invoke('vigil:call', method, params) as Promise<ApiReply<M>>;
  },
  subscribe<T extends ApiTopic>(topic: T, listener: (payload: ApiStreams[T]) => void, camera?: string): () => void {
    const handler = (_e: unknown, t: string, payload: unknown) => {
      if (t !== topic) return;
      if (topic === 'preview' && (payload as PreviewFrameMessage).camera !== camera) return;
      listener(payload as ApiStreams[T]);
    };
    ipcRenderer.on('vigil:event', handler);
    if (topic === 'preview' && camera) ipcRenderer.send('vigil:preview', camera, true);
    return () => {
      ipcRenderer.removeListener('vigil:event', handler);
      if (topic === 'preview' && camera) ipcRenderer.send('vigil:preview', camera, false);
    };
  },
  pickModelFile(kind: 'onnx' | 'nvinfer'): Promise<string | null> {
    return ipcRenderer.invoke('vigil:pick-model-file', kind) as Promise<string | null>;
  },
};

contextBridge.exposeInMainWorld('vigil', bridge);
