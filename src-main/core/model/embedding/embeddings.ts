/**
 * Embeddings per (signature, model), computed once and stored in the case database.
 * The model input is read back from the stored normalised PNG (8-bit, ink dark on white),
 * exactly as training and evaluation prepare theirs (model/dataset.ts), when the signature was
 * normalised at the version the model was trained on; otherwise it is derived again from the
 * original at the model's version (imaging/rederive.ts).
 */
import sharp from 'sharp';
import { AppError } from '../../errors.ts';
import { embeddingBytes, insertEmbedding, signatureNormalisedSha } from '../../store/embedding-rows.ts';
import type { Store } from '../../store/index.ts';
import { inputFromDisplayGrey } from '../dataset.ts';
import { EmbedPool } from './embed-pool.ts';
import { ensureModelRow } from '../registry/model-rows.ts';
import { derivedFrom, rederiveInput, storedNormaliseVersion } from '../../imaging/rederive.ts';
import { getModel, normaliseVersionOf } from '../registry/registry.ts';

export interface EmbedOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  workers?: number;
}

/** The model input of a signature, from its normalised PNG in the object store. */
export async function signatureInput(
  store: Store,
  signatureId: number,
  normalisedSha256: string | null,
  shape: [number, number, number],
): Promise<Float32Array> {
  if (!normalisedSha256) throw new AppError('INVALID_ARGUMENT', `signature #${signatureId}: has no normalised image (import or crop it first)`);
  const png = store.objects.get(normalisedSha256);
  const { data, info } = await sharp(png).greyscale().raw().toBuffer({ resolveWithObject: true });
  if (info.height !== shape[0] || info.width !== shape[1]) {
    throw new AppError(
      'INVALID_ARGUMENT',
      `signature #${signatureId}: normalised image is ${info.width}x${info.height}, the model expects ${shape[1]}x${shape[0]}`,
    );
  }
  return inputFromDisplayGrey(data);
}

/** Returns the embedding of every signature, computing and storing the missing ones. */
export async function ensureEmbeddings(
  store: Store,
  modelId: string,
  signatureIds: readonly number[],
  opts: EmbedOptions = {},
): Promise<Map<number, Float32Array>> {
  const meta = getModel(store.dataDir, modelId);
  store.write(() => ensureModelRow(store, store.dataDir, modelId));
  const out = new Map<number, Float32Array>();
  const missing: { id: number; sha: string | null }[] = [];
  const version = normaliseVersionOf(meta);
  for (const id of new Set(signatureIds)) {
    const vector = embeddingBytes(store, id, modelId);
    if (vector) out.set(id, new Float32Array(vector.buffer.slice(vector.byteOffset, vector.byteOffset + vector.byteLength)));
    else {
      const s = signatureNormalisedSha(store, id);
      if (!s) throw new AppError('NOT_FOUND', `signature #${id}: no such signature`);
      missing.push({ id, sha: s.sha });
    }
  }
  if (!missing.length) return out;
  const inputs = await Promise.all(
    missing.map(async (m) => {
      const row = store.documents.signature(m.id)!;
      if (m.sha && storedNormaliseVersion(row) !== version) return rederiveInput(store, derivedFrom(store, row), version);
      return signatureInput(store, m.id, m.sha, meta.inputShape);
    }),
  );
  const pool = await EmbedPool.create({ dataDir: store.dataDir, modelId, workers: opts.workers ?? (missing.length < 64 ? 1 : undefined) });
  let vectors: Float32Array[];
  try {
    vectors = await pool.embed(inputs, { ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) });
  } finally {
    await pool.close();
  }
  const now = new Date().toISOString();
  store.write(() => {
    missing.forEach((m, i) => {
      const v = vectors[i]!;
      insertEmbedding(store, { signatureId: m.id, modelId, vector: v, createdAt: now });
      out.set(m.id, v);
    });
  });
  return out;
}
