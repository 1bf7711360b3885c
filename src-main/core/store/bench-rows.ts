/**
 * The rows of the examiner's bench (migration 006): overlay alignments, measurements and
 * annotations, as bench/repository.ts writes and reads them. Rows are inserted once and only
 * ever marked deleted (a tombstone with the reason); call the writes inside `store.write`.
 */
import type { Store } from './store.ts';

export type BenchTable = 'bench_alignments' | 'bench_measurements' | 'bench_annotations';

/** A bench row as SQLite returns it (snake_case columns; bench/repository.ts maps them). */
export type RawBenchRow = Record<string, unknown>;

/** The columns a list may be narrowed by (each an equality on an id). */
export type BenchFilterColumn = 'case_id' | 'questioned_signature_id' | 'reference_signature_id' | 'comparison_id' | 'signature_id';

/** Inserts one row (its columns named by the keys of `row`) and returns its id. */
export function insertBenchRow(store: Pick<Store, 'db'>, table: BenchTable, row: Record<string, unknown>): number {
  const cols = Object.keys(row);
  return Number(store.db.prepare(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map((c) => `@${c}`).join(', ')})`).run(row).lastInsertRowid);
}

export function benchRow(store: Pick<Store, 'db'>, table: BenchTable, id: number): RawBenchRow | undefined {
  return store.db.prepare(`SELECT * FROM ${table} WHERE id = ?`).get(id) as RawBenchRow | undefined;
}

/** The tombstone: when and why the row was deleted. */
export function markBenchRowDeleted(store: Pick<Store, 'db'>, table: BenchTable, id: number, at: string, reason: string): void {
  store.db.prepare(`UPDATE ${table} SET deleted_at = ?, deleted_reason = ? WHERE id = ?`).run(at, reason, id);
}

/**
 * The rows matching every filter (in the order given), oldest first; deleted rows only when
 * asked for.
 */
export function listBenchRows(
  store: Pick<Store, 'db'>,
  table: BenchTable,
  filter: Partial<Record<BenchFilterColumn, number>>,
  includeDeleted: boolean,
): RawBenchRow[] {
  const where = Object.keys(filter).map((c) => `${c} = @${c}`);
  if (!includeDeleted) where.push('deleted_at IS NULL');
  return store.db.prepare(`SELECT * FROM ${table} WHERE ${where.join(' AND ')} ORDER BY id`).all(filter) as RawBenchRow[];
}

/** What an alignment checks of the comparison it is made for: its questioned signature and its distances JSON. */
export function comparisonOfAlignment(store: Pick<Store, 'db'>, comparisonId: number): { q: number; distances: string } | undefined {
  return store.db.prepare('SELECT questioned_signature_id AS q, distances FROM comparisons WHERE id = ?').get(comparisonId) as
    { q: number; distances: string } | undefined;
}
