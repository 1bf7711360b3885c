/**
 * Stored embeddings: one vector (float32 bytes) per (signature, model), written once
 * (model/embedding/embeddings.ts computes them). Call the writes inside `store.write`.
 */
import type { Store } from './store.ts';
import { statement } from './statements.ts';

/** The stored vector of a signature under a model, as its float32 bytes. */
export function embeddingBytes(store: Pick<Store, 'db'>, signatureId: number, modelId: string): Buffer | undefined {
  const row = statement(store.db, 'SELECT vector FROM embeddings WHERE signature_id = ? AND model_id = ?').get(signatureId, modelId) as
    { vector: Buffer } | undefined;
  return row?.vector;
}

/** A signature's normalised image, or undefined when there is no such signature. */
export function signatureNormalisedSha(store: Pick<Store, 'db'>, signatureId: number): { sha: string | null } | undefined {
  return statement(store.db, 'SELECT normalised_sha256 AS sha FROM signatures WHERE id = ?').get(signatureId) as { sha: string | null } | undefined;
}

/**
 * Stores a vector unless one is there already (INSERT OR IGNORE: a vector is never replaced);
 * `orIgnore: false` inserts, failing on a duplicate.
 */
export function insertEmbedding(
  store: Pick<Store, 'db'>,
  e: { signatureId: number; modelId: string; vector: Float32Array; createdAt: string; /** Default: the vector's length. */ dim?: number },
  opts: { orIgnore?: boolean } = {},
): void {
  const verb = opts.orIgnore === false ? 'INSERT' : 'INSERT OR IGNORE';
  statement(store.db, `${verb} INTO embeddings (signature_id, model_id, dim, vector, created_at) VALUES (?, ?, ?, ?, ?)`).run(
    e.signatureId,
    e.modelId,
    e.dim ?? e.vector.length,
    Buffer.from(e.vector.buffer, e.vector.byteOffset, e.vector.byteLength),
    e.createdAt,
  );
}
