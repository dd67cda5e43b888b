// The thin Electron shell: a window, the app:// protocol, and IPC registration over the same
// services `vigil serve` runs. Nothing here does product work.
import { app, BrowserWindow, ipcMain, Menu, net, protocol, safeStorage, utilityProcess } from 'electron';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startAppNode, type AppNode } from '../core/app-node.js';
import { APP_ORIGIN, registerIpc } from './ipc.js';
import type { SecretCipher } from '../workspace/secrets.js';
import type { EngineLauncher } from '../engine/supervisor.js';
import type { FromEngine } from '../engine/protocol.js';
import { projectRoot } from '../paths.js';

const SCHEME = 'vigil';
const ORIGIN = APP_ORIGIN;
const CSP = "default-src 'self'; img-src 'self' data: blob: vigil:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'";

// Packaged: the addon and its libraries are unpacked beside the app (electron-builder extraResources).
if (app.isPackaged && !process.env.VIGIL_ADDON) process.env.VIGIL_ADDON = join(process.resourcesPath, 'native', 'vigil_engine.node');

protocol.registerSchemesAsPrivileged([{ scheme: SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

const utilityLauncher: EngineLauncher = (entry, env) => {
  const child = utilityProcess.fork(entry, [], { env, serviceName: 'Vigil engine', stdio: 'inherit' });
  return {
    get pid() {
      return child.pid;
    },
    send: (m) => child.postMessage(m),
    onMessage: (l) => child.on('message', (m: FromEngine) => l(m)),
    onExit: (l) => child.on('exit', (code) => l(code, null)),
    kill: () => void child.kill(),
  };
};

// Serves only two allow-listed folders: the built renderer, and recorded media under /media/.
function serveRenderer(mediaDir: string): void {
  const appDir = normalize(join(projectRoot(), 'dist', 'renderer'));
  protocol.handle(SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== 'app') return new Response('not found', { status: 404 });
    const isMedia = url.pathname.startsWith('/media/');
    const dir = isMedia ? normalize(mediaDir) : appDir;
    const rel = decodeURIComponent(isMedia ? url.pathname.slice('/media'.length) : url.pathname === '/' ? '/index.html' : url.pathname);
    if (isMedia && !rel.startsWith('/snapshots/') && !rel.startsWith('/segments/')) return new Response('forbidden', { status: 403 });
    const file = normalize(join(dir, rel));
    if (!file.startsWith(dir + sep)) return new Response('forbidden', { status: 403 });
    const res = await net.fetch(pathToFileURL(file).toString());
    const headers = new Headers(res.headers);
    headers.set('content-security-policy', CSP);
    return new Response(res.body, { status: res.status, headers });
  });
}

interface WindowState {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

function windowStateFile(): string {
  return join(app.getPath('userData'), 'window-state.json');
}

function loadWindowState(): WindowState {
  try {
    return { width: 1400, height: 900, maximized: false, ...(JSON.parse(readFileSync(windowStateFile(), 'utf8')) as Partial<WindowState>) };
  } catch {
    return { width: 1400, height: 900, maximized: false };
  }
}

function keepWindowState(win: BrowserWindow): void {
  const save = () => {
    const b = win.getNormalBounds();
    try {
      writeFileSync(windowStateFile(), JSON.stringify({ ...b, maximized: win.isMaximized() }));
    } catch {
      // the window still works; it just opens at the default size next time
    }
  };
  win.on('close', save);
}

function createWindow(): BrowserWindow {
  const state = loadWindowState();
  const win = new BrowserWindow({
    ...(state.x !== undefined && state.y !== undefined ? { x: state.x, y: state.y } : {}),
    width: state.width,
    height: state.height,
    title: 'Vigil',
    backgroundColor: '#111418',
    webPreferences: {
      preload: join(projectRoot(), 'dist', 'main', 'electron', 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    },
  });
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  win.webContents.on('will-navigate', (e, url) => {
    if (!url.startsWith(`${ORIGIN}/`)) e.preventDefault();
  });
  if (state.maximized) win.maximize();
  keepWindowState(win);
  void win.loadURL(`${ORIGIN}/index.html`);
  return win;
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let node: AppNode | null = null;
  app.on('second-instance', () => {
    const [win] = BrowserWindow.getAllWindows();
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });
  app.whenReady().then(async () => {
    Menu.setApplicationMenu(
      Menu.buildFromTemplate([{ role: 'fileMenu' }, { role: 'editMenu' }, { role: 'viewMenu' }, { role: 'windowMenu' }]),
    );
    const cipher: SecretCipher | undefined = safeStorage.isEncryptionAvailable()
      ? {
          kind: 'OS keyring (Electron safeStorage)',
          encrypt: (plain) => `safe:${safeStorage.encryptString(plain).toString('base64')}`,
          decrypt: (sealed) => safeStorage.decryptString(Buffer.from(sealed.replace(/^safe:/, ''), 'base64')),
        }
      : undefined;
    node = await startAppNode({ mode: 'desktop', launcher: utilityLauncher, userData: app.getPath('userData'), ...(cipher ? { cipher } : {}) });
    serveRenderer(node.mediaDir);
    registerIpc(ipcMain, node.services, () => BrowserWindow.getAllWindows());
    createWindow();
  });
  app.on('window-all-closed', () => {
    void node?.close().finally(() => app.quit());
  });
}
