import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '../errors.ts';
import { APP_VERSION } from '../paths.ts';
import { AuditLog, missingAppendOnlyTriggers, restoreAppendOnlyTriggers } from './audit.ts';
import { CaseRepository } from './cases.ts';
import { DocumentRepository } from './documents.ts';
import { DB_FILE, DEFAULT_BUSY_TIMEOUT_MS, guarded, openDatabase, type Db } from './database.ts';
import { migrate, schemaVersion, type MigrationResult } from './migrate.ts';
import { ioError, ObjectStore } from './objects.ts';
import type { Client } from './types.ts';

export const OBJECTS_DIR = 'objects';

export interface StoreOptions {
  /** Recorded in every audit row's actor. Default: 'app' inside Electron, else 'cli'. */
  client?: Client;
  /** How long a write waits for another process's write to finish before failing with BUSY. */
  busyTimeoutMs?: number;
}

/**
 * One data directory: the SQLite database, the object store beside it, the audit log and
 * the repositories. Later modules add repositories over `db` and write through `write()`.
 */
export interface Store {
  readonly dataDir: string;
  readonly dbPath: string;
  readonly client: Client;
  /** `user@host (client)`: who every audit row of this store says acted. */
  readonly actor: string;
  /** The connection, for repositories in other modules. Write only inside `write()`. */
  readonly db: Db;
  readonly objects: ObjectStore;
  readonly audit: AuditLog;
  readonly cases: CaseRepository;
  /** Subjects, documents and signatures (written by the import job and the crop editor). */
  readonly documents: DocumentRepository;
  /** What opening the store did to the schema. */
  readonly migration: MigrationResult;
  schemaVersion(): number;
  /**
   * Runs fn in one IMMEDIATE transaction (the write lock is taken up front, so two
   * processes never interleave and the audit chain head is read under the lock). fn must be
   * synchronous. A nested call is a savepoint inside the outer transaction. Errors come out
   * as AppError.
   */
  write<T>(fn: () => T): T;
  /** PRAGMA integrity_check and foreign_key_check; problems listed, empty when ok. */
  integrityCheck(): { ok: boolean; problems: string[] };
  close(): void;
}

export function defaultClient(): Client {
  return process.versions.electron ? 'app' : 'cli';
}

export function makeActor(client: Client): string {
  let user: string;
  try {
    user = os.userInfo().username;
  } catch {
    user = process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
  return `${user}@${os.hostname()} (${client})`;
}

/** Creates the data directory if needed and checks it can be written, naming it if not. */
function prepareDataDir(dataDir: string): void {
  try {
    fs.mkdirSync(dataDir, { recursive: true });
  } catch (err) {
    throw new AppError('IO', `data directory ${dataDir}: cannot create it (${ioError(err, dataDir).message})`);
  }
  let st: fs.Stats;
  try {
    st = fs.statSync(dataDir);
    fs.accessSync(dataDir, fs.constants.R_OK | fs.constants.W_OK | fs.constants.X_OK);
  } catch (err) {
    throw new AppError('IO', `data directory ${dataDir} is not writable (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  if (!st.isDirectory()) throw new AppError('IO', `data directory ${dataDir} is not a directory`);
}

/**
 * Opens the data directory: creates it if needed, opens the database (WAL, foreign keys,
 * busy timeout), applies pending migrations in one transaction (refusing a newer schema),
 * opens the object store and removes temp files left by crashed processes.
 */
export function openStore(dataDir: string, opts: StoreOptions = {}): Store {
  const dir = path.resolve(dataDir);
  const dbPath = path.join(dir, DB_FILE);
  const client = opts.client ?? defaultClient();
  const actor = makeActor(client);
  prepareDataDir(dir);

  const db = openDatabase(dbPath, opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS);
  // Nested calls become savepoints: a failure inside rolls back only its own part.
  const write = <T>(fn: () => T): T => guarded(dbPath, () => db.transaction(fn).immediate());
  try {
    const migration = guarded(dbPath, () =>
      migrate(db, dbPath, {
        inTransaction: (r) =>
          new AuditLog(db, actor, write, dbPath).append({
            action: r.from === 0 ? 'store.create' : 'store.migrate',
            details: { fromSchema: r.from, toSchema: r.to, migrations: r.applied, appVersion: APP_VERSION },
          }),
      }),
    );
    const audit = new AuditLog(db, actor, write, dbPath);
    if (guarded(dbPath, () => missingAppendOnlyTriggers(db)).length) {
      write(() => {
        const recreated = restoreAppendOnlyTriggers(db);
        if (recreated.length) audit.append({ action: 'store.protect', details: { missingTriggers: recreated } });
      });
    }
    const objects = new ObjectStore(path.join(dir, OBJECTS_DIR));
    const cases = new CaseRepository(db, dbPath, audit, write);
    const documents = new DocumentRepository(db, dbPath, write);
    let closed = false;
    return {
      dataDir: dir,
      dbPath,
      client,
      actor,
      db,
      objects,
      audit,
      cases,
      documents,
      migration,
      schemaVersion: () => guarded(dbPath, () => schemaVersion(db)),
      write,
      integrityCheck() {
        return guarded(dbPath, () => {
          const rows = db.pragma('integrity_check') as { integrity_check: string }[];
          const problems = rows.map((r) => r.integrity_check).filter((m) => m !== 'ok');
          const fk = db.pragma('foreign_key_check') as { table: string; rowid: number; parent: string }[];
          for (const v of fk) problems.push(`${v.table} row ${v.rowid}: missing ${v.parent} row`);
          return { ok: problems.length === 0, problems };
        });
      },
      close() {
        if (closed) return;
        closed = true;
        db.close();
      },
    };
  } catch (err) {
    db.close();
    throw err;
  }
}
