/**
 * Evidence is readable by its owner only: the data directory and everything Countersign makes
 * in it are created owner-only (directories 0700, files 0600, objects 0400), and a data
 * directory or database found looser (made by an older version) is tightened when the store
 * opens. `doctor` reports what it finds. On Windows, modes mean little; the user's profile
 * folder is private there by default.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DB_FILE } from './database.ts';
import { INSTALLATION_KEY_FILE } from './installation-key.ts';

export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;
export const OBJECT_MODE = 0o400;

const POSIX = process.platform !== 'win32';

function ownedByUs(st: fs.Stats): boolean {
  return !POSIX || typeof process.getuid !== 'function' || st.uid === process.getuid();
}

/** Removes group and other access from a path we own; a path owned by someone else is left alone. */
export function tighten(file: string, mode: number): void {
  if (!POSIX) return;
  try {
    const st = fs.statSync(file);
    if ((st.mode & 0o077) !== 0 && ownedByUs(st)) fs.chmodSync(file, mode);
  } catch {
    /* missing: nothing to tighten */
  }
}

/** The data directory, its database and its journal files, owner-only (see the file comment). */
export function secureDataDir(dir: string): void {
  tighten(dir, DIR_MODE);
  const db = path.join(dir, DB_FILE);
  if (!fs.existsSync(db)) {
    try {
      // Created empty and owner-only: SQLite gives its -wal and -shm files the same mode.
      fs.closeSync(fs.openSync(db, 'wx', FILE_MODE));
    } catch {
      /* made meanwhile by another process, or unwritable: opening it says so */
    }
  }
  for (const f of [db, `${db}-wal`, `${db}-shm`, `${db}-journal`]) tighten(f, FILE_MODE);
  for (const d of ['objects', 'models']) tighten(path.join(dir, d), DIR_MODE);
  tighten(path.join(dir, 'settings.json'), FILE_MODE);
}

export interface PermissionReport {
  /** Whether everything that exists is owner-only. */
  ownerOnly: boolean;
  entries: { path: string; mode: string; ownerOnly: boolean }[];
  /** One line per path others can read, with what to do. */
  problems: string[];
}

/** What `doctor` shows: the mode of the data directory and of what Countersign keeps in it. */
export function checkPermissions(dir: string): PermissionReport {
  const names = ['.', DB_FILE, `${DB_FILE}-wal`, `${DB_FILE}-shm`, INSTALLATION_KEY_FILE, 'objects', 'models', 'settings.json', 'vector-index.db'];
  const entries: PermissionReport['entries'] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    let st: fs.Stats;
    try {
      st = fs.statSync(file);
    } catch {
      continue;
    }
    const ownerOnly = !POSIX || (st.mode & 0o077) === 0;
    entries.push({ path: file, mode: (st.mode & 0o777).toString(8).padStart(4, '0'), ownerOnly });
  }
  const problems = entries
    .filter((e) => !e.ownerOnly)
    .map(
      (e) =>
        `${e.path} is ${e.mode}: other users on this machine can read it; run \`chmod go-rwx ${e.path}\` (Countersign tightens what it owns when it opens the store)`,
    );
  return { ownerOnly: problems.length === 0, entries, problems };
}
