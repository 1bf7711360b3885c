// Calibration, Cllr and PAV against hand-computed values (derivations in the comments).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  applyCalibration,
  calibrate,
  cllr,
  cllrMin,
  fitCalibration,
  parseCalibration,
  pavLog10LRs,
  supportedBounds,
} from '../../../src-main/core/scoring/calibration.ts';
import { Rng } from '../../../src-main/core/util/random.ts';

const close = (actual: number, expected: number, tol = 1e-12) => assert.ok(Math.abs(actual - expected) <= tol, `expected ${expected}, got ${actual}`);

const normals = (seed: number, n: number, mean: number, sd: number) => {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => rng.normal(mean, sd));
};

describe('cllr', () => {
  test('LR = 1 everywhere costs exactly 1 bit', () => {
    assert.equal(cllr([0, 0, 0], [0, 0]), 1);
  });
  test('hand values', () => {
    // same LR 10: log2(1 + 1/10); diff LR 1/10: log2(1 + 1/10). Mean of the two: log2(1.1).
    close(cllr([1], [-1]), Math.log2(1.1));
    // Misleading the other way: log2(1 + 10) on both sides.
    close(cllr([-1], [1]), Math.log2(11));
    // Classes weigh equally whatever their sizes: same {LR 1, LR 1} -> 1, diff {LR 1/3} -> log2(4/3).
    close(cllr([0, 0], [-Math.log10(3)]), 0.5 * (1 + Math.log2(4 / 3)));
  });
  test('infinitely strong correct LRs cost 0; wrong ones cost infinity', () => {
    assert.equal(cllr([Infinity], [-Infinity]), 0);
    assert.equal(cllr([-Infinity], [0]), Infinity);
  });
  test('stays finite for large LRs (no overflow)', () => {
    close(cllr([300], [-300]), 0);
    close(cllr([-300], [0]), 0.5 * (300 * Math.log2(10) + 1), 1e-9);
  });
});

describe('PAV and cllrMin', () => {
  test('a known PAV example', () => {
    // Scores (higher = same): 1d 2s 3d 4s 5s 6d. PAV of the labels 0 1 0 1 1 0 gives blocks
    // {1}: 0, {2,3}: 1/2, {4,5,6}: 2/3. Prior odds 3/3 = 1, so log10 LR = log10(p / (1 - p)):
    // -inf, 0, log10 2.
    const opt = pavLog10LRs([2, 4, 5], [1, 3, 6]);
    assert.deepEqual(opt.same, [0, Math.log10(2), Math.log10(2)]);
    assert.deepEqual(opt.diff, [-Infinity, 0, Math.log10(2)]);
    // Cllr: same 1 + 2 log2(3/2); diff 0 + 1 + log2 3; (2 + 2 log2 3 - 2 + log2 3) / 6 = log2(3) / 2.
    close(cllrMin([2, 4, 5], [1, 3, 6]), Math.log2(3) / 2);
  });
  test('tied scores share one LR', () => {
    const opt = pavLog10LRs([1, 5], [1, 0]);
    // Sorted: 0d, {1s,1d}, 5s -> blocks 0, 1/2, 1 (already monotone).
    assert.equal(opt.same[0], opt.diff[0]);
    assert.equal(opt.same[0], 0);
  });
  test('cllrMin is 0 for separated scores and 1 for identical ones', () => {
    assert.equal(cllrMin([5, 6], [1, 2]), 0);
    close(cllrMin([1, 2, 3], [1, 2, 3]), 1);
  });
  test('no calibration beats PAV on its own data', () => {
    const same = normals(3, 200, 1, 1);
    const diff = normals(4, 300, -1, 1);
    const floor = cllrMin(same, diff);
    for (const [scale, shift] of [
      [1, 0],
      [0.5, 0.2],
      [2, -0.3],
    ] as const) {
      const toLlr = (x: number) => (scale * x + shift) * Math.log10(Math.E) * 2;
      assert.ok(cllr(same.map(toLlr), diff.map(toLlr)) >= floor);
    }
  });
  test('Laplace bounds: +-log10(n + 1) when separated, [0, 0] when uninformative', () => {
    const b = supportedBounds([5, 6, 7, 8], [1, 2, 3, 4]);
    close(b.upper, Math.log10(5));
    close(b.lower, -Math.log10(5));
    // Unbalanced, separated: top block (Ns + 1 same, 1 diff) with prior odds (Ns + 2)/(Nd + 2).
    const u = supportedBounds([5, 6], [1, 2, 3, 4, -4.5]);
    close(u.upper, Math.log10(3) - Math.log10(4 / 7));
    assert.deepEqual(supportedBounds([1, 2, 3], [1, 2, 3]), { lower: 0, upper: 0, method: 'laplace-pav' });
  });
});

describe('fitCalibration', () => {
  test('perfectly separated distances: bounded at +-log10(n + 1)', () => {
    const cal = fitCalibration([0.1, 0.2, 0.3, 0.4], [0.9, 1.0, 1.1, 1.2]);
    assert.ok(cal.b < 0);
    assert.deepEqual(cal.fittedOn, { same: 4, diff: 4 });
    assert.equal(cal.cllrMin, 0);
    assert.equal(cal.eer, 0);
    close(cal.eerThreshold, 0.65);
    close(cal.bounds.upper, Math.log10(5));
    close(applyCalibration(cal, 0), Math.log10(5));
    close(applyCalibration(cal, 5), -Math.log10(5));
    assert.equal(calibrate(cal, 0).atBound, true);
    // Every validation distance lands on a bound: same LR 5 -> log2(1 + 1/5), diff likewise.
    close(cal.cllr, Math.log2(1.2), 1e-9);
  });

  test('mirror-symmetric data put LR = 1 at the centre', () => {
    // d -> 1 - d swaps the two sets, so the fitted LR at d = 0.5 is exactly 1.
    const cal = fitCalibration([0.2, 0.4, 0.7], [0.3, 0.6, 0.8]);
    assert.ok(cal.b < 0);
    close(applyCalibration(cal, 0.5), 0, 1e-9);
    assert.equal(calibrate(cal, 0.5).atBound, false);
  });

  test('recovers the true log LR of two Gaussians with equal spread', () => {
    // same ~ N(0.5, 0.2^2), diff ~ N(1, 0.2^2): ln LR(d) = ((d - 1)^2 - (d - 0.5)^2) / (2 * 0.04)
    // = 9.375 - 12.5 d, so log10 LR = 4.0715 - 5.4287 d, LR = 1 at d = 0.75.
    const cal = fitCalibration(normals(1, 3000, 0.5, 0.2), normals(2, 3000, 1, 0.2));
    close(cal.b, -12.5 / Math.LN10, 0.06 * 5.43);
    close(cal.a, 9.375 / Math.LN10, 0.06 * 4.07);
    assert.ok(cal.cllr < 0.5 && cal.cllr >= cal.cllrMin);
  });

  test('prior-independent: ten times more pairs of one class do not move LR = 1', () => {
    // Without the class weighting the crossing would move by log10(10) / 5.43 = 0.18.
    for (const [ns, nd] of [
      [3000, 300],
      [300, 3000],
    ] as const) {
      const cal = fitCalibration(normals(1, ns, 0.5, 0.2), normals(2, nd, 1, 0.2));
      close(-cal.a / cal.b, 0.75, 0.03);
    }
  });

  test('refuses data where a larger distance means more support for the same writer', () => {
    assert.throws(() => fitCalibration([1, 2, 1.5], [0.1, 0.2]), { code: 'INVALID_ARGUMENT', message: /not informative enough/ });
    assert.throws(() => fitCalibration([], [0.1]), { code: 'INVALID_ARGUMENT' });
    assert.throws(() => fitCalibration([0.1, Infinity], [0.5]), /not finite/);
  });

  test('the reported LR never increases with distance and stays within the bounds', () => {
    const cal = fitCalibration(normals(5, 200, 0.4, 0.15), normals(6, 400, 0.9, 0.2));
    let prev = Infinity;
    for (let d = -1; d <= 3; d += 0.01) {
      const l = applyCalibration(cal, d);
      assert.ok(l <= prev && l <= cal.bounds.upper && l >= cal.bounds.lower);
      prev = l;
    }
    assert.ok(cal.bounds.upper <= Math.log10(400 + 2) && cal.bounds.lower >= -Math.log10(200 + 2));
  });

  test('plain JSON that survives a round trip and is validated on reading', () => {
    const cal = fitCalibration([0.2, 0.4, 0.7, 0.3], [0.3, 0.6, 0.8, 0.9]);
    const back = parseCalibration(JSON.parse(JSON.stringify(cal)), 'models/x/metadata.json');
    assert.deepEqual(back, cal);
    assert.equal(applyCalibration(back, 0.45), applyCalibration(cal, 0.45));
    assert.throws(() => parseCalibration({ ...cal, b: 0.5 }, 'models/x/metadata.json'), {
      code: 'INTEGRITY',
      message: /models\/x\/metadata.json: calibration.b/,
    });
  });
});
