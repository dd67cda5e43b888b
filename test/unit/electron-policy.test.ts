// The desktop shell's security settings, checked without the Electron binary (it cannot run here):
// main/electron/policy.ts is a plain module; the webContents and session below are stand-ins for
// Electron's objects at that boundary, recording what the policy installs.
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isOwnFrame } from '../../main/electron/ipc.js';
import { CSP, isAppUrl, resolveAppRequest, secureContents, secureSession, WEB_PREFERENCES, type PolicedContents } from '../../main/electron/policy.js';

type Listener = (event: { preventDefault(): void }, url: string) => void;

function standInContents() {
  const listeners = new Map<string, Listener[]>();
  let openHandler: ((d: { url: string }) => { action: string }) | null = null;
  const contents: PolicedContents = {
    setWindowOpenHandler: (h) => void (openHandler = h),
    on: ((event: string, l: Listener) => void listeners.set(event, [...(listeners.get(event) ?? []), l])) as PolicedContents['on'],
  };
  const fire = (event: string, url = '') => {
    let prevented = false;
    for (const l of listeners.get(event) ?? []) l({ preventDefault: () => void (prevented = true) }, url);
    return prevented;
  };
  return { contents, fire, open: (url: string) => openHandler?.({ url }).action };
}

describe('Electron shell policy', () => {
  it('isolates the page: context isolation, sandbox, no Node, no webview, web security on', () => {
    expect(WEB_PREFERENCES).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('blocks new windows, navigation and redirects away from the app, and webviews', () => {
    const c = standInContents();
    secureContents(c.contents);
    expect(c.open('https://evil.example/')).toBe('deny');
    expect(c.open('vigil://app/index.html')).toBe('deny');
    expect(c.fire('will-navigate', 'https://evil.example/')).toBe(true);
    expect(c.fire('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(c.fire('will-navigate', 'vigil://app.evil/index.html')).toBe(true);
    expect(c.fire('will-redirect', 'http://127.0.0.1:4780/')).toBe(true);
    expect(c.fire('will-navigate', 'vigil://app/index.html#/review')).toBe(false);
    expect(c.fire('will-attach-webview')).toBe(true);
  });

  it('refuses every permission request and check', () => {
    let request: ((c: unknown, p: string, cb: (g: boolean) => void) => void) | null = null;
    let check: ((c: unknown, p: string) => boolean) | null = null;
    let device: (() => boolean) | null = null;
    secureSession({
      setPermissionRequestHandler: (h) => void (request = h),
      setPermissionCheckHandler: (h) => void (check = h),
      setDevicePermissionHandler: (h) => void (device = h),
    });
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen']) {
      let granted: boolean | null = null;
      request!(null, p, (g) => (granted = g));
      expect(granted, p).toBe(false);
      expect(check!(null, p), p).toBe(false);
    }
    expect(device!()).toBe(false);
  });

  it('has a CSP without remote or inline scripts', () => {
    expect(CSP).toMatch(/default-src 'self'/);
    expect(CSP).toMatch(/script-src 'self';/);
    expect(CSP).toMatch(/object-src 'none'/);
    expect(CSP).toMatch(/frame-ancestors 'none'/);
    expect(CSP).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline|https?:|\*/);
  });

  it('answers vigil://app only with files of the built renderer and the media folders', () => {
    const root = mkdtempSync(join(tmpdir(), 'vigil-shell-'));
    const app = join(root, 'renderer');
    const record = join(root, 'record');
    mkdirSync(app);
    mkdirSync(join(record, 'snapshots'), { recursive: true });
    writeFileSync(join(app, 'index.html'), '<!doctype html>');
    writeFileSync(join(record, 'vigil.db'), 'db');
    writeFileSync(join(record, 'snapshots', 'a.jpg'), 'jpg');
    symlinkSync('/etc/passwd', join(record, 'snapshots', 'b.jpg'));
    expect(resolveAppRequest('vigil://app/index.html', app, record)).toEqual({ file: join(app, 'index.html') });
    expect(resolveAppRequest('vigil://app/media/snapshots/a.jpg', app, record)).toEqual({ file: join(record, 'snapshots', 'a.jpg') });
    expect(resolveAppRequest('vigil://app/media/snapshots/b.jpg', app, record)).toEqual({ status: 404 });
    expect(resolveAppRequest('vigil://app/media/snapshots%2F..%2Fvigil.db', app, record)).toEqual({ status: 404 });
    expect(resolveAppRequest('vigil://app/media/vigil.db', app, record)).toEqual({ status: 404 });
    expect(resolveAppRequest('vigil://app/media/snapshots/%E0%A4%A', app, record)).toEqual({ status: 400 });
    expect(resolveAppRequest('vigil://other/index.html', app, record)).toEqual({ status: 403 });
    // An unknown page is the app's own index (client-side routes), never a file outside.
    expect(resolveAppRequest('vigil://app/..%2F..%2Fetc%2Fpasswd', app, record)).toEqual({ file: join(app, 'index.html') });
  });

  it('takes IPC only from the app page itself, top level', () => {
    expect(isAppUrl('vigil://app/index.html')).toBe(true);
    expect(isAppUrl('vigil://app.evil/')).toBe(false);
    expect(isOwnFrame({ senderFrame: { parent: null, url: 'vigil://app/index.html' } } as never)).toBe(true);
    expect(isOwnFrame({ senderFrame: { parent: null, url: 'vigil://appx/index.html' } } as never)).toBe(false);
    expect(isOwnFrame({ senderFrame: { parent: {}, url: 'vigil://app/index.html' } } as never)).toBe(false);
  });

  it('is what the shell wires in: main.ts applies each part of the policy', () => {
    const shell = readFileSync(new URL('../../main/electron/main.ts', import.meta.url), 'utf8');
    expect(shell).toMatch(/webPreferences: \{ \.\.\.WEB_PREFERENCES,/);
    expect(shell).toMatch(/app\.on\('web-contents-created', \(_e, contents\) => secureContents\(contents\)\)/);
    expect(shell).toMatch(/secureSession\(session\.defaultSession\)/);
    expect(shell).toMatch(/resolveAppRequest\(request\.url/);
    expect(shell).toMatch(/headers\.set\('content-security-policy', CSP\)/);
    expect(shell).not.toMatch(/contextIsolation: false|sandbox: false|nodeIntegration: true/);
  });
});
