/**
 * The score of one questioned signature (Q) against a subject's known signatures (K): the one
 * number that calibration, the verbal scale, the case threshold and the decision all read.
 *
 * 'kk-ratio' (models trained since the real-handwriting work): the mean Q-K distance divided by
 * the writer's natural variation, the mean K-K distance, shrunk towards the model's typical
 * within-writer distance (`prior`, measured on validation writers) as if `priorWeight` K-K pairs
 * of that size had been seen too:
 *
 *     score = mean(Q-K) / ((sum(K-K) + priorWeight * prior) / (count(K-K) + priorWeight))
 *
 * A score of 1 means Q is as far from the references as they are from each other; 2.3 means
 * 2.3 times as far. With one reference there is no K-K pair and the denominator is the prior, so
 * the score is the mean distance in units of a typical writer's variation. Measured on SigComp
 * 2011 (docs/evaluation.md), this removes much of the difference between steady and variable
 * writers that a single threshold on raw distances cannot handle.
 *
 * 'mean-distance' (models from before): the mean Q-K distance itself. Comparisons keep the
 * method they were made with (comparisons.score_method).
 */
import { AppError } from '../errors.ts';
import { distance, mean, type DistanceMetric } from './distance.ts';

export type ScoreMethod = 'mean-distance' | 'kk-ratio';
export const SCORE_METHODS: readonly ScoreMethod[] = ['mean-distance', 'kk-ratio'];

/** How a model's scores are made; stored in its metadata as `scoring`. */
export type Scoring = { method: 'mean-distance' } | { method: 'kk-ratio'; prior: number; priorWeight: number };

export const LEGACY_SCORING: Scoring = { method: 'mean-distance' };

/** K-K pairs' worth of weight given to the model's typical within-writer distance. */
export const DEFAULT_PRIOR_WEIGHT = 3;

export interface ScoreParts {
  score: number;
  /** Mean Q-K distance. */
  qk: number;
  /** What the mean Q-K distance is divided by (1 for mean-distance). */
  scale: number;
  /** K-K pairs behind the scale (0: the prior alone). */
  kkPairs: number;
}

/** Validates a stored `scoring` object; absent means the legacy mean distance. */
export function parseScoring(raw: unknown, where: string): Scoring {
  if (raw === undefined || raw === null) return LEGACY_SCORING;
  const r = raw as Record<string, unknown>;
  if (r.method === 'mean-distance') return LEGACY_SCORING;
  if (r.method === 'kk-ratio') {
    const prior = r.prior;
    const weight = r.priorWeight;
    if (typeof prior === 'number' && Number.isFinite(prior) && prior > 0 && typeof weight === 'number' && Number.isFinite(weight) && weight >= 0) {
      return { method: 'kk-ratio', prior, priorWeight: weight };
    }
    throw new AppError('INTEGRITY', `${where}: scoring: 'kk-ratio' needs a positive prior and a priorWeight >= 0`);
  }
  throw new AppError('INTEGRITY', `${where}: scoring: unknown method '${String(r.method)}' (known: ${SCORE_METHODS.join(', ')})`);
}

/** The score from the Q-K distances and the K-K pair distances. */
export function scoreFromDistances(qk: readonly number[], kk: readonly number[], scoring: Scoring): ScoreParts {
  if (!qk.length) throw new AppError('INVALID_ARGUMENT', 'references: no Q-K distance to score');
  const m = mean(qk);
  if (scoring.method === 'mean-distance') return { score: m, qk: m, scale: 1, kkPairs: kk.length };
  const sum = kk.reduce((s, x) => s + x, 0);
  const scale = (sum + scoring.priorWeight * scoring.prior) / (kk.length + scoring.priorWeight);
  if (!(scale > 0)) return { score: m > 0 ? Infinity : 0, qk: m, scale, kkPairs: kk.length };
  return { score: m / scale, qk: m, scale, kkPairs: kk.length };
}

/** Every K-K pair distance of a reference set. */
export function pairDistances(metric: DistanceMetric, refs: readonly Float32Array[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < refs.length; i++) for (let j = i + 1; j < refs.length; j++) out.push(distance(metric, refs[i]!, refs[j]!));
  return out;
}

/** The score of Q against references (embeddings). */
export function scoreQuestioned(metric: DistanceMetric, q: Float32Array, refs: readonly Float32Array[], scoring: Scoring): ScoreParts {
  return scoreFromDistances(
    refs.map((r) => distance(metric, q, r)),
    scoring.method === 'kk-ratio' ? pairDistances(metric, refs) : [],
    scoring,
  );
}

/**
 * The prior for 'kk-ratio': the mean K-K pair distance over writers' reference sets (each
 * writer's pairs weighted equally with the others' by pair count, i.e. all pairs pooled).
 */
export function typicalWithinWriter(metric: DistanceMetric, referenceSets: readonly (readonly Float32Array[])[]): number {
  const all = referenceSets.flatMap((refs) => pairDistances(metric, refs));
  if (!all.length) throw new AppError('INVALID_ARGUMENT', 'scoring: no writer has two references, so the natural variation cannot be measured');
  return mean(all);
}

/** Human wording of a score, for the UI, CLI and report. */
export function explainScore(parts: ScoreParts, scoring: Scoring): string {
  if (scoring.method === 'mean-distance') return `the questioned signature's mean distance to the references is ${parts.qk.toFixed(3)}`;
  const times = parts.score;
  const basis = parts.kkPairs
    ? `the references' own spread (${parts.kkPairs} pair${parts.kkPairs === 1 ? '' : 's'}, with the model's typical spread as a prior)`
    : "the model's typical spread between signatures of one writer (a single reference has no spread of its own)";
  if (times < 1)
    return `Q is ${times.toFixed(2)} times as far from the references as they are from each other, i.e. closer than they are to each other; measured against ${basis}`;
  return `Q is ${times.toFixed(1)} times as far from the references as they are from each other; measured against ${basis}`;
}
