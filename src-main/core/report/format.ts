/** Number, date and wording helpers for the report. Pure functions: the same value always prints the same. */
import { supportLevel } from '../verify/verbal.ts';
import type { ReportDecision } from './types.ts';

const MINUS = '\u2212';

/** 'YYYY-MM-DD HH:MM:SS UTC' — always 23 characters, so the timestamp never changes the layout. */
export function formatTimestamp(iso: string): string {
  const d = new Date(iso);
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function formatDate(iso: string): string {
  return new Date(iso).toISOString().slice(0, 10);
}

export function formatDistance(d: number): string {
  return d.toFixed(3);
}

/** A score to what it can claim: two decimals for a Q-K ÷ K-K score, three for a mean distance. */
export function formatScore(v: number, method: 'kk-ratio' | 'mean-distance' = 'mean-distance'): string {
  return v.toFixed(method === 'kk-ratio' ? 2 : 3);
}

/** Any parameter to four significant figures at most (9.171026908640604 -> 9.171); integers as they are. */
export function formatParameter(v: string | number | boolean): string {
  if (typeof v !== 'number') return String(v);
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(4)));
}

/** log10 LR with the sign of its bound: '≤ −0.64' when the calibration cannot support a smaller value. */
export function formatLog10LrBounded(x: number | null, atBound = false): string {
  if (x === null) return 'n/a';
  return `${atBound ? (x >= 0 ? '\u2265 ' : '\u2264 ') : ''}${formatSigned(x, 2)}`;
}

export function formatSigned(x: number, digits = 2): string {
  const s = Math.abs(x).toFixed(digits);
  if (Number(s) === 0) return s;
  return (x < 0 ? MINUS : '+') + s;
}

export function formatLog10Lr(x: number | null): string {
  return x === null ? 'n/a' : formatSigned(x, 2);
}

export function formatPercent(x: number, digits = 1): string {
  return `${(x * 100).toFixed(digits)} %`;
}

const SUPERSCRIPT: Record<string, string> = {
  '0': '\u2070',
  '1': '\u00b9',
  '2': '\u00b2',
  '3': '\u00b3',
  '4': '\u2074',
  '5': '\u2075',
  '6': '\u2076',
  '7': '\u2077',
  '8': '\u2078',
  '9': '\u2079',
  '-': '\u207b',
};

/** A magnitude ≥ 1 with two significant figures: 1.4, 26, 3,200, 4.1 × 10⁷. */
function magnitude(m: number): string {
  if (m < 1e6) {
    const rounded = Number(m.toPrecision(2));
    if (rounded < 10) return rounded.toFixed(1);
    return String(Math.round(rounded)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  }
  const exp = Math.floor(Math.log10(m));
  const mant = m / 10 ** exp;
  const sup = String(exp)
    .split('')
    .map((c) => SUPERSCRIPT[c] ?? c)
    .join('');
  return `${mant.toFixed(1)} \u00d7 10${sup}`;
}

/** 'LR ≈ 210' or 'LR ≈ 1/35' from log10 LR; at a calibration bound 'LR ≥ 27' or 'LR ≤ 1/27'. */
export function formatLr(log10Lr: number, atBound = false): string {
  const rel = atBound ? (log10Lr >= 0 ? '\u2265' : '\u2264') : '\u2248';
  if (log10Lr >= 0) return `LR ${rel} ${magnitude(10 ** log10Lr)}`;
  return `LR ${rel} 1/${magnitude(10 ** -log10Lr)}`;
}

/**
 * Short ENFSI (2015) verbal label for the summary table when verification did not record
 * one, from the same scale verification uses (verify/verbal.ts). The full sentence always
 * comes from the input.
 */
export function enfsiVerbalLabel(log10Lr: number | null): string {
  if (log10Lr === null) return 'no LR (uncalibrated)';
  const band = supportLevel(log10Lr);
  if (band.level === 'none') return 'no support either way';
  return `${band.phrase} for ${log10Lr > 0 ? 'Hp' : 'Hd'}`;
}

export function decisionText(d: ReportDecision): string {
  switch (d) {
    case 'supports genuine':
      return 'Supports genuine';
    case 'supports not genuine':
      return 'Supports not genuine';
    default:
      return 'Inconclusive';
  }
}

/** Replaces {subject} in a proposition template. */
export function formatProposition(template: string, subject: string): string {
  return template.split('{subject}').join(subject);
}

export function median(sorted: number[]): number {
  if (!sorted.length) return NaN;
  const m = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[m] as number) : ((sorted[m - 1] as number) + (sorted[m] as number)) / 2;
}

/** Linear-interpolated quantile of sorted values, q in [0, 1]. */
export function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (pos - lo);
}

/** Round axis ticks covering [0, max]. */
export function niceTicks(max: number, target = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / target;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * p).find((s) => s >= raw) ?? 10 * p;
  const ticks: number[] = [];
  for (let v = 0; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toFixed(10)));
  if ((ticks[ticks.length - 1] as number) < max) ticks.push(Number((ticks.length * step).toFixed(10)));
  return ticks;
}
