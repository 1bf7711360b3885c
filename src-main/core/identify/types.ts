/** What an identification returns and records (identifications.results holds this as JSON). */
import type { DistanceMetric } from '../scoring/distance.ts';
import type { SearchMethod } from './search.ts';

export type IdentifyScope = { kind: 'library' } | { kind: 'case'; caseId: number; caseName: string };

export type IdentifyQueryInfo = (
  | { kind: 'signature'; signatureId: number; documentId: number; caseId: number | null; path: string }
  | { kind: 'image'; path: string; page: number; isCrop: boolean; lowConfidence: boolean }
) & {
  /** SHA-256 of the original the questioned signature comes from. */
  originalSha256: string;
  cropSha256: string | null;
  normalisedSha256: string;
};

export interface CandidateExemplar {
  signatureId: number;
  documentId: number;
  path: string;
  cropSha256: string | null;
  distance: number;
}

export interface Candidate {
  rank: number;
  subjectId: number;
  name: string;
  /** Mean distance to the writer's exemplars. */
  aggregate: number;
  /** The verification score (scoring/score.ts): what the rank, the LR and the threshold read. */
  score: number;
  scoreExplanation: string;
  distances: { min: number; mean: number; max: number };
  exemplars: CandidateExemplar[];
  /** log10 LR (same writer vs not) at the score; null when the model is uncalibrated. */
  llr: number | null;
  llrAtBound: boolean;
  /** The ENFSI band in a few words: 'moderate support for same writer'. */
  support: string;
  verbal: string;
  /** score <= threshold (null: no threshold known). */
  withinThreshold: boolean | null;
  warnings: string[];
}

/**
 * - candidates: the closest writer is within the threshold;
 * - no-match: open set, no enrolled writer is close enough;
 * - undecided: no threshold is known, so the open-set question cannot be answered;
 * - empty: no writer to rank.
 */
export type IdentifyOutcome = 'candidates' | 'no-match' | 'undecided' | 'empty';

export interface IdentificationResult {
  id: number;
  createdAt: string;
  appVersion: string;
  scope: IdentifyScope;
  query: IdentifyQueryInfo;
  model: { id: string; name: string; sha256: string; calibrated: boolean };
  metric: DistanceMetric;
  threshold: number | null;
  thresholdSource: 'case' | 'model' | 'given' | null;
  top: number;
  /** Writers with at least one exemplar in the scope: how many the questioned signature was searched among. */
  writersSearched: number;
  exemplarsSearched: number;
  method: SearchMethod;
  methodNote: string | null;
  candidates: Candidate[];
  outcome: IdentifyOutcome;
  /** The outcome in words, with the figures it rests on. */
  statement: string;
  /** Exemplars left out because they are the questioned signature or come from its original file. */
  excluded: { signatureId: number | null; sha256: string | null };
  seconds: { embed: number; search: number; total: number };
}
