// The desktop shell's security policy as a plain module: what a window may do, which permissions a
// page gets, which URLs it may navigate to, and which files the vigil:// protocol answers. It imports
// nothing from Electron at run time, so test/unit/electron-policy.test.ts checks it without the
// Electron binary; main.ts only wires it in.
import type { WebPreferences } from 'electron';
import { resolveMedia, resolveStatic, type Resolved } from '../core/contained-path.js';

export const SCHEME = 'vigil';
export const APP_ORIGIN = `${SCHEME}://app`;

/** The renderer's CSP: its own scripts and styles only; images from itself (snapshots under /media/). */
export const CSP =
  "default-src 'self'; script-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self' 'unsafe-inline'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-src 'none'; frame-ancestors 'none'";

/** Every window's webPreferences (the preload path is added by the shell). */
export const WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  navigateOnDragDrop: false,
  experimentalFeatures: false,
  enableBlinkFeatures: '',
  safeDialogs: true,
} as const satisfies WebPreferences;

/** A page of the app itself (top level), as opposed to anything on the web or the file system. */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${SCHEME}:` && u.host === 'app';
  } catch {
    return false;
  }
}

/** The parts of webContents the policy needs (Electron's own type satisfies this). */
export interface PolicedContents {
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' } | { action: 'allow' }): void;
  on(event: 'will-navigate' | 'will-redirect' | 'will-frame-navigate', listener: (event: { preventDefault(): void }, url: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): unknown;
}

/** No new windows, no navigation away from the app, no <webview>. */
export function secureContents(contents: PolicedContents): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  const stayInApp = (event: { preventDefault(): void }, url: string) => {
    if (!isAppUrl(url)) event.preventDefault();
  };
  contents.on('will-navigate', stayInApp);
  contents.on('will-redirect', stayInApp);
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/** The parts of a session the policy needs. */
export interface PolicedSession {
  setPermissionRequestHandler(handler: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
  setPermissionCheckHandler(handler: (contents: unknown, permission: string) => boolean): void;
  setDevicePermissionHandler?(handler: () => boolean): void;
}

/** The app needs no browser permission (camera, microphone, notifications, geolocation...): all refused. */
export function secureSession(session: PolicedSession): void {
  session.setPermissionRequestHandler((_c, _p, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler?.(() => false);
}

export type ProtocolAnswer = { file: string } | { status: 403 | 404 | 400 };

/** Which file a vigil://app/... request names: the built renderer, or recorded media under /media/. */
export function resolveAppRequest(url: string, appDir: string, recordDir: string): ProtocolAnswer {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { status: 400 };
  }
  if (u.protocol !== `${SCHEME}:` || u.host !== 'app') return { status: 403 };
  const found: Resolved = u.pathname.startsWith('/media/') ? resolveMedia(recordDir, u.pathname.slice('/media/'.length)) : resolveStatic(appDir, u.pathname);
  return found.ok ? { file: found.file } : { status: found.status };
}
