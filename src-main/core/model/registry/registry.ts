/**
 * The model registry on disk (DESIGN section 5; docs/evaluation.md "Model registry").
 *
 *   <dataDir>/models/<id>/weights.bin      tensors in weightsManifest order (tf.io layout)
 *   <dataDir>/models/<id>/metadata.json    ModelMetadata, including the SHA-256 of weights.bin
 *   <resources>/models/<id>/...            shipped base models, same layout, read-only
 *
 * A model is written once: a new model goes into a temporary folder that is renamed into
 * place, an existing id is never replaced (CONFLICT), and weights whose SHA-256 differs from
 * the metadata are refused (INTEGRITY) on load, export and import. Base models cannot be
 * shadowed: an id found in resources/ is looked up there first.
 */
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../errors.ts';
import { APP_VERSION } from '../../paths.ts';
import { readSettings, updateSettings } from '../../settings.ts';
import { modelIdentity } from './identity.ts';
import { manifestBytes, metadataFormatFor, metadataSchema, MODEL_ID_PATTERN, type ModelMetadata, type WeightSpec } from './registry-metadata.ts';
import { parseScoring } from '../../scoring/score.ts';
import {
  conflict,
  findModel,
  idTaken,
  installModel,
  listModels,
  nextVersion,
  readVerifiedWeights,
  sha256,
  slug,
  verifyModel,
  type RegistryOptions,
} from './registry-files.ts';

export type { MetricIntervals, ModelMetadata, ModelMetrics, WeightSpec } from './registry-metadata.ts';
export { normaliseVersionOf, scoringOf } from './registry-metadata.ts';
export {
  findModel,
  getModel,
  listModels,
  METADATA_FILE,
  modelsDir,
  scanModels,
  verifyModel,
  WEIGHTS_FILE,
  type ModelEntry,
  type ModelScan,
  type ModelSource,
  type RegistryOptions,
} from './registry-files.ts';
export { exportModel, importModel } from './registry-bundle.ts';

/** One entry of the ordered weight list architectures produce and consume (e.g. 'conv1/kernel'). */
export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

/** What the caller describes; the registry fills in id, version, manifest, hashes and dates. */
export type ModelDraft = Omit<
  ModelMetadata,
  | 'formatVersion'
  | 'id'
  | 'version'
  | 'weightsManifest'
  | 'sha256'
  | 'weightsBytes'
  | 'createdAt'
  | 'appVersion'
  | 'distanceMetric'
  | 'parentId'
  | 'trainingData'
  | 'hyperparameters'
  | 'metrics'
  | 'calibration'
> &
  Partial<Pick<ModelMetadata, 'id' | 'version' | 'createdAt' | 'distanceMetric' | 'parentId' | 'trainingData' | 'hyperparameters' | 'metrics' | 'calibration'>>;

/** The model's tensors, in manifest order, after verifying weights.bin. The caller disposes them. */
export async function loadWeights(dataDir: string, id: string, options: RegistryOptions = {}): Promise<NamedTensor[]> {
  const entry = findModel(dataDir, id, options);
  const data = readVerifiedWeights(entry);
  const buffer = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  const map = tf.io.decodeWeights(buffer, entry.metadata.weightsManifest);
  return entry.metadata.weightsManifest.map((spec) => ({ name: spec.name, tensor: map[spec.name]! }));
}

/**
 * Registers a new model. The id is `draft.id` if given, else `<slug of name>-v<N>` with N one
 * past the highest existing version of that name. Returns the complete metadata written.
 */
export async function saveModel(
  dataDir: string,
  input: { metadata: ModelDraft; weights: readonly NamedTensor[] },
  options: RegistryOptions = {},
): Promise<ModelMetadata> {
  const { metadata: draft, weights } = input;
  if (!Array.isArray(weights) || weights.length === 0) {
    throw new AppError('INVALID_ARGUMENT', 'weights: expected a non-empty list of {name, tensor}');
  }
  const names = new Set<string>();
  weights.forEach((w, i) => {
    if (!w || typeof w.name !== 'string' || !w.name) throw new AppError('INVALID_ARGUMENT', `weights[${i}].name: must be a non-empty string`);
    if (names.has(w.name)) throw new AppError('INVALID_ARGUMENT', `weights[${i}].name: duplicate tensor name '${w.name}'`);
    names.add(w.name);
    if (!(w.tensor instanceof tf.Tensor) || w.tensor.isDisposed) {
      throw new AppError('INVALID_ARGUMENT', `weights[${i}] (${w.name}): not a live tensor`);
    }
    if (!['float32', 'int32', 'bool'].includes(w.tensor.dtype)) {
      throw new AppError('INVALID_ARGUMENT', `weights[${i}] (${w.name}): dtype ${w.tensor.dtype} cannot be stored`);
    }
  });
  const base = slug(String(draft?.name ?? ''));
  const version = draft.version ?? nextVersion(dataDir, base, options);
  const id = draft.id ?? `${base}-v${version}`;
  if (!MODEL_ID_PATTERN.test(id)) throw new AppError('INVALID_ARGUMENT', `metadata.id: '${id}' is not a valid model id`);
  if (idTaken(dataDir, id, options)) throw conflict(id);

  const encoded = await tf.io.encodeWeights(weights.map((w) => ({ name: w.name, tensor: w.tensor })));
  const data = new Uint8Array(encoded.data);
  const weightsManifest: WeightSpec[] = encoded.specs.map((s) => ({ name: s.name, shape: [...s.shape], dtype: s.dtype as WeightSpec['dtype'] }));
  const metadata: ModelMetadata = {
    formatVersion: metadataFormatFor(draft),
    id,
    name: draft.name,
    version,
    ...(draft.description !== undefined ? { description: draft.description } : {}),
    architecture: draft.architecture,
    inputShape: draft.inputShape,
    ...(draft.embeddingSize !== undefined ? { embeddingSize: draft.embeddingSize } : {}),
    preprocessing: draft.preprocessing,
    weightsManifest,
    sha256: sha256(data),
    weightsBytes: data.byteLength,
    parentId: draft.parentId ?? null,
    trainingData: draft.trainingData ?? null,
    hyperparameters: draft.hyperparameters ?? {},
    metrics: draft.metrics ?? {},
    ...(draft.metricIntervals ? { metricIntervals: draft.metricIntervals } : {}),
    calibration: draft.calibration ?? null,
    ...(draft.validationDistances !== undefined ? { validationDistances: draft.validationDistances } : {}),
    distanceMetric: draft.distanceMetric ?? 'euclidean',
    // How scores are made: a model trained or measured with writer-normalised scores keeps them.
    ...(draft.scoring !== undefined ? { scoring: parseScoring(draft.scoring, 'metadata') } : {}),
    createdAt: draft.createdAt ?? new Date().toISOString(),
    appVersion: APP_VERSION,
  };
  metadata.identitySha256 = modelIdentity(JSON.parse(JSON.stringify(metadata)) as Record<string, unknown>);
  const check = metadataSchema.safeParse(metadata);
  if (!check.success) {
    const issue = check.error.issues[0]!;
    throw new AppError('INVALID_ARGUMENT', `metadata.${issue.path.join('.')}: ${issue.message}`);
  }
  if (manifestBytes(weightsManifest) !== data.byteLength) {
    throw new AppError('INTERNAL', `weights: encoded ${data.byteLength} bytes, manifest describes ${manifestBytes(weightsManifest)}`);
  }
  installModel(dataDir, id, JSON.stringify(metadata, null, 2) + '\n', data, options);
  return metadata;
}

// ------------------------------------------------------------------------------ active model

export interface ActiveModel {
  id: string;
  /** 'settings': chosen by the examiner; 'default': the newest base model, nothing chosen yet. */
  chosenBy: 'settings' | 'default';
}

/**
 * The model new cases use: the one chosen with setActiveModel, else the newest base model,
 * else null. A chosen model that has disappeared is an error (NOT_FOUND), never a silent
 * switch to another model.
 */
export function getActiveModel(dataDir: string, options: RegistryOptions = {}): ActiveModel | null {
  const chosen = readSettings(dataDir).activeModel;
  if (typeof chosen === 'string' && chosen) {
    if (!idTaken(dataDir, chosen, options)) {
      throw new AppError('NOT_FOUND', `active model '${chosen}' (settings.json) is no longer registered; choose another with \`countersign models use <id>\``);
    }
    return { id: chosen, chosenBy: 'settings' };
  }
  const bases = listModels(dataDir, options).filter((m) => m.source === 'base');
  const newest = bases[bases.length - 1];
  return newest ? { id: newest.id, chosenBy: 'default' } : null;
}

/** Makes a registered model the default for new cases; its weights are verified first. */
export function setActiveModel(dataDir: string, id: string, options: RegistryOptions = {}): ActiveModel {
  verifyModel(dataDir, id, options);
  updateSettings(dataDir, { activeModel: id });
  return { id, chosenBy: 'settings' };
}
