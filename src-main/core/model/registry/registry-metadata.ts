/**
 * metadata.json of a registered model: its type, schema and validation. Everything needed
 * to reproduce a score travels in this file beside weights.bin (docs/evaluation.md,
 * "Model registry").
 */
import { z } from 'zod';
import { AppError } from '../../errors.ts';
import { calibrationSchema, type Calibration } from '../../scoring/calibration.ts';
import { NORMALISE_VERSIONS, type NormaliseVersion } from '../../imaging/normalise.ts';
import { parseScoring, type Scoring } from '../../scoring/score.ts';
import { testTimeViewsOf } from '../embedding/views.ts';

/**
 * Version of the metadata.json layout; a newer one is refused with a VERSION error. 2: a model
 * with test-time views (`preprocessing.testTimeViews`), which a reader of format 1 would embed
 * once and compare against thresholds measured with the views; every other model is written as 1.
 */
export const METADATA_FORMAT = 2;

/** The format a model's metadata is written with: the oldest that describes it. */
export function metadataFormatFor(meta: { preprocessing: Record<string, unknown> }): number {
  return meta.preprocessing.testTimeViews !== undefined ? 2 : 1;
}

/** Model ids are folder and file-name safe: letters, digits, '.', '_', '-'; not starting with '.'. */
export const MODEL_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** One tensor in weights.bin, in order (tf.io's WeightsManifestEntry, without quantisation). */
export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool';
}

export interface ModelMetrics {
  eer?: number | null;
  auc?: number | null;
  cllr?: number | null;
  cllrMin?: number | null;
  eerThreshold?: number | null;
  [name: string]: number | null | undefined;
}

/**
 * 95 % intervals of the validation figures (metrics), recorded by training since they exist:
 * validation writers resampled with replacement `rounds` times (model/evaluate.ts
 * bootstrapByWriter), percentile intervals [low, high]; null where the figure has none (no random
 * forgeries, an uncalibrated model). Kept beside `metrics`, not in it: metrics stays numbers only,
 * which is what versions before this one read. Not part of the model's identity (no score depends on it).
 */
export interface MetricIntervals {
  method: 'bootstrap over writers';
  level: number;
  rounds: number;
  seed: number;
  eer: [number, number] | null;
  eerRandom: [number, number] | null;
  auc: [number, number] | null;
  cllr: [number, number] | null;
  cllrMin: [number, number] | null;
  pairEer: [number, number] | null;
}

export interface ModelMetadata {
  formatVersion: number;
  id: string;
  name: string;
  version: number;
  description?: string;
  /** Architecture name understood by model/architectures (e.g. 'signet', 'signet-tiny'). */
  architecture: string;
  /** [height, width, channels], e.g. [155, 220, 1]. */
  inputShape: [number, number, number];
  embeddingSize?: number;
  /** Image normalisation parameters the model expects (recorded as given). */
  preprocessing: Record<string, unknown>;
  weightsManifest: WeightSpec[];
  /** SHA-256 (hex) of weights.bin. */
  sha256: string;
  /** The model's identity (model/registry/identity.ts): the score-affecting metadata and the weights; absent in models from before it. */
  identitySha256?: string;
  weightsBytes: number;
  /** Id of the model this one was trained or derived from; null for a model trained from scratch. */
  parentId: string | null;
  trainingData: Record<string, unknown> | null;
  hyperparameters: Record<string, unknown>;
  metrics: ModelMetrics;
  /** 95 % intervals of the metrics; absent in models trained before they were recorded. */
  metricIntervals?: MetricIntervals | null;
  calibration: Calibration | null;
  /** Validation distances the calibration was (or can be re-)fitted on. */
  validationDistances?: { same: number[]; diff: number[] } | null;
  /** How embeddings are compared: Euclidean (what the contrastive loss trains) or cosine (1 - cosine similarity). */
  distanceMetric: 'euclidean' | 'cosine';
  /**
   * How a questioned signature is scored against references (scoring/score.ts); calibration,
   * thresholds and metrics are on this score. Absent: the mean distance (models from before).
   */
  scoring?: Scoring;
  createdAt: string;
  appVersion: string;
}

const weightSpecSchema = z.object({
  name: z.string().min(1),
  shape: z.array(z.number().int().nonnegative()),
  dtype: z.enum(['float32', 'int32', 'bool']),
});

const intervalSchema = z
  .tuple([z.number(), z.number()])
  .refine(([lo, hi]) => lo <= hi, 'an interval is [low, high] with low <= high')
  .nullable();

export const metadataSchema = z.looseObject({
  formatVersion: z.number().int().positive(),
  id: z.string().regex(MODEL_ID_PATTERN),
  name: z.string().min(1),
  version: z.number().int().positive(),
  description: z.string().optional(),
  architecture: z.string().min(1),
  inputShape: z.tuple([z.number().int().positive(), z.number().int().positive(), z.number().int().positive()]),
  embeddingSize: z.number().int().positive().optional(),
  preprocessing: z.record(z.string(), z.unknown()),
  weightsManifest: z.array(weightSpecSchema).min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  weightsBytes: z.number().int().nonnegative(),
  parentId: z.string().nullable(),
  trainingData: z.record(z.string(), z.unknown()).nullable(),
  hyperparameters: z.record(z.string(), z.unknown()),
  metrics: z.record(z.string(), z.number().nullable()),
  metricIntervals: z
    .object({
      method: z.literal('bootstrap over writers'),
      level: z.number().gt(0).lt(1),
      rounds: z.number().int().positive(),
      seed: z.number(),
      eer: intervalSchema,
      eerRandom: intervalSchema,
      auc: intervalSchema,
      cllr: intervalSchema,
      cllrMin: intervalSchema,
      pairEer: intervalSchema,
    })
    .nullable()
    .optional(),
  calibration: calibrationSchema.nullable(),
  validationDistances: z
    .object({ same: z.array(z.number()), diff: z.array(z.number()) })
    .nullable()
    .optional(),
  distanceMetric: z.enum(['euclidean', 'cosine']),
  scoring: z.unknown().optional(),
  createdAt: z.string().min(1),
  appVersion: z.string().min(1),
});

const BYTES_PER_ELEMENT: Record<WeightSpec['dtype'], number> = { float32: 4, int32: 4, bool: 1 };

/** Bytes the manifest's tensors occupy in weights.bin. */
export function manifestBytes(specs: readonly WeightSpec[]): number {
  return specs.reduce((sum, s) => sum + s.shape.reduce((n, d) => n * d, 1) * BYTES_PER_ELEMENT[s.dtype], 0);
}

/** Validates metadata read from disk or a bundle; `where` names the file in error messages. */
export function parseMetadata(value: unknown, where: string): ModelMetadata {
  const version = (value as { formatVersion?: unknown } | null)?.formatVersion;
  if (typeof version === 'number' && version > METADATA_FORMAT) {
    throw new AppError(
      'VERSION',
      `${where}: model metadata format ${version} was written by a newer version of Countersign (this one reads ${METADATA_FORMAT})`,
    );
  }
  const r = metadataSchema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new AppError('INTEGRITY', `${where}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const meta = r.data as ModelMetadata;
  if (meta.scoring !== undefined) meta.scoring = parseScoring(meta.scoring, where);
  normaliseVersionOf(meta, where);
  testTimeViewsOf(meta, where);
  const names = new Set<string>();
  for (const s of meta.weightsManifest) {
    if (names.has(s.name)) throw new AppError('INTEGRITY', `${where}: weightsManifest: duplicate tensor name '${s.name}'`);
    names.add(s.name);
  }
  if (manifestBytes(meta.weightsManifest) !== meta.weightsBytes) {
    throw new AppError(
      'INTEGRITY',
      `${where}: weightsManifest describes ${manifestBytes(meta.weightsManifest)} bytes but weightsBytes is ${meta.weightsBytes}`,
    );
  }
  return meta;
}

/** The scoring a model's calibration and threshold are on (absent: the legacy mean distance). */
export function scoringOf(meta: Pick<ModelMetadata, 'scoring'>): Scoring {
  return meta.scoring ?? { method: 'mean-distance' };
}

/**
 * The image normalisation a model was trained on: `preprocessing.normaliseVersion`, or 1 for
 * models from before ink-invariant inputs (they saw the ink's grey level).
 */
export function normaliseVersionOf(meta: Pick<ModelMetadata, 'preprocessing'>, where = 'model'): NormaliseVersion {
  const v = meta.preprocessing.normaliseVersion;
  if (v === undefined) return 1;
  if (!NORMALISE_VERSIONS.includes(v as NormaliseVersion)) {
    throw new AppError('INTEGRITY', `${where}: preprocessing.normaliseVersion: expected one of ${NORMALISE_VERSIONS.join(', ')}, got ${String(v)}`);
  }
  return v as NormaliseVersion;
}
