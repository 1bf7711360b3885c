/**
 * What the derived writer indexes read to stay in step with the case database
 * (identify/ann-index.ts; store/vector-index.ts reads the same tables itself): the
 * embedding_log that triggers fill on every insert and delete of an embedding (migration 002),
 * the audit rows that name library subjects and documents, and the database's origin. Read
 * inside the search's read transaction, so every read sees one snapshot.
 */
import type { Store } from './store.ts';

export interface EmbeddingLogRow {
  seq: number;
  signature_id: number;
  op: string;
}

/** The database's origin: its first audit row's hash ('empty' before there is one); a derived index names the database it was built from by it. */
export function databaseOrigin(store: Pick<Store, 'db'>): string {
  return (store.db.prepare('SELECT hash FROM audit_log WHERE seq = 1').pluck().get() as string | undefined) ?? 'empty';
}

export function embeddingLogRow(store: Pick<Store, 'db'>, seq: number): EmbeddingLogRow | undefined {
  return store.db.prepare('SELECT seq, signature_id, op FROM embedding_log WHERE seq = ?').get(seq) as EmbeddingLogRow | undefined;
}

/** The newest log row of a model's embeddings. */
export function lastEmbeddingLogRow(store: Pick<Store, 'db'>, modelId: string): EmbeddingLogRow | undefined {
  return store.db.prepare('SELECT seq, signature_id, op FROM embedding_log WHERE model_id = ? ORDER BY seq DESC LIMIT 1').get(modelId) as
    EmbeddingLogRow | undefined;
}

/** The newest audit row's number (0 when there is none). */
export function lastAuditSeq(store: Pick<Store, 'db'>): number {
  return (store.db.prepare('SELECT COALESCE(MAX(seq), 0) FROM audit_log').pluck().get() as number) ?? 0;
}

/**
 * Library writers named by the model's embedding_log rows with seq in (fromSeq, toSeq] and by
 * the audit rows with seq in (fromAudit, toAudit] that name a subject or a document of the
 * library (an exemplar added, excluded, withdrawn...).
 */
export function libraryWritersChanged(
  store: Pick<Store, 'db'>,
  modelId: string,
  fromSeq: number,
  toSeq: number,
  fromAudit: number,
  toAudit: number,
): Set<number> {
  const db = store.db;
  const dirty = new Set<number>();
  const bySignature = db.prepare(
    `SELECT DISTINCT d.subject_id FROM embedding_log l JOIN signatures s ON s.id = l.signature_id JOIN documents d ON d.id = s.document_id
       WHERE l.model_id = ? AND l.seq > ? AND l.seq <= ? AND d.case_id IS NULL AND d.subject_id IS NOT NULL`,
  );
  for (const id of bySignature.pluck().iterate(modelId, fromSeq, toSeq) as Iterable<number>) dirty.add(id);
  const entities = db.prepare(`SELECT entity FROM audit_log WHERE seq > ? AND seq <= ? AND (entity LIKE 'subject:%' OR entity LIKE 'document:%')`).pluck();
  const subjectOfDocument = db.prepare('SELECT subject_id FROM documents WHERE id = ? AND case_id IS NULL').pluck();
  const isLibrary = db.prepare("SELECT 1 FROM subjects WHERE id = ? AND scope = 'library'").pluck();
  for (const e of entities.iterate(fromAudit, toAudit) as Iterable<string>) {
    const [kind, raw] = e.split(':');
    const id = Number(raw);
    if (!Number.isInteger(id)) continue;
    const subject = kind === 'subject' ? (isLibrary.get(id) ? id : undefined) : (subjectOfDocument.get(id) as number | null | undefined);
    if (typeof subject === 'number') dirty.add(subject);
  }
  return dirty;
}
