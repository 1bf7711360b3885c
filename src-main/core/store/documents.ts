import { AppError } from '../errors.ts';
import { nameKey } from './cases.ts';
import { guarded, nowIso, type Db } from './database.ts';
import { toDocumentRow, toSignatureRow, toSubjectRow, type RawDocument, type RawSignature, type RawSubject } from './document-rows.ts';
import type { Box, DocumentRow, DocumentStatus, DpiSource, QuestionedDocumentRow, SignatureRow, SignatureStatus, SubjectRow, SubjectSummary } from './types.ts';

export const SUBJECT_NAME_MAX = 200;

/** What the import job knows about a new document (one page of one file). */
export type NewDocument = Omit<DocumentRow, 'id' | 'caseId' | 'status' | 'importedAt' | 'dpiSource'> & {
  caseId: number;
  /** Default 'file' when dpi is set. */
  dpiSource?: DpiSource | null;
  status: Extract<DocumentStatus, 'ready' | 'failed'>;
};

/** What a retried (previously failed) document learns on the new attempt. */
export interface DocumentUpdate {
  subjectId?: number | null;
  claimedSubjectId?: number | null;
  format: string | null;
  width: number | null;
  height: number | null;
  dpi: number | null;
  /** Default 'file' when dpi is set. */
  dpiSource?: DpiSource | null;
  status: Extract<DocumentStatus, 'ready' | 'failed'>;
  failureReason: string | null;
}

/** A signature row before the store gives it an id and timestamps. */
export type NewSignature = Omit<SignatureRow, 'id' | 'createdAt' | 'updatedAt'>;

/** A subject's name as it comes from a folder name or case.json; the message names the field. */
export function validateSubjectName(name: unknown, field = 'subject'): string {
  if (typeof name !== 'string' || !name.trim()) throw new AppError('INVALID_ARGUMENT', `${field}: a subject name is required`, { field });
  const trimmed = name.trim().normalize('NFC');
  if (trimmed.length > SUBJECT_NAME_MAX)
    throw new AppError('INVALID_ARGUMENT', `${field}: at most ${SUBJECT_NAME_MAX} characters (got ${trimmed.length})`, { field });
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) throw new AppError('INVALID_ARGUMENT', `${field}: must not contain control characters`, { field });
  return trimmed;
}

function checkBox(box: Box): void {
  for (const k of ['x', 'y', 'w', 'h'] as const) {
    if (!Number.isInteger(box[k])) throw new AppError('INVALID_ARGUMENT', `box.${k}: expected an integer number of pixels, got ${String(box[k])}`);
  }
  if (box.x < 0 || box.y < 0 || box.w <= 0 || box.h <= 0) {
    throw new AppError('INVALID_ARGUMENT', `box: expected x, y >= 0 and a positive width and height, got [${box.x}, ${box.y}, ${box.w}, ${box.h}]`);
  }
}

/**
 * Subjects, documents and signatures of cases. Statements are prepared once. Every method
 * that writes runs inside `write` (a savepoint when the caller already holds a transaction),
 * so a caller can put the rows and the audit rows recording them into one transaction. The
 * rows are evidence: nothing here deletes, and an original's identity never changes (the
 * database's triggers enforce both).
 */
export class DocumentRepository {
  private readonly q;

  constructor(
    private readonly db: Db,
    private readonly dbPath: string,
    private readonly write: <T>(fn: () => T) => T,
  ) {
    this.q = {
      subjectById: db.prepare('SELECT * FROM subjects WHERE id = ?'),
      subjectByKey: db.prepare('SELECT * FROM subjects WHERE case_id = ? AND name_key = ?'),
      subjectsOfCase: db.prepare('SELECT * FROM subjects WHERE case_id = ? ORDER BY name_key'),
      subjectSummariesOfCase: db.prepare(
        `SELECT s.*,
                (SELECT count(*) FROM documents d WHERE d.subject_id = s.id) AS known,
                (SELECT count(*) FROM documents d WHERE d.claimed_subject_id = s.id) AS questioned
         FROM subjects s WHERE s.case_id = ? ORDER BY s.name_key`,
      ),
      insertSubject: db.prepare(`INSERT INTO subjects (case_id, scope, name, name_key, created_at) VALUES (?, 'case', ?, ?, ?)`),
      doc: db.prepare('SELECT * FROM documents WHERE id = ?'),
      docsOfCase: db.prepare("SELECT * FROM documents WHERE case_id = ? ORDER BY role = 'questioned', id"),
      questionedOfCase: db.prepare(
        `SELECT d.*, s.name AS claimed_subject_name
         FROM documents d LEFT JOIN subjects s ON s.id = d.claimed_subject_id
         WHERE d.case_id = ? AND d.role = 'questioned' ORDER BY d.original_path, d.page_index`,
      ),
      docsByObject: db.prepare('SELECT * FROM documents WHERE case_id = ? AND sha256 = ? ORDER BY page_index'),
      insertDoc: db.prepare(
        `INSERT INTO documents (case_id, role, subject_id, claimed_subject_id, original_path, sha256, size, format, width, height, dpi, dpi_source, page_index, status, failure_reason, imported_at)
         VALUES (@caseId, @role, @subjectId, @claimedSubjectId, @originalPath, @sha256, @size, @format, @width, @height, @dpi, @dpiSource, @pageIndex, @status, @failureReason, @now)`,
      ),
      updateDoc: db.prepare(
        `UPDATE documents SET subject_id = @subjectId, claimed_subject_id = @claimedSubjectId, format = @format, width = @width, height = @height,
           dpi = @dpi, dpi_source = @dpiSource, status = @status, failure_reason = @failureReason WHERE id = @id`,
      ),
      setDocStatus: db.prepare('UPDATE documents SET status = ?, failure_reason = ? WHERE id = ?'),
      sig: db.prepare('SELECT * FROM signatures WHERE id = ?'),
      sigsOfDoc: db.prepare('SELECT * FROM signatures WHERE document_id = ? ORDER BY id'),
      sigsOfCase: db.prepare('SELECT s.* FROM signatures s JOIN documents d ON d.id = s.document_id WHERE d.case_id = ? ORDER BY s.id'),
      insertSig: db.prepare(
        `INSERT INTO signatures (document_id, box_x, box_y, box_w, box_h, confidence, low_confidence, is_crop, source, status, crop_sha256, normalised_sha256, params, quality, created_at, updated_at)
         VALUES (@documentId, @x, @y, @w, @h, @confidence, @lowConfidence, @isCrop, @source, @status, @cropSha256, @normalisedSha256, @params, @quality, @now, @now)`,
      ),
      setSigStatus: db.prepare('UPDATE signatures SET status = ?, updated_at = ? WHERE id = ?'),
    };
  }

  // ---------------------------------------------------------------------------- subjects

  subject(id: number): SubjectRow | undefined {
    return guarded(this.dbPath, () => {
      const r = this.q.subjectById.get(id) as RawSubject | undefined;
      return r ? toSubjectRow(r) : undefined;
    });
  }

  /** A case's subject by name (any letter case). */
  findSubject(caseId: number, name: string): SubjectRow | undefined {
    return guarded(this.dbPath, () => {
      const r = this.q.subjectByKey.get(caseId, nameKey(name.trim())) as RawSubject | undefined;
      return r ? toSubjectRow(r) : undefined;
    });
  }

  subjectsOfCase(caseId: number): SubjectRow[] {
    return guarded(this.dbPath, () => (this.q.subjectsOfCase.all(caseId) as RawSubject[]).map(toSubjectRow));
  }

  /** The case's subjects by name, each with its count of known documents and of questioned documents claiming it. */
  subjectSummariesOfCase(caseId: number): SubjectSummary[] {
    return guarded(this.dbPath, () =>
      (this.q.subjectSummariesOfCase.all(caseId) as (RawSubject & { known: number; questioned: number })[]).map((r) => ({
        ...toSubjectRow(r),
        known: r.known,
        questioned: r.questioned,
      })),
    );
  }

  /** Creates a case subject; the caller audits it in the same transaction. CONFLICT if the name is taken. */
  insertSubject(caseId: number, name: string): SubjectRow {
    const clean = validateSubjectName(name);
    return this.write(() => {
      const existing = this.findSubject(caseId, clean);
      if (existing) throw new AppError('CONFLICT', `subject: case ${caseId} already has a subject named '${existing.name}'`, { field: 'subject' });
      const id = Number(this.q.insertSubject.run(caseId, clean, nameKey(clean), nowIso()).lastInsertRowid);
      return toSubjectRow(this.q.subjectById.get(id) as RawSubject);
    });
  }

  // --------------------------------------------------------------------------- documents

  document(id: number): DocumentRow | undefined {
    return guarded(this.dbPath, () => {
      const r = this.q.doc.get(id) as RawDocument | undefined;
      return r ? toDocumentRow(r) : undefined;
    });
  }

  requireDocument(id: number, field = 'documentId'): DocumentRow {
    const d = this.document(id);
    if (!d) throw new AppError('NOT_FOUND', `${field}: no document ${id}`, { field });
    return d;
  }

  /** Known documents first, then questioned, each in import order. */
  documentsOfCase(caseId: number): DocumentRow[] {
    return guarded(this.dbPath, () => (this.q.docsOfCase.all(caseId) as RawDocument[]).map(toDocumentRow));
  }

  /** The case's questioned documents (failed imports too) by path and page, each with the name of the subject it claims. */
  questionedDocumentsOfCase(caseId: number): QuestionedDocumentRow[] {
    return guarded(this.dbPath, () =>
      (this.q.questionedOfCase.all(caseId) as (RawDocument & { claimed_subject_name: string | null })[]).map((r) => ({
        ...toDocumentRow(r),
        claimedSubjectName: r.claimed_subject_name,
      })),
    );
  }

  /** Every page of the case's document with this original (same SHA-256), page order. */
  documentsByObject(caseId: number, sha256: string): DocumentRow[] {
    return guarded(this.dbPath, () => (this.q.docsByObject.all(caseId, sha256) as RawDocument[]).map(toDocumentRow));
  }

  insertDocument(d: NewDocument): DocumentRow {
    if (d.status === 'failed' && !d.failureReason) throw new AppError('INVALID_ARGUMENT', `${d.originalPath}: a failed document needs a reason`);
    return this.write(() => {
      const id = Number(this.q.insertDoc.run({ ...d, dpiSource: d.dpi === null ? null : (d.dpiSource ?? 'file'), now: nowIso() }).lastInsertRowid);
      return toDocumentRow(this.q.doc.get(id) as RawDocument);
    });
  }

  /** A new attempt at a document that failed before: what it found, ready or failed again. */
  updateDocument(id: number, u: DocumentUpdate): DocumentRow {
    return this.write(() => {
      const before = this.requireDocument(id);
      this.q.updateDoc.run({
        id,
        subjectId: u.subjectId === undefined ? before.subjectId : u.subjectId,
        claimedSubjectId: u.claimedSubjectId === undefined ? before.claimedSubjectId : u.claimedSubjectId,
        format: u.format,
        width: u.width,
        height: u.height,
        dpi: u.dpi,
        dpiSource: u.dpi === null ? null : (u.dpiSource ?? 'file'),
        status: u.status,
        failureReason: u.status === 'failed' ? u.failureReason : null,
      });
      return toDocumentRow(this.q.doc.get(id) as RawDocument);
    });
  }

  setDocumentStatus(id: number, status: DocumentStatus, failureReason: string | null = null): DocumentRow {
    return this.write(() => {
      this.q.setDocStatus.run(status, status === 'failed' ? failureReason : null, id);
      return this.requireDocument(id);
    });
  }

  // -------------------------------------------------------------------------- signatures

  signature(id: number): SignatureRow | undefined {
    return guarded(this.dbPath, () => {
      const r = this.q.sig.get(id) as RawSignature | undefined;
      return r ? toSignatureRow(r) : undefined;
    });
  }

  /** Oldest first: earlier boxes stay as history. */
  signaturesOf(documentId: number): SignatureRow[] {
    return guarded(this.dbPath, () => (this.q.sigsOfDoc.all(documentId) as RawSignature[]).map(toSignatureRow));
  }

  signaturesOfCase(caseId: number): SignatureRow[] {
    return guarded(this.dbPath, () => (this.q.sigsOfCase.all(caseId) as RawSignature[]).map(toSignatureRow));
  }

  insertSignature(s: NewSignature): SignatureRow {
    checkBox(s.box);
    return this.write(() => {
      const id = Number(
        this.q.insertSig.run({
          documentId: s.documentId,
          ...s.box,
          confidence: s.confidence,
          lowConfidence: s.lowConfidence ? 1 : 0,
          isCrop: s.isCrop ? 1 : 0,
          source: s.source,
          status: s.status,
          cropSha256: s.cropSha256,
          normalisedSha256: s.normalisedSha256,
          params: JSON.stringify(s.params),
          quality: JSON.stringify(s.quality),
          now: nowIso(),
        }).lastInsertRowid,
      );
      return toSignatureRow(this.q.sig.get(id) as RawSignature);
    });
  }

  setSignatureStatus(id: number, status: SignatureStatus): SignatureRow {
    return this.write(() => {
      this.q.setSigStatus.run(status, nowIso(), id);
      const row = this.signature(id);
      if (!row) throw new AppError('NOT_FOUND', `signatureId: no signature ${id}`);
      return row;
    });
  }
}

/** The signature the document stands for now: the newest not rejected, else the newest. */
export function activeSignature<T extends { id: number; status: string }>(sigs: readonly T[]): T | null {
  let best: T | null = null;
  for (const s of sigs) {
    const better =
      !best || (best.status === 'rejected' && s.status !== 'rejected') || ((s.status !== 'rejected') === (best.status !== 'rejected') && s.id > best.id);
    if (better) best = s;
  }
  return best;
}
