/**
 * Checks that every row carrying a conclusion is what the audit chain recorded
 * (row-bindings.ts). A row is checked against the latest hash an audit row recorded for it;
 * a row written since schema 5 with no recorded hash was inserted outside Countersign; rows
 * from before schema 5 (no hashes then) are checked against the fields their audit rows
 * hold where those exist: comparisons (decision, LR, distances' aggregate, threshold, model)
 * and cases (replaying case.create, case.threshold, case.model, case.archive).
 */
import type { Db } from './database.ts';
import { BINDINGS_SINCE_SCHEMA, bindingKey, boundTablesAt, rowDigest, type BoundTable } from './row-bindings.ts';
import { columnsAt } from './schema.ts';

export interface BindingProblem {
  table: BoundTable | 'row_bindings';
  id: string;
  caseId: number | null;
  reason: string;
}

export interface BindingVerifyResult {
  ok: boolean;
  /** Rows checked against a recorded hash, per table. */
  checked: Partial<Record<BoundTable, number>>;
  /** Rows from before schema 5 checked against the fields their audit rows hold. */
  legacyChecked: number;
  /** Rows from before schema 5 whose audit rows hold nothing to compare (not a failure). */
  legacyUnchecked: number;
  problems: BindingProblem[];
}

interface Recorded {
  seq: number;
  sha256: string;
  schema: number;
}

/** Rows of each table, all of them or those of one case, with the case each belongs to. */
function rowsOf(db: Db, table: BoundTable, caseId: number | undefined): { row: Record<string, unknown>; caseId: number | null }[] {
  const all: Record<BoundTable, [string, string]> = {
    cases: ['SELECT *, id AS _case FROM cases', 'WHERE id = @c'],
    subjects: ['SELECT *, case_id AS _case FROM subjects', 'WHERE case_id = @c'],
    documents: ['SELECT *, case_id AS _case FROM documents', 'WHERE case_id = @c'],
    signatures: ['SELECT s.*, d.case_id AS _case FROM signatures s JOIN documents d ON d.id = s.document_id', 'WHERE d.case_id = @c'],
    comparisons: ['SELECT *, case_id AS _case FROM comparisons', 'WHERE case_id = @c'],
    identifications: ['SELECT *, case_id AS _case FROM identifications', 'WHERE case_id = @c'],
    models: [
      'SELECT *, NULL AS _case FROM models',
      'WHERE id IN (SELECT model_id FROM comparisons WHERE case_id = @c UNION SELECT model_id FROM cases WHERE id = @c)',
    ],
    bench_alignments: ['SELECT *, case_id AS _case FROM bench_alignments', 'WHERE case_id = @c'],
    bench_measurements: ['SELECT *, case_id AS _case FROM bench_measurements', 'WHERE case_id = @c'],
    bench_annotations: ['SELECT *, case_id AS _case FROM bench_annotations', 'WHERE case_id = @c'],
  };
  const [select, where] = all[table];
  const stmt = db.prepare(caseId === undefined ? select : `${select} ${where}`);
  const rows = (caseId === undefined ? stmt.all() : stmt.all({ c: caseId })) as Record<string, unknown>[];
  return rows.map((r) => {
    const { _case, ...row } = r;
    return { row, caseId: (_case as number | null) ?? null };
  });
}

/** The latest recorded hash of every bound row, from the chain-covered audit details. */
function recordedHashes(db: Db): { latest: Map<string, Recorded>; all: Set<string> } {
  const latest = new Map<string, Recorded>();
  const all = new Set<string>();
  const rows = db.prepare(`SELECT seq, details FROM audit_log WHERE details LIKE '%"bound":{%' ORDER BY seq`).all() as { seq: number; details: string }[];
  for (const r of rows) {
    let bound: { schema?: unknown; rows?: unknown } | undefined;
    try {
      bound = (JSON.parse(r.details) as { bound?: typeof bound }).bound;
    } catch {
      continue; // the chain check reports an unparsable row
    }
    if (!bound || typeof bound.schema !== 'number' || !bound.rows || typeof bound.rows !== 'object') continue;
    for (const [key, sha] of Object.entries(bound.rows as Record<string, unknown>)) {
      if (typeof sha !== 'string') continue;
      latest.set(key, { seq: r.seq, sha256: sha, schema: bound.schema });
      all.add(`${key}@${r.seq}=${sha}/${bound.schema}`);
    }
  }
  return { latest, all };
}

/** From which id on rows must have a hash: recorded by the migration that introduced them. */
function boundFrom(db: Db): Record<string, number> | null {
  const row = db
    .prepare(`SELECT details FROM audit_log WHERE action IN ('store.create', 'store.migrate') AND details LIKE '%"bindingsFrom":%' ORDER BY seq DESC LIMIT 1`)
    .pluck()
    .get() as string | undefined;
  if (!row) return null;
  try {
    return (JSON.parse(row) as { bindingsFrom?: Record<string, number> }).bindingsFrom ?? null;
  } catch {
    return null;
  }
}

const COMPARISON_FIELDS: [string, string][] = [
  ['signature', 'questioned_signature_id'],
  ['subject', 'subject_id'],
  ['model', 'model_id'],
  ['modelSha256', 'model_sha256'],
  ['threshold', 'threshold'],
  ['band', 'inconclusive_band'],
  ['aggregate', 'aggregate'],
  ['llr', 'llr'],
  ['decision', 'decision'],
  ['batch', 'batch_id'],
];

/** Audit details by entity for the given actions (one pass over the log, not one per row). */
class EntityDetails {
  private byEntity?: Map<string, { action: string; details: string }[]>;
  constructor(
    private readonly db: Db,
    private readonly prefix: string,
  ) {}
  of(entity: string): { action: string; details: string }[] {
    if (!this.byEntity) {
      this.byEntity = new Map();
      const rows = this.db.prepare(`SELECT entity, action, details FROM audit_log WHERE entity LIKE ? ORDER BY seq`).all(`${this.prefix}:%`) as {
        entity: string;
        action: string;
        details: string;
      }[];
      for (const r of rows) {
        const list = this.byEntity.get(r.entity) ?? [];
        list.push(r);
        this.byEntity.set(r.entity, list);
      }
    }
    return this.byEntity.get(entity) ?? [];
  }
}

/** A pre-schema-3 comparison against its verify.compare row; the fields that differ, or why it cannot be. */
function legacyComparison(audit: EntityDetails, row: Record<string, unknown>): string | null {
  const details = audit
    .of(`comparison:${String(row.id)}`)
    .filter((r) => r.action === 'verify.compare')
    .at(-1)?.details;
  if (!details) return 'no audit row recorded it (it was inserted outside Countersign)';
  const d = JSON.parse(details) as Record<string, unknown>;
  const differ = COMPARISON_FIELDS.filter(([k, col]) => k in d && d[k] !== row[col]).map(([, col]) => col);
  const codes = (JSON.parse(String(row.warnings)) as { code?: string }[]).map((w) => w.code);
  if (Array.isArray(d.warnings) && JSON.stringify(d.warnings) !== JSON.stringify(codes)) differ.push('warnings');
  return differ.length ? `${differ.join(', ')} differ from what its audit row recorded` : null;
}

/** A pre-schema-3 case against the replay of its audit rows. */
function legacyCase(audit: EntityDetails, row: Record<string, unknown>): string | null {
  const rows = audit.of(`case:${String(row.id)}`);
  const create = rows.find((r) => r.action === 'case.create');
  if (!create) return 'no audit row recorded its creation';
  const c = JSON.parse(create.details) as Record<string, unknown>;
  const state: Record<string, unknown> = {
    name: c.name,
    examiner: c.examiner,
    notes: c.notes,
    threshold: c.threshold,
    inconclusive_band: c.inconclusiveBand,
    min_references: c.minReferences,
    model_id: null,
    status: 'open',
  };
  for (const r of rows) {
    const d = JSON.parse(r.details) as Record<string, unknown>;
    if (r.action === 'case.threshold') state.threshold = d.new;
    else if (r.action === 'case.model') state.model_id = d.new;
    else if (r.action === 'case.archive') state.status = 'archived';
  }
  const differ = Object.keys(state).filter((k) => state[k] !== undefined && state[k] !== row[k]);
  return differ.length ? `${differ.join(', ')} differ from what its audit rows recorded` : null;
}

/**
 * Checks every bound row (or those of one case). Also checks the row_bindings index against
 * the audit rows, so an edit of the index alone is caught too.
 */
export function verifyRowBindings(db: Db, opts: { caseId?: number } = {}): BindingVerifyResult {
  const version = db.pragma('user_version', { simple: true }) as number;
  const result: BindingVerifyResult = { ok: true, checked: {}, legacyChecked: 0, legacyUnchecked: 0, problems: [] };
  if (version < BINDINGS_SINCE_SCHEMA) return result;
  const { latest, all } = recordedHashes(db);
  const index = db.prepare('SELECT tbl, row_id, seq, sha256, schema_version FROM row_bindings').all() as {
    tbl: string;
    row_id: string;
    seq: number;
    sha256: string;
    schema_version: number;
  }[];
  let indexed = 0;
  for (const b of index) {
    if (all.has(`${bindingKey(b.tbl, b.row_id)}@${b.seq}=${b.sha256}/${b.schema_version}`)) indexed++;
    else
      result.problems.push({
        table: 'row_bindings',
        id: `${b.tbl}:${b.row_id}@${b.seq}`,
        caseId: null,
        reason: 'the index entry does not match the audit row it names',
      });
  }
  if (indexed !== all.size && opts.caseId === undefined) {
    result.problems.push({
      table: 'row_bindings',
      id: '-',
      caseId: null,
      reason: `${all.size - indexed} hashes recorded in the audit log are missing from the row_bindings index`,
    });
  }
  const from = boundFrom(db);
  const comparisonRows = new EntityDetails(db, 'comparison');
  const caseRows = new EntityDetails(db, 'case');
  for (const table of boundTablesAt(version)) {
    let checked = 0;
    for (const { row, caseId } of rowsOf(db, table, opts.caseId)) {
      const id = String(row.id);
      const problem = (reason: string) => result.problems.push({ table, id, caseId, reason });
      const rec = latest.get(bindingKey(table, id));
      if (rec) {
        checked++;
        if (rowDigest(table, row, columnsAt(rec.schema, table)) !== rec.sha256) {
          problem(
            `changed after audit row #${rec.seq} recorded it${table === 'comparisons' ? ` (${legacyComparison(comparisonRows, row) ?? 'fields outside the audit details changed'})` : ''}`,
          );
        }
        continue;
      }
      const legacy = table !== 'models' && from !== null && typeof from[table] === 'number' && Number(row.id) < from[table];
      if (!legacy) {
        problem('no audit row recorded it: it was written outside Countersign');
        continue;
      }
      const why = table === 'comparisons' ? legacyComparison(comparisonRows, row) : table === 'cases' ? legacyCase(caseRows, row) : undefined;
      if (why === undefined) result.legacyUnchecked++;
      else {
        result.legacyChecked++;
        if (why) problem(why);
      }
    }
    result.checked[table] = checked;
  }
  result.ok = result.problems.length === 0;
  return result;
}

/** A one-line description of a binding problem, naming the row. */
export function describeBindingProblem(p: BindingProblem): string {
  const what = p.table === 'row_bindings' ? `row_bindings entry ${p.id}` : `${p.table.replace(/s$/, '').replace('_', ' ')} ${p.id}`;
  return `${what}${p.caseId !== null ? ` (case ${p.caseId})` : ''}: ${p.reason}`;
}
