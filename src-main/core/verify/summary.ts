/** Plain-data summaries of a verification run, for `verify --json`, the contract and the demo. */
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
      explanation: c.distances.score?.explanation ?? `the questioned signature's mean distance to the references is ${c.distances.summary.mean.toFixed(3)}`,
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

export function verifyJson(r: VerifyCaseResult) {
  const count = (d: string) => r.items.filter((i) => i.comparison.decision === d).length;
  return {
    case: { id: r.caseId, name: r.caseName },
    batchId: r.batchId,
    model: r.model,
    threshold: r.threshold,
    thresholdSource: r.thresholdSource,
    inconclusiveBand: r.band,
    cancelled: r.cancelled,
    items: r.items.map(itemJson),
    skipped: r.skipped,
    totals: { compared: r.items.length, skipped: r.skipped.length, genuine: count('genuine'), notGenuine: count('not_genuine'), inconclusive: count('inconclusive') },
  };
}
