/**
 * Verbal equivalents of likelihood ratios, after the ENFSI Guideline for Evaluative
 * Reporting in Forensic Science (2015); table and boundary rules in docs/evaluation.md.
 *
 * Boundaries: each band includes its upper end and excludes its lower end (ENFSI's own
 * "> 1,000,000" for the top band fixes that direction), so an LR exactly on a boundary
 * gets the weaker wording. LRs strictly between 1/2 and 2 (the guideline names only LR = 1
 * and then 2-10) are reported as no support for either proposition: the conservative
 * reading, and the LR itself is always shown beside the words. Below 1 the same scale
 * applies to 1/LR in favour of the alternative proposition.
 */
import { AppError } from '../errors.ts';

export type SupportLevel = 'none' | 'weak' | 'moderate' | 'moderately strong' | 'strong' | 'very strong' | 'extremely strong';

export interface ScaleBand {
  level: SupportLevel;
  /** |log10 LR| above this (or equal, for 'weak' and 'none') ... */
  fromLog10: number;
  /** ... and up to and including this. */
  toLog10: number;
  /** The band as written in the guideline, for tables. */
  lrRange: string;
  phrase: string;
}

const LOG10_2 = Math.log10(2);

/** The scale, in order; bands cover |log10 LR| from 0 to infinity without gaps. */
export const ENFSI_SCALE: readonly ScaleBand[] = [
  { level: 'none', fromLog10: 0, toLog10: LOG10_2, lrRange: '1 (from 1/2 to 2, exclusive)', phrase: 'no support' },
  { level: 'weak', fromLog10: LOG10_2, toLog10: 1, lrRange: '2 to 10', phrase: 'weak support' },
  { level: 'moderate', fromLog10: 1, toLog10: 2, lrRange: '10 to 100', phrase: 'moderate support' },
  { level: 'moderately strong', fromLog10: 2, toLog10: 3, lrRange: '100 to 1,000', phrase: 'moderately strong support' },
  { level: 'strong', fromLog10: 3, toLog10: 4, lrRange: '1,000 to 10,000', phrase: 'strong support' },
  { level: 'very strong', fromLog10: 4, toLog10: 6, lrRange: '10,000 to 1,000,000', phrase: 'very strong support' },
  { level: 'extremely strong', fromLog10: 6, toLog10: Infinity, lrRange: 'more than 1,000,000', phrase: 'extremely strong support' },
];

/** The two propositions, as clauses that follow "the proposition that ...". */
export interface Propositions {
  /** Hp, e.g. "the questioned signature is genuine". */
  same: string;
  /** Hd, e.g. "the questioned signature was not written by Alice Smith". */
  different: string;
}

/** Standard propositions; with a subject they name the person the signature claims to be from. */
export function defaultPropositions(subject?: string): Propositions {
  const who = subject?.trim();
  return who
    ? {
        same: `the questioned signature is a genuine signature of ${who}`,
        different: `the questioned signature was not written by ${who}`,
      }
    : { same: 'the questioned signature is genuine', different: 'the questioned signature is not genuine' };
}

export interface VerbalEquivalent {
  level: SupportLevel;
  /** Which proposition the findings support; 'neither' for level 'none'. */
  favours: 'same' | 'different' | 'neither';
  /** "moderately strong support" */
  phrase: string;
  /** The band of LR (or of 1/LR when favouring 'different'), e.g. "100 to 1,000". */
  lrRange: string;
  /** A full sentence naming both propositions. */
  sentence: string;
}

/** What a report says instead of a verbal equivalent when the model has no calibration. */
export const UNCALIBRATED_STATEMENT =
  'No likelihood ratio is given: the model used has not been calibrated, so its distances cannot be ' + 'expressed as strength of evidence.';

function clause(text: string, field: string): string {
  const t = text.trim().replace(/[.\s]+$/, '');
  if (!t) throw new AppError('INVALID_ARGUMENT', `propositions.${field}: must not be empty`);
  return t;
}

/** The band for a log10 LR: the one whose (from, to] range holds |log10 LR| (from included for 'weak'). */
export function supportLevel(log10LR: number): ScaleBand {
  if (typeof log10LR !== 'number' || Number.isNaN(log10LR)) {
    throw new AppError('INVALID_ARGUMENT', `log10 LR must be a number (got ${String(log10LR)})`);
  }
  const m = Math.abs(log10LR);
  if (m < LOG10_2) return ENFSI_SCALE[0]!;
  for (const band of ENFSI_SCALE.slice(1)) {
    if (m <= band.toLog10) return band;
  }
  return ENFSI_SCALE[ENFSI_SCALE.length - 1]!;
}

/**
 * The ENFSI verbal equivalent of a log10 likelihood ratio for "same" against "different",
 * as a full sentence, e.g. "The findings provide moderately strong support for the
 * proposition that the questioned signature is genuine, rather than the proposition that
 * the questioned signature was not written by Alice Smith."
 */
export function verbalEquivalent(log10LR: number, propositions: Propositions = defaultPropositions()): VerbalEquivalent {
  const band = supportLevel(log10LR);
  const same = clause(propositions.same, 'same');
  const different = clause(propositions.different, 'different');
  if (band.level === 'none') {
    return {
      level: 'none',
      favours: 'neither',
      phrase: band.phrase,
      lrRange: band.lrRange,
      sentence: `The findings provide no support for either proposition: they are about as probable if ${same} ` + `as if ${different}.`,
    };
  }
  const favours = log10LR > 0 ? 'same' : 'different';
  const [forProp, against] = favours === 'same' ? [same, different] : [different, same];
  return {
    level: band.level,
    favours,
    phrase: band.phrase,
    lrRange: band.lrRange,
    sentence: `The findings provide ${band.phrase} for the proposition that ${forProp}, rather than the proposition that ${against}.`,
  };
}

/** A few words for tables: "moderate support for genuine", "no LR (uncalibrated)". */
export function shortVerbal(log10LR: number | null): string {
  if (log10LR === null) return 'no LR (uncalibrated)';
  const band = supportLevel(log10LR);
  if (band.level === 'none') return 'no support either way';
  return `${band.phrase} for ${log10LR > 0 ? 'genuine' : 'not genuine'}`;
}
