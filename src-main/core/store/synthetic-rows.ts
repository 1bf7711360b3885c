/**
 * Rows of synthetic embedding libraries (synth/embedding-library.ts: benchmarks and tests of
 * identification at sizes no scan set reaches). They are written straight into the tables,
 * with the few columns the searches read, placeholder hashes for objects that do not exist
 * and no audit rows of their own: fast enough for a million exemplars. Call the writes inside
 * `store.write`; never used on a user's data.
 */
import { statement } from './statements.ts';
import type { Store } from './store.ts';

/** A models row for synthetic vectors (the embeddings table refers to models); kept when there is one. */
export function insertSyntheticModelRow(
  store: Pick<Store, 'db'>,
  m: { id: string; name: string; weightsSha256: string; metadata: string; createdAt: string },
): void {
  store.db
    .prepare(
      `INSERT OR IGNORE INTO models (id, name, version, architecture, weights_sha256, parent_id, metadata, created_at) VALUES (?, ?, '1', 'synthetic', ?, NULL, ?, ?)`,
    )
    .run(m.id, m.name, m.weightsSha256, m.metadata, m.createdAt);
}

/** The highest document id so far (0 in an empty store). */
export function maxDocumentId(store: Pick<Store, 'db'>): number {
  return store.db.prepare('SELECT COALESCE(MAX(id), 0) FROM documents').pluck().get() as number;
}

/** A library subject; `nameKey` is stored as given. Returns its id. */
export function insertSyntheticLibrarySubject(store: Pick<Store, 'db'>, name: string, nameKey: string, createdAt: string): number {
  return Number(
    statement(store.db, "INSERT INTO subjects (case_id, scope, name, name_key, created_at) VALUES (NULL, 'library', ?, ?, ?)").run(name, nameKey, createdAt)
      .lastInsertRowid,
  );
}

/**
 * One exemplar of a library subject: a ready known document and its signature (a crop,
 * status 'proposed') naming the given object hashes. Returns the two ids.
 */
export function insertSyntheticExemplar(
  store: Pick<Store, 'db'>,
  e: { subjectId: number; originalPath: string; sha256: string; cropSha256: string; normalisedSha256: string; at: string },
): { documentId: number; signatureId: number } {
  const documentId = Number(
    statement(
      store.db,
      "INSERT INTO documents (case_id, role, subject_id, original_path, sha256, size, format, status, imported_at) VALUES (NULL, 'known', ?, ?, ?, 1, 'png', 'ready', ?)",
    ).run(e.subjectId, e.originalPath, e.sha256, e.at).lastInsertRowid,
  );
  const signatureId = Number(
    statement(
      store.db,
      "INSERT INTO signatures (document_id, box_x, box_y, box_w, box_h, is_crop, status, crop_sha256, normalised_sha256, created_at, updated_at) VALUES (?, 0, 0, 1, 1, 1, 'proposed', ?, ?, ?, ?)",
    ).run(documentId, e.cropSha256, e.normalisedSha256, e.at, e.at).lastInsertRowid,
  );
  return { documentId, signatureId };
}
