// IPC registration: the Electron transport of the API. Calls from any frame but the app's own
// top-level page are refused; previews go only to windows that asked for that camera.
import type { BrowserWindow, IpcMain, IpcMainEvent, IpcMainInvokeEvent } from 'electron';
import type { PreviewFrameMessage } from '../api/contract.js';
import { dispatch } from '../core/dispatch.js';
import type { Services } from '../core/services.js';

import { isAppUrl } from './policy.js';

export { APP_ORIGIN } from './policy.js';

export function isOwnFrame(event: Pick<IpcMainInvokeEvent, 'senderFrame'>): boolean {
  const frame = event.senderFrame;
  return !!frame && frame.parent === null && isAppUrl(frame.url);
}

type Window = Pick<BrowserWindow, 'webContents'>;

export function registerIpc(
  ipcMain: Pick<IpcMain, 'handle' | 'on'>,
  services: Services,
  windows: () => Window[],
  pickModelFile?: (kind: 'onnx' | 'nvinfer') => Promise<string | null>,
): () => void {
  const previewCameras = new Map<number, Set<string>>();
  ipcMain.handle('vigil:call', async (event, method: unknown, params: unknown) => {
    if (!isOwnFrame(event)) return { ok: false, error: { code: 'unauthorized', message: 'IPC from a foreign frame is refused' } };
    return dispatch(services, method, params);
  });
  if (pickModelFile) {
    ipcMain.handle('vigil:pick-model-file', async (event, kind: unknown) =>
      isOwnFrame(event) ? pickModelFile(kind === 'nvinfer' ? 'nvinfer' : 'onnx') : null,
    );
  }
  ipcMain.on('vigil:preview', (event: IpcMainEvent, camera: unknown, on: unknown) => {
    if (!isOwnFrame(event) || typeof camera !== 'string') return;
    const id = event.sender.id;
    let set = previewCameras.get(id);
    if (!set) previewCameras.set(id, (set = new Set()));
    if (on) set.add(camera);
    else set.delete(camera);
  });
  return services.subscribe((topic, payload) => {
    for (const w of windows()) {
      if (topic === 'preview' && !previewCameras.get(w.webContents.id)?.has((payload as PreviewFrameMessage).camera)) continue;
      w.webContents.send('vigil:event', topic, payload);
    }
  });
}
