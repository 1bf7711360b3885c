/**
 * Verification metrics over distance scores (docs/evaluation.md).
 *
 * Conventions, used by every function here:
 * - A score is a distance: LOWER means MORE likely the same writer.
 * - `genuine: true` marks a same-writer (genuine) trial; `false` a forgery or another writer.
 * - The decision rule at threshold t is: accept as genuine iff score <= t.
 *   FAR(t) = share of non-genuine trials accepted; FRR(t) = share of genuine trials rejected.
 * Pure functions over plain numbers: no tfjs, safe in any worker or the renderer.
 */
import { AppError } from '../errors.ts';
import { Rng } from '../util/random.ts';

export interface LabelledScore {
  score: number;
  genuine: boolean;
}

/** One empirical operating point: accept iff score <= threshold (-Infinity: accept nothing). */
export interface OperatingPoint {
  threshold: number;
  far: number;
  frr: number;
}

/** Builds labelled scores from separate genuine and non-genuine score lists. */
export function labelScores(genuine: readonly number[], impostor: readonly number[]): LabelledScore[] {
  return [...genuine.map((score) => ({ score, genuine: true })), ...impostor.map((score) => ({ score, genuine: false }))];
}

interface Group {
  score: number;
  genuine: number;
  impostor: number;
}

/** Distinct scores ascending with per-class counts; validates the input. */
function groupScores(scores: readonly LabelledScore[], what: string): { groups: Group[]; nG: number; nI: number } {
  let nG = 0;
  let nI = 0;
  scores.forEach((s, i) => {
    if (typeof s.score !== 'number' || !Number.isFinite(s.score)) {
      throw new AppError('INVALID_ARGUMENT', `${what}: score ${i} is not a finite number (${String(s.score)})`);
    }
    if (s.genuine) nG++;
    else nI++;
  });
  if (nG === 0 || nI === 0) {
    throw new AppError('INVALID_ARGUMENT', `${what}: needs at least one genuine and one non-genuine score (got ${nG} genuine, ${nI} non-genuine)`);
  }
  const sorted = [...scores].sort((x, y) => x.score - y.score);
  const groups: Group[] = [];
  for (const s of sorted) {
    const last = groups[groups.length - 1];
    const g = last && last.score === s.score ? last : undefined;
    const target = g ?? { score: s.score, genuine: 0, impostor: 0 };
    if (!g) groups.push(target);
    if (s.genuine) target.genuine++;
    else target.impostor++;
  }
  return { groups, nG, nI };
}

/**
 * Every empirical operating point, thresholds ascending: first "accept nothing"
 * (threshold -Infinity, FAR 0, FRR 1), then one point per distinct score s (accept iff
 * score <= s), the last being "accept everything" (FAR 1, FRR 0). Tied genuine and
 * non-genuine scores move FAR and FRR in the same step. This is the ROC (TPR = 1 - FRR
 * against FAR) and the DET data.
 */
export function rocPoints(scores: readonly LabelledScore[]): OperatingPoint[] {
  const { groups, nG, nI } = groupScores(scores, 'rocPoints');
  const points: OperatingPoint[] = [{ threshold: -Infinity, far: 0, frr: 1 }];
  let acceptedG = 0;
  let acceptedI = 0;
  for (const g of groups) {
    acceptedG += g.genuine;
    acceptedI += g.impostor;
    points.push({ threshold: g.score, far: acceptedI / nI, frr: (nG - acceptedG) / nG });
  }
  return points;
}

/**
 * A threshold that represents operating point i: the middle of the range of thresholds
 * that produce it ([s_i, s_i+1)); the first point uses the smallest score and the last
 * the largest, the limits of their ranges.
 */
function representativeThresholds(points: readonly OperatingPoint[]): number[] {
  const n = points.length;
  return points.map((p, i) => {
    if (i === 0) return points[1]!.threshold;
    if (i === n - 1) return p.threshold;
    return (p.threshold + points[i + 1]!.threshold) / 2;
  });
}

export interface EerResult {
  /** Equal error rate in [0, 1]. */
  eer: number;
  /** Distance threshold at the EER (accept iff score <= threshold). */
  threshold: number;
}

/**
 * Equal error rate. The operating points are joined by straight segments (the ROC convex
 * combination of neighbouring thresholds, the same curve the AUC integrates); the EER is
 * where that polyline crosses FAR = FRR. FAR - FRR strictly increases from point to point,
 * so the crossing is unique. The threshold is interpolated with the same fraction between
 * the representative thresholds of the two bracketing points (each point represented by
 * the middle of its threshold range), so it lies between the two classes' scores when
 * they separate cleanly rather than on the last genuine score.
 */
export function eer(scores: readonly LabelledScore[]): EerResult {
  const points = rocPoints(scores);
  const reps = representativeThresholds(points);
  for (let i = 1; i < points.length; i++) {
    const p = points[i]!;
    const d = p.far - p.frr;
    if (d < 0) continue;
    const q = points[i - 1]!;
    const dPrev = q.far - q.frr;
    const alpha = d === 0 ? 1 : -dPrev / (d - dPrev);
    return {
      eer: q.far + alpha * (p.far - q.far),
      threshold: reps[i - 1]! + alpha * (reps[i]! - reps[i - 1]!),
    };
  }
  throw new AppError('INTERNAL', 'eer: the operating points never reach FAR >= FRR');
}

/**
 * Area under the ROC curve: the probability that a random genuine trial scores lower
 * (closer) than a random non-genuine one, ties counting one half (Mann-Whitney U over
 * mid-ranks). Equal to the trapezoidal area under rocPoints.
 */
export function auc(scores: readonly LabelledScore[]): number {
  const { groups, nG, nI } = groupScores(scores, 'auc');
  let rank = 0;
  let impostorRankSum = 0;
  for (const g of groups) {
    const size = g.genuine + g.impostor;
    const midRank = rank + (size + 1) / 2;
    impostorRankSum += g.impostor * midRank;
    rank += size;
  }
  const u = impostorRankSum - (nI * (nI + 1)) / 2;
  return u / (nG * nI);
}

export interface ErrorRates {
  threshold: number;
  far: number;
  frr: number;
  falseAccepts: number;
  falseRejects: number;
  nGenuine: number;
  nImpostor: number;
}

/** FAR and FRR at a given threshold (accept iff score <= threshold). */
export function farFrrAt(scores: readonly LabelledScore[], threshold: number): ErrorRates {
  if (typeof threshold !== 'number' || Number.isNaN(threshold)) {
    throw new AppError('INVALID_ARGUMENT', `farFrrAt: threshold must be a number (got ${String(threshold)})`);
  }
  const { nG, nI } = groupScores(scores, 'farFrrAt');
  let falseAccepts = 0;
  let falseRejects = 0;
  for (const s of scores) {
    if (s.genuine && s.score > threshold) falseRejects++;
    if (!s.genuine && s.score <= threshold) falseAccepts++;
  }
  return { threshold, far: falseAccepts / nI, frr: falseRejects / nG, falseAccepts, falseRejects, nGenuine: nG, nImpostor: nI };
}

export interface AccuracyResult {
  /** max over thresholds of 0.5 * (TPR + TNR). */
  accuracy: number;
  threshold: number;
}

/**
 * The SigNet paper's "accuracy": the best balanced accuracy 0.5 * (TPR + TNR) over all
 * thresholds, chosen on the same scores (optimistic by construction). The threshold is
 * the middle of the best point's threshold range; the first best point wins ties.
 */
export function bestBalancedAccuracy(scores: readonly LabelledScore[]): AccuracyResult {
  const points = rocPoints(scores);
  const reps = representativeThresholds(points);
  let best: AccuracyResult = { accuracy: -1, threshold: NaN };
  for (let i = 1; i < points.length; i++) {
    const p = points[i]!;
    const accuracy = 0.5 * (1 - p.frr + (1 - p.far));
    if (accuracy > best.accuracy) best = { accuracy, threshold: reps[i]! };
  }
  return best;
}

/**
 * Inverse of the standard normal CDF (Acklam's rational approximation, relative error
 * below 1.2e-9): the normal-deviate axis of a DET plot.
 */
export function normalDeviate(p: number): number {
  if (!(p >= 0 && p <= 1)) throw new AppError('INVALID_ARGUMENT', `normalDeviate: p must be in [0, 1] (got ${p})`);
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const pLow = 0.02425;
  const tail = (q: number) =>
    (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  if (p < pLow) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - pLow) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

export interface DetPoint extends OperatingPoint {
  /** normalDeviate(far) and normalDeviate(frr): the DET plot's axes. */
  farDeviate: number;
  frrDeviate: number;
}

/**
 * DET curve data: the operating points whose FAR and FRR are both strictly between 0 and 1
 * (the others lie at infinity on normal-deviate axes), with their normal deviates.
 */
export function detCurve(scores: readonly LabelledScore[]): DetPoint[] {
  return rocPoints(scores)
    .filter((p) => p.far > 0 && p.far < 1 && p.frr > 0 && p.frr < 1)
    .map((p) => ({ ...p, farDeviate: normalDeviate(p.far), frrDeviate: normalDeviate(p.frr) }));
}

export interface ScoreSummary {
  eer: number;
  eerThreshold: number;
  auc: number;
  balancedAccuracy: number;
  balancedAccuracyThreshold: number;
  nGenuine: number;
  nImpostor: number;
}

/** The usual figures in one pass, for training validation and `eval`. */
export function summariseScores(scores: readonly LabelledScore[]): ScoreSummary {
  const e = eer(scores);
  const acc = bestBalancedAccuracy(scores);
  const nGenuine = scores.filter((s) => s.genuine).length;
  return {
    eer: e.eer,
    eerThreshold: e.threshold,
    auc: auc(scores),
    balancedAccuracy: acc.accuracy,
    balancedAccuracyThreshold: acc.threshold,
    nGenuine,
    nImpostor: scores.length - nGenuine,
  };
}

// ---------------------------------------------------------------- writer-dependent protocol

export interface ProtocolSample<T> {
  writer: string;
  /** true: the writer's own genuine signature; false: a forgery of that writer. */
  genuine: boolean;
  item: T;
}

export interface WriterTrials<T> {
  writer: string;
  references: T[];
  questioned: { item: T; genuine: boolean }[];
}

export interface WriterDependentSplit<T> {
  writers: WriterTrials<T>[];
  /** Writers left out, with the reason (too few genuine signatures). */
  skipped: { writer: string; reason: string }[];
}

/**
 * The writer-dependent protocol (REFERENCE.md): per writer, `references` genuine
 * signatures chosen at random with the seed; questioned = the writer's other genuine
 * signatures and all its forgeries. The choice for a writer depends only on the seed, the
 * writer's name and the order of that writer's samples, not on the other writers.
 * Writers with fewer than `references` genuine signatures are skipped and listed.
 */
export function writerDependentSplit<T>(
  samples: readonly ProtocolSample<T>[],
  options: { references: number; seed: number | string },
): WriterDependentSplit<T> {
  const k = options.references;
  if (!Number.isInteger(k) || k < 1) {
    throw new AppError('INVALID_ARGUMENT', `references: expected a whole number >= 1 (got ${k})`);
  }
  const byWriter = new Map<string, ProtocolSample<T>[]>();
  for (const s of samples) {
    const list = byWriter.get(s.writer) ?? [];
    list.push(s);
    byWriter.set(s.writer, list);
  }
  const root = new Rng(options.seed);
  const out: WriterDependentSplit<T> = { writers: [], skipped: [] };
  for (const writer of [...byWriter.keys()].sort()) {
    const own = byWriter.get(writer)!;
    const genuine = own.filter((s) => s.genuine);
    if (genuine.length < k) {
      out.skipped.push({ writer, reason: `${genuine.length} genuine signatures, ${k} references needed` });
      continue;
    }
    const order = root.fork(writer).shuffle(genuine.map((_, i) => i));
    const chosen = new Set(order.slice(0, k));
    out.writers.push({
      writer,
      references: [...chosen].sort((x, y) => x - y).map((i) => genuine[i]!.item),
      questioned: [
        ...genuine.filter((_, i) => !chosen.has(i)).map((s) => ({ item: s.item, genuine: true })),
        ...own.filter((s) => !s.genuine).map((s) => ({ item: s.item, genuine: false })),
      ],
    });
  }
  return out;
}

/**
 * Scores every questioned item of a split against its writer's references with
 * `score(questioned, references)` (e.g. the aggregated distance of verify/), giving the
 * labelled scores the metrics above take.
 */
export function scoreWriterDependent<T>(
  split: WriterDependentSplit<T>,
  score: (questioned: T, references: readonly T[], writer: string) => number,
): LabelledScore[] {
  const out: LabelledScore[] = [];
  for (const w of split.writers) {
    for (const q of w.questioned) out.push({ score: score(q.item, w.references, w.writer), genuine: q.genuine });
  }
  return out;
}

/**
 * Random forgeries for the same split: each writer's references against one questioned
 * genuine signature of each of up to `perWriter` other writers (chosen with the seed), the
 * classic "random forgery" trial. Scores use the same `score` as the skilled trials.
 */
export function scoreRandomForgeries<T>(
  split: WriterDependentSplit<T>,
  score: (questioned: T, references: readonly T[], writer: string) => number,
  options: { perWriter?: number; seed: number | string },
): number[] {
  const per = options.perWriter ?? 10;
  const pool = split.writers.map((w) => ({ writer: w.writer, item: w.questioned.find((q) => q.genuine)?.item ?? w.references[0]! }));
  const root = new Rng(options.seed).fork('random-forgeries');
  const out: number[] = [];
  for (const w of split.writers) {
    const others = root
      .fork(w.writer)
      .shuffle(pool.filter((p) => p.writer !== w.writer))
      .slice(0, per);
    for (const o of others) out.push(score(o.item, w.references, w.writer));
  }
  return out;
}
