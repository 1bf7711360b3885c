/**
 * What a case report reads beyond the repositories (report/from-case.ts): the case's
 * document files, the audit row the report is anchored to and the
 * signature that covers it, and the reason a document was left out.
 */
import type { Store } from './store.ts';

/** A document of the case as the report's items name it. */
export interface RawReportDocument {
  id: number;
  role: string;
  original_path: string;
  sha256: string;
  page_index: number;
}

export function reportDocuments(store: Pick<Store, 'db'>, caseId: number): RawReportDocument[] {
  return store.db.prepare('SELECT id, role, original_path, sha256, page_index FROM documents WHERE case_id = ?').all(caseId) as RawReportDocument[];
}

/** How many ready known documents of the case a subject has. */
export function readyKnownDocumentCount(store: Pick<Store, 'db'>, caseId: number | null, subjectId: number): number {
  return store.db
    .prepare("SELECT COUNT(*) FROM documents WHERE case_id = ? AND role = 'known' AND subject_id = ? AND status = 'ready'")
    .pluck()
    .get(caseId, subjectId) as number;
}

/** The newest audit row of the comparison `comparisonEntity` (`comparison:<id>`) or of the case's bench records. */
export function newestReportAuditRow(store: Pick<Store, 'db'>, comparisonEntity: string, caseId: number): { seq: number; hash: string } | undefined {
  return store.db
    .prepare(`SELECT seq, hash FROM audit_log WHERE entity = @c OR (case_id = @case AND action LIKE 'bench.%') ORDER BY seq DESC LIMIT 1`)
    .get({ c: comparisonEntity, case: caseId }) as { seq: number; hash: string } | undefined;
}

/** The first signature of the audit head at or after `seq`: the one that covers that row. */
export function signatureCovering(store: Pick<Store, 'db'>, seq: number): { seq: number; hash: string; publicKey: string; signature: string } | undefined {
  return store.db.prepare('SELECT seq, hash, public_key AS publicKey, signature FROM audit_signatures WHERE seq >= ? ORDER BY seq LIMIT 1').get(seq) as
    { seq: number; hash: string; publicKey: string; signature: string } | undefined;
}
