import Database from 'better-sqlite3';
import { AppError, ERROR_CODES, type ErrorCode } from '../errors.ts';

export type Db = Database.Database;

export const DB_FILE = 'countersign.db';
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/**
 * Opens (creating if needed) the SQLite file with the pragmas every connection needs:
 * WAL so the app and the CLI can read while the other writes, foreign keys enforced,
 * a busy timeout so short write contention waits instead of failing, and synchronous=FULL
 * because a committed evidence record must survive a power cut, not just a crash.
 */
export function openDatabase(dbPath: string, busyTimeoutMs = DEFAULT_BUSY_TIMEOUT_MS): Db {
  let db: Db | undefined;
  try {
    db = new Database(dbPath, { timeout: busyTimeoutMs });
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    const mode = switchToWal(db, busyTimeoutMs);
    if (String(mode).toLowerCase() !== 'wal') {
      throw new AppError('IO', `${dbPath}: cannot switch the database to WAL mode (got '${mode}')`);
    }
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = FULL');
    return db;
  } catch (err) {
    try {
      db?.close();
    } catch {
      /* already failing */
    }
    throw toStoreError(err, dbPath);
  }
}

/**
 * The first switch of a brand-new file to WAL needs an exclusive lock, and SQLite can answer
 * SQLITE_BUSY at once (without its busy handler) while another process creates the same
 * database: retry for up to the busy timeout, as every other write waits.
 */
function switchToWal(db: Db, busyTimeoutMs: number): unknown {
  const deadline = Date.now() + busyTimeoutMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let wait = 5; ; wait = Math.min(wait * 2, 200)) {
    try {
      return db.pragma('journal_mode = WAL', { simple: true });
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (typeof code !== 'string' || !code.startsWith('SQLITE_BUSY') || Date.now() + wait > deadline) throw err;
      Atomics.wait(pause, 0, 0, wait);
    }
  }
}

/** Messages raised by our triggers start with an error code: 'CONFLICT: case ... is archived'. */
const TRIGGER_MESSAGE = /^([A-Z_]+): (.*)$/s;

/**
 * Turns anything a database or file operation throws into an AppError whose message names
 * the database (or file). SQLITE_BUSY_SNAPSHOT, SQLITE_FULL, SQLITE_IOERR_* ... are mapped
 * here because errors.ts only knows the plain codes.
 */
export function toStoreError(err: unknown, dbPath: string): AppError {
  if (err instanceof AppError) return err;
  const e = err as { code?: unknown; message?: unknown } | undefined;
  const code = typeof e?.code === 'string' ? e.code : '';
  const message = typeof e?.message === 'string' ? e.message : String(err);
  if (code.startsWith('SQLITE_')) {
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
      return new AppError(
        'BUSY',
        `the case database ${dbPath} is busy: another process (the desktop app or another countersign command) is writing to it; try again`,
      );
    }
    if (code === 'SQLITE_FULL') return new AppError('IO', `${dbPath}: the disk is full (database or disk size limit reached); nothing was written`);
    if (code.startsWith('SQLITE_READONLY')) return new AppError('IO', `${dbPath}: the database is read-only (${message})`);
    if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_PERM') || code.startsWith('SQLITE_IOERR') || code === 'SQLITE_AUTH') {
      return new AppError('IO', `${dbPath}: ${message}`);
    }
    if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
      return new AppError('INTEGRITY', `${dbPath}: the database file is damaged or not a Countersign database (${message})`);
    }
    if (code === 'SQLITE_CONSTRAINT_TRIGGER') {
      const m = TRIGGER_MESSAGE.exec(message);
      if (m && (ERROR_CODES as readonly string[]).includes(m[1] as string)) return new AppError(m[1] as ErrorCode, m[2] as string);
      return new AppError('CONFLICT', message);
    }
    if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return new AppError('CONFLICT', message);
    if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return new AppError('NOT_FOUND', `a referenced record does not exist (${message})`);
    if (code.startsWith('SQLITE_CONSTRAINT')) return new AppError('INVALID_ARGUMENT', message);
    return new AppError('INTERNAL', `${dbPath}: ${message}`);
  }
  if (['ENOSPC', 'EDQUOT', 'EFBIG'].includes(code)) return new AppError('IO', `${dbPath}: the disk is full (${message})`);
  if (['EACCES', 'EPERM', 'EROFS', 'ENOENT', 'EISDIR', 'ENOTDIR', 'ELOOP', 'EIO'].includes(code)) return new AppError('IO', message);
  return new AppError('INTERNAL', message);
}

/** Runs fn and rethrows any failure as an AppError naming the database. */
export function guarded<T>(dbPath: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw toStoreError(err, dbPath);
  }
}

export function nowIso(): string {
  return new Date().toISOString();
}
