/**
 * Electron main process: one window, hardened; passes the IPC contract's calls to the core host
 * (a utility process that owns the store, the jobs and the dispatcher: host/core-host.ts), so
 * SQLite and PDF work never block this thread. It keeps the window, the native dialogs and the
 * sender checks. Everything of substance lives in core/ (plain Node) and ipc/ (typed contract).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, Menu, dialog, ipcMain, session, shell, type MenuItemConstructorOptions } from 'electron';
import { defaultDataDir } from './core/paths.ts';
import type { Dialogs } from './ipc/handlers.ts';
import { IPC_EVENT, IPC_INVOKE } from './ipc/contract.ts';
import { CoreHostClient } from './host/host-client.ts';
import { forkUtilityHost } from './host/utility-process.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  const dataDir = defaultDataDir();
  app.setPath('userData', dataDir);
  let win: BrowserWindow | null = null;
  const dialogs: Dialogs = {
    async chooseFolder(title) {
      if (!win) return null;
      const r = await dialog.showOpenDialog(win, { title, properties: ['openDirectory'] });
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
    async chooseSavePath(title, defaultName) {
      if (!win) return null;
      const r = await dialog.showSaveDialog(win, { title, defaultPath: defaultName, filters: [{ name: 'PDF', extensions: ['pdf'] }] });
      return r.canceled ? null : (r.filePath ?? null);
    },
  };
  // The store, the jobs and the dispatcher live in the core host; a crashed host is restarted
  // (host/host-client.ts says how often, and what pending calls and running jobs get).
  const host = new CoreHostClient({
    spawn: () => forkUtilityHost(path.join(here, 'core-host.js'), dataDir),
    dialogs,
    onEvent: (name, payload) => win?.webContents.send(IPC_EVENT, name, payload),
  });

  ipcMain.handle(IPC_INVOKE, (event, name: unknown, args: unknown) => {
    // Only our own window's main frame may call the core.
    if (!win || event.sender !== win.webContents || event.senderFrame !== win.webContents.mainFrame) {
      return { ok: false, error: { code: 'INVALID_ARGUMENT', message: 'caller is not the Countersign window' } };
    }
    return host.invoke(String(name), args);
  });

  const createWindow = () => {
    win = new BrowserWindow({
      width: 1400,
      height: 900,
      minWidth: 960,
      minHeight: 640,
      title: 'Countersign',
      show: false,
      webPreferences: {
        preload: path.join(here, '../preload/preload.cjs'),
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        webSecurity: true,
        spellcheck: false,
      },
    });
    win.once('ready-to-show', () => win?.show());
    win.webContents.setWindowOpenHandler(({ url }) => {
      if (url.startsWith('https://')) void shell.openExternal(url);
      return { action: 'deny' };
    });
    win.webContents.on('will-navigate', (e) => e.preventDefault());
    win.on('closed', () => (win = null));
    const devUrl = process.env.ELECTRON_RENDERER_URL;
    if (devUrl) void win.loadURL(devUrl);
    else void win.loadFile(path.join(here, '../renderer/index.html'));
  };

  const menu: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    { role: 'fileMenu' },
    { role: 'editMenu' },
    { label: 'View', submenu: [{ role: 'reload' }, { role: 'toggleDevTools' }, { type: 'separator' }, { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' }] },
    { role: 'windowMenu' },
  ];

  app.on('second-instance', () => {
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-attach-webview', (e) => e.preventDefault());
  });
  void app.whenReady().then(() => {
    // utilityProcess.fork works only once the app is ready; calls made before then wait for the host.
    host.start().catch((err: unknown) => dialog.showErrorBox('Countersign cannot open its data', err instanceof Error ? err.message : String(err)));
    session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
    });
    session.defaultSession.setPermissionRequestHandler((_wc, _perm, cb) => cb(false));
    Menu.setApplicationMenu(Menu.buildFromTemplate(menu));
    createWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createWindow();
    });
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') void host.stop().finally(() => app.quit());
  });
  app.on('will-quit', () => void host.stop());
}
