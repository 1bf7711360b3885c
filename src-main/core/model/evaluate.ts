/**
 * Evaluation with the writer-dependent protocol (REFERENCE.md): per writer, K genuine
 * references chosen with the seed; questioned = the writer's other genuine signatures and
 * all its forgeries; a questioned signature's score is the model's score (scoring/score.ts: the
 * writer-normalised mean distance, or the plain mean for older models), the same score case
 * verification uses. Training validation uses the same code on the validation writers, and its
 * scores are what calibration is fitted on.
 */
import { performance } from 'node:perf_hooks';
import { AppError } from '../errors.ts';
import { applyCalibration, cllr, cllrMin, type Calibration } from '../scoring/calibration.ts';
import { distance, type DistanceMetric } from '../scoring/distance.ts';
import { DEFAULT_PRIOR_WEIGHT, LEGACY_SCORING, scoreQuestioned, typicalWithinWriter, type Scoring } from '../scoring/score.ts';
import { Rng } from '../util/random.ts';
import type { NormaliseVersion } from '../imaging/normalise.ts';
import { prepareInputs, readLabelledData, summarise, type DataSummary, type LabelledItem } from './dataset.ts';
import { EmbedPool } from './embedding/embed-pool.ts';
import { auc, eer, farFrrAt, labelScores, scoreRandomForgeries, scoreWriterDependent, writerDependentSplit, type LabelledScore } from '../scoring/metrics.ts';
import { modelThreshold } from '../scoring/threshold.ts';
import { NORMALISE_VERSION } from '../imaging/normalise.ts';
import { getModel, normaliseVersionOf, scoringOf } from './registry/registry.ts';

export interface ScoreSets {
  /** Writer-dependent scores of genuine questioned signatures. */
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
  /** The writer each score of genuine / forged / random and each pair belongs to (for resampling by writer). */
  writerOf: { genuine: string[]; forged: string[]; random: string[]; pairSame: string[]; pairDiff: string[] };
  /** The scoring the scores were made with (a measured prior when asked for). */
  scoring: Scoring;
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
  /** Share of skilled trials (genuine and forged) decided right at that threshold. */
  accuracy: number | null;
  cllr: number | null;
  cllrMin: number | null;
}

/**
 * Scores embeddings of labelled items with the writer-dependent protocol. `scoring: 'measure'`
 * (training validation) scores with the writer-normalised score whose prior is measured on this
 * split's own reference sets; the scoring used is returned.
 */
export function scoreEmbeddings(
  items: readonly LabelledItem[],
  vectors: readonly Float32Array[],
  opts: { references: number; seed: number; metric?: DistanceMetric; scoring: Scoring | 'measure' },
): ScoreSets {
  const metric = opts.metric ?? 'euclidean';
  const idx = items.map((_, i) => i);
  const split = writerDependentSplit(
    idx.map((i) => ({ writer: items[i]!.writer, genuine: items[i]!.label === 'genuine', item: i })),
    { references: opts.references, seed: opts.seed },
  );
  const scoring: Scoring =
    opts.scoring === 'measure'
      ? {
          method: 'kk-ratio',
          prior: typicalWithinWriter(
            metric,
            split.writers.map((w) => w.references.map((r) => vectors[r]!)),
          ),
          priorWeight: DEFAULT_PRIOR_WEIGHT,
        }
      : opts.scoring;
  const aggregate = (q: number, refs: readonly number[]) =>
    scoreQuestioned(
      metric,
      vectors[q]!,
      refs.map((r) => vectors[r]!),
      scoring,
    ).score;
  // The score functions see the writer of the references: collect it for resampling by writer.
  const scoreWriters: string[] = [];
  const scores = scoreWriterDependent(split, (q, refs, writer) => (scoreWriters.push(writer), aggregate(q, refs)));
  const randomWriters: string[] = [];
  const random = scoreRandomForgeries(split, (q, refs, writer) => (randomWriters.push(writer), aggregate(q, refs)), { seed: opts.seed });
  const pairSame: number[] = [];
  const pairDiff: number[] = [];
  const pairSameWriters: string[] = [];
  const pairDiffWriters: string[] = [];
  const byWriter = new Map<string, number[]>();
  idx.forEach((i) => byWriter.set(items[i]!.writer, [...(byWriter.get(items[i]!.writer) ?? []), i]));
  for (const [writer, own] of byWriter) {
    const gen = own.filter((i) => items[i]!.label === 'genuine');
    const forged = own.filter((i) => items[i]!.label === 'forged');
    for (let a = 0; a < gen.length; a++) {
      for (let b = a + 1; b < gen.length; b++) {
        pairSame.push(distance(metric, vectors[gen[a]!]!, vectors[gen[b]!]!));
        pairSameWriters.push(writer);
      }
      for (const f of forged) {
        pairDiff.push(distance(metric, vectors[gen[a]!]!, vectors[f]!));
        pairDiffWriters.push(writer);
      }
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
    writerOf: {
      genuine: scoreWriters.filter((_, i) => scores[i]!.genuine),
      forged: scoreWriters.filter((_, i) => !scores[i]!.genuine),
      random: randomWriters,
      pairSame: pairSameWriters,
      pairDiff: pairDiffWriters,
    },
    scoring,
  };
}

export function metricsOf(sets: ScoreSets, opts: { threshold?: number | null; calibration?: Calibration | null } = {}): EvalMetrics {
  if (!sets.genuine.length || !sets.forged.length) {
    throw new AppError(
      'INVALID_ARGUMENT',
      `evaluation needs genuine and forged questioned signatures (got ${sets.genuine.length} genuine, ${sets.forged.length} forged)`,
    );
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
    accuracy: at ? 1 - (at.far * sets.forged.length + at.frr * sets.genuine.length) / (sets.forged.length + sets.genuine.length) : null,
    cllr: cal
      ? cllr(
          sets.genuine.map((d) => applyCalibration(cal, d)),
          sets.forged.map((d) => applyCalibration(cal, d)),
        )
      : null,
    // cllrMin takes scores where higher = more support for "same writer": negate distances.
    cllrMin: cllrMin(
      sets.genuine.map((d) => -d),
      sets.forged.map((d) => -d),
    ),
  };
}

export interface Interval {
  low: number;
  high: number;
}

export interface EvalIntervals {
  /** Writers resampled with replacement, `rounds` times; percentile interval. */
  method: 'bootstrap over writers';
  level: 0.95;
  rounds: number;
  eer: Interval;
  eerRandom: Interval | null;
  auc: Interval;
  cllr: Interval | null;
  cllrMin: Interval | null;
  pairEer: Interval | null;
}

/** The scores bootstrapByWriter resamples: each with the writer it belongs to. */
export type WriterScores = Pick<ScoreSets, 'genuine' | 'forged' | 'random' | 'writerOf'> & { pairSame?: number[]; pairDiff?: number[] };

function percentile(sorted: readonly number[], p: number): number {
  const x = p * (sorted.length - 1);
  const i = Math.floor(x);
  return i + 1 < sorted.length ? sorted[i]! + (x - i) * (sorted[i + 1]! - sorted[i]!) : sorted[i]!;
}

/**
 * 95 % intervals of the headline figures by resampling writers (a writer's trials are not
 * independent of each other, so writers, not trials, are the unit): each round draws as many
 * writers as there are, with replacement, and recomputes the figures on their trials.
 */
export function bootstrapByWriter(sets: WriterScores, calibration: Calibration | null, o: { rounds?: number; seed?: number } = {}): EvalIntervals {
  const rounds = o.rounds ?? 1000;
  const rng = new Rng(o.seed ?? 1).fork('bootstrap');
  const group = (scores: readonly number[], writers: readonly string[]) => {
    const m = new Map<string, number[]>();
    scores.forEach((v, i) => m.set(writers[i]!, [...(m.get(writers[i]!) ?? []), v]));
    return m;
  };
  const g = group(sets.genuine, sets.writerOf.genuine);
  const f = group(sets.forged, sets.writerOf.forged);
  const r = group(sets.random, sets.writerOf.random);
  // Pairs only where their writers were recorded (score sets from before lack them).
  const pairs =
    sets.pairSame && sets.pairDiff && sets.writerOf.pairSame?.length === sets.pairSame.length && sets.writerOf.pairDiff?.length === sets.pairDiff.length;
  const ps = pairs ? group(sets.pairSame!, sets.writerOf.pairSame) : new Map<string, number[]>();
  const pd = pairs ? group(sets.pairDiff!, sets.writerOf.pairDiff) : new Map<string, number[]>();
  const writers = [...new Set([...g.keys(), ...f.keys()])].sort();
  const acc = { eer: [] as number[], eerRandom: [] as number[], auc: [] as number[], cllr: [] as number[], cllrMin: [] as number[], pairEer: [] as number[] };
  for (let k = 0; k < rounds; k++) {
    const gs: number[] = [];
    const fs: number[] = [];
    const rs: number[] = [];
    const pss: number[] = [];
    const pds: number[] = [];
    for (let i = 0; i < writers.length; i++) {
      const w = writers[rng.int(0, writers.length - 1)]!;
      gs.push(...(g.get(w) ?? []));
      fs.push(...(f.get(w) ?? []));
      rs.push(...(r.get(w) ?? []));
      pss.push(...(ps.get(w) ?? []));
      pds.push(...(pd.get(w) ?? []));
    }
    if (!gs.length || !fs.length) continue;
    const labelled = labelScores(gs, fs);
    acc.eer.push(eer(labelled).eer);
    acc.auc.push(auc(labelled));
    acc.cllrMin.push(
      cllrMin(
        gs.map((d) => -d),
        fs.map((d) => -d),
      ),
    );
    if (rs.length) acc.eerRandom.push(eer(labelScores(gs, rs)).eer);
    if (pss.length && pds.length) acc.pairEer.push(eer(labelScores(pss, pds)).eer);
    if (calibration)
      acc.cllr.push(
        cllr(
          gs.map((d) => applyCalibration(calibration, d)),
          fs.map((d) => applyCalibration(calibration, d)),
        ),
      );
  }
  const interval = (v: number[]): Interval | null => {
    if (!v.length) return null;
    const sorted = [...v].sort((a, b) => a - b);
    return { low: percentile(sorted, 0.025), high: percentile(sorted, 0.975) };
  };
  return {
    method: 'bootstrap over writers',
    level: 0.95,
    rounds,
    eer: interval(acc.eer)!,
    eerRandom: interval(acc.eerRandom),
    auc: interval(acc.auc)!,
    cllr: interval(acc.cllr),
    cllrMin: interval(acc.cllrMin),
    pairEer: interval(acc.pairEer),
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
  model: { id: string; sha256: string; architecture: string; calibrated: boolean; scoring: Scoring['method']; normaliseVersion: NormaliseVersion };
  intervals: EvalIntervals;
  backend: string;
  data: DataSummary;
  references: number;
  seed: number;
  counts: EvalCounts;
  seconds: number;
}

export interface EvalCounts {
  writers: number;
  writersSkipped: number;
  genuine: number;
  forged: number;
  random: number;
}

/** How many writers and scores an evaluation rests on. */
function countsOf(sets: ScoreSets): EvalCounts {
  return {
    writers: sets.writersUsed,
    writersSkipped: sets.writersSkipped.length,
    genuine: sets.genuine.length,
    forged: sets.forged.length,
    random: sets.random.length,
  };
}

/**
 * Labelled images normalised as an import normalises them, then embedded by the registered
 * model in a worker pool; one vector per item, in order, and the backend the workers used.
 */
export async function embedLabelled(
  items: readonly LabelledItem[],
  model: { inputShape: readonly [number, number, number]; normaliseVersion: NormaliseVersion },
  o: Pick<EvalOptions, 'dataDir' | 'modelId' | 'workers' | 'signal' | 'onProgress'>,
): Promise<{ vectors: Float32Array[]; backend: string }> {
  const inputs = await prepareInputs(items, {
    canvas: [model.inputShape[0], model.inputShape[1]],
    normaliseVersion: model.normaliseVersion,
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
  const normaliseVersion = normaliseVersionOf(meta);
  const scoring = scoringOf(meta);
  const { vectors, backend } = await embedLabelled(data.items, { inputShape: meta.inputShape, normaliseVersion }, o);
  const sets = scoreEmbeddings(data.items, vectors, { references, seed, metric: meta.distanceMetric, scoring });
  const threshold = modelThreshold(meta);
  const m = metricsOf(sets, { threshold, calibration: meta.calibration });
  return {
    ...m,
    model: {
      id: meta.id,
      sha256: meta.sha256,
      architecture: meta.architecture,
      calibrated: meta.calibration !== null,
      scoring: scoring.method,
      normaliseVersion,
    },
    intervals: bootstrapByWriter(sets, meta.calibration, { seed }),
    backend,
    data: summarise(data),
    references,
    seed,
    counts: countsOf(sets),
    seconds: (performance.now() - t0) / 1000,
  };
}

/** The pixel baseline's canvas (SigNet's input size) and the block each vector element averages. */
const PIXEL_CANVAS: [number, number] = [155, 220];
const PIXEL_BLOCK = 5;

/** Block means of a normalised input: the pixel baseline's "embedding". */
export function pixelVector(input: Float32Array, [h, w]: readonly [number, number] = PIXEL_CANVAS, block = PIXEL_BLOCK): Float32Array {
  const bh = Math.floor(h / block);
  const bw = Math.floor(w / block);
  const out = new Float32Array(bh * bw);
  for (let y = 0; y < bh * block; y++)
    for (let x = 0; x < bw * block; x++) out[Math.floor(y / block) * bw + Math.floor(x / block)]! += input[y * w + x]! / (block * block);
  return out;
}

export type PixelEvalReport = Omit<EvalReport, 'model' | 'backend'> & {
  baseline: 'pixels';
  normaliseVersion: NormaliseVersion;
  canvas: readonly [number, number];
  block: number;
};

/**
 * `countersign eval --baseline pixels`: no learning at all. Each signature's current network
 * input (ink-invariant normalisation) averaged in 5x5 blocks is its vector; scored with the
 * writer-normalised score whose prior is measured on the evaluated references (no training data
 * exists to measure it on; with one reference, the mean distance), uncalibrated. The floor any trained model must clear.
 */
export async function evaluatePixels(o: Omit<EvalOptions, 'dataDir' | 'modelId' | 'workers'>): Promise<PixelEvalReport> {
  const t0 = performance.now();
  const data = readLabelledData(o.data);
  const references = o.references ?? 5;
  const seed = o.seed ?? 1;
  const inputs = await prepareInputs(data.items, {
    canvas: PIXEL_CANVAS,
    normaliseVersion: NORMALISE_VERSION,
    ...(o.signal ? { signal: o.signal } : {}),
    onProgress: (d, t) => o.onProgress?.('prepare', d, t),
  });
  // One reference has no spread to measure a prior from; uncalibrated, the kk-ratio score is then
  // the mean distance over a constant, so the mean distance ranks exactly as it would.
  const sets = scoreEmbeddings(
    data.items,
    inputs.map((x) => pixelVector(x)),
    { references, seed, scoring: references > 1 ? 'measure' : LEGACY_SCORING },
  );
  return {
    ...metricsOf(sets),
    baseline: 'pixels',
    normaliseVersion: NORMALISE_VERSION,
    canvas: PIXEL_CANVAS,
    block: PIXEL_BLOCK,
    intervals: bootstrapByWriter(sets, null, { seed }),
    data: summarise(data),
    references,
    seed,
    counts: countsOf(sets),
    seconds: (performance.now() - t0) / 1000,
  };
}
