import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fitCalibration } from '../../../src-main/core/scoring/calibration.ts';
import { compareSignature, decide, type SignatureInput } from '../../../src-main/core/verify/compare.ts';
import { cosineDistance, euclidean } from '../../../src-main/core/scoring/distance.ts';

const v = (...xs: number[]) => Float32Array.from(xs);
const ref = (id: number, ...xs: number[]): SignatureInput => ({ signatureId: id, vector: v(...xs), sourceSha256: `k${id}` });
const base = { metric: 'euclidean' as const, threshold: 1, band: 0.1, minReferences: 4, calibration: null };

describe('comparison of a questioned signature with references', () => {
  it('computes distances, the mean aggregate and the natural variation by hand', () => {
    // References on a line at 0, 1, 2 (pairwise 1, 2, 1); Q at 1.5.
    const refs = [ref(1, 0, 0), ref(2, 1, 0), ref(3, 2, 0)];
    const r = compareSignature({ signatureId: 9, vector: v(1.5, 0), sourceSha256: 'q' }, refs, base);
    assert.deepEqual(
      r.distances.map((d) => d.distance),
      [1.5, 0.5, 0.5],
    );
    assert.equal(r.aggregate, 2.5 / 3);
    assert.deepEqual(r.naturalVariation.pairDistances, [1, 2, 1]);
    assert.deepEqual(r.naturalVariation.leaveOneOut, [1.5, 1, 1.5]);
    assert.equal(r.naturalVariation.min, 1);
    assert.equal(r.naturalVariation.percentile, 0, 'Q is closer to the set than any reference is to the others');
    assert.equal(r.decision, 'genuine');
    // The threshold (1) lies below the references' own leave-one-out means (median 1.5).
    assert.deepEqual(r.warnings.map((w) => w.code).sort(), ['THRESHOLD_OUTSIDE_VARIATION', 'TOO_FEW_REFERENCES', 'UNCALIBRATED']);
    assert.match(
      r.warnings.find((w) => w.code === 'THRESHOLD_OUTSIDE_VARIATION')!.message,
      /threshold \(1\.000\) lies below the references' own natural variation \(median of their leave-one-out mean distances 1\.500\)/,
    );
    assert.equal(
      compareSignature({ signatureId: 9, vector: v(1.5, 0), sourceSha256: 'q' }, refs, { ...base, threshold: 1.6 }).warnings.some(
        (w) => w.code === 'THRESHOLD_OUTSIDE_VARIATION',
      ),
      false,
    );
    assert.equal(r.llr, null);
    assert.match(r.verbal, /not been calibrated/);
  });

  it('decides with an inconclusive band around the threshold', () => {
    assert.equal(decide(0.89, 1, 0.1), 'genuine');
    assert.equal(decide(0.95, 1, 0.1), 'inconclusive');
    assert.equal(decide(1.05, 1, 0.1), 'inconclusive');
    assert.equal(decide(1.1, 1, 0.1), 'not_genuine');
    assert.equal(decide(1, 1, 0), 'genuine');
  });

  it('warns about a suspiciously close match, the same source file and poor quality', () => {
    const refs = [ref(1, 0, 0), ref(2, 1, 0), ref(3, 0, 1), ref(4, 1, 1)];
    const traced = compareSignature({ signatureId: 9, vector: v(0.05, 0), sourceSha256: 'k2', quality: { inkRatio: 0.001 } }, refs, base);
    const codes = traced.warnings.map((w) => w.code);
    assert.ok(codes.includes('SUSPICIOUSLY_CLOSE'));
    assert.ok(codes.includes('SAME_SOURCE_FILE'));
    assert.ok(codes.includes('LOW_QUALITY_QUESTIONED'));
    assert.ok(!codes.includes('TOO_FEW_REFERENCES'));
    const normal = compareSignature({ signatureId: 9, vector: v(0.5, 0.5), sourceSha256: 'q' }, refs, base);
    assert.ok(!normal.warnings.some((w) => w.code === 'SUSPICIOUSLY_CLOSE' || w.code === 'SAME_SOURCE_FILE'));
  });

  it('gives a calibrated LR and its ENFSI sentence', () => {
    const same = Array.from({ length: 50 }, (_, i) => 0.3 + (i % 10) * 0.04);
    const diff = Array.from({ length: 50 }, (_, i) => 0.9 + (i % 10) * 0.05);
    const cal = fitCalibration(same, diff);
    const refs = [ref(1, 0, 0), ref(2, 0.4, 0), ref(3, 0, 0.4), ref(4, 0.4, 0.4)];
    const close = compareSignature({ signatureId: 9, vector: v(0.2, 0.2), sourceSha256: 'q' }, refs, {
      ...base,
      calibration: cal,
      propositions: { same: 'Alice wrote it', different: 'someone else wrote it' },
    });
    assert.ok(close.llr! > 0);
    assert.match(close.verbal, /support for the proposition that Alice wrote it/);
    const far = compareSignature({ signatureId: 9, vector: v(1.5, 1.5), sourceSha256: 'q' }, refs, { ...base, calibration: cal });
    assert.ok(far.llr! < 0);
    assert.equal(far.decision, 'not_genuine');
  });

  it('measures distances as documented', () => {
    assert.equal(euclidean(v(0, 3), v(4, 0)), 5);
    assert.ok(Math.abs(cosineDistance(v(1, 0), v(0, 1)) - 1) < 1e-12);
    assert.equal(cosineDistance(v(2, 2), v(1, 1)), 0);
    assert.throws(() => compareSignature(ref(1, 0), [], base), /no known signatures/);
  });

  it('warns DECISION_AGAINST_LR when a moved case threshold makes the decision and the LR disagree, never at the model threshold', () => {
    const refs = [ref(1, 0, 0), ref(2, 1, 0), ref(3, 0, 1), ref(4, 1, 1)];
    // log10 LR = 2 - 2 * score: LR 1 at score 1.
    const calibration = { method: 'logistic', score: 'distance', a: 2, b: -2, bounds: { lower: -5, upper: 5, method: 'laplace-pav' } } as unknown as Parameters<
      typeof compareSignature
    >[2]['calibration'];
    const q = { signatureId: 9, vector: v(0.5, 0.5), sourceSha256: 'q' };
    const score = compareSignature(q, refs, { ...base, calibration, threshold: 1, band: 0 }).aggregate;
    assert.ok(score < 1, 'the LR supports genuine');
    const atModel = compareSignature(q, refs, { ...base, calibration, threshold: 1, band: 0, thresholdSource: 'model' });
    assert.equal(atModel.decision, 'genuine');
    assert.ok(!atModel.warnings.some((w) => w.code === 'DECISION_AGAINST_LR'));
    const moved = compareSignature(q, refs, { ...base, calibration, threshold: score / 2, band: 0, thresholdSource: 'case' });
    assert.equal(moved.decision, 'not_genuine');
    assert.ok(moved.llr! > 0);
    const w = moved.warnings.find((x) => x.code === 'DECISION_AGAINST_LR');
    assert.ok(w, 'decision and LR disagree: warned');
    assert.match(w.message, /the decision \(supports not genuine\) and the likelihood ratio \(.*support for genuine\) do not agree/);
  });
});
