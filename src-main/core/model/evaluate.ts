/**
 * Evaluation with the writer-dependent protocol (REFERENCE.md): per writer, K genuine
 * references chosen with the seed; questioned = the writer's other genuine signatures and
 * all its forgeries; a questioned signature's score is its MEAN distance to the references
 * (the same aggregate as case verification, verify/compare.ts). Training validation uses
 * the same code on the validation writers, and its scores are what calibration is fitted on.
 */
import { performance } from 'node:perf_hooks';
import { AppError } from '../errors.ts';
import { applyCalibration, cllr, cllrMin, type Calibration } from '../verify/calibration.ts';
import { distance, mean, type DistanceMetric } from '../verify/distance.ts';
import { prepareInputs, readLabelledData, summarise, type DataSummary, type LabelledItem } from './dataset.ts';
import { EmbedPool } from './embed-pool.ts';
import { auc, eer, farFrrAt, labelScores, scoreRandomForgeries, scoreWriterDependent, writerDependentSplit, type LabelledScore } from './metrics.ts';
import { getModel } from './registry.ts';

export interface ScoreSets {
  /** Writer-dependent scores (aggregate distances) of genuine questioned signatures. */
  genuine: number[];
  /** ... of forgeries (skilled: the data set's forged signatures). */
  forged: number[];
  /** ... of random forgeries: other writers' genuine signatures against the writer's references. */
  random: number[];
  /** All within-writer genuine-genuine pair distances. */
  pairSame: number[];
  /** All within-writer genuine-forged pair distances. */
  pairDiff: number[];
  writersUsed: number;
  writersSkipped: { writer: string; reason: string }[];
}

export interface EvalMetrics {
  /** EER of genuine against skilled forgeries (the headline figure; calibration uses these trials). */
  eer: number;
  /** EER of genuine against random forgeries (other writers); null with a single writer. */
  eerRandom: number | null;
  eerThreshold: number;
  auc: number;
  pairEer: number | null;
  /** At the given threshold (the model's), when there is one. */
  threshold: number | null;
  far: number | null;
  frr: number | null;
  cllr: number | null;
  cllrMin: number | null;
}

/** Scores embeddings of labelled items with the writer-dependent protocol. */
export function scoreEmbeddings(
  items: readonly LabelledItem[],
  vectors: readonly Float32Array[],
  opts: { references: number; seed: number; metric?: DistanceMetric },
): ScoreSets {
  const metric = opts.metric ?? 'euclidean';
  const idx = items.map((_, i) => i);
  const split = writerDependentSplit(
    idx.map((i) => ({ writer: items[i]!.writer, genuine: items[i]!.label === 'genuine', item: i })),
    { references: opts.references, seed: opts.seed },
  );
  const aggregate = (q: number, refs: readonly number[]) => mean(refs.map((r) => distance(metric, vectors[q]!, vectors[r]!)));
  const scores = scoreWriterDependent(split, aggregate);
  const random = scoreRandomForgeries(split, aggregate, { seed: opts.seed });
  const pairSame: number[] = [];
  const pairDiff: number[] = [];
  const byWriter = new Map<string, number[]>();
  idx.forEach((i) => byWriter.set(items[i]!.writer, [...(byWriter.get(items[i]!.writer) ?? []), i]));
  for (const own of byWriter.values()) {
    const gen = own.filter((i) => items[i]!.label === 'genuine');
    const forged = own.filter((i) => items[i]!.label === 'forged');
    for (let a = 0; a < gen.length; a++) {
      for (let b = a + 1; b < gen.length; b++) pairSame.push(distance(metric, vectors[gen[a]!]!, vectors[gen[b]!]!));
      for (const f of forged) pairDiff.push(distance(metric, vectors[gen[a]!]!, vectors[f]!));
    }
  }
  return {
    genuine: scores.filter((s) => s.genuine).map((s) => s.score),
    forged: scores.filter((s) => !s.genuine).map((s) => s.score),
    random,
    pairSame,
    pairDiff,
    writersUsed: split.writers.length,
    writersSkipped: split.skipped,
  };
}

export function metricsOf(sets: ScoreSets, opts: { threshold?: number | null; calibration?: Calibration | null } = {}): EvalMetrics {
  if (!sets.genuine.length || !sets.forged.length) {
    throw new AppError('INVALID_ARGUMENT', `evaluation needs genuine and forged questioned signatures (got ${sets.genuine.length} genuine, ${sets.forged.length} forged)`);
  }
  const scores: LabelledScore[] = labelScores(sets.genuine, sets.forged);
  const e = eer(scores);
  const t = opts.threshold ?? null;
  const at = t !== null ? farFrrAt(scores, t) : null;
  const cal = opts.calibration ?? null;
  return {
    eer: e.eer,
    eerRandom: sets.random.length ? eer(labelScores(sets.genuine, sets.random)).eer : null,
    eerThreshold: e.threshold,
    auc: auc(scores),
    pairEer: sets.pairSame.length && sets.pairDiff.length ? eer(labelScores(sets.pairSame, sets.pairDiff)).eer : null,
    threshold: t,
    far: at ? at.far : null,
    frr: at ? at.frr : null,
    cllr: cal ? cllr(sets.genuine.map((d) => applyCalibration(cal, d)), sets.forged.map((d) => applyCalibration(cal, d))) : null,
    // cllrMin takes scores where higher = more support for "same writer": negate distances.
    cllrMin: cllrMin(sets.genuine.map((d) => -d), sets.forged.map((d) => -d)),
  };
}

export interface EvalOptions {
  dataDir: string;
  modelId: string;
  data: string;
  references?: number;
  seed?: number;
  workers?: number;
  signal?: AbortSignal;
  onProgress?: (stage: 'prepare' | 'embed', done: number, total: number) => void;
}

export interface EvalReport extends EvalMetrics {
  model: { id: string; sha256: string; architecture: string; calibrated: boolean };
  backend: string;
  data: DataSummary;
  references: number;
  seed: number;
  counts: { writers: number; writersSkipped: number; genuine: number; forged: number };
  seconds: number;
}

/**
 * Labelled images normalised as an import normalises them, then embedded by the registered
 * model in a worker pool; one vector per item, in order, and the backend the workers used.
 */
export async function embedLabelled(
  items: readonly LabelledItem[],
  inputShape: readonly [number, number, number],
  o: Pick<EvalOptions, 'dataDir' | 'modelId' | 'workers' | 'signal' | 'onProgress'>,
): Promise<{ vectors: Float32Array[]; backend: string }> {
  const inputs = await prepareInputs(items, {
    canvas: [inputShape[0], inputShape[1]],
    ...(o.signal ? { signal: o.signal } : {}),
    onProgress: (d, t) => o.onProgress?.('prepare', d, t),
  });
  const pool = await EmbedPool.create({ dataDir: o.dataDir, modelId: o.modelId, ...(o.workers ? { workers: o.workers } : {}) });
  try {
    const vectors = await pool.embed(inputs, { ...(o.signal ? { signal: o.signal } : {}), onProgress: (d, t) => o.onProgress?.('embed', d, t) });
    return { vectors, backend: pool.backend };
  } finally {
    await pool.close();
  }
}

/** `countersign eval`: a registered model on a labelled data set. */
export async function evaluateModel(o: EvalOptions): Promise<EvalReport> {
  const t0 = performance.now();
  const meta = getModel(o.dataDir, o.modelId);
  const data = readLabelledData(o.data);
  const references = o.references ?? 5;
  const seed = o.seed ?? 1;
  const { vectors, backend } = await embedLabelled(data.items, meta.inputShape, o);
  const sets = scoreEmbeddings(data.items, vectors, { references, seed, metric: meta.distanceMetric });
  const threshold = meta.calibration?.eerThreshold ?? meta.metrics.eerThreshold ?? null;
  const m = metricsOf(sets, { threshold, calibration: meta.calibration });
  return {
    ...m,
    model: { id: meta.id, sha256: meta.sha256, architecture: meta.architecture, calibrated: meta.calibration !== null },
    backend,
    data: summarise(data),
    references,
    seed,
    counts: { writers: sets.writersUsed, writersSkipped: sets.writersSkipped.length, genuine: sets.genuine.length, forged: sets.forged.length },
    seconds: (performance.now() - t0) / 1000,
  };
}
