// The writer-normalised score and the inconclusive zone, by hand.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareSignature, inconclusiveZone, NO_SUPPORT_LLR, type SignatureInput } from '../../../src-main/core/verify/compare.ts';
import { calibrate, type Calibration } from '../../../src-main/core/scoring/calibration.ts';
import { explainScore, parseScoring, scoreFromDistances, typicalWithinWriter } from '../../../src-main/core/scoring/score.ts';

const v = (...xs: number[]) => Float32Array.from(xs);
const ref = (id: number, ...xs: number[]): SignatureInput => ({ signatureId: id, vector: v(...xs), sourceSha256: `k${id}` });

describe('writer-normalised score', () => {
  it('divides the mean Q-K distance by the K-K mean shrunk towards the prior', () => {
    // K-K pairs 1, 2, 1 (sum 4, 3 pairs); prior 2 with weight 3: scale (4 + 6) / 6 = 5/3.
    const p = scoreFromDistances([1.5, 0.5, 0.5], [1, 2, 1], { method: 'kk-ratio', prior: 2, priorWeight: 3 });
    assert.equal(p.qk, 2.5 / 3);
    assert.equal(p.scale, 10 / 6);
    assert.ok(Math.abs(p.score - 0.5) < 1e-12);
    assert.equal(p.kkPairs, 3);
    // One reference: the prior alone.
    assert.equal(scoreFromDistances([3], [], { method: 'kk-ratio', prior: 2, priorWeight: 3 }).score, 1.5);
    // The legacy score is the mean distance.
    assert.equal(scoreFromDistances([1, 2], [5], { method: 'mean-distance' }).score, 1.5);
  });

  it('makes a steady and a variable writer comparable where the raw distance cannot', () => {
    const steady = scoreFromDistances([0.4, 0.4], [0.2, 0.2, 0.2], { method: 'kk-ratio', prior: 0.5, priorWeight: 0 });
    const variable = scoreFromDistances([0.8, 0.8], [0.8, 0.8, 0.8], { method: 'kk-ratio', prior: 0.5, priorWeight: 0 });
    assert.ok(Math.abs(steady.score - 2) < 1e-12, 'twice as far as the steady writer varies');
    assert.ok(Math.abs(variable.score - 1) < 1e-12, "within the variable writer's own range");
  });

  it('measures the prior as the pooled mean K-K distance and explains the score in words', () => {
    assert.equal(
      typicalWithinWriter('euclidean', [
        [v(0), v(1)],
        [v(0), v(3)],
      ]),
      2,
    );
    assert.throws(() => typicalWithinWriter('euclidean', [[v(0)]]), /no writer has two references/);
    const s = { method: 'kk-ratio' as const, prior: 2, priorWeight: 3 };
    assert.match(explainScore(scoreFromDistances([4.6], [2], s), s), /^Q is 2\.3 times as far from the references as they are from each other/);
    assert.match(explainScore(scoreFromDistances([1], [], s), s), /a single reference has no spread of its own/);
  });

  it('validates stored scoring', () => {
    assert.deepEqual(parseScoring(undefined, 'm'), { method: 'mean-distance' });
    assert.throws(
      () => parseScoring({ method: 'kk-ratio', prior: -1, priorWeight: 3 }, 'models/x/metadata.json'),
      /models\/x\/metadata.json: scoring: 'kk-ratio' needs a positive prior/,
    );
    assert.throws(() => parseScoring({ method: 'max' }, 'm'), /unknown method 'max'/);
  });
});

describe('inconclusive zone and decision', () => {
  // log10 LR = 2 - 2 * score: LR 1 at score 1; +-log10 2 at 1 -+ 0.1505.
  const cal: Calibration = {
    method: 'logistic',
    score: 'distance',
    a: 2,
    b: -2,
    bounds: { lower: -3, upper: 3, method: 'laplace-pav' },
    fittedOn: { same: 10, diff: 10 },
    cllr: 0.5,
    cllrMin: 0.4,
    eer: 0.1,
    eerThreshold: 1,
    regularisation: 1e-6,
  } as Calibration;

  it('covers every score whose LR gives no support, whatever the band', () => {
    const [lo, hi] = inconclusiveZone(1, 0.05, cal);
    assert.ok(Math.abs(calibrate(cal, lo).log10LR - NO_SUPPORT_LLR) < 1e-9);
    assert.ok(Math.abs(calibrate(cal, hi).log10LR + NO_SUPPORT_LLR) < 1e-9);
    assert.deepEqual(inconclusiveZone(1, 0.5, cal), [0.5, 1.5], 'a wider band stays');
    assert.deepEqual(inconclusiveZone(1, 0.05, null), [0.95, 1.05]);
  });

  it('at the LR = 1 threshold never decides against the verbal scale', () => {
    const refs = [ref(1, 0, 0), ref(2, 1, 0), ref(3, 0, 1), ref(4, 1, 1)];
    const settings = {
      metric: 'euclidean' as const,
      scoring: { method: 'kk-ratio' as const, prior: 1, priorWeight: 3 },
      threshold: 1,
      band: 0,
      minReferences: 4,
      calibration: cal,
    };
    for (let x = 0; x <= 3; x += 0.05) {
      const r = compareSignature({ signatureId: 9, vector: v(x, x), sourceSha256: 'q' }, refs, settings);
      if (r.decision === 'genuine') assert.ok(r.llr! >= NO_SUPPORT_LLR, `${x}: genuine with LLR ${r.llr}`);
      if (r.decision === 'not_genuine') assert.ok(r.llr! <= -NO_SUPPORT_LLR, `${x}: not genuine with LLR ${r.llr}`);
      if (r.decision === 'inconclusive') assert.ok(Math.abs(r.llr!) <= NO_SUPPORT_LLR + 1e-9, `${x}: inconclusive with LLR ${r.llr}`);
      assert.equal(r.score.method, 'kk-ratio');
      assert.ok(Math.abs(r.aggregate - r.score.qk / r.score.scale) < 1e-12);
    }
  });
});
