import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '../errors.ts';
import { APP_VERSION } from '../paths.ts';
import { AuditLog } from './audit.ts';
import { hasSignatureTable, HeadSigner, signingKeys } from './audit-signatures.ts';
import { fingerprintOf, loadOrCreateInstallationKey, type InstallationKey } from './installation-key.ts';
import { BINDINGS_SINCE_SCHEMA, boundTablesAt, RowBinder } from './row-bindings.ts';
import { DIR_MODE, secureDataDir } from './permissions.ts';
import { assertKnownSchema, restoreMissingObjects, schemaDifference } from './schema.ts';
import { CaseRepository } from './cases.ts';
import { DocumentRepository } from './documents.ts';
import { DB_FILE, DEFAULT_BUSY_TIMEOUT_MS, guarded, openDatabase, type Db } from './database.ts';
import { assertSupportedVersion, migrate, schemaVersion, type MigrationResult } from './migrate.ts';
import { ioError, ObjectStore } from './objects.ts';
import type { Client } from './types.ts';

export const OBJECTS_DIR = 'objects';

export interface StoreOptions {
  /** Recorded in every audit row's actor. Default: 'app' inside Electron, else 'cli'. */
  client?: Client;
  /** How long a write waits for another process's write to finish before failing with BUSY. */
  busyTimeoutMs?: number;
  /**
   * Leave keys that signed the chain unadopted at open: restoreBackup adopts them in its own
   * `backup.restore` row instead of a separate `store.key` row.
   */
  deferKeyAdoption?: boolean;
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
  /** The installation key that signs this store's audit head (public half shown in doctor and reports). */
  readonly installationKey: { publicKey: string; fingerprint: string };
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

/** Creates the data directory (owner-only) if needed and checks it can be written, naming it if not. */
function prepareDataDir(dataDir: string): void {
  try {
    fs.mkdirSync(dataDir, { recursive: true, mode: DIR_MODE });
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
  secureDataDir(dataDir);
}

/** The migration that introduced row hashes records from which id on every row must have one. */
function bindingsFrom(db: Db): Record<string, number> {
  const from: Record<string, number> = {};
  for (const t of boundTablesAt(schemaVersion(db))) {
    if (t !== 'models') from[t] = ((db.prepare(`SELECT max(id) FROM ${t}`).pluck().get() as number | null) ?? 0) + 1;
  }
  return from;
}

/**
 * Opens the data directory: creates it if needed, opens the database (WAL, foreign keys,
 * busy timeout), refuses a schema the migrations did not make, applies pending migrations in
 * one transaction (refusing a newer schema), re-creates protective triggers someone dropped,
 * and opens the object store, removing temp files left by crashed processes. Every write
 * then checks that the audit head is signed, records the content hash of the rows it
 * changed, and signs the new head with the installation key (docs/security.md).
 */
export function openStore(dataDir: string, opts: StoreOptions = {}): Store {
  const dir = path.resolve(dataDir);
  const dbPath = path.join(dir, DB_FILE);
  const client = opts.client ?? defaultClient();
  const actor = makeActor(client);
  prepareDataDir(dir);
  const key = loadOrCreateInstallationKey(dir);

  const db = openDatabase(dbPath, opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS);
  const binder = new RowBinder(db);
  let signer: HeadSigner | undefined;
  let audit: AuditLog;
  // Nested calls become savepoints: a failure inside rolls back only its own part. The
  // outermost call checks the head it starts from, binds what changed and signs the end.
  const write = <T>(fn: () => T): T =>
    guarded(dbPath, () => {
      if (db.inTransaction) return db.transaction(fn).immediate();
      return db
        .transaction(() => {
          signer?.requireSignedHead();
          const result = fn();
          if (binder.pending()) audit.append({ action: 'store.bind', details: { note: 'rows changed by a write that recorded no audit row of its own' } });
          signer?.signHead();
          return result;
        })
        .immediate();
    });
  try {
    // The version and the schema from one snapshot: another process may be migrating.
    guarded(dbPath, () =>
      db.transaction(() => {
        assertSupportedVersion(db, dbPath);
        assertKnownSchema(db, schemaVersion(db), dbPath, { allowMissing: true });
      })(),
    );
    const migration = guarded(dbPath, () =>
      migrate(db, dbPath, {
        inTransaction: (r) => {
          const inMigration = new HeadSigner(db, key);
          if (r.from >= BINDINGS_SINCE_SCHEMA) inMigration.requireSignedHead();
          binder.attach();
          const crossing = r.from < BINDINGS_SINCE_SCHEMA && r.to >= BINDINGS_SINCE_SCHEMA;
          if (crossing) binder.markAll('models');
          new AuditLog(db, actor, write, dbPath, binder).append({
            action: r.from === 0 ? 'store.create' : 'store.migrate',
            details: {
              fromSchema: r.from,
              toSchema: r.to,
              migrations: r.applied,
              appVersion: APP_VERSION,
              ...(crossing ? { bindingsFrom: bindingsFrom(db) } : {}),
            },
          });
          inMigration.signHead();
        },
      }),
    );
    binder.attach();
    if (guarded(dbPath, () => hasSignatureTable(db))) signer = new HeadSigner(db, key);
    audit = new AuditLog(db, actor, write, dbPath, binder);
    const diff = guarded(dbPath, () => schemaDifference(db, schemaVersion(db)));
    if (diff.missing.length) protect(db, dbPath, write, audit);
    if (!opts.deferKeyAdoption) onlyIfSigned(() => adoptSigningKeys(db, key, write, () => audit));
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
      installationKey: { publicKey: key.publicKey, fingerprint: key.fingerprint },
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

/**
 * A database signed by keys of which none is this data directory's (a restored backup, or a
 * key file that was lost): the keys that signed it are adopted in one `store.key` row, signed
 * with this key, so `audit verify` trusts them and says so.
 */
function adoptSigningKeys(db: Db, key: InstallationKey, write: <T>(fn: () => T) => T, audit: () => AuditLog): void {
  const keys = signingKeys(db);
  if (!keys.length || keys.includes(key.publicKey)) return;
  write(() => {
    const again = signingKeys(db);
    if (again.includes(key.publicKey)) return;
    audit().append({
      action: 'store.key',
      details: {
        note: "none of the rows so far was signed by this data directory's installation key (a restored backup or a lost key file); the keys that signed them are adopted",
        publicKey: key.publicKey,
        fingerprint: key.fingerprint,
        signingKeys: again,
        signingFingerprints: again.map(fingerprintOf),
      },
    });
  });
}

/**
 * Runs an optional write of the open; when the audit head is not signed (rows added outside
 * Countersign) it is skipped, so that `audit verify` can still open the store and say why.
 * Every later write is refused with the same message.
 */
function onlyIfSigned(fn: () => void): boolean {
  try {
    fn();
    return true;
  } catch (err) {
    if (err instanceof AppError && err.code === 'INTEGRITY' && /changed outside Countersign/.test(err.message)) return false;
    throw err;
  }
}

/**
 * Re-creates dropped protective triggers and indexes and logs it (store.protect). What is
 * missing is read again inside the write: another process opening the same store at the same
 * moment may have re-created them already.
 */
function protect(db: Db, dbPath: string, write: <T>(fn: () => T) => T, audit: AuditLog): void {
  const logged = onlyIfSigned(() =>
    write(() => {
      const diff = schemaDifference(db, schemaVersion(db));
      const recreated = restoreMissingObjects(db, diff);
      const triggers = recreated.filter((n) => diff.missing.some((m) => m.name === n && m.type === 'trigger'));
      const indexes = recreated.filter((n) => !triggers.includes(n));
      if (recreated.length)
        audit.append({ action: 'store.protect', details: { missingTriggers: triggers, ...(indexes.length ? { missingIndexes: indexes } : {}) } });
    }),
  );
  // The protection comes back even when it cannot be logged.
  if (!logged) guarded(dbPath, () => db.transaction(() => restoreMissingObjects(db, schemaDifference(db, schemaVersion(db)))).immediate());
}
