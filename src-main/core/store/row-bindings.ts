/**
 * Rows that carry a conclusion, bound to the audit chain by their content hash (schema 5, migration 005_integrity).
 *
 * Every insert or update of a bound table made through the store's connection is noticed by
 * TEMP triggers (per connection: they are not part of the schema and no other program has
 * them), and the next audit row appended in the same transaction records the SHA-256 of each
 * changed row in its details (`bound`), which the chain then covers; `row_bindings` indexes
 * them. A row someone edits with another program no longer matches its recorded hash:
 * `audit verify` names it, reports refuse its case, and so does any later write that would
 * change it (the state before the change is checked first, so a write never launders an edit).
 */
import { createHash } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';
import { AppError } from '../errors.ts';
import { canonicalJson } from './canonical.ts';
import type { Db } from './database.ts';
import { columnsAt } from './schema.ts';

/**
 * Tables whose rows are bound, all keyed by an `id` column. The bench tables (migration 006)
 * are bound from the version that creates them: every one of their rows has a hash.
 */
export const BOUND_TABLES = [
  'cases',
  'subjects',
  'documents',
  'signatures',
  'comparisons',
  'identifications',
  'models',
  'bench_alignments',
  'bench_measurements',
  'bench_annotations',
] as const;
export type BoundTable = (typeof BOUND_TABLES)[number];

/** The bound tables that exist at a schema version (a table added later is not there before its migration). */
export function boundTablesAt(version: number): BoundTable[] {
  return BOUND_TABLES.filter((t) => columnsAt(version, t).length > 0);
}
/** Row hashes exist from this schema version on. */
export const BINDINGS_SINCE_SCHEMA = 5;
export const ROW_HASH_FORMAT = 'countersign-row-v1';

type Statement = BetterSqlite3.Statement<unknown[], unknown>;

export interface BoundRows {
  /** Schema version whose columns the hashes cover. */
  schema: number;
  /** `<table>:<id>` -> SHA-256 of the row's content. */
  rows: Record<string, string>;
}

/**
 * SHA-256 of a row over the columns it had at the recorded schema version: canonical JSON
 * of ["countersign-row-v1", table, {column: value}]. Columns added by a later migration are
 * not part of a hash recorded before it, so a migration never breaks existing hashes.
 */
export function rowDigest(table: string, row: Record<string, unknown>, columns: readonly string[]): string {
  const content: Record<string, unknown> = {};
  for (const c of columns) content[c] = row[c] ?? null;
  return createHash('sha256')
    .update(canonicalJson([ROW_HASH_FORMAT, table, content], `${table} row`), 'utf8')
    .digest('hex');
}

export function bindingKey(table: string, id: unknown): string {
  return `${table}:${String(id)}`;
}

function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Notices the rows this connection changes and turns them into the `bound` details of the
 * next audit row (see the file comment). Created once the schema has row_bindings.
 */
export class RowBinder {
  private attached = false;
  private stmts = new Map<BoundTable, { old: Statement; clearOld: Statement; row: Statement }>();
  private pendingStmt?: Statement;
  private changedStmt?: Statement;
  private clearChangedStmt?: Statement;
  private latestStmt?: Statement;
  private insertStmt?: Statement;

  constructor(private readonly db: Db) {}

  /** Creates the TEMP tables and triggers; a no-op before schema 5 or when already done. */
  attach(): void {
    if (this.attached || schemaVersion(this.db) < BINDINGS_SINCE_SCHEMA) return;
    const db = this.db;
    db.exec('CREATE TEMP TABLE IF NOT EXISTS cs_changed (tbl TEXT NOT NULL, row_id TEXT NOT NULL)');
    for (const t of boundTablesAt(schemaVersion(db))) {
      const cols = (db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(t) as string[]).map((c) => `"${c}"`);
      const list = cols.join(', ');
      db.exec(`CREATE TEMP TABLE IF NOT EXISTS cs_old_${t} AS SELECT ${list} FROM main.${t} WHERE 0`);
      // The state before the first change of the transaction (a row inserted or already
      // changed in it is our own, not yet recorded state).
      db.exec(`CREATE TEMP TRIGGER IF NOT EXISTS cs_${t}_before_update BEFORE UPDATE ON main.${t}
        WHEN NOT EXISTS (SELECT 1 FROM temp.cs_old_${t} WHERE id = OLD.id)
         AND NOT EXISTS (SELECT 1 FROM temp.cs_changed WHERE tbl = '${t}' AND row_id = CAST(OLD.id AS TEXT))
        BEGIN INSERT INTO temp.cs_old_${t} (${list}) SELECT ${list} FROM main.${t} WHERE id = OLD.id; END`);
      db.exec(`CREATE TEMP TRIGGER IF NOT EXISTS cs_${t}_after_insert AFTER INSERT ON main.${t}
        BEGIN INSERT INTO temp.cs_changed (tbl, row_id) VALUES ('${t}', CAST(NEW.id AS TEXT)); END`);
      db.exec(`CREATE TEMP TRIGGER IF NOT EXISTS cs_${t}_after_update AFTER UPDATE ON main.${t}
        BEGIN INSERT INTO temp.cs_changed (tbl, row_id) VALUES ('${t}', CAST(NEW.id AS TEXT)); END`);
      this.stmts.set(t, {
        old: db.prepare(`SELECT * FROM temp.cs_old_${t}`),
        clearOld: db.prepare(`DELETE FROM temp.cs_old_${t}`),
        row: db.prepare(`SELECT * FROM main.${t} WHERE id = ?`),
      });
    }
    this.pendingStmt = db.prepare('SELECT 1 FROM temp.cs_changed LIMIT 1');
    this.changedStmt = db.prepare('SELECT DISTINCT tbl, row_id FROM temp.cs_changed ORDER BY tbl, row_id');
    this.clearChangedStmt = db.prepare('DELETE FROM temp.cs_changed');
    this.latestStmt = db.prepare('SELECT seq, sha256, schema_version AS schema FROM row_bindings WHERE tbl = ? AND row_id = ? ORDER BY seq DESC LIMIT 1');
    this.insertStmt = db.prepare('INSERT INTO row_bindings (tbl, row_id, seq, sha256, schema_version) VALUES (?, ?, ?, ?, ?)');
    this.attached = true;
  }

  /** Marks every row of a table as changed (migration 005 binds the models that exist). */
  markAll(table: BoundTable): void {
    if (!this.attached) return;
    this.db.prepare(`INSERT INTO temp.cs_changed (tbl, row_id) SELECT ?, CAST(id AS TEXT) FROM main.${table}`).run(table);
  }

  /** Whether rows changed since the last audit row. */
  pending(): boolean {
    return this.attached && this.pendingStmt!.get() !== undefined;
  }

  /**
   * The hashes of the rows changed since the last audit row, after checking that each updated
   * row was, before this transaction changed it, what its latest binding recorded.
   */
  collect(): BoundRows | null {
    if (!this.attached) return null;
    for (const t of BOUND_TABLES) {
      const st = this.stmts.get(t);
      if (!st) continue;
      const olds = st.old.all() as Record<string, unknown>[];
      if (!olds.length) continue;
      st.clearOld.run();
      for (const old of olds) {
        const rec = this.latestStmt!.get(t, String(old.id)) as { seq: number; sha256: string; schema: number } | undefined;
        if (rec && rowDigest(t, old, columnsAt(rec.schema, t)) !== rec.sha256) {
          throw new AppError(
            'INTEGRITY',
            `${t} row ${String(old.id)} was changed outside Countersign after audit row #${rec.seq} recorded it; nothing was written. Run \`countersign audit verify\``,
            { table: t, id: old.id },
          );
        }
      }
    }
    const changed = this.changedStmt!.all() as { tbl: BoundTable; row_id: string }[];
    if (!changed.length) return null;
    this.clearChangedStmt!.run();
    const schema = schemaVersion(this.db);
    const rows: Record<string, string> = {};
    for (const c of changed) {
      const row = this.stmts.get(c.tbl)!.row.get(c.tbl === 'models' ? c.row_id : Number(c.row_id)) as Record<string, unknown> | undefined;
      if (row) rows[bindingKey(c.tbl, c.row_id)] = rowDigest(c.tbl, row, columnsAt(schema, c.tbl));
    }
    return Object.keys(rows).length ? { schema, rows } : null;
  }

  /** Indexes the hashes an audit row (seq) recorded. */
  record(seq: number, bound: BoundRows): void {
    for (const [key, sha] of Object.entries(bound.rows)) {
      const i = key.indexOf(':');
      this.insertStmt!.run(key.slice(0, i), key.slice(i + 1), seq, sha, bound.schema);
    }
  }
}
