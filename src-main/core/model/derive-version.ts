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
 */
import { AppError } from '../errors.ts';
import { fitCalibration, type Calibration } from '../scoring/calibration.ts';
import type { DistanceMetric } from '../scoring/distance.ts';
import { prepareInputs, readLabelledData, summarise } from './dataset.ts';
import { EmbedPool } from './embedding/embed-pool.ts';
import { testTimeViewsOf, VIEW_SETS, VIEW_SET_NAMES, type View, type ViewSet } from './embedding/views.ts';
import { metricsOf, scoreEmbeddings } from './evaluate.ts';
import { getModel, loadWeights, normaliseVersionOf, saveModel, scoringOf, verifyModel, type ModelMetadata } from './registry/registry.ts';

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

/** What a derived version changes: the distance metric, the test-time views, or both. */
export interface VersionChange {
  metric?: DistanceMetric;
  views?: ViewSet;
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
  if (change.metric === undefined && change.views === undefined)
    throw new AppError('INVALID_ARGUMENT', 'a derived version changes the metric or the views: give one');
  verifyModel(dataDir, modelId);
  const { testTimeViews: _old, ...preprocessing } = parent.preprocessing;
  if (views.length > 1) preprocessing.testTimeViews = views.map((v) => [...v]);
  const what = [
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
  const pool = await EmbedPool.create({ dataDir, modelId, views, ...(o.workers ? { workers: o.workers } : {}) });
  let vectors: Float32Array[];
  try {
    vectors = await pool.embed(inputs, { ...(o.signal ? { signal: o.signal } : {}), onProgress: (d, t) => o.onProgress?.('embed', d, t) });
  } finally {
    await pool.close();
  }
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
  const weights = await loadWeights(dataDir, modelId);
  try {
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
        trainingData: parent.trainingData,
        hyperparameters: { derivedFrom: parent.id, metric, views: change.views ?? null, calibrationData: summarise(data), references, seed },
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
