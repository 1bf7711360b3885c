/**
 * Score-to-likelihood-ratio calibration (docs/evaluation.md, "Calibration").
 *
 * A model's Euclidean distance d between a questioned and a known signature becomes
 *   log10 LR = clamp(a + b * d, lower, upper)
 * for the propositions "same writer" against "not the same writer (another writer or a
 * forgery)". a and b come from prior-weighted logistic regression on validation distances
 * (Brümmer's FoCal practice: the two classes weigh equally, so the output is a likelihood
 * ratio and not posterior odds that depend on how many pairs of each kind were at hand).
 * The bounds stop the linear model from extrapolating past what the validation data can
 * support: they are the extreme log10 LRs of PAV calibration on the same data with one
 * extra same-writer and one extra different-writer comparison at each end (Laplace's rule
 * of succession), at most about log10(N + 1) for N comparisons of the opposing class.
 */
import { z } from 'zod';
import { AppError } from '../errors.ts';
import { eer, labelScores } from './metrics.ts';

const LN10 = Math.LN10;
const LN2 = Math.LN2;

export interface CalibrationBounds {
  /** Smallest and largest log10 LR this calibration reports (lower <= 0 <= upper). */
  lower: number;
  upper: number;
  method: 'laplace-pav';
}

export interface Calibration {
  method: 'logistic';
  /** What a and b apply to: the model's distance between two embeddings. */
  score: 'distance';
  /** log10 LR = a + b * distance, then clamped to bounds. b < 0. */
  a: number;
  b: number;
  bounds: CalibrationBounds;
  fittedOn: { same: number; diff: number };
  /** Cllr of this calibration on the data it was fitted on (bits; 0 perfect, 1 uninformative). */
  cllr: number;
  /** Cllr after optimal (PAV) calibration of the same distances: the discrimination floor. */
  cllrMin: number;
  eer: number;
  eerThreshold: number;
  /** L2 weight on the slope in standardised units (see fitCalibration). */
  regularisation: number;
}

export const calibrationSchema = z.object({
  method: z.literal('logistic'),
  score: z.literal('distance'),
  a: z.number(),
  b: z.number().negative(),
  bounds: z.object({ lower: z.number().max(0), upper: z.number().min(0), method: z.literal('laplace-pav') }),
  fittedOn: z.object({ same: z.number().int().positive(), diff: z.number().int().positive() }),
  cllr: z.number().min(0),
  cllrMin: z.number().min(0),
  eer: z.number().min(0).max(1),
  eerThreshold: z.number(),
  regularisation: z.number().min(0),
});

export const DEFAULT_REGULARISATION = 1e-6;

function softplus(z: number): number {
  // log(1 + e^z) without overflow; softplus(-Infinity) = 0.
  if (z === -Infinity) return 0;
  return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

function checkScores(values: readonly number[], what: string): void {
  if (!values.length) throw new AppError('INVALID_ARGUMENT', `${what}: needs at least one value`);
  values.forEach((v, i) => {
    if (typeof v !== 'number' || Number.isNaN(v)) {
      throw new AppError('INVALID_ARGUMENT', `${what}: value ${i} is not a number (${String(v)})`);
    }
  });
}

/**
 * Log-likelihood-ratio cost in bits (Brümmer & du Preez 2006):
 *   Cllr = 1/2 [ mean over same of log2(1 + 1/LR) + mean over diff of log2(1 + LR) ].
 * Inputs are log10 LRs (+-Infinity allowed). LR = 1 everywhere gives exactly 1.
 */
export function cllr(llrsSame: readonly number[], llrsDiff: readonly number[]): number {
  checkScores(llrsSame, 'cllr (same-writer LRs)');
  checkScores(llrsDiff, 'cllr (different-writer LRs)');
  let same = 0;
  for (const l of llrsSame) same += softplus(-l * LN10) / LN2;
  let diff = 0;
  for (const l of llrsDiff) diff += softplus(l * LN10) / LN2;
  return 0.5 * (same / llrsSame.length + diff / llrsDiff.length);
}

interface Block {
  same: number;
  diff: number;
  /** Number of input positions (distinct scores) this block covers, for expansion. */
  span: number;
}

/**
 * Pool-adjacent-violators on distinct scores (ascending, higher = more same-writer):
 * returns blocks whose same-writer proportion is non-decreasing. Tied scores always share
 * one block, as any calibration must give them one LR.
 */
function pav(groups: Block[]): Block[] {
  const stack: Block[] = [];
  for (const g of groups) {
    let cur = { ...g };
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      if (top.same * (cur.same + cur.diff) < cur.same * (top.same + top.diff)) break; // top mean < cur mean
      stack.pop();
      cur = { same: top.same + cur.same, diff: top.diff + cur.diff, span: top.span + cur.span };
    }
    stack.push(cur);
  }
  return stack;
}

function groupDistinct(llrsSame: readonly number[], llrsDiff: readonly number[]) {
  const all = [...llrsSame.map((v, i) => ({ v, same: true, i })), ...llrsDiff.map((v, i) => ({ v, same: false, i }))].sort((x, y) => x.v - y.v);
  const groups: (Block & { members: typeof all })[] = [];
  for (const e of all) {
    const last = groups[groups.length - 1];
    if (last && last.members[0]!.v === e.v) {
      last.members.push(e);
      if (e.same) last.same++;
      else last.diff++;
    } else {
      groups.push({ same: e.same ? 1 : 0, diff: e.same ? 0 : 1, span: 1, members: [e] });
    }
  }
  return groups;
}

/**
 * Optimal monotone calibration (PAV, as BOSARIS's opt_loglr): the log10 LR that each input
 * score would get from the best non-decreasing score-to-LR map on this very data. Scores
 * are any numbers where higher means more support for "same writer" (for distances pass
 * their negatives). With `laplace`, one same- and one different-writer comparison are
 * added below the lowest and above the highest score, which keeps every output finite.
 */
export function pavLog10LRs(
  scoresSame: readonly number[],
  scoresDiff: readonly number[],
  options: { laplace?: boolean } = {},
): { same: number[]; diff: number[] } {
  checkScores(scoresSame, 'PAV (same-writer scores)');
  checkScores(scoresDiff, 'PAV (different-writer scores)');
  const groups = groupDistinct(scoresSame, scoresDiff);
  const pseudo = options.laplace ? 1 : 0;
  const blocks = pav([
    ...(pseudo ? [{ same: 1, diff: 1, span: 0 }] : []),
    ...groups.map((g) => ({ same: g.same, diff: g.diff, span: 1 })),
    ...(pseudo ? [{ same: 1, diff: 1, span: 0 }] : []),
  ]);
  const priorLog10Odds = Math.log10((scoresSame.length + 2 * pseudo) / (scoresDiff.length + 2 * pseudo));
  const same = new Array<number>(scoresSame.length);
  const diff = new Array<number>(scoresDiff.length);
  let gi = 0;
  for (const b of blocks) {
    const llr = Math.log10(b.same) - Math.log10(b.diff) - priorLog10Odds;
    for (let k = 0; k < b.span; k++, gi++) {
      for (const m of groups[gi]!.members) (m.same ? same : diff)[m.i] = llr;
    }
  }
  return { same, diff };
}

/** Cllr after optimal PAV calibration: the part of Cllr that calibration cannot remove. */
export function cllrMin(scoresSame: readonly number[], scoresDiff: readonly number[]): number {
  const opt = pavLog10LRs(scoresSame, scoresDiff);
  return cllr(opt.same, opt.diff);
}

/**
 * The log10 LR range the data support: the extreme outputs of PAV with Laplace's pseudo
 * comparisons, widened to include 0. Perfectly separated data with n comparisons per
 * class give +-log10(n + 1); data that do not separate at all give [0, 0].
 */
export function supportedBounds(scoresSame: readonly number[], scoresDiff: readonly number[]): CalibrationBounds {
  const opt = pavLog10LRs(scoresSame, scoresDiff, { laplace: true });
  const all = [...opt.same, ...opt.diff];
  return { lower: Math.min(0, ...all), upper: Math.max(0, ...all), method: 'laplace-pav' };
}

/**
 * Prior-weighted logistic regression: minimises
 *   1/(2 Ns) sum_same softplus(-z) + 1/(2 Nd) sum_diff softplus(z) + (lambda/2) beta^2,
 * z = alpha + beta * (d - mean) / sd, by Newton's method (IRLS) with step halving. The
 * distances are standardised so that lambda means the same for any distance scale; only the
 * slope is penalised (it keeps perfectly separated data finite; the intercept is then
 * finite because both classes are present). Returns natural-log a, b for raw distances.
 */
function fitLogistic(same: readonly number[], diff: readonly number[], lambda: number): { a: number; b: number } {
  const xs = [...same, ...diff];
  const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((s, v) => s + (v - mean) ** 2, 0) / xs.length) || 1;
  const pts = [
    ...same.map((d) => ({ x: (d - mean) / sd, t: 1, w: 1 / (2 * same.length) })),
    ...diff.map((d) => ({ x: (d - mean) / sd, t: 0, w: 1 / (2 * diff.length) })),
  ];
  const loss = (al: number, be: number) => {
    let l = 0.5 * lambda * be * be;
    for (const p of pts) {
      const z = al + be * p.x;
      l += p.w * softplus(p.t ? -z : z);
    }
    return l;
  };
  let alpha = 0;
  let beta = 0;
  let current = loss(alpha, beta);
  for (let iter = 0; iter < 200; iter++) {
    let g0 = 0;
    let g1 = lambda * beta;
    let h00 = 1e-12;
    let h01 = 0;
    let h11 = lambda + 1e-12;
    for (const p of pts) {
      const q = sigmoid(alpha + beta * p.x);
      const r = p.w * (q - p.t);
      const s = p.w * q * (1 - q);
      g0 += r;
      g1 += r * p.x;
      h00 += s;
      h01 += s * p.x;
      h11 += s * p.x * p.x;
    }
    const det = h00 * h11 - h01 * h01;
    const step0 = (h11 * g0 - h01 * g1) / det;
    const step1 = (h00 * g1 - h01 * g0) / det;
    let t = 1;
    let next = loss(alpha - step0, beta - step1);
    while (next > current && t > 1e-10) {
      t /= 2;
      next = loss(alpha - t * step0, beta - t * step1);
    }
    if (next > current) break;
    alpha -= t * step0;
    beta -= t * step1;
    const done = Math.max(Math.abs(t * step0), Math.abs(t * step1)) < 1e-12 || current - next < 1e-15;
    current = next;
    if (done) break;
  }
  return { a: alpha - (beta * mean) / sd, b: beta / sd };
}

export interface FitOptions {
  /** L2 weight on the standardised slope; default 1e-6. */
  regularisation?: number;
}

/**
 * Fits a calibration on validation distances of same-writer pairs and of different-writer
 * or forged pairs. Refuses (INVALID_ARGUMENT) when larger distances do not mean less
 * support for "same writer": such a model must stay uncalibrated rather than report LRs.
 */
export function fitCalibration(sameDistances: readonly number[], diffDistances: readonly number[], options: FitOptions = {}): Calibration {
  const same = [...sameDistances];
  const diff = [...diffDistances];
  for (const [list, what] of [
    [same, 'calibration: same-writer distances'],
    [diff, 'calibration: different-writer distances'],
  ] as const) {
    checkScores(list, what);
    list.forEach((v, i) => {
      if (!Number.isFinite(v)) throw new AppError('INVALID_ARGUMENT', `${what}: value ${i} is not finite (${v})`);
    });
  }
  const lambda = options.regularisation ?? DEFAULT_REGULARISATION;
  if (!(lambda >= 0) || !Number.isFinite(lambda)) {
    throw new AppError('INVALID_ARGUMENT', `calibration: regularisation must be a finite number >= 0 (got ${lambda})`);
  }
  const fit = fitLogistic(same, diff, lambda);
  const a = fit.a / LN10;
  const b = fit.b / LN10;
  if (!(b < 0) || !Number.isFinite(a) || !Number.isFinite(b)) {
    throw new AppError(
      'INVALID_ARGUMENT',
      `calibration: on these validation distances a larger distance does not mean less support for the same writer ` +
        `(fitted slope ${b}); the model is not informative enough to calibrate`,
    );
  }
  const bounds = supportedBounds(
    same.map((d) => -d),
    diff.map((d) => -d),
  );
  const e = eer(labelScores(same, diff));
  const partial = { a, b, bounds };
  const cal: Calibration = {
    method: 'logistic',
    score: 'distance',
    a,
    b,
    bounds,
    fittedOn: { same: same.length, diff: diff.length },
    cllr: cllr(
      same.map((d) => applyBounded(partial, d)),
      diff.map((d) => applyBounded(partial, d)),
    ),
    cllrMin: cllrMin(
      same.map((d) => -d),
      diff.map((d) => -d),
    ),
    eer: e.eer,
    eerThreshold: e.threshold,
    regularisation: lambda,
  };
  return cal;
}

function applyBounded(cal: Pick<Calibration, 'a' | 'b' | 'bounds'>, distance: number): number {
  const raw = cal.a + cal.b * distance;
  return Math.min(cal.bounds.upper, Math.max(cal.bounds.lower, raw)) + 0; // + 0 turns -0 into 0
}

export interface CalibratedValue {
  /** The reported log10 LR (within the bounds). */
  log10LR: number;
  /** The linear model's value before the bounds. */
  unbounded: number;
  /** Whether the bounds changed the value (the report should say "at least" / "at most"). */
  atBound: boolean;
}

/** log10 LR for one distance, with whether it sits at a bound. */
export function calibrate(cal: Calibration, distance: number): CalibratedValue {
  if (typeof distance !== 'number' || Number.isNaN(distance)) {
    throw new AppError('INVALID_ARGUMENT', `calibration: distance must be a number (got ${String(distance)})`);
  }
  const unbounded = cal.a + cal.b * distance;
  const log10LR = applyBounded(cal, distance);
  return { log10LR, unbounded, atBound: log10LR !== unbounded };
}

/** log10 likelihood ratio (same writer vs not) for one distance, within the calibration's bounds. */
export function applyCalibration(cal: Calibration, distance: number): number {
  return calibrate(cal, distance).log10LR;
}

/** Validates a calibration read from JSON (model metadata); `where` names the file. */
export function parseCalibration(value: unknown, where: string): Calibration {
  const r = calibrationSchema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new AppError('INTEGRITY', `${where}: calibration.${issue.path.join('.')}: ${issue.message}`);
  }
  return r.data;
}
