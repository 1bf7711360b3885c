/**
 * New model versions on the same weights. Models are never changed: a different distance metric
 * or different test-time views (embedding/views.ts) give different distances, with their own
 * threshold and calibration, so each is a new version: the same weights (same SHA-256), the
 * parent recorded, and metrics, EER threshold, writer-normalised prior and calibration measured
 * on labelled data with the change, by the evaluation's own protocol (writer-dependent, genuine
 * against skilled forgeries, as training validates). Use writers held out from training.
 *
 * Metric: SigNet is trained with the Euclidean distance, so every trained model is Euclidean;
 * cosine distance (1 - cosine similarity) on the same embeddings is another score.
 *
 * Average: a version whose weights are the element-wise mean of the parent's and other models'
 * (a uniform "model soup", Wortsman et al. 2022). It only makes sense for models fine-tuned from
 * one starting point (same architecture, inputs and weight shapes, which are checked; whether they
 * lie close enough for their mean to work is what the calibration data measures). New weights,
 * so a new SHA-256; the metadata lists every member and its training data.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../errors.ts';
import { fitCalibration, type Calibration } from '../scoring/calibration.ts';
import type { DistanceMetric } from '../scoring/distance.ts';
import { prepareInputs, readLabelledData, summarise } from './dataset.ts';
import { EmbedPool } from './embedding/embed-pool.ts';
import { testTimeViewsOf, VIEW_SETS, VIEW_SET_NAMES, type View, type ViewSet } from './embedding/views.ts';
import { metricsOf, scoreEmbeddings } from './evaluate.ts';
import {
  getModel,
  loadWeights,
  normaliseVersionOf,
  saveModel,
  scoringOf,
  verifyModel,
  type ModelDraft,
  type ModelMetadata,
  type NamedTensor,
} from './registry/registry.ts';

export interface DeriveOptions {
  /** Labelled data the new version is calibrated on (held out from training, with skilled forgeries). */
  data: string;
  references?: number;
  seed?: number;
  name?: string;
  id?: string;
  workers?: number;
  signal?: AbortSignal;
  onProgress?: (stage: 'prepare' | 'embed', done: number, total: number) => void;
}

/** What a derived version changes: the distance metric, the test-time views, the weights (averaged with other models'), or several. */
export interface VersionChange {
  metric?: DistanceMetric;
  views?: ViewSet;
  /** Other models whose weights are averaged with the parent's. */
  average?: readonly string[];
}

const sameViews = (a: readonly View[], b: readonly View[]) => JSON.stringify(a) === JSON.stringify(b);

export async function deriveVersion(dataDir: string, modelId: string, change: VersionChange, o: DeriveOptions): Promise<ModelMetadata> {
  if (change.metric !== undefined && change.metric !== 'euclidean' && change.metric !== 'cosine') {
    throw new AppError('INVALID_ARGUMENT', `metric: expected euclidean or cosine, got '${String(change.metric)}'`, { field: 'metric' });
  }
  if (change.views !== undefined && !VIEW_SET_NAMES.includes(change.views)) {
    throw new AppError('INVALID_ARGUMENT', `views: expected one of ${VIEW_SET_NAMES.join(', ')}, got '${String(change.views)}'`, { field: 'views' });
  }
  const parent = getModel(dataDir, modelId);
  const metric = change.metric ?? parent.distanceMetric;
  const parentViews = testTimeViewsOf(parent, `model ${parent.id}`);
  const views = change.views ? VIEW_SETS[change.views] : parentViews;
  if (change.metric !== undefined && parent.distanceMetric === metric)
    throw new AppError('CONFLICT', `metric: model ${parent.id} already uses the ${metric} distance`, { field: 'metric' });
  if (change.views !== undefined && sameViews(views, parentViews))
    throw new AppError('CONFLICT', `views: model ${parent.id} already embeds with the views '${change.views}'`, { field: 'views' });
  if (change.metric === undefined && change.views === undefined && change.average === undefined)
    throw new AppError('INVALID_ARGUMENT', 'a derived version changes the metric, the views or the weights: give one');
  const members = change.average ? averageMembers(dataDir, parent, change.average) : [];
  verifyModel(dataDir, modelId);
  const { testTimeViews: _old, ...preprocessing } = parent.preprocessing;
  if (views.length > 1) preprocessing.testTimeViews = views.map((v) => [...v]);
  const what = [
    members.length ? `the mean of its weights and ${members.map((m) => m.id).join(', ')}'s` : null,
    change.metric ? `the ${metric} distance` : null,
    change.views ? (views.length > 1 ? `${views.length} test-time views (${change.views})` : 'no test-time views') : null,
  ]
    .filter(Boolean)
    .join(' and ');
  const data = readLabelledData(o.data);
  const references = o.references ?? 5;
  const seed = o.seed ?? 1;
  const inputs = await prepareInputs(data.items, {
    canvas: [parent.inputShape[0], parent.inputShape[1]],
    normaliseVersion: normaliseVersionOf(parent),
    ...(o.signal ? { signal: o.signal } : {}),
    onProgress: (d, t) => o.onProgress?.('prepare', d, t),
  });
  const weights = members.length ? await averageWeights(dataDir, [parent, ...members]) : await loadWeights(dataDir, modelId);
  try {
    const vectors = await embedInputs(dataDir, members.length ? { parent, weights } : { parent }, views, inputs, o);
    // A writer-normalised score needs its prior in the new metric's units: measured again here.
    const sets = scoreEmbeddings(data.items, vectors, {
      references,
      seed,
      metric,
      scoring: scoringOf(parent).method === 'kk-ratio' ? 'measure' : scoringOf(parent),
    });
    const m = metricsOf(sets);
    let calibration: Calibration | null = null;
    try {
      calibration = { ...fitCalibration(sets.genuine, sets.forged), eerThreshold: m.eerThreshold };
    } catch {
      calibration = null; // a larger distance does not mean less support here: stays uncalibrated
    }
    const trainingData = members.length
      ? { ...parent.trainingData, averagedWith: members.map((x) => ({ id: x.id, sha256: x.sha256, trainingData: x.trainingData })) }
      : parent.trainingData;
    return await saveModel(dataDir, {
      metadata: {
        ...(o.id ? { id: o.id } : {}),
        name: o.name ?? `${parent.name} (${what})`,
        description: `${parent.id} with ${what}, calibrated on ${summarise(data).writers} writers`,
        architecture: parent.architecture,
        inputShape: parent.inputShape,
        ...(parent.embeddingSize !== undefined ? { embeddingSize: parent.embeddingSize } : {}),
        preprocessing,
        parentId: parent.id,
        trainingData,
        hyperparameters: {
          derivedFrom: parent.id,
          metric,
          views: change.views ?? null,
          ...(members.length ? { averageOf: [parent.id, ...members.map((x) => x.id)] } : {}),
          calibrationData: summarise(data),
          references,
          seed,
        },
        metrics: {
          eer: m.eer,
          eerRandom: m.eerRandom,
          auc: m.auc,
          pairEer: m.pairEer,
          eerThreshold: m.eerThreshold,
          cllr: calibration?.cllr ?? null,
          cllrMin: m.cllrMin,
        },
        calibration,
        validationDistances: { same: sets.genuine, diff: sets.forged },
        distanceMetric: metric,
        ...(sets.scoring.method === 'kk-ratio' ? { scoring: sets.scoring } : {}),
      },
      weights,
    });
  } finally {
    for (const w of weights) w.tensor.dispose();
  }
}

/** The models averaged with the parent: distinct, registered, intact, and of the same network and inputs. */
function averageMembers(dataDir: string, parent: ModelMetadata, ids: readonly string[]): ModelMetadata[] {
  const fail = (msg: string): never => {
    throw new AppError('INVALID_ARGUMENT', `average: ${msg}`, { field: 'average' });
  };
  if (ids.length === 0) fail('give at least one other model');
  if (new Set([parent.id, ...ids]).size !== ids.length + 1) fail(`each model once, the parent ${parent.id} included`);
  const shapes = (m: ModelMetadata) => JSON.stringify(m.weightsManifest.map((w) => [w.name, w.shape]));
  return ids.map((id) => {
    const m = getModel(dataDir, id);
    verifyModel(dataDir, id);
    if (m.architecture !== parent.architecture) fail(`${id} is a ${m.architecture} network, ${parent.id} a ${parent.architecture}`);
    if (normaliseVersionOf(m) !== normaliseVersionOf(parent) || JSON.stringify(m.inputShape) !== JSON.stringify(parent.inputShape))
      fail(`${id} takes other inputs than ${parent.id} (normalisation or input shape)`);
    if (m.distanceMetric !== parent.distanceMetric) fail(`${id} uses the ${m.distanceMetric} distance, ${parent.id} the ${parent.distanceMetric}`);
    if (shapes(m) !== shapes(parent)) fail(`${id}'s weight tensors differ from ${parent.id}'s in names or shapes`);
    return m;
  });
}

async function averageWeights(dataDir: string, models: readonly ModelMetadata[]): Promise<NamedTensor[]> {
  const all = await Promise.all(models.map((m) => loadWeights(dataDir, m.id)));
  try {
    return all[0]!.map((w, k) => ({ name: w.name, tensor: tf.tidy(() => tf.addN(all.map((ws) => ws[k]!.tensor)).div(all.length)) }));
  } finally {
    for (const ws of all) for (const w of ws) w.tensor.dispose();
  }
}

/**
 * Embeddings of the calibration inputs with the new version's weights and views. Averaged weights are
 * not registered yet: the pool reads them from a scratch registry in a temporary folder, removed after.
 */
async function embedInputs(
  dataDir: string,
  model: { parent: ModelMetadata; weights?: readonly NamedTensor[] },
  views: readonly View[],
  inputs: Float32Array[],
  o: DeriveOptions,
): Promise<Float32Array[]> {
  const scratch = model.weights ? mkdtempSync(path.join(os.tmpdir(), 'countersign-derive-')) : null;
  try {
    let modelId = model.parent.id;
    if (scratch) {
      const { parent } = model;
      const draft: ModelDraft = {
        name: 'scratch',
        architecture: parent.architecture,
        inputShape: parent.inputShape,
        ...(parent.embeddingSize !== undefined ? { embeddingSize: parent.embeddingSize } : {}),
        preprocessing: parent.preprocessing,
        parentId: null,
        trainingData: null,
        hyperparameters: {},
        metrics: {},
        calibration: null,
      };
      modelId = (await saveModel(scratch, { metadata: draft, weights: model.weights! })).id;
    }
    const pool = await EmbedPool.create({ dataDir: scratch ?? dataDir, modelId, views, ...(o.workers ? { workers: o.workers } : {}) });
    try {
      return await pool.embed(inputs, { ...(o.signal ? { signal: o.signal } : {}), onProgress: (d, t) => o.onProgress?.('embed', d, t) });
    } finally {
      await pool.close();
    }
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}
