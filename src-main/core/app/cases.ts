/**
 * Cases as every front-end sees them: listed with how much they hold, opened with their
 * subjects and documents, created with the examiner's defaults. The IPC handlers
 * (ipc/handlers/cases.ts) and the CLI (`countersign case ...`) both call these, so the desktop
 * app, the bridge and the command line cannot disagree about a case.
 */
import type { AppContext } from '../app-context.ts';
import { AppError } from '../errors.ts';
import { newCaseDefaults, readSettings } from '../settings.ts';
import { NO_CASE_COUNTS, type Store } from '../store/index.ts';
import type { AuditRow, AuditVerifyResult, CaseCounts, CaseListOptions, CaseRow, SubjectSummary } from '../store/types.ts';
import { caseDocuments, type DocumentSummary } from './documents.ts';

/** A case in the list, with how much it holds. */
export interface CaseSummary extends CaseRow, CaseCounts {}

export interface CaseDetail {
  case: CaseSummary;
  subjects: SubjectSummary[];
  /** Known documents first, then questioned; each with its active signature. */
  documents: DocumentSummary[];
}

export interface CaseAudit {
  /** The case's audit rows, oldest first. */
  rows: AuditRow[];
  /** The whole chain verified now (a break before the case's last row affects the case). */
  chain: AuditVerifyResult;
}

export interface CaseInput {
  name: string;
  examiner?: string | null | undefined;
  threshold?: number | null | undefined;
  notes?: string | null | undefined;
}

function summary(row: CaseRow, counts: Map<number, CaseCounts>): CaseSummary {
  return { ...row, ...(counts.get(row.id) ?? NO_CASE_COUNTS) };
}

/** Cases (open ones unless includeArchived), filtered by a substring of the name or examiner, each with its counts. */
export function listCases(store: Store, opts: CaseListOptions = {}): CaseSummary[] {
  const rows = store.cases.list(opts);
  const counts = store.cases.countsByCase();
  return rows.map((r) => summary(r, counts));
}

/** The case with this id (a number, never read as a name); NOT_FOUND naming `caseId` otherwise. */
export function caseById(store: Store, caseId: number): CaseRow {
  const row = store.cases.find(caseId);
  if (!row) throw new AppError('NOT_FOUND', `caseId: no case ${caseId}`);
  return row;
}

/** A case with its counts, its subjects (with theirs) and its documents. */
export function caseDetail(store: Store, caseId: number): CaseDetail {
  const row = caseById(store, caseId);
  return {
    case: summary(row, store.cases.countsByCase()),
    subjects: store.documents.subjectSummariesOfCase(caseId),
    documents: caseDocuments(store, caseId),
  };
}

/** The case's audit rows and the verification of the whole chain. */
export function caseAudit(store: Store, caseId: number): CaseAudit {
  caseById(store, caseId);
  return { rows: store.audit.list({ caseId }), chain: store.audit.verify({ caseId }) };
}

/** A new case; minimum references and the inconclusive band come from the data directory's settings. */
export function createCase(app: Pick<AppContext, 'dataDir' | 'store'>, input: CaseInput): CaseRow {
  const defaults = newCaseDefaults(readSettings(app.dataDir));
  return app.store.cases.create({
    name: input.name,
    examiner: input.examiner ?? null,
    notes: input.notes ?? null,
    threshold: input.threshold ?? null,
    minReferences: defaults.minReferences,
    inconclusiveBand: defaults.inconclusiveBand,
  });
}
