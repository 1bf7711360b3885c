import { AppError } from '../errors.ts';
import type { AuditLog } from './audit.ts';
import { guarded, nowIso, type Db } from './database.ts';
import type { CaseCounts, CaseListOptions, CaseRow, CaseStatus, NewCase } from './types.ts';

export const CASE_NAME_MAX = 200;
export const EXAMINER_MAX = 200;
export const NOTES_MAX = 20000;
/** Distances are >= 0; a threshold is in (0, THRESHOLD_MAX]. */
export const THRESHOLD_MAX = 10;
/** Fewer known signatures than this raises a warning on every comparison (verification issue: 4). */
export const DEFAULT_MIN_REFERENCES = 4;
/** Default half-width of the inconclusive zone around the threshold, in distance units. */
export const DEFAULT_INCONCLUSIVE_BAND = 0.05;

/** The counts of a case that holds nothing yet. */
export const NO_CASE_COUNTS: Readonly<CaseCounts> = Object.freeze({ subjects: 0, documents: 0, known: 0, questioned: 0, failed: 0 });

const CONTROL = /[\u0000-\u001f\u007f]/;

/** Uniqueness key of a case or subject name: the same name in any letter case is the same name. */
export function nameKey(name: string): string {
  return name.normalize('NFC').toLowerCase();
}

function invalid(field: string, message: string): AppError {
  return new AppError('INVALID_ARGUMENT', `${field}: ${message}`, { field });
}

export function validateCaseName(name: unknown): string {
  if (typeof name !== 'string') throw invalid('name', 'a case name is required');
  const trimmed = name.trim();
  if (!trimmed) throw invalid('name', 'a case name is required (it is empty)');
  if (trimmed.length > CASE_NAME_MAX) throw invalid('name', `at most ${CASE_NAME_MAX} characters (got ${trimmed.length})`);
  if (CONTROL.test(trimmed)) throw invalid('name', 'must not contain line breaks, tabs or other control characters');
  return trimmed;
}

function optionalText(field: string, value: unknown, max: number, allowBreaks: boolean): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw invalid(field, 'expected text');
  const trimmed = value.trim();
  if (!trimmed) return null;
  if (trimmed.length > max) throw invalid(field, `at most ${max} characters (got ${trimmed.length})`);
  const bad = allowBreaks ? /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/ : CONTROL;
  if (bad.test(trimmed)) throw invalid(field, 'must not contain control characters');
  return trimmed;
}

export function validateThreshold(value: unknown, field = 'threshold'): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > THRESHOLD_MAX) {
    throw invalid(field, `expected a number greater than 0 and at most ${THRESHOLD_MAX} (a distance), got ${String(value)}`);
  }
  return value;
}

function validateBand(value: unknown): number {
  if (value === undefined) return DEFAULT_INCONCLUSIVE_BAND;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > THRESHOLD_MAX) {
    throw invalid('inconclusiveBand', `expected a number in 0..${THRESHOLD_MAX}, got ${String(value)}`);
  }
  return value;
}

function validateMinReferences(value: unknown): number {
  if (value === undefined) return DEFAULT_MIN_REFERENCES;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 1000) {
    throw invalid('minReferences', `expected an integer in 1..1000, got ${String(value)}`);
  }
  return value;
}

interface RawCase {
  id: number;
  name: string;
  examiner: string | null;
  notes: string | null;
  threshold: number | null;
  inconclusive_band: number;
  min_references: number;
  model_id: string | null;
  status: CaseStatus;
  created_at: string;
  updated_at: string;
}

function toCaseRow(r: RawCase): CaseRow {
  return {
    id: r.id,
    name: r.name,
    examiner: r.examiner,
    notes: r.notes,
    threshold: r.threshold,
    inconclusiveBand: r.inconclusive_band,
    minReferences: r.min_references,
    modelId: r.model_id,
    status: r.status,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** How a case is named on the command line and in the API: its name, `#12`, or `12`. */
export type CaseRef = string | number;

/**
 * Cases: create, look up, change the threshold, archive. Every change is one immediate
 * transaction holding the row and its audit entry. An archived case keeps its data and
 * its audit trail and refuses further changes (here with a clear message, and in the
 * database through triggers for any other writer).
 */
export class CaseRepository {
  private readonly byId;
  private readonly byKey;
  private readonly all;
  private readonly insert;
  private readonly updateThreshold;
  private readonly countComparisons;
  private readonly updateStatus;
  private readonly updateModel;
  private readonly subjectCounts;
  private readonly documentCounts;

  constructor(
    private readonly db: Db,
    private readonly dbPath: string,
    private readonly audit: AuditLog,
    private readonly write: <T>(fn: () => T) => T,
  ) {
    this.byId = db.prepare('SELECT * FROM cases WHERE id = ?');
    this.byKey = db.prepare('SELECT * FROM cases WHERE name_key = ?');
    this.all = db.prepare('SELECT * FROM cases ORDER BY id');
    this.insert = db.prepare(
      `INSERT INTO cases (name, name_key, examiner, notes, threshold, inconclusive_band, min_references, status, created_at, updated_at)
       VALUES (@name, @name_key, @examiner, @notes, @threshold, @inconclusive_band, @min_references, 'open', @now, @now)`,
    );
    this.updateThreshold = db.prepare('UPDATE cases SET threshold = ?, updated_at = ? WHERE id = ?');
    this.countComparisons = db.prepare('SELECT COUNT(*) FROM comparisons WHERE case_id = ?').pluck();
    this.updateStatus = db.prepare('UPDATE cases SET status = ?, updated_at = ? WHERE id = ?');
    this.updateModel = db.prepare('UPDATE cases SET model_id = ?, updated_at = ? WHERE id = ?');
    this.subjectCounts = db.prepare('SELECT case_id, count(*) AS n FROM subjects WHERE case_id IS NOT NULL GROUP BY case_id');
    this.documentCounts = db.prepare(
      `SELECT case_id, count(*) AS documents, sum(role = 'known') AS known, sum(role = 'questioned') AS questioned,
              sum(status = 'failed') AS failed
       FROM documents WHERE case_id IS NOT NULL GROUP BY case_id`,
    );
  }

  create(input: NewCase): CaseRow {
    if (!input || typeof input !== 'object') throw invalid('name', 'a case name is required');
    const name = validateCaseName(input.name);
    const fields = {
      name,
      name_key: nameKey(name),
      examiner: optionalText('examiner', input.examiner, EXAMINER_MAX, false),
      notes: optionalText('notes', input.notes, NOTES_MAX, true),
      threshold: validateThreshold(input.threshold),
      inconclusive_band: validateBand(input.inconclusiveBand),
      min_references: validateMinReferences(input.minReferences),
    };
    return this.write(() => {
      const existing = this.byKey.get(fields.name_key) as RawCase | undefined;
      if (existing) {
        throw new AppError('CONFLICT', `name: a case named '${existing.name}' already exists (case ${existing.id})`, { field: 'name' });
      }
      const id = Number(this.insert.run({ ...fields, now: nowIso() }).lastInsertRowid);
      const row = toCaseRow(this.byId.get(id) as RawCase);
      this.audit.append({
        action: 'case.create',
        caseId: id,
        entity: `case:${id}`,
        details: {
          name: row.name,
          examiner: row.examiner,
          notes: row.notes,
          threshold: row.threshold,
          inconclusiveBand: row.inconclusiveBand,
          minReferences: row.minReferences,
        },
      });
      return row;
    });
  }

  list(opts: CaseListOptions = {}): CaseRow[] {
    const needle = opts.search?.trim() ? nameKey(opts.search.trim()) : undefined;
    return guarded(this.dbPath, () =>
      (this.all.all() as RawCase[])
        .filter((r) => opts.includeArchived || r.status === 'open')
        .filter((r) => !needle || nameKey(r.name).includes(needle) || (r.examiner !== null && nameKey(r.examiner).includes(needle)))
        .map(toCaseRow),
    );
  }

  /**
   * Subject and document counts of every case that holds any, by case id, in two grouped
   * queries; a case missing from the map holds nothing (NO_CASE_COUNTS).
   */
  countsByCase(): Map<number, CaseCounts> {
    return guarded(this.dbPath, () => {
      const out = new Map<number, CaseCounts>();
      const at = (id: number) => out.get(id) ?? (out.set(id, { ...NO_CASE_COUNTS }), out.get(id)!);
      for (const r of this.subjectCounts.all() as { case_id: number; n: number }[]) at(r.case_id).subjects = r.n;
      for (const r of this.documentCounts.all() as ({ case_id: number } & Omit<CaseCounts, 'subjects'>)[]) {
        Object.assign(at(r.case_id), { documents: r.documents, known: r.known, questioned: r.questioned, failed: r.failed });
      }
      return out;
    });
  }

  /** By exact name (any letter case), `#id`, or a bare number when no case has that name. */
  find(ref: CaseRef): CaseRow | undefined {
    return guarded(this.dbPath, () => {
      const raw = this.findRaw(ref);
      return raw ? toCaseRow(raw) : undefined;
    });
  }

  get(ref: CaseRef): CaseRow {
    const row = this.find(ref);
    if (!row) throw new AppError('NOT_FOUND', `case: no case named or numbered '${String(ref)}'`, { field: 'case' });
    return row;
  }

  /** The case, if it accepts changes; for every repository that writes into a case. */
  requireWritable(ref: CaseRef): CaseRow {
    const row = this.get(ref);
    if (row.status === 'archived') {
      throw new AppError('CONFLICT', `case '${row.name}' is archived; archived cases keep their data but accept no changes`, { field: 'case' });
    }
    return row;
  }

  /**
   * Sets (or, with null, clears back to the model default) the case's decision threshold. A
   * deliberate act: the examiner's reason is required and recorded in the audit row with the
   * old and new value and how many results of the case had been seen when it was changed.
   */
  setThreshold(ref: CaseRef, threshold: number | null, reason: string): CaseRow {
    const value = validateThreshold(threshold);
    const why = typeof reason === 'string' ? reason.trim() : '';
    if (!why) throw new AppError('INVALID_ARGUMENT', 'reason: say why the threshold changes (it is recorded in the audit trail)', { field: 'reason' });
    if (why.length > 2000) throw new AppError('INVALID_ARGUMENT', 'reason: at most 2000 characters', { field: 'reason' });
    return this.write(() => {
      const before = this.requireWritable(ref);
      if (before.threshold === value) return before;
      const resultsSeen = this.countComparisons.get(before.id) as number;
      this.updateThreshold.run(value, nowIso(), before.id);
      this.audit.append({
        action: 'case.threshold',
        caseId: before.id,
        entity: `case:${before.id}`,
        details: { old: before.threshold, new: value, reason: why, resultsSeen },
      });
      return toCaseRow(this.byId.get(before.id) as RawCase);
    });
  }

  /**
   * Records the model the case is verified with (a row of the models table). Verification
   * pins the active model on first use, so later results of the case come from the same model
   * unless the examiner changes it.
   */
  setModel(ref: CaseRef, modelId: string): CaseRow {
    return this.write(() => {
      const before = this.requireWritable(ref);
      if (before.modelId === modelId) return before;
      this.updateModel.run(modelId, nowIso(), before.id);
      this.audit.append({ action: 'case.model', caseId: before.id, entity: `case:${before.id}`, details: { old: before.modelId, new: modelId } });
      return toCaseRow(this.byId.get(before.id) as RawCase);
    });
  }

  archive(ref: CaseRef): CaseRow {
    return this.write(() => {
      const before = this.get(ref);
      if (before.status === 'archived') throw new AppError('CONFLICT', `case '${before.name}' is already archived`, { field: 'case' });
      this.updateStatus.run('archived', nowIso(), before.id);
      this.audit.append({ action: 'case.archive', caseId: before.id, entity: `case:${before.id}`, details: { name: before.name } });
      return toCaseRow(this.byId.get(before.id) as RawCase);
    });
  }

  private findRaw(ref: CaseRef): RawCase | undefined {
    if (typeof ref === 'number') return Number.isInteger(ref) ? (this.byId.get(ref) as RawCase | undefined) : undefined;
    if (typeof ref !== 'string') return undefined;
    const s = ref.trim();
    if (/^#\d+$/.test(s)) return this.byId.get(Number(s.slice(1))) as RawCase | undefined;
    const byName = this.byKey.get(nameKey(s)) as RawCase | undefined;
    if (byName) return byName;
    return /^\d+$/.test(s) ? (this.byId.get(Number(s)) as RawCase | undefined) : undefined;
  }
}
