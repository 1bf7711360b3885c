/** How numbers, dates and decisions read everywhere in the UI (one place, so they read the same). */
import type { Decision } from '../../../src-main/ipc/contract.ts';
import { DECISION_WORDS } from '../../../src-main/ipc/contract/shared.ts';

// The score in words, shared with the report and the CLI (one story per item).
export { METHOD_LABEL, scoreText, scoreView, variationStory, referenceMedianScore } from '../../../src-main/ipc/contract/shared.ts';
export type { ScoreView } from '../../../src-main/ipc/contract.ts';

/** A distance or score with a fixed number of decimals, '–' when missing. */
export function num(v: number | null | undefined, digits = 3): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits);
}

/** A proportion as a percentage (0.064 -> '6.4 %'). */
export function pct(v: number | null | undefined, digits = 1): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : `${(v * 100).toFixed(digits)} %`;
}

/** log10 likelihood ratio with its sign ('+1.80', '−2.10'). */
export function llr(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  return (v >= 0 ? '+' : '−') + Math.abs(v).toFixed(2);
}

/**
 * A value as entered, with at least `min` decimals so a column of them lines up, and never
 * rounded below what was stored (0.425 stays 0.425; 0.5 reads 0.50).
 */
export function exact(v: number | null | undefined, min = 2, max = 6): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  for (let d = min; d < max; d++) if (Number(v.toFixed(d)) === v) return v.toFixed(d);
  return v.toFixed(max);
}

/** A case threshold: the score, or 'model default' when the case has none of its own. */
export function threshold(t: number | null | undefined): string {
  return t === null || t === undefined ? 'model default' : exact(t, 2, 3);
}

/** A score or threshold to what it can claim: three significant decimals at most ('0.441', '1.40'). */
export function score(v: number | null | undefined, method: 'kk-ratio' | 'mean-distance' = 'mean-distance'): string {
  return num(v, method === 'kk-ratio' ? 2 : 3);
}

/**
 * The three decision zones of a threshold and inconclusive band, on the mean distance of Q
 * to the references (the rule of core/verify decide(): at or below t - band supports
 * genuine, at or above t + band supports not genuine, inconclusive between).
 */
export function decisionZones(t: number, band: number): { genuineUpTo: string; notGenuineFrom: string } {
  const digits = Math.max(2, exact(t).split('.')[1]?.length ?? 2, exact(band).split('.')[1]?.length ?? 2);
  return { genuineUpTo: Math.max(0, t - band).toFixed(digits), notGenuineFrom: (t + band).toFixed(digits) };
}

/** First characters of a hash, for tables (the full value goes in a title and a copy button). */
export function shortHash(h: string | null | undefined, n = 12): string {
  return h ? h.slice(0, n) : '–';
}

/** ISO timestamp as local 'YYYY-MM-DD HH:MM' (24 h), unambiguous in every locale. */
export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '–';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

export function date(iso: string | null | undefined): string {
  return dateTime(iso).slice(0, 10);
}

export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '–';
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Seconds as '1 h 04 min', '3 min 20 s', '12 s'. */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** The decision vocabulary of the UI, the CLI and the report. */
export const DECISION_LABEL: Record<Decision, string> = DECISION_WORDS;

export const DECISION_TONE: Record<Decision, 'ok' | 'bad' | 'warn'> = {
  genuine: 'ok',
  not_genuine: 'bad',
  inconclusive: 'warn',
};

/** The decision at a threshold with an inconclusive band (the same rule as core/verify decide()). */
export function decide(aggregate: number, t: number, band: number): Decision {
  if (aggregate <= t - band) return 'genuine';
  if (aggregate >= t + band) return 'not_genuine';
  return 'inconclusive';
}

/** A positive number with about `sig` significant digits, grouped ('17', '3.2', '1,200', '2.4 × 10⁶'). */
function magnitude(v: number, sig = 2): string {
  if (v >= 1e6) {
    const e = Math.floor(Math.log10(v));
    const sup = String(e).replace(/\d/g, (d) => '⁰¹²³⁴⁵⁶⁷⁸⁹'[Number(d)]!);
    return `${(v / 10 ** e).toFixed(1)} × 10${sup}`;
  }
  if (v >= 100) return Math.round(v).toLocaleString('en-GB');
  return Number(v.toPrecision(sig)).toString();
}

/**
 * The likelihood ratio of a log10 LR in words an examiner reads at a glance: 'LR ≈ 17' or,
 * for support of the alternative, 'LR ≈ 1/17'. At a calibration bound the figure is a limit:
 * 'LR ≥ 27' (the data cannot support more) or 'LR ≤ 1/27'.
 */
export function lrValue(log10LR: number | null | undefined, atBound = false): string {
  if (log10LR === null || log10LR === undefined || !Number.isFinite(log10LR)) return '–';
  const lr = 10 ** log10LR;
  const rel = atBound ? (log10LR >= 0 ? '≥' : '≤') : '≈';
  return log10LR >= 0 ? `LR ${rel} ${magnitude(lr)}` : `LR ${rel} 1/${magnitude(1 / lr)}`;
}

/** A signed number with a real minus sign ('+0.84', '−1.20'), for z-scores and differences. */
export function signed(v: number | null | undefined, digits = 2): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  return (v >= 0 ? '+' : '−') + Math.abs(v).toFixed(digits);
}

/** The last part of a path ('questioned/smith/q1.png' -> 'q1.png'). */
export function fileName(p: string | null | undefined): string {
  return p ? (p.split('/').at(-1) ?? p) : '–';
}

/** A comparison warning in two or three words, for tables (the full message goes in a title). */
export const WARNING_SHORT: Record<string, string> = {
  TOO_FEW_REFERENCES: 'few references',
  LOW_QUALITY_QUESTIONED: 'Q image quality',
  LOW_QUALITY_REFERENCE: 'K image quality',
  LOW_LOCALISATION_CONFIDENCE: 'box confidence',
  SUSPICIOUSLY_CLOSE: 'suspiciously close',
  SAME_SOURCE_FILE: 'same source file',
  UNCALIBRATED: 'no calibration',
  DECISION_AGAINST_LR: 'decision against LR',
  THRESHOLD_AGAINST_LR: 'decision against LR',
  THRESHOLD_OUTSIDE_VARIATION: 'threshold below variation',
};
