/**
 * Choosing a model's distance metric. SigNet is trained with the Euclidean distance
 * (contrastive loss), so every trained model is Euclidean. Cosine distance (1 - cosine
 * similarity) on the same embeddings is a different score with its own threshold and
 * calibration, so it cannot be switched on in a model's metadata: models are never changed,
 * and a calibration fitted on Euclidean distances says nothing about cosine ones. Instead a
 * new model version is derived: the same weights (same SHA-256), `distanceMetric` set, the
 * parent recorded, and metrics, EER threshold and calibration measured on labelled data with
 * the new metric by the evaluation's own protocol (writer-dependent, genuine against skilled
 * forgeries, as training validates).
 */
import { AppError } from '../errors.ts';
import { fitCalibration, type Calibration } from '../scoring/calibration.ts';
import type { DistanceMetric } from '../scoring/distance.ts';
import { prepareInputs, readLabelledData, summarise } from './dataset.ts';
import { EmbedPool } from './embedding/embed-pool.ts';
import { metricsOf, scoreEmbeddings } from './evaluate.ts';
import { getModel, loadWeights, normaliseVersionOf, saveModel, scoringOf, verifyModel, type ModelMetadata } from './registry/registry.ts';

export interface MetricVersionOptions {
  /** Labelled data the new metric is calibrated on (held out from training, with skilled forgeries). */
  data: string;
  references?: number;
  seed?: number;
  name?: string;
  id?: string;
  workers?: number;
  signal?: AbortSignal;
  onProgress?: (stage: 'prepare' | 'embed', done: number, total: number) => void;
}

export async function deriveMetricVersion(dataDir: string, modelId: string, metric: DistanceMetric, o: MetricVersionOptions): Promise<ModelMetadata> {
  if (metric !== 'euclidean' && metric !== 'cosine') throw new AppError('INVALID_ARGUMENT', `metric: expected euclidean or cosine, got '${String(metric)}'`, { field: 'metric' });
  const parent = getModel(dataDir, modelId);
  if (parent.distanceMetric === metric) throw new AppError('CONFLICT', `metric: model ${parent.id} already uses the ${metric} distance`, { field: 'metric' });
  verifyModel(dataDir, modelId);
  const data = readLabelledData(o.data);
  const references = o.references ?? 5;
  const seed = o.seed ?? 1;
  const inputs = await prepareInputs(data.items, { canvas: [parent.inputShape[0], parent.inputShape[1]], normaliseVersion: normaliseVersionOf(parent), ...(o.signal ? { signal: o.signal } : {}), onProgress: (d, t) => o.onProgress?.('prepare', d, t) });
  const pool = await EmbedPool.create({ dataDir, modelId, ...(o.workers ? { workers: o.workers } : {}) });
  let vectors: Float32Array[];
  try {
    vectors = await pool.embed(inputs, { ...(o.signal ? { signal: o.signal } : {}), onProgress: (d, t) => o.onProgress?.('embed', d, t) });
  } finally {
    await pool.close();
  }
  // A writer-normalised score needs its prior in the new metric's units: measured again here.
  const sets = scoreEmbeddings(data.items, vectors, { references, seed, metric, scoring: scoringOf(parent).method === 'kk-ratio' ? 'measure' : scoringOf(parent) });
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
        name: o.name ?? `${parent.name} ${metric}`,
        description: `${parent.id} with the ${metric} distance, calibrated on ${summarise(data).writers} writers`,
        architecture: parent.architecture,
        inputShape: parent.inputShape,
        ...(parent.embeddingSize !== undefined ? { embeddingSize: parent.embeddingSize } : {}),
        preprocessing: parent.preprocessing,
        parentId: parent.id,
        trainingData: parent.trainingData,
        hyperparameters: { derivedFrom: parent.id, metric, calibrationData: summarise(data), references, seed },
        metrics: { eer: m.eer, eerRandom: m.eerRandom, auc: m.auc, pairEer: m.pairEer, eerThreshold: m.eerThreshold, cllr: calibration?.cllr ?? null, cllrMin: m.cllrMin },
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
