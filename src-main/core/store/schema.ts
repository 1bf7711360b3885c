/**
 * The schema a database must have: exactly what the migrations create for its version, no
 * more and no less. A trigger, view, index or column that the migrations did not create can
 * change results unseen (an `AFTER INSERT ON comparisons ... SET decision = 'genuine'`), so
 * opening and restoring compare the whole schema with one built by running the migrations on
 * an in-memory database, and refuse anything foreign, naming it.
 */
import Database from 'better-sqlite3';
import { AppError } from '../errors.ts';
import type { Db } from './database.ts';
import { migrate } from './migrate.ts';
import { MIGRATIONS, type Migration } from './migrations/index.ts';

export type SchemaObjectType = 'table' | 'index' | 'trigger' | 'view';

export interface SchemaObject {
  type: SchemaObjectType;
  name: string;
  /** The table an index or trigger belongs to (the object itself for tables and views). */
  table: string;
  /** The CREATE statement, whitespace collapsed (what is compared). */
  sql: string;
  /** The CREATE statement as stored (what is executed to re-create it). */
  rawSql: string;
  /** Tables: `name type notnull default pk hidden` of every column, in order (pragma table_xinfo). */
  columns?: string[];
}

export interface SchemaDifference {
  /** Objects the migrations do not create (a trigger, view, index or table someone added). */
  foreign: string[];
  /** Objects whose definition differs (a column added, a trigger rewritten). */
  changed: string[];
  /** Objects the migrations create that are not there. */
  missing: SchemaObject[];
}

const collapse = (sql: string): string => sql.replace(/\s+/g, ' ').trim();

function describe(o: Pick<SchemaObject, 'type' | 'name' | 'table'>): string {
  return o.type === 'table' || o.type === 'view' ? `${o.type} ${o.name}` : `${o.type} ${o.name} (on ${o.table})`;
}

/**
 * The schema objects of a connection's main database. SQLite's own tables (sqlite_sequence,
 * sqlite_stat*) and the indexes it makes for UNIQUE constraints hold no logic of their own and
 * are left out; the constraints themselves are part of their table's CREATE statement.
 */
export function readSchema(db: Db): SchemaObject[] {
  const rows = db
    .prepare(`SELECT type, name, tbl_name AS tbl, sql FROM main.sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY type, name`)
    .all() as { type: string; name: string; tbl: string; sql: string | null }[];
  return rows.map((r) => {
    const o: SchemaObject = { type: r.type as SchemaObjectType, name: r.name, table: r.tbl, sql: collapse(r.sql ?? ''), rawSql: r.sql ?? '' };
    if (r.type === 'table') {
      const cols = db.prepare(`SELECT name, type, "notnull" AS nn, dflt_value AS dflt, pk, hidden FROM pragma_table_xinfo(?)`).all(r.name) as {
        name: string;
        type: string;
        nn: number;
        dflt: string | null;
        pk: number;
        hidden: number;
      }[];
      o.columns = cols.map((c) => `${c.name} ${c.type} ${c.nn} ${c.dflt ?? 'NULL'} ${c.pk} ${c.hidden}`);
    }
    return o;
  });
}

const expectedCache = new Map<number, SchemaObject[]>();

/** What the migrations up to `version` create, built once per process on an in-memory database. */
export function expectedSchema(version: number, migrations: readonly Migration[] = MIGRATIONS): SchemaObject[] {
  const cached = migrations === MIGRATIONS ? expectedCache.get(version) : undefined;
  if (cached) return cached;
  const db = new Database(':memory:');
  try {
    db.pragma('foreign_keys = ON');
    const upTo = migrations.filter((m) => m.version <= version);
    if (upTo.length) migrate(db, ':memory:', { migrations: upTo });
    const schema = readSchema(db);
    if (migrations === MIGRATIONS) expectedCache.set(version, schema);
    return schema;
  } finally {
    db.close();
  }
}

/** The column names a table had at a schema version (for content hashes recorded at that version). */
export function columnsAt(version: number, table: string): string[] {
  const t = expectedSchema(version).find((o) => o.type === 'table' && o.name === table);
  return (t?.columns ?? []).map((c) => c.split(' ')[0] as string);
}

function columnNames(o: SchemaObject): string[] {
  return (o.columns ?? []).map((c) => c.split(' ')[0] as string);
}

/** Compares a database's schema with the one its version should have. */
export function compareSchema(actual: readonly SchemaObject[], expected: readonly SchemaObject[]): SchemaDifference {
  const key = (o: SchemaObject) => `${o.type} ${o.name}`;
  const want = new Map(expected.map((o) => [key(o), o]));
  const have = new Map(actual.map((o) => [key(o), o]));
  const diff: SchemaDifference = { foreign: [], changed: [], missing: [] };
  for (const o of actual) {
    const e = want.get(key(o));
    if (!e) {
      diff.foreign.push(describe(o));
      continue;
    }
    if (o.type === 'table') {
      const wantCols = columnNames(e);
      const haveCols = columnNames(o);
      const added = haveCols.filter((c) => !wantCols.includes(c));
      const dropped = wantCols.filter((c) => !haveCols.includes(c));
      for (const c of added) diff.foreign.push(`column ${o.name}.${c}`);
      for (const c of dropped) diff.changed.push(`column ${o.name}.${c} is missing`);
      if (!added.length && !dropped.length && (o.sql !== e.sql || (o.columns ?? []).join('|') !== (e.columns ?? []).join('|'))) {
        diff.changed.push(`table ${o.name} (its definition differs from what the migrations create)`);
      }
    } else if (o.sql !== e.sql || o.table !== e.table) {
      diff.changed.push(`${describe(o)} (its definition differs from what the migrations create)`);
    }
  }
  for (const e of expected) if (!have.has(key(e))) diff.missing.push(e);
  return diff;
}

/** The difference between a connection's schema and the one its `user_version` should have. */
export function schemaDifference(db: Db, version: number): SchemaDifference {
  return compareSchema(readSchema(db), expectedSchema(version));
}

/**
 * Refuses a database that holds anything the migrations did not create or whose objects were
 * rewritten; with `allowMissing`, missing triggers and indexes are tolerated (the store
 * re-creates them at open and logs it), never missing tables or views.
 */
export function assertKnownSchema(db: Db, version: number, where: string, opts: { allowMissing?: boolean } = {}): SchemaDifference {
  const diff = schemaDifference(db, version);
  const missing = diff.missing.filter((m) => !opts.allowMissing || m.type === 'table' || m.type === 'view').map((m) => `${describe(m)} is missing`);
  const problems = [...diff.foreign.map((f) => `${f} is not part of schema version ${version}`), ...diff.changed, ...missing];
  if (problems.length) {
    throw new AppError(
      'INTEGRITY',
      `${where}: the database schema was altered outside Countersign: ${problems.join('; ')}. ` +
        'Its results cannot be trusted; restore the data directory from a backup (nothing was changed)',
      { schema: problems },
    );
  }
  return diff;
}

/** Re-creates missing triggers and indexes from their migration definitions; returns their names. */
export function restoreMissingObjects(db: Db, diff: SchemaDifference): string[] {
  const done: string[] = [];
  for (const m of diff.missing) {
    if (m.type !== 'trigger' && m.type !== 'index') continue;
    db.exec(m.rawSql);
    done.push(m.name);
  }
  return done;
}
