/**
 * The institution's reference library in the case database: subjects with scope 'library'
 * (case_id NULL), their documents (case_id NULL, role 'known') and signatures, and the
 * enrolment records (migration 002). Rows are evidence: nothing here deletes; removing a
 * writer marks the subject withdrawn (the schema's triggers refuse anything else).
 * Writes run inside `store.write` so callers can put rows and audit rows in one transaction.
 */
import { AppError } from '../errors.ts';
import { nameKey } from './cases.ts';
import { validateSubjectName } from './documents.ts';
import type { Store } from './store.ts';
import type { DocumentRow } from './types.ts';

export interface LibrarySubject {
  id: number;
  name: string;
  notes: string | null;
  createdAt: string;
  status: 'active' | 'withdrawn';
  withdrawnAt: string | null;
  withdrawnReason: string | null;
  /** Library documents of the subject (any status). */
  documents: number;
  /** Ready documents with a usable signature: what identification compares with. */
  exemplars: number;
  /** Of those, how many have an embedding for the model asked about (null: no model given). */
  embedded: number | null;
  /** Case subjects linked to this library subject (drawn from it or enrolled from it). */
  linkedCaseSubjects: number;
}

interface RawLibrarySubject {
  id: number;
  name: string;
  notes: string | null;
  created_at: string;
  withdrawn_at: string | null;
  withdrawn_reason: string | null;
  documents: number;
  exemplars: number;
  embedded: number | null;
  linked: number;
}

/** A library document as the library's functions pass it around (the signature it stands for now). */
export interface LibraryExemplarRow {
  documentId: number;
  originalPath: string;
  sha256: string;
  pageIndex: number;
  signatureId: number;
}

/** A library exemplar's file: the fields of a document row that an enrolment knows. */
export type NewLibraryDocument = Pick<DocumentRow, 'originalPath' | 'sha256' | 'size' | 'format' | 'width' | 'height' | 'dpi' | 'pageIndex'> & {
  subjectId: number;
  /** Default 'file' when dpi is set. */
  dpiSource?: DocumentRow['dpiSource'];
};

// The active signature of a document: the newest one that is not rejected (case-signature-rows.ts).
const ACTIVE_SIGNATURE = `(SELECT MAX(id) FROM signatures WHERE document_id = d.id AND status <> 'rejected')`;

const LIST_SQL = `
SELECT sub.id, sub.name, sub.notes, sub.created_at, sub.withdrawn_at, sub.withdrawn_reason,
  (SELECT count(*) FROM documents d WHERE d.subject_id = sub.id) AS documents,
  (SELECT count(*) FROM documents d JOIN signatures s ON s.id = ${ACTIVE_SIGNATURE}
     WHERE d.subject_id = sub.id AND d.status = 'ready' AND s.normalised_sha256 IS NOT NULL) AS exemplars,
  CASE WHEN @model IS NULL THEN NULL ELSE
  (SELECT count(*) FROM documents d JOIN signatures s ON s.id = ${ACTIVE_SIGNATURE}
     JOIN embeddings e ON e.signature_id = s.id AND e.model_id = @model
     WHERE d.subject_id = sub.id AND d.status = 'ready' AND s.normalised_sha256 IS NOT NULL) END AS embedded,
  (SELECT count(*) FROM subjects c WHERE c.library_subject_id = sub.id) AS linked
FROM subjects sub
WHERE sub.scope = 'library' AND (@all = 1 OR sub.withdrawn_at IS NULL) AND (@key IS NULL OR sub.name_key = @key)
ORDER BY sub.name_key`;

function toLibrarySubject(r: RawLibrarySubject): LibrarySubject {
  return {
    id: r.id,
    name: r.name,
    notes: r.notes,
    createdAt: r.created_at,
    status: r.withdrawn_at ? 'withdrawn' : 'active',
    withdrawnAt: r.withdrawn_at,
    withdrawnReason: r.withdrawn_reason,
    documents: r.documents,
    exemplars: r.exemplars,
    embedded: r.embedded,
    linkedCaseSubjects: r.linked,
  };
}

export class LibraryRepository {
  constructor(private readonly store: Store) {}

  private get db() {
    return this.store.db;
  }

  list(opts: { includeWithdrawn?: boolean; modelId?: string | null } = {}): LibrarySubject[] {
    const rows = this.db.prepare(LIST_SQL).all({ all: opts.includeWithdrawn ? 1 : 0, key: null, model: opts.modelId ?? null }) as RawLibrarySubject[];
    return rows.map(toLibrarySubject);
  }

  /** A library subject by name (any letter case), `#12` or a bare id; withdrawn ones included. */
  find(ref: string | number, modelId: string | null = null): LibrarySubject | undefined {
    const byId = typeof ref === 'number' ? ref : /^#?\d+$/.test(ref.trim()) ? Number(ref.trim().replace('#', '')) : null;
    if (byId !== null) {
      const row = this.db.prepare("SELECT name FROM subjects WHERE id = ? AND scope = 'library'").get(byId) as { name: string } | undefined;
      if (row) return this.find(row.name, modelId);
      if (typeof ref === 'number' || ref.trim().startsWith('#')) return undefined;
    }
    const rows = this.db.prepare(LIST_SQL).all({ all: 1, key: nameKey(String(ref).trim()), model: modelId }) as RawLibrarySubject[];
    return rows[0] ? toLibrarySubject(rows[0]) : undefined;
  }

  require(ref: string | number, field = 'subject', modelId: string | null = null): LibrarySubject {
    const s = this.find(ref, modelId);
    if (!s) throw new AppError('NOT_FOUND', `${field}: no library subject '${String(ref)}' (countersign library list)`, { field });
    return s;
  }

  /** Creates a library subject; the caller audits it in the same transaction. */
  insertSubject(name: string, notes: string | null = null): LibrarySubject {
    const clean = validateSubjectName(name, 'name');
    return this.store.write(() => {
      const existing = this.find(clean);
      if (existing) throw new AppError('CONFLICT', `name: the library already has a subject named '${existing.name}'`, { field: 'name' });
      const id = Number(
        this.db
          .prepare("INSERT INTO subjects (case_id, scope, name, name_key, notes, created_at) VALUES (NULL, 'library', ?, ?, ?, ?)")
          .run(clean, nameKey(clean), notes, new Date().toISOString()).lastInsertRowid,
      );
      return this.require(id);
    });
  }

  withdraw(id: number, reason: string): LibrarySubject {
    return this.store.write(() => {
      this.db
        .prepare('UPDATE subjects SET withdrawn_at = ?, withdrawn_reason = ? WHERE id = ? AND withdrawn_at IS NULL')
        .run(new Date().toISOString(), reason, id);
      return this.require(id);
    });
  }

  /** The library document holding these bytes (one page), if any: the library keeps one copy of an original. */
  documentByObject(sha256: string, pageIndex: number): (DocumentRow & { subjectName: string }) | undefined {
    const r = this.db
      .prepare(
        `SELECT d.id, d.original_path, d.subject_id, sub.name AS subject_name FROM documents d JOIN subjects sub ON sub.id = d.subject_id
         WHERE d.case_id IS NULL AND d.sha256 = ? AND d.page_index = ?`,
      )
      .get(sha256, pageIndex) as { id: number; original_path: string; subject_id: number; subject_name: string } | undefined;
    if (!r) return undefined;
    return { ...this.store.documents.requireDocument(r.id), subjectName: r.subject_name };
  }

  insertDocument(d: NewLibraryDocument): DocumentRow {
    return this.store.write(() => {
      const id = Number(
        this.db
          .prepare(
            `INSERT INTO documents (case_id, role, subject_id, claimed_subject_id, original_path, sha256, size, format, width, height, dpi, dpi_source, page_index, status, failure_reason, imported_at)
             VALUES (NULL, 'known', @subjectId, NULL, @originalPath, @sha256, @size, @format, @width, @height, @dpi, @dpiSource, @pageIndex, 'ready', NULL, @now)`,
          )
          .run({ ...d, dpiSource: d.dpi === null ? null : (d.dpiSource ?? 'file'), now: new Date().toISOString() }).lastInsertRowid,
      );
      return this.store.documents.requireDocument(id);
    });
  }

  /** Ready documents of a subject (library or case) with the signature each stands for now. */
  exemplarsOf(subjectId: number): LibraryExemplarRow[] {
    return this.db
      .prepare(
        `SELECT d.id AS documentId, d.original_path AS originalPath, d.sha256, d.page_index AS pageIndex, s.id AS signatureId
           FROM documents d JOIN signatures s ON s.id = ${ACTIVE_SIGNATURE}
           WHERE d.subject_id = ? AND d.role = 'known' AND d.status = 'ready' AND s.normalised_sha256 IS NOT NULL ORDER BY d.id`,
      )
      .all(subjectId) as LibraryExemplarRow[];
  }

  insertEnrolment(e: {
    subjectId: number;
    source: 'files' | 'case';
    sourceCaseId: number | null;
    sourceSubjectId: number | null;
    modelId: string | null;
    documents: number[];
    report: Record<string, unknown>;
  }): number {
    return this.store.write(() =>
      Number(
        this.db
          .prepare(
            `INSERT INTO library_enrolments (subject_id, source, source_case_id, source_subject_id, model_id, documents, report, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            e.subjectId,
            e.source,
            e.sourceCaseId,
            e.sourceSubjectId,
            e.modelId,
            JSON.stringify(e.documents),
            JSON.stringify(e.report),
            new Date().toISOString(),
          ).lastInsertRowid,
      ),
    );
  }

  /** Links a case subject to the library subject it was drawn from or enrolled into. Call inside `store.write`. */
  linkCaseSubject(caseSubjectId: number, librarySubjectId: number): void {
    this.db.prepare('UPDATE subjects SET library_subject_id = ? WHERE id = ?').run(librarySubjectId, caseSubjectId);
  }

  /**
   * Embeddings are a function of the normalised image and the model only, so a copied
   * signature (same normalised image) gets the source's embeddings for every model as they
   * are: identical to recomputing them, without the cost.
   */
  copyEmbeddings(fromSignatureId: number, toSignatureId: number): number {
    return this.store.write(
      () =>
        this.db
          .prepare(
            `INSERT OR IGNORE INTO embeddings (signature_id, model_id, dim, vector, created_at)
             SELECT ?, model_id, dim, vector, ? FROM embeddings WHERE signature_id = ?`,
          )
          .run(toSignatureId, new Date().toISOString(), fromSignatureId).changes,
    );
  }
}
