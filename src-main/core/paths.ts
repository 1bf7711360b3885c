import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const APP_NAME = 'Countersign';

/** Repository (or packaged app) root: the folder holding package.json and resources/. */
export const ROOT_DIR = findRoot(path.dirname(fileURLToPath(import.meta.url)));

function findRoot(start: string): string {
  let dir = start;
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'countersign') return dir;
    } catch {
      /* keep walking up */
    }
    const parent = path.dirname(dir);
    if (parent === dir) return start;
    dir = parent;
  }
}

/**
 * Shipped resources (base model, fonts, wasm binaries): COUNTERSIGN_RESOURCES, else the
 * packaged app's `<resourcesPath>/resources` (electron-builder extraResources), else the checkout's.
 */
export const RESOURCES_DIR: string = (() => {
  if (process.env.COUNTERSIGN_RESOURCES) return process.env.COUNTERSIGN_RESOURCES;
  const packaged = (process as { resourcesPath?: string }).resourcesPath;
  if (packaged && existsSync(path.join(packaged, 'resources'))) return path.join(packaged, 'resources');
  return path.join(ROOT_DIR, 'resources');
})();

export const APP_VERSION: string = (() => {
  try {
    return (JSON.parse(readFileSync(path.join(ROOT_DIR, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
})();

/**
 * The data directory shared by the desktop app and the CLI: `--data-dir`, else
 * COUNTERSIGN_HOME, else the platform's application-data folder (the same folder
 * Electron's app.getPath('userData') gives for productName "Countersign").
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.COUNTERSIGN_HOME) return path.resolve(env.COUNTERSIGN_HOME);
  const home = os.homedir();
  switch (process.platform) {
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', APP_NAME);
    case 'win32':
      return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), APP_NAME);
    default:
      return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), APP_NAME);
  }
}
