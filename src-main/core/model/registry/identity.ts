/**
 * A model's identity: one SHA-256 over everything in metadata.json that changes a score or a
 * decision, and over the weights (through their SHA-256 and manifest). The weights' hash alone
 * let an edit of the threshold or the calibration in metadata.json flip decisions unseen.
 *
 * The covered fields are taken whole, as canonical JSON with sorted keys, so a field added
 * inside them (a new preprocessing parameter, a scoring prior) is covered without a code
 * change; a new top-level field that affects scores must be added to IDENTITY_FIELDS (and
 * changes every identity, which is why the format tag exists).
 *
 * Where it is checked: metadata.json carries `identitySha256` from saveModel on, checked on
 * every read (registry-files.ts); the database records it when a model is first registered
 * or used (models.identity_sha256, model-rows.ts), and every later use compares the files
 * with it, so an edit after registration is caught even if the file's own field was updated.
 */
import { createHash } from 'node:crypto';
import { AppError } from '../../errors.ts';
import { canonicalJson } from '../../store/canonical.ts';
import { getSpec, paramInfos } from '../architectures.ts';
import type { ModelMetadata } from './registry-metadata.ts';

export const IDENTITY_FORMAT = 'countersign-model-identity-v1';

/** Top-level metadata fields an identity covers, each whole. */
export const IDENTITY_FIELDS = [
  'architecture',
  'inputShape',
  'embeddingSize',
  'preprocessing',
  'calibration',
  'scoring',
  'distanceMetric',
  'weightsManifest',
  'sha256',
  'weightsBytes',
] as const;

/** The identity's content: the covered fields (absent ones as null) and metrics.eerThreshold. */
export function identityContent(meta: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of IDENTITY_FIELDS) out[f] = meta[f] ?? null;
  const metrics = meta.metrics as Record<string, unknown> | undefined;
  out.eerThreshold = metrics?.eerThreshold ?? null;
  return out;
}

export function modelIdentity(meta: Record<string, unknown>): string {
  return createHash('sha256')
    .update(canonicalJson([IDENTITY_FORMAT, identityContent(meta)], 'model metadata'), 'utf8')
    .digest('hex');
}

/** The covered fields whose values differ between two metadata objects (weightsManifest only when both have it). */
export function identityDifferences(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const ca = identityContent(a);
  const cb = identityContent(b);
  return Object.keys(ca).filter((k) => {
    if (k === 'weightsManifest' && (!a.weightsManifest || !b.weightsManifest)) return false;
    return canonicalJson(ca[k]) !== canonicalJson(cb[k]);
  });
}

/**
 * The identity of metadata as read from its file; refuses metadata whose own recorded
 * identity no longer matches it (edited after it was saved).
 */
export function checkOwnIdentity(raw: Record<string, unknown>, where: string): string {
  const actual = modelIdentity(raw);
  if (raw.identitySha256 !== undefined && raw.identitySha256 !== actual) {
    throw new AppError(
      'INTEGRITY',
      `${where}: the model's metadata was edited after it was saved: identitySha256 records ${String(raw.identitySha256)}, the file now gives ${actual} ` +
        `(architecture, input, preprocessing, calibration, scoring, distance metric, EER threshold or weights changed); the model is refused`,
    );
  }
  return actual;
}

/**
 * The weights manifest must be exactly the architecture's parameters (names, order, shapes,
 * float32), and the input and embedding sizes the architecture's, before any weight is read.
 */
export function checkManifestAgainstArchitecture(meta: ModelMetadata, where: string): void {
  let spec;
  try {
    spec = getSpec(meta.architecture);
  } catch (err) {
    throw new AppError('INVALID_ARGUMENT', `${where}: architecture: ${(err as Error).message}`);
  }
  if (meta.inputShape.join('x') !== spec.inputShape.join('x')) {
    throw new AppError('INTEGRITY', `${where}: inputShape: ${meta.inputShape.join('x')} is not ${meta.architecture}'s ${spec.inputShape.join('x')}`);
  }
  if (meta.embeddingSize !== undefined && meta.embeddingSize !== spec.embeddingSize) {
    throw new AppError('INTEGRITY', `${where}: embeddingSize: ${meta.embeddingSize} is not ${meta.architecture}'s ${spec.embeddingSize}`);
  }
  const want = paramInfos(spec);
  const got = meta.weightsManifest;
  if (got.length !== want.length) {
    throw new AppError('INTEGRITY', `${where}: weightsManifest: ${got.length} tensors, ${meta.architecture} has ${want.length}`);
  }
  want.forEach((p, i) => {
    const g = got[i]!;
    if (g.name !== p.name) throw new AppError('INTEGRITY', `${where}: weightsManifest[${i}]: '${g.name}', ${meta.architecture} expects '${p.name}' there`);
    if (g.shape.join('x') !== p.shape.join('x')) {
      throw new AppError(
        'INTEGRITY',
        `${where}: weightsManifest[${i}] (${g.name}): shape [${g.shape.join(', ')}], ${meta.architecture} expects [${p.shape.join(', ')}]`,
      );
    }
    if (g.dtype !== 'float32') throw new AppError('INTEGRITY', `${where}: weightsManifest[${i}] (${g.name}): dtype ${g.dtype}, expected float32`);
  });
}
