/**
 * One questioned signature (Q) against the known signatures (K) of the subject it claims
 * to be from. Pure: embeddings in, figures, decision and warnings out (no database).
 *
 * The score (scoring/score.ts): the MEAN of the Q-K distances (every reference counts, so one
 * chance near-match does not decide alone), for current models divided by the writer's natural
 * variation (the mean K-K distance, shrunk towards the model's typical one). It is the score of
 * the writer-dependent protocol used in evaluation and calibration, so the LR, the verbal scale,
 * the threshold and the decision all read this one number. `aggregate` holds it.
 *
 * The inconclusive zone is the case's band around the threshold, widened where needed to every
 * score whose calibrated LR lies between 1/2 and 2 (the ENFSI scale's "no support for either
 * proposition"): a decision is never announced where the evidence supports neither side.
 */
import { AppError } from '../errors.ts';
import { calibrate, type Calibration } from '../scoring/calibration.ts';
import { distance, mean, median, sd, type DistanceMetric } from '../scoring/distance.ts';
import { LEGACY_SCORING, explainScore, scoreFromDistances, type ScoreMethod, type Scoring } from '../scoring/score.ts';
import { DECISION_WORDS, referenceMedianScore } from './story.ts';
import { UNCALIBRATED_STATEMENT, defaultPropositions, shortVerbal, verbalEquivalent, type Propositions } from './verbal.ts';

/** A score as the UI shows it: two decimals for kk-ratio, three for a mean distance. */
const fmtScore = (v: number, scoring: Scoring) => v.toFixed(scoring.method === 'kk-ratio' ? 2 : 3);

export type Decision = 'genuine' | 'not_genuine' | 'inconclusive';

/** The decision vocabulary of the UI, the CLI and the report (verify/story.ts). */
export const DECISION_LABELS: Record<Decision, string> = DECISION_WORDS;

export type WarningCode =
  | 'TOO_FEW_REFERENCES'
  | 'LOW_QUALITY_QUESTIONED'
  | 'LOW_QUALITY_REFERENCE'
  | 'LOW_LOCALISATION_CONFIDENCE'
  | 'SUSPICIOUSLY_CLOSE'
  | 'SAME_SOURCE_FILE'
  | 'UNCALIBRATED'
  | 'DECISION_AGAINST_LR'
  | 'THRESHOLD_OUTSIDE_VARIATION'
  /** Rows recorded before the code was renamed DECISION_AGAINST_LR. */
  | 'THRESHOLD_AGAINST_LR';

export interface VerifyWarning {
  code: WarningCode;
  message: string;
  /** What the warning is about: 'references', 'questioned', 'distances', 'llr'. */
  concerns: 'references' | 'questioned' | 'distances' | 'llr';
}

/** Image-quality figures from imaging (normaliseSignature) and localisation. */
export interface QualityInfo {
  inkRatio?: number;
  contrast?: number;
  inkBoxWidth?: number;
  inkBoxHeight?: number;
  lowConfidence?: boolean;
}

export interface SignatureInput {
  signatureId: number;
  vector: Float32Array;
  /** SHA-256 of the original file the signature was taken from. */
  sourceSha256?: string;
  quality?: QualityInfo;
  label?: string;
}

export interface CompareSettings {
  metric: DistanceMetric;
  /** How the score is made (the model's); absent: the legacy mean distance. */
  scoring?: Scoring;
  threshold: number;
  /**
   * 'model' (default): the model's own threshold, where the LR is 1; the inconclusive zone then
   * also covers every score the verbal scale calls "no support". 'case': the examiner moved it;
   * the zone is the band alone, and a warning says when the decision and the LR disagree.
   */
  thresholdSource?: 'case' | 'model';
  /** Half-width of the inconclusive zone around the threshold, in score units. */
  band: number;
  minReferences: number;
  calibration: Calibration | null;
  propositions?: Propositions;
  /** Q closer to a reference than this fraction of the closest K-K pair: possible tracing. */
  closeMatchRatio?: number;
}

export interface ReferenceDistance {
  signatureId: number;
  distance: number;
}

export interface NaturalVariation {
  /** Distances between every pair of references (K-K). */
  pairDistances: number[];
  min: number | null;
  median: number | null;
  max: number | null;
  /** Each reference's mean distance to the others (comparable with the aggregate). */
  leaveOneOut: number[];
  /** Share of leave-one-out values at or below Q's mean distance (0 = closer than every reference is to its set). */
  percentile: number | null;
  /** (Q's mean distance - mean(leaveOneOut)) / sd(leaveOneOut). */
  zScore: number | null;
}

export interface ScoreInfo {
  method: ScoreMethod;
  /** The mean Q-K distance. */
  qk: number;
  /** What it is divided by (the writer's shrunk mean K-K distance; 1 for mean-distance). */
  scale: number;
  /** K-K pairs behind the scale. */
  kkPairs: number;
  /** The model's typical K-K distance and its weight (kk-ratio only). */
  prior: number | null;
  priorWeight: number | null;
  /** The score in words. */
  explanation: string;
}

export interface ComparisonResult {
  metric: DistanceMetric;
  distances: ReferenceDistance[];
  summary: { min: number; mean: number; max: number };
  /** The score decided on (scoring/score.ts): the writer-normalised mean distance, or the mean distance. */
  aggregate: number;
  aggregateMethod: 'mean' | 'kk-ratio';
  score: ScoreInfo;
  /** Score interval decided as inconclusive: the case's band, widened to where the LR gives no support. */
  inconclusiveZone: [number, number];
  naturalVariation: NaturalVariation;
  /** log10 LR of "same writer" vs "not"; null when the model is uncalibrated. */
  llr: number | null;
  llrAtBound: boolean;
  verbal: string;
  decision: Decision;
  threshold: number;
  band: number;
  warnings: VerifyWarning[];
}

const MIN_INK_RATIO = 0.004;
const MAX_INK_RATIO = 0.45;
const MIN_CONTRAST = 0.25;
const MIN_INK_BOX = 24;

export function qualityProblems(q: QualityInfo | undefined): string[] {
  if (!q) return [];
  const out: string[] = [];
  if (q.inkRatio !== undefined && q.inkRatio < MIN_INK_RATIO) out.push(`very little ink (${(q.inkRatio * 100).toFixed(2)}% of the crop)`);
  if (q.inkRatio !== undefined && q.inkRatio > MAX_INK_RATIO)
    out.push(`the crop is mostly ink (${(q.inkRatio * 100).toFixed(0)}%): background or a box may be included`);
  if (q.contrast !== undefined && q.contrast < MIN_CONTRAST) out.push(`low contrast (${q.contrast.toFixed(2)})`);
  const small = Math.min(q.inkBoxWidth ?? Infinity, q.inkBoxHeight ?? Infinity);
  if (small < MIN_INK_BOX) out.push(`small ink area (${q.inkBoxWidth}x${q.inkBoxHeight} px)`);
  return out;
}

export function decide(aggregate: number, threshold: number, band: number): Decision {
  return decideInZone(aggregate, [threshold - band, threshold + band]);
}

/** Genuine below the zone, not genuine above it, inconclusive inside. */
export function decideInZone(score: number, zone: readonly [number, number]): Decision {
  if (score <= zone[0]) return 'genuine';
  if (score >= zone[1]) return 'not_genuine';
  return 'inconclusive';
}

/** log10 2: below it in absolute value the ENFSI scale says "no support for either proposition". */
export const NO_SUPPORT_LLR = Math.log10(2);

/**
 * The inconclusive zone: [threshold - band, threshold + band], widened to cover every score
 * whose (unbounded) calibrated log10 LR lies strictly between -log10 2 and +log10 2.
 */
export function inconclusiveZone(threshold: number, band: number, calibration: Calibration | null): [number, number] {
  let lo = threshold - band;
  let hi = threshold + band;
  if (calibration && calibration.b < 0) {
    // log10 LR = a + b * score, b < 0: +log10 2 at the lower score, -log10 2 at the higher.
    lo = Math.min(lo, (NO_SUPPORT_LLR - calibration.a) / calibration.b);
    hi = Math.max(hi, (-NO_SUPPORT_LLR - calibration.a) / calibration.b);
  }
  return [lo, hi];
}

export function naturalVariation(metric: DistanceMetric, refs: readonly SignatureInput[], aggregate: number): NaturalVariation {
  const n = refs.length;
  const pair: number[] = [];
  const sums = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = distance(metric, refs[i]!.vector, refs[j]!.vector);
      pair.push(d);
      sums[i]! += d;
      sums[j]! += d;
    }
  }
  const loo = n >= 2 ? sums.map((s) => s / (n - 1)) : [];
  const spread = sd(loo);
  return {
    pairDistances: pair,
    min: pair.length ? Math.min(...pair) : null,
    median: pair.length ? median(pair) : null,
    max: pair.length ? Math.max(...pair) : null,
    leaveOneOut: loo,
    percentile: loo.length ? loo.filter((v) => v <= aggregate).length / loo.length : null,
    zScore: loo.length >= 2 && spread > 0 ? (aggregate - mean(loo)) / spread : null,
  };
}

export function compareSignature(questioned: SignatureInput, references: readonly SignatureInput[], s: CompareSettings): ComparisonResult {
  if (!references.length) throw new AppError('INVALID_ARGUMENT', 'references: the subject has no known signatures to compare with');
  const distances = references.map((r) => ({ signatureId: r.signatureId, distance: distance(s.metric, questioned.vector, r.vector) }));
  const ds = distances.map((d) => d.distance);
  const nv = naturalVariation(s.metric, references, mean(ds));
  const scoring = s.scoring ?? LEGACY_SCORING;
  const parts = scoreFromDistances(ds, nv.pairDistances, scoring);
  const aggregate = parts.score;
  const warnings: VerifyWarning[] = [];

  if (references.length < s.minReferences) {
    warnings.push({
      code: 'TOO_FEW_REFERENCES',
      concerns: 'references',
      message: `only ${references.length} known signature${references.length === 1 ? '' : 's'} (minimum ${s.minReferences}): the writer's natural variation is poorly known`,
    });
  }
  const qProblems = qualityProblems(questioned.quality);
  if (qProblems.length) warnings.push({ code: 'LOW_QUALITY_QUESTIONED', concerns: 'questioned', message: `questioned image: ${qProblems.join('; ')}` });
  if (questioned.quality?.lowConfidence) {
    warnings.push({
      code: 'LOW_LOCALISATION_CONFIDENCE',
      concerns: 'questioned',
      message: 'the signature box on the scan was found with low confidence: check or adjust the crop',
    });
  }
  const badRefs = references.filter((r) => qualityProblems(r.quality).length);
  if (badRefs.length) {
    warnings.push({
      code: 'LOW_QUALITY_REFERENCE',
      concerns: 'references',
      message: `${badRefs.length} known signature${badRefs.length === 1 ? '' : 's'} of low image quality (${badRefs.map((r) => r.label ?? `#${r.signatureId}`).join(', ')})`,
    });
  }
  const minQK = Math.min(...ds);
  const ratio = s.closeMatchRatio ?? 0.5;
  if (minQK < 1e-6 || (nv.min !== null && nv.min > 0 && minQK < ratio * nv.min)) {
    const nearest = distances[ds.indexOf(minQK)]!;
    warnings.push({
      code: 'SUSPICIOUSLY_CLOSE',
      concerns: 'distances',
      message:
        minQK < 1e-6
          ? `the questioned signature is identical to known signature #${nearest.signatureId}: possibly the same image or a copy`
          : `the questioned signature is far closer to known signature #${nearest.signatureId} (${minQK.toFixed(3)}) than any two known signatures are to each other (closest pair ${nv.min!.toFixed(3)}): possible tracing or copy`,
    });
  }
  const same = references.filter((r) => r.sourceSha256 && r.sourceSha256 === questioned.sourceSha256);
  if (same.length) {
    warnings.push({
      code: 'SAME_SOURCE_FILE',
      concerns: 'references',
      message: `the questioned signature and known signature${same.length > 1 ? 's' : ''} ${same.map((r) => `#${r.signatureId}`).join(', ')} come from the same original file`,
    });
  }

  let llr: number | null = null;
  let atBound = false;
  let verbal = UNCALIBRATED_STATEMENT;
  if (s.calibration) {
    const c = calibrate(s.calibration, aggregate);
    llr = c.log10LR;
    atBound = c.atBound;
    verbal = verbalEquivalent(llr, s.propositions ?? defaultPropositions()).sentence;
  } else {
    warnings.push({ code: 'UNCALIBRATED', concerns: 'llr', message: 'the model is not calibrated: no likelihood ratio can be given' });
  }

  const moved = s.thresholdSource === 'case';
  const zone = inconclusiveZone(s.threshold, s.band, moved ? null : s.calibration);
  const decision = decideInZone(aggregate, zone);
  if (moved && llr !== null && decision !== 'inconclusive' && !(decision === 'genuine' ? llr >= NO_SUPPORT_LLR : llr <= -NO_SUPPORT_LLR)) {
    warnings.push({
      code: 'DECISION_AGAINST_LR',
      concerns: 'llr',
      message: `the decision (${DECISION_LABELS[decision]}) and the likelihood ratio (${shortVerbal(llr)}) do not agree: the case threshold (${fmtScore(s.threshold, scoring)}) was moved from the model's, where they always agree`,
    });
  }
  const ownMedian = referenceMedianScore({ scale: parts.scale }, nv.leaveOneOut);
  if (ownMedian !== null && s.threshold < ownMedian) {
    warnings.push({
      code: 'THRESHOLD_OUTSIDE_VARIATION',
      concerns: 'references',
      message: `the threshold (${fmtScore(s.threshold, scoring)}) lies below the references' own natural variation (median of their leave-one-out ${scoring.method === 'kk-ratio' ? 'scores' : 'mean distances'} ${fmtScore(ownMedian, scoring)}): at this threshold most of the writer's own signatures would be decided "not genuine" against the others`,
    });
  }
  return {
    metric: s.metric,
    distances,
    summary: { min: minQK, mean: parts.qk, max: Math.max(...ds) },
    aggregate,
    aggregateMethod: scoring.method === 'kk-ratio' ? 'kk-ratio' : 'mean',
    score: {
      method: scoring.method,
      qk: parts.qk,
      scale: parts.scale,
      kkPairs: parts.kkPairs,
      prior: scoring.method === 'kk-ratio' ? scoring.prior : null,
      priorWeight: scoring.method === 'kk-ratio' ? scoring.priorWeight : null,
      explanation: explainScore(parts, scoring),
    },
    inconclusiveZone: zone,
    naturalVariation: nv,
    llr,
    llrAtBound: atBound,
    verbal,
    decision,
    threshold: s.threshold,
    band: s.band,
    warnings,
  };
}
