/**
 * The questioned signature of an identification, as an embedding: a stored signature (its
 * embedding is computed once per model and stored, as verification does), or an image file,
 * which goes through the import's per-file path (original, crop and normalised image into
 * the object store; a ready-made crop is used as it is, a whole document is localised) and
 * is embedded from its stored normalised PNG exactly as stored signatures are.
 */
import path from 'node:path';
import sharp from 'sharp';
import { AppError } from '../errors.ts';
import { processFile } from '../imaging/import-file.ts';
import { inputFromDisplayGrey } from '../model/dataset.ts';
import { EmbedPool } from '../model/embedding/embed-pool.ts';
import { ensureEmbeddings } from '../model/embedding/embeddings.ts';
import { normaliseVersionOf, type ModelMetadata } from '../model/registry/registry.ts';
import { NORMALISE_VERSION } from '../imaging/normalise.ts';
import { rederiveInput, type DerivedFrom } from '../imaging/rederive.ts';
import type { Store } from '../store/index.ts';
import type { Exclusions } from '../store/exemplars.ts';
import type { IdentifyQueryInfo } from './types.ts';

export type IdentifyQuery = { signatureId: number } | { imagePath: string };

export interface PreparedQuery {
  vector: Float32Array;
  info: IdentifyQueryInfo;
  exclude: Exclusions;
  seconds: number;
}

async function embedImage(store: Store, meta: ModelMetadata, normalisedSha256: string, name: string, from: DerivedFrom): Promise<Float32Array> {
  let input: Float32Array;
  const version = normaliseVersionOf(meta);
  if (version !== NORMALISE_VERSION) input = await rederiveInput(store, from, version);
  else {
    const png = store.objects.get(normalisedSha256);
    const { data, info } = await sharp(png).greyscale().raw().toBuffer({ resolveWithObject: true });
    const [h, w] = meta.inputShape;
    if (info.height !== h || info.width !== w)
      throw new AppError('INVALID_ARGUMENT', `${name}: normalised image is ${info.width}x${info.height}, model ${meta.id} expects ${w}x${h}`);
    input = inputFromDisplayGrey(data);
  }
  const pool = await EmbedPool.create({ dataDir: store.dataDir, modelId: meta.id, workers: 1 });
  try {
    const [v] = await pool.embed([input]);
    return v!;
  } finally {
    await pool.close();
  }
}

export async function prepareQuery(store: Store, meta: ModelMetadata, q: IdentifyQuery, signal?: AbortSignal): Promise<PreparedQuery> {
  const t0 = performance.now();
  if ('signatureId' in q) {
    const sig = store.documents.signature(q.signatureId);
    if (!sig) throw new AppError('NOT_FOUND', `signature: no signature #${q.signatureId}`, { field: 'signatureId' });
    const doc = store.documents.requireDocument(sig.documentId);
    if (!sig.normalisedSha256)
      throw new AppError('INVALID_ARGUMENT', `signature #${sig.id}: has no normalised image (import or crop it first)`, { field: 'signatureId' });
    const vectors = await ensureEmbeddings(store, meta.id, [sig.id], signal ? { signal } : {});
    return {
      vector: vectors.get(sig.id)!,
      info: {
        kind: 'signature',
        signatureId: sig.id,
        documentId: doc.id,
        caseId: doc.caseId,
        path: doc.originalPath,
        originalSha256: doc.sha256,
        cropSha256: sig.cropSha256,
        normalisedSha256: sig.normalisedSha256,
      },
      exclude: { signatureId: sig.id, sha256: doc.sha256 },
      seconds: (performance.now() - t0) / 1000,
    };
  }
  const name = path.basename(q.imagePath);
  const outcome = await processFile({ id: 0, path: name, abs: path.resolve(q.imagePath), role: 'known' }, { objects: store.objects, skip: new Set() });
  if (outcome.kind === 'unread' || (outcome.kind === 'read' && outcome.failure)) {
    const f = outcome.kind === 'unread' ? outcome.failure : outcome.failure!;
    throw new AppError('INVALID_ARGUMENT', f.message.startsWith(name) ? f.message.replace(name, q.imagePath) : `${q.imagePath}: ${f.message}`, {
      field: 'image',
      reason: f.code,
    });
  }
  if (outcome.kind !== 'read') throw new AppError('INTERNAL', `${q.imagePath}: unexpected outcome`);
  const page = outcome.pages.find((p) => p.signature);
  if (!page?.signature) {
    const why = outcome.pages[0]?.failure?.message ?? 'no signature found';
    throw new AppError('INVALID_ARGUMENT', `${q.imagePath}: ${why.replace(`${name}: `, '')}`, { field: 'image' });
  }
  const s = page.signature;
  const vector = await embedImage(store, meta, s.normalisedSha256, q.imagePath, {
    name: q.imagePath,
    originalSha256: outcome.sha256,
    originalPath: name,
    pageIndex: page.page,
    params: s.params,
  });
  return {
    vector,
    info: {
      kind: 'image',
      path: path.resolve(q.imagePath),
      page: page.page,
      isCrop: s.isCrop,
      lowConfidence: s.lowConfidence,
      originalSha256: outcome.sha256,
      cropSha256: s.cropSha256,
      normalisedSha256: s.normalisedSha256,
    },
    exclude: { sha256: outcome.sha256 },
    seconds: (performance.now() - t0) / 1000,
  };
}
