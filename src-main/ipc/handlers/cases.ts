import { AppError } from '../../core/errors.ts';
import { newCaseDefaults, readSettings } from '../../core/settings.ts';
import type { Db, Store } from '../../core/store/index.ts';
import { toSubjectRow, type RawSubject } from '../../core/store/document-rows.ts';
import type { CaseRow } from '../../core/store/types.ts';
import type { CaseSummary, SubjectSummary, casesMethods } from '../methods/cases.ts';
import { caseDocuments } from './documents.ts';
import type { HandlersFor, Services } from './types.ts';

interface Counts {
  subjects: number;
  documents: number;
  known: number;
  questioned: number;
  failed: number;
}
const NO_COUNTS: Counts = { subjects: 0, documents: 0, known: 0, questioned: 0, failed: 0 };

/** A subject row with its counts of known and questioned documents. */
interface RawSubjectCounts extends RawSubject {
  known: number;
  questioned: number;
}

function prepare(db: Db) {
  return {
    subjectCounts: db.prepare('SELECT case_id, count(*) AS n FROM subjects WHERE case_id IS NOT NULL GROUP BY case_id'),
    documentCounts: db.prepare(
      `SELECT case_id, count(*) AS documents, sum(role = 'known') AS known, sum(role = 'questioned') AS questioned,
              sum(status = 'failed') AS failed
       FROM documents WHERE case_id IS NOT NULL GROUP BY case_id`,
    ),
    subjectsOfCase: db.prepare(
      `SELECT s.*,
              (SELECT count(*) FROM documents d WHERE d.subject_id = s.id) AS known,
              (SELECT count(*) FROM documents d WHERE d.claimed_subject_id = s.id) AS questioned
       FROM subjects s WHERE s.case_id = ? ORDER BY s.name_key`,
    ),
  };
}
const prepared = new WeakMap<Db, ReturnType<typeof prepare>>();
function queries(store: Store): ReturnType<typeof prepare> {
  let q = prepared.get(store.db);
  if (!q) {
    q = prepare(store.db);
    prepared.set(store.db, q);
  }
  return q;
}

/** Subject and document counts of every case, in two grouped queries. */
function allCounts(store: Store): Map<number, Counts> {
  const q = queries(store);
  const out = new Map<number, Counts>();
  const at = (id: number) => out.get(id) ?? (out.set(id, { ...NO_COUNTS }), out.get(id)!);
  for (const r of q.subjectCounts.all() as { case_id: number; n: number }[]) at(r.case_id).subjects = r.n;
  for (const r of q.documentCounts.all() as { case_id: number; documents: number; known: number; questioned: number; failed: number }[]) {
    Object.assign(at(r.case_id), { documents: r.documents, known: r.known, questioned: r.questioned, failed: r.failed });
  }
  return out;
}

function summary(row: CaseRow, counts: Map<number, Counts>): CaseSummary {
  return { ...row, ...(counts.get(row.id) ?? NO_COUNTS) };
}

function toSubjectSummary(r: RawSubjectCounts): SubjectSummary {
  return { ...toSubjectRow(r), known: r.known, questioned: r.questioned };
}

export function casesHandlers(s: Services): HandlersFor<typeof casesMethods> {
  return {
    'cases.list': ({ search, includeArchived }) => {
      const store = s.app.store;
      const rows = store.cases.list({ search, includeArchived });
      const counts = allCounts(store);
      return rows.map((r) => summary(r, counts));
    },
    'cases.create': ({ name, examiner, threshold, notes }) => {
      // New cases take the examiner's defaults from the settings (minimum references, band).
      const defaults = newCaseDefaults(readSettings(s.app.dataDir));
      return s.app.store.cases.create({
        name,
        examiner: examiner ?? null,
        notes: notes ?? null,
        threshold: threshold ?? null,
        minReferences: defaults.minReferences,
        inconclusiveBand: defaults.inconclusiveBand,
      });
    },
    'cases.get': ({ caseId }) => {
      const store = s.app.store;
      const row = store.cases.find(caseId);
      if (!row) throw new AppError('NOT_FOUND', `caseId: no case ${caseId}`);
      const subjects = (queries(store).subjectsOfCase.all(caseId) as RawSubjectCounts[]).map(toSubjectSummary);
      return { case: summary(row, allCounts(store)), subjects, documents: caseDocuments(store, caseId) };
    },
    'cases.setThreshold': ({ caseId, threshold, reason }) => s.app.store.cases.setThreshold(existing(s.app.store, caseId), threshold, reason),
    'cases.archive': ({ caseId }) => s.app.store.cases.archive(existing(s.app.store, caseId)),
    'cases.audit': ({ caseId }) => {
      const store = s.app.store;
      existing(store, caseId);
      return { rows: store.audit.list({ caseId }), chain: store.audit.verify({ caseId }) };
    },
  };
}

/** The case id as a number reference (never read as a name), after checking it exists. */
function existing(store: Store, caseId: number): number {
  if (!store.cases.find(caseId)) throw new AppError('NOT_FOUND', `caseId: no case ${caseId}`);
  return caseId;
}
