/** Plain-data summaries of a verification run, for `verify --json`, the contract and the demo. */
import { scoreView } from './story.ts';
import { shortVerbal } from './verbal.ts';
import type { VerifiedItem, VerifyCaseResult } from './verify-case.ts';

/** One entry of `verify --json`: what an examiner (or a script checking truth) needs per item. */
export function itemJson(it: VerifiedItem) {
  const c = it.comparison;
  return {
    documentId: it.documentId,
    document: it.documentPath,
    signatureId: it.signatureId,
    subject: it.subjectName,
    comparisonId: c.id,
    references: c.distances.perReference.length,
    distances: { min: c.distances.summary.min, mean: c.distances.summary.mean, max: c.distances.summary.max },
    aggregate: c.aggregate,
    score: {
      method: c.scoreMethod,
      value: c.aggregate,
      meanDistance: c.distances.summary.mean,
      scale: c.distances.score?.scale ?? 1,
      explanation: scoreView(c).explanation,
    },
    inconclusiveZone: c.distances.inconclusiveZone ?? [c.threshold - c.inconclusiveBand, c.threshold + c.inconclusiveBand],
    naturalVariation: { median: c.distances.naturalVariation.median, percentile: c.distances.naturalVariation.percentile },
    llr: c.llr,
    llrAtBound: c.distances.llrAtBound,
    verbal: c.verbal,
    support: shortVerbal(c.llr),
    decision: c.decision,
    warnings: c.warnings.map((w) => ({ code: w.code, message: w.message })),
    model: { id: c.modelId, sha256: c.modelSha256 },
    threshold: c.threshold,
    inconclusiveBand: c.inconclusiveBand,
  };
}

export interface CaseWarning {
  code: 'THRESHOLD_OUTSIDE_VARIATION' | 'DECISION_AGAINST_LR';
  message: string;
  /** The documents concerned. */
  documentIds: number[];
}

/**
 * Case-level warnings of a verification run: the threshold lies below some subjects' natural
 * variation, or decisions disagree with their LRs (a moved threshold).
 */
export function caseWarnings(r: VerifyCaseResult): CaseWarning[] {
  const out: CaseWarning[] = [];
  const having = (code: string) =>
    r.items.filter((i) => i.comparison.warnings.some((w) => w.code === code || (code === 'DECISION_AGAINST_LR' && w.code === 'THRESHOLD_AGAINST_LR')));
  const outside = having('THRESHOLD_OUTSIDE_VARIATION');
  if (outside.length) {
    const subjects = [...new Set(outside.map((i) => i.subjectName))];
    out.push({
      code: 'THRESHOLD_OUTSIDE_VARIATION',
      documentIds: outside.map((i) => i.documentId),
      message: `the threshold ${r.threshold.toFixed(3)} lies below the natural variation of ${subjects.length === 1 ? 'subject' : 'subjects'} ${subjects.join(', ')}: most of their own signatures would be decided "not genuine" against the others (${outside.length} item${outside.length === 1 ? '' : 's'})`,
    });
  }
  const against = having('DECISION_AGAINST_LR');
  if (against.length) {
    out.push({
      code: 'DECISION_AGAINST_LR',
      documentIds: against.map((i) => i.documentId),
      message: `${against.length} decision${against.length === 1 ? '' : 's'} disagree${against.length === 1 ? 's' : ''} with the likelihood ratio at the case threshold ${r.threshold.toFixed(3)} (the model's threshold, where they always agree, is where the LR is 1)`,
    });
  }
  return out;
}

export function verifyJson(r: VerifyCaseResult) {
  const count = (d: string) => r.items.filter((i) => i.comparison.decision === d).length;
  return {
    warnings: caseWarnings(r),
    case: { id: r.caseId, name: r.caseName },
    batchId: r.batchId,
    model: r.model,
    threshold: r.threshold,
    thresholdSource: r.thresholdSource,
    inconclusiveBand: r.band,
    cancelled: r.cancelled,
    items: r.items.map(itemJson),
    skipped: r.skipped,
    totals: {
      compared: r.items.length,
      skipped: r.skipped.length,
      genuine: count('genuine'),
      notGenuine: count('not_genuine'),
      inconclusive: count('inconclusive'),
    },
  };
}

/** The JSON of a verified case (the CLI's `verify --json`, the verify job's result). */
export type VerifyJson = ReturnType<typeof verifyJson>;
