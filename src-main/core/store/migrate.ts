import { AppError } from '../errors.ts';
import { APP_VERSION } from '../paths.ts';
import { nowIso, type Db } from './database.ts';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, type Migration } from './migrations/index.ts';

export interface MigrationResult {
  from: number;
  to: number;
  applied: string[];
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Refuses a database written by a newer app: its tables may mean things this build does not know. */
export function assertSupportedVersion(db: Db, dbPath: string, latest = LATEST_SCHEMA_VERSION): void {
  const found = schemaVersion(db);
  if (found <= latest) return;
  let writer = '';
  try {
    const row = db.prepare('SELECT app_version FROM schema_migrations WHERE version = ?').get(found) as { app_version: string } | undefined;
    if (row) writer = ` by Countersign ${row.app_version}`;
  } catch {
    /* the newer schema may not have that table any more */
  }
  throw new AppError(
    'VERSION',
    `${dbPath}: the database has schema version ${found} (written${writer || ' by a newer Countersign'}); ` +
      `this Countersign ${APP_VERSION} supports schema versions up to ${latest}. Update Countersign to open it.`,
    { found, supported: latest },
  );
}

/**
 * Applies every pending migration in ONE immediate transaction: either the database moves
 * to the latest version or it stays exactly as it was. The version is re-read inside the
 * transaction because another process (the app and the CLI) may have migrated meanwhile.
 * `inTransaction` runs last in the same transaction (the store appends its audit row there).
 */
export function migrate(
  db: Db,
  dbPath: string,
  opts: { migrations?: readonly Migration[]; inTransaction?: (r: MigrationResult) => void } = {},
): MigrationResult {
  const migrations = opts.migrations ?? MIGRATIONS;
  const latest = migrations[migrations.length - 1]?.version ?? 0;
  assertSupportedVersion(db, dbPath, latest);
  if (schemaVersion(db) === latest) return { from: latest, to: latest, applied: [] };

  return db
    .transaction((): MigrationResult => {
      const from = schemaVersion(db);
      assertSupportedVersion(db, dbPath, latest);
      const applied: string[] = [];
      for (const m of migrations) {
        if (m.version <= from) continue;
        m.up(db);
        db.prepare('INSERT INTO schema_migrations (version, name, app_version, applied_at) VALUES (?, ?, ?, ?)').run(m.version, m.name, APP_VERSION, nowIso());
        applied.push(`${String(m.version).padStart(3, '0')}_${m.name}`);
      }
      const violations = db.pragma('foreign_key_check') as unknown[];
      if (violations.length) {
        throw new AppError('INTEGRITY', `${dbPath}: migration to schema version ${latest} left ${violations.length} foreign key violations`);
      }
      db.pragma(`user_version = ${latest}`);
      const result = { from, to: latest, applied };
      if (applied.length) opts.inTransaction?.(result);
      return result;
    })
    .immediate();
}
