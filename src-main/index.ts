/**
 * Electron main process: one window, hardened; passes the IPC contract's calls to the core host
 * (a utility process that owns the store, the jobs and the dispatcher: host/core-host.ts), so
 * SQLite and PDF work never block this thread. It keeps the window, the native dialogs and the
 * sender checks. Everything of substance lives in core/ (plain Node) and ipc/ (typed contract).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, Menu, dialog, ipcMain, protocol, session, shell, type MenuItemConstructorOptions } from 'electron';
import { defaultDataDir } from './core/paths.ts';
import type { Dialogs } from './ipc/handlers.ts';
import { IPC_EVENT, IPC_INVOKE } from './ipc/contract.ts';
import { OBJECT_SCHEME } from './ipc/object-requests.ts';
import { CoreHostClient } from './host/host-client.ts';
import { forkUtilityHost } from './host/utility-process.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const CSP = `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: ${OBJECT_SCHEME}:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

// Stored images and reports load from cs-object://<sha256> (ipc/object-requests.ts), never as
// base64 through IPC; the core host answers them (it owns the store and the display cache).
// Privileges must be declared before the app is ready: standard (parsed like http, so ?w= and
// ?page= are a query), secure, fetch-able, and CORS-enabled so that a crossOrigin image drawn
// on a canvas (the overlay) does not taint it.
protocol.registerSchemesAsPrivileged([{ scheme: OBJECT_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } }]);

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
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        { role: 'toggleDevTools' },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
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
    protocol.handle(OBJECT_SCHEME, async (request) => {
      const answer = await host.fetchObject({ url: request.url, method: request.method, ifNoneMatch: request.headers.get('if-none-match') });
      // The page (file://, origin "null") reads overlay pixels from these images: allow it.
      const headers = { ...answer.headers, 'access-control-allow-origin': '*' };
      return new Response(answer.status === 304 || answer.body.length === 0 ? null : new Uint8Array(answer.body), { status: answer.status, headers });
    });
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
