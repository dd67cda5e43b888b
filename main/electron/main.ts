// The thin Electron shell: a window, the app:// protocol, and IPC registration over the same
// services `vigil serve` runs. Nothing here does product work.
import { app, BrowserWindow, dialog, ipcMain, Menu, net, protocol, safeStorage, session, utilityProcess } from 'electron';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startAppNode, type AppNode } from '../core/app-node.js';
import { registerIpc } from './ipc.js';
import { APP_ORIGIN, CSP, resolveAppRequest, SCHEME, secureContents, secureSession, WEB_PREFERENCES } from './policy.js';
import type { SecretCipher } from '../workspace/secrets.js';
import type { EngineLauncher } from '../engine/supervisor.js';
import type { FromEngine } from '../engine/protocol.js';
import { projectRoot, restrictUmask } from '../paths.js';

// Packaged: the addon and its libraries are unpacked beside the app (electron-builder extraResources).
if (app.isPackaged && !process.env.VIGIL_ADDON) process.env.VIGIL_ADDON = join(process.resourcesPath, 'native', 'vigil_engine.node');

protocol.registerSchemesAsPrivileged([{ scheme: SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } }]);

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

// Serves only the built renderer and recorded media (policy.ts decides which file a URL names).
function serveRenderer(mediaDir: string): void {
  const appDir = join(projectRoot(), 'dist', 'renderer');
  protocol.handle(SCHEME, async (request) => {
    const answer = resolveAppRequest(request.url, appDir, mediaDir);
    if ('status' in answer) return new Response(null, { status: answer.status });
    // Video seeks ask for byte ranges: Chromium's file loader answers a forwarded Range with 206.
    const range = request.headers.get('range');
    const res = await net.fetch(pathToFileURL(answer.file).toString(), range ? { headers: { range } } : {});
    const headers = new Headers(res.headers);
    headers.set('content-security-policy', CSP);
    headers.set('x-content-type-options', 'nosniff');
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
    webPreferences: { ...WEB_PREFERENCES, preload: join(projectRoot(), 'dist', 'main', 'electron', 'preload.cjs') },
  });
  if (state.maximized) win.maximize();
  keepWindowState(win);
  void win.loadURL(`${APP_ORIGIN}/index.html`);
  return win;
}

restrictUmask();
// Every web contents (windows, and anything a page might try to open) gets the same policy.
app.on('web-contents-created', (_e, contents) => secureContents(contents));

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
    Menu.setApplicationMenu(Menu.buildFromTemplate([{ role: 'fileMenu' }, { role: 'editMenu' }, { role: 'viewMenu' }, { role: 'windowMenu' }]));
    const cipher: SecretCipher | undefined = safeStorage.isEncryptionAvailable()
      ? {
          kind: 'OS keyring (Electron safeStorage)',
          encrypt: (plain) => `safe:${safeStorage.encryptString(plain).toString('base64')}`,
          decrypt: (sealed) => safeStorage.decryptString(Buffer.from(sealed.replace(/^safe:/, ''), 'base64')),
        }
      : undefined;
    node = await startAppNode({ mode: 'desktop', launcher: utilityLauncher, userData: app.getPath('userData'), ...(cipher ? { cipher } : {}) });
    secureSession(session.defaultSession);
    serveRenderer(node.mediaDir);
    const modelFiles = node.modelFiles;
    // Model files the API may open in the desktop app: those the operator picks in this dialog.
    const pickModelFile = async (kind: 'onnx' | 'nvinfer'): Promise<string | null> => {
      const win = BrowserWindow.getFocusedWindow();
      const options = {
        properties: ['openFile' as const],
        filters: kind === 'onnx' ? [{ name: 'ONNX model', extensions: ['onnx'] }] : [{ name: 'nvinfer config', extensions: ['txt', 'yml', 'yaml'] }],
      };
      const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
      const path = r.canceled ? undefined : r.filePaths[0];
      if (!path) return null;
      modelFiles.pick(path);
      return path;
    };
    registerIpc(ipcMain, node.services, () => BrowserWindow.getAllWindows(), pickModelFile);
    createWindow();
  });
  app.on('window-all-closed', () => {
    void node?.close().finally(() => app.quit());
  });
}
