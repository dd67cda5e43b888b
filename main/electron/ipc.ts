// IPC registration: the Electron transport of the API. Calls from any frame but the app's own
// top-level page are refused.
import type { BrowserWindow, IpcMain, IpcMainInvokeEvent } from 'electron';
import { dispatch } from '../core/dispatch.js';
import type { Services } from '../core/services.js';

export const APP_ORIGIN = 'vigil://app';

export function isOwnFrame(event: Pick<IpcMainInvokeEvent, 'senderFrame'>): boolean {
  const frame = event.senderFrame;
  return !!frame && frame.parent === null && frame.url.startsWith(`${APP_ORIGIN}/`);
}

export function registerIpc(ipcMain: Pick<IpcMain, 'handle'>, services: Services, windows: () => Pick<BrowserWindow, 'webContents'>[]): () => void {
  ipcMain.handle('vigil:call', async (event, method: unknown, params: unknown) => {
    if (!isOwnFrame(event)) return { ok: false, error: { code: 'unauthorized', message: 'IPC from a foreign frame is refused' } };
    return dispatch(services, method, params);
  });
  return services.subscribe((topic, payload) => {
    for (const w of windows()) w.webContents.send('vigil:event', topic, payload);
  });
}
