/**
 * One story per item: how a comparison's score, natural variation and decision read in words,
 * shared by the UI (imported by the renderer: this module is pure and imports types only), the
 * CLI and the PDF report, so the three say the same thing and cannot contradict each other.
 *
 * - The score is named for what it is: for a 'kk-ratio' comparison "score (Q-K ÷ K-K)" with its
 *   explanation ("Q is 2.3 times as far from the references as they are from each other"); for
 *   a legacy 'mean-distance' comparison (and rows stored before the score existed) "mean
 *   distance", as before.
 * - Charts that put K-K distances, Q-K distances and the threshold on one axis use score units:
 *   every distance divided by the comparison's scale (1 for mean-distance), so the threshold and
 *   the inconclusive zone sit where the score is decided.
 * - The natural-variation sentence is derived together with the decision: where Q lies within
 *   the references' own spread but the decision says "not genuine" (or beyond it and the
 *   decision says "genuine"), the sentence says why rather than contradicting it.
 */
import type { Decision } from '../store/types.ts';
import type { ScoreInfo } from './compare.ts';
import type { ScoreMethod } from '../scoring/score.ts';

export const DECISION_WORDS: Record<Decision, string> = {
  genuine: 'supports genuine',
  not_genuine: 'supports not genuine',
  inconclusive: 'inconclusive',
};

/** What the renderer, the report and the CLI need of a stored comparison to describe its score. */
export interface ScoreSource {
  aggregate: number;
  scoreMethod?: ScoreMethod | null;
  /** Minimal rows (hand-made, or very old) may lack the summary: the aggregate is then the mean distance. */
  distances: { summary?: { mean: number } | null; score?: ScoreInfo | null } | null;
}

export interface ScoreView {
  method: ScoreMethod;
  /** The number decided on. */
  value: number;
  /** Mean Q-K distance. */
  qk: number;
  /** Distance units per score unit (1 for mean-distance). */
  scale: number;
  kkPairs: number | null;
  /** 'score' or 'mean distance'. */
  name: string;
  /** 'score (Q-K ÷ K-K)' or 'mean distance'. */
  label: string;
  /** The score in words (a sentence without final full stop). */
  explanation: string;
  /** Units of the chart axis that shows distances with the threshold. */
  axis: string;
}

export const METHOD_LABEL: Record<ScoreMethod, string> = {
  'kk-ratio': 'score (Q-K ÷ K-K)',
  'mean-distance': 'mean distance',
};

export function meanDistanceExplanation(mean: number): string {
  return `the questioned signature's mean distance to the references is ${mean.toFixed(3)}`;
}

/** The score of a stored comparison; rows from before the score (no `score`) are mean distances. */
export function scoreView(c: ScoreSource): ScoreView {
  const s = c.distances?.score ?? null;
  const method: ScoreMethod = s?.method ?? c.scoreMethod ?? 'mean-distance';
  const qk = s?.qk ?? c.distances?.summary?.mean ?? c.aggregate;
  if (method === 'kk-ratio') {
    const scale = s && s.scale > 0 ? s.scale : qk / c.aggregate;
    return {
      method,
      value: c.aggregate,
      qk,
      scale: Number.isFinite(scale) && scale > 0 ? scale : 1,
      kkPairs: s?.kkPairs ?? null,
      name: 'score',
      label: METHOD_LABEL[method],
      explanation: s?.explanation ?? `Q is ${c.aggregate.toFixed(1)} times as far from the references as they are from each other`,
      axis: "distance ÷ the references' own spread (score units; 1 = as far apart as the references are)",
    };
  }
  return {
    method,
    value: c.aggregate,
    qk,
    scale: 1,
    kkPairs: s?.kkPairs ?? null,
    name: 'mean distance',
    label: METHOD_LABEL[method],
    explanation: s?.explanation ?? meanDistanceExplanation(qk),
    axis: 'distance (lower = more alike)',
  };
}

/** The score with its name: 'score 2.31' or 'mean distance 0.412'. */
export function scoreText(v: ScoreView, digits = v.method === 'kk-ratio' ? 2 : 3): string {
  return `${v.name} ${v.value.toFixed(digits)}`;
}

export interface VariationStory {
  /** Leave-one-out means below or at Q's score (in score units), of n. */
  below: number;
  n: number;
  /** Where Q lies against the references' own spread. */
  position: 'closer' | 'within' | 'farther' | 'unknown';
  /** The sentence, reconciled with the decision. */
  sentence: string;
  /** True when the position alone would point the other way than the decision (the sentence says why). */
  reconciled: boolean;
}

/**
 * Where Q's score lies against the references' own leave-one-out means (each reference's mean
 * distance to the others, in score units), in words consistent with the decision.
 */
export function variationStory(v: ScoreView, leaveOneOut: readonly number[], decision: Decision, threshold: number): VariationStory {
  const n = leaveOneOut.length;
  const loo = leaveOneOut.map((x) => x / v.scale);
  const digits = v.method === 'kk-ratio' ? 2 : 3;
  const q = `Q's ${v.name} ${v.value.toFixed(digits)}`;
  if (n < 2) {
    return {
      below: 0,
      n,
      position: 'unknown',
      reconciled: false,
      sentence: "With fewer than three references the writer's own variation is poorly measured: the decision rests on the threshold alone.",
    };
  }
  const below = loo.filter((x) => x <= v.value).length;
  const position = below === 0 ? 'closer' : below === n ? 'farther' : 'within';
  let sentence =
    position === 'closer'
      ? `Q is closer to the references than every reference is to the others (${q} is below all ${n} leave-one-out means).`
      : position === 'farther'
        ? `Q is farther from the references than every reference is from the others (${q} is above all ${n} leave-one-out means).`
        : `${q} is at or above ${below} of the ${n} references' leave-one-out means: within the references' own spread.`;
  let reconciled = false;
  const t = threshold.toFixed(digits);
  if (decision === 'not_genuine' && position !== 'farther') {
    reconciled = true;
    sentence += ` The decision is nevertheless "${DECISION_WORDS.not_genuine}": the threshold (${t}) lies below some of the references' own leave-one-out means, so at this threshold some of the writer's own signatures would be decided "not genuine" as well; weigh the decision with that in mind.`;
  } else if (decision === 'genuine' && position === 'farther') {
    reconciled = true;
    sentence += ` The decision is nevertheless "${DECISION_WORDS.genuine}": the threshold (${t}) lies above the whole of these references' own spread (a steady writer, or a lenient threshold).`;
  }
  return { below, n, position, sentence, reconciled };
}

/** The median of the references' own leave-one-out means in score units, or null with fewer than two. */
export function referenceMedianScore(v: Pick<ScoreView, 'scale'>, leaveOneOut: readonly number[]): number | null {
  if (leaveOneOut.length < 2) return null;
  const s = leaveOneOut.map((x) => x / v.scale).sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
