// Metrics against values computed by hand (derivations in the comments).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { modelFigures } from '../../../src-main/core/model/figures.ts';
import { intervalsOf } from '../../../src-main/core/model/training/run.ts';
import {
  auc,
  bestBalancedAccuracy,
  detCurve,
  eer,
  farFrrAt,
  labelScores,
  normalDeviate,
  rocPoints,
  scoreWriterDependent,
  summariseScores,
  writerDependentSplit,
  type ProtocolSample,
} from '../../../src-main/core/scoring/metrics.ts';

const close = (actual: number, expected: number, tol = 1e-12) => assert.ok(Math.abs(actual - expected) <= tol, `expected ${expected}, got ${actual}`);

describe('rocPoints', () => {
  test('one point per distinct score, tied classes move together', () => {
    // genuine 1, 2, 2; non-genuine 2, 3. At t=2 both genuine 2s and the forgery at 2 are accepted.
    const points = rocPoints(labelScores([1, 2, 2], [2, 3]));
    assert.deepEqual(points, [
      { threshold: -Infinity, far: 0, frr: 1 },
      { threshold: 1, far: 0, frr: 2 / 3 },
      { threshold: 2, far: 1 / 2, frr: 0 },
      { threshold: 3, far: 1, frr: 0 },
    ]);
  });

  test('refuses a single class and non-finite scores', () => {
    assert.throws(() => rocPoints(labelScores([1, 2], [])), { code: 'INVALID_ARGUMENT' });
    assert.throws(() => rocPoints(labelScores([1, NaN], [3])), /score 1 is not a finite number/);
  });
});

describe('eer', () => {
  test("FAR = FRR exactly at an observed point: threshold in the middle of that point's range", () => {
    // genuine .1 .2 .3, non-genuine .25 .4 .5: accepting <= .25 gives FAR 1/3, FRR 1/3;
    // every threshold in [.25, .3) does, so the threshold is (.25 + .3) / 2.
    const r = eer(labelScores([0.1, 0.2, 0.3], [0.25, 0.4, 0.5]));
    close(r.eer, 1 / 3);
    close(r.threshold, 0.275);
  });

  test('interpolates between operating points', () => {
    // genuine 1 3, non-genuine 2 4 5. Points (FAR, FRR): t=2 -> (1/3, 1/2), t=3 -> (1/3, 0).
    // FAR-FRR goes -1/6 -> 1/3, crossing at alpha = (1/6)/(1/2) = 1/3: EER = 1/3 (FRR: 1/2 - 1/6).
    // Representative thresholds 2.5 and 3.5, so threshold = 2.5 + 1/3.
    const r = eer(labelScores([1, 3], [2, 4, 5]));
    close(r.eer, 1 / 3);
    close(r.threshold, 2.5 + 1 / 3);
  });

  test('ties between the classes', () => {
    // genuine 1 2 2, non-genuine 2 3: points (0, 2/3) at t=1 and (1/2, 0) at t=2.
    // FAR-FRR: -2/3 -> 1/2, alpha = (2/3)/(7/6) = 4/7; EER = 4/7 * 1/2 = 2/7.
    // Representative thresholds 1.5 and 2.5: 1.5 + 4/7.
    const r = eer(labelScores([1, 2, 2], [2, 3]));
    close(r.eer, 2 / 7);
    close(r.threshold, 1.5 + 4 / 7);
  });

  test('perfect separation: EER 0 with the threshold between the classes', () => {
    const r = eer(labelScores([0.1, 0.2], [0.8, 0.9]));
    assert.equal(r.eer, 0);
    close(r.threshold, 0.5);
    assert.deepEqual({ far: farFrrAt(labelScores([0.1, 0.2], [0.8, 0.9]), r.threshold).far }, { far: 0 });
  });

  test('all scores tied: EER 0.5 at that score', () => {
    const r = eer(labelScores([1, 1], [1]));
    close(r.eer, 0.5);
    assert.equal(r.threshold, 1);
  });

  test('inverted scores give EER 1', () => {
    assert.equal(eer(labelScores([5, 6], [1, 2])).eer, 1);
  });

  test('does not depend on the order of the input', () => {
    const s = labelScores([0.3, 0.1, 0.7, 0.2], [0.6, 0.25, 0.9]);
    assert.deepEqual(eer([...s].reverse()), eer(s));
  });
});

describe('auc', () => {
  test('counts ties as one half', () => {
    // Over the 6 (genuine, non-genuine) pairs:
    // g=1: vs 2 win, vs 3 win = 2; g=2: vs 2 half, vs 3 win = 1.5; twice -> 3. Total 5 / 6.
    close(auc(labelScores([1, 2, 2], [2, 3])), 5 / 6);
  });
  test('1 for perfect separation, 0 when inverted, 0.5 when all tied', () => {
    assert.equal(auc(labelScores([0.1, 0.2], [0.8, 0.9])), 1);
    assert.equal(auc(labelScores([0.8, 0.9], [0.1, 0.2])), 0);
    assert.equal(auc(labelScores([1, 1], [1, 1, 1])), 0.5);
  });
  test('equals the trapezoidal area under rocPoints', () => {
    const s = labelScores([0.1, 0.4, 0.4, 0.35, 0.8], [0.3, 0.4, 0.9, 0.5]);
    const pts = rocPoints(s);
    let area = 0;
    for (let i = 1; i < pts.length; i++) {
      const [a, b] = [pts[i - 1]!, pts[i]!];
      area += ((b.far - a.far) * (1 - a.frr + (1 - b.frr))) / 2;
    }
    close(auc(s), area);
  });
});

describe('farFrrAt and balanced accuracy', () => {
  test('accepts scores equal to the threshold', () => {
    const r = farFrrAt(labelScores([1, 2, 3], [2, 4]), 2);
    assert.deepEqual(r, { threshold: 2, far: 1 / 2, frr: 1 / 3, falseAccepts: 1, falseRejects: 1, nGenuine: 3, nImpostor: 2 });
  });
  test('best 0.5 (TPR + TNR) over thresholds', () => {
    // genuine 1 2 2, non-genuine 2 3: t=1 -> 0.5(1/3 + 1) = 2/3; t=2 -> 0.5(1 + 1/2) = 3/4; t=3 -> 1/2.
    const r = bestBalancedAccuracy(labelScores([1, 2, 2], [2, 3]));
    close(r.accuracy, 0.75);
    close(r.threshold, 2.5);
    assert.equal(farFrrAt(labelScores([1, 2, 2], [2, 3]), r.threshold).far, 0.5);
  });
  test('summary gathers the figures', () => {
    const s = summariseScores(labelScores([1, 3], [2, 4, 5]));
    assert.deepEqual(
      { nGenuine: s.nGenuine, nImpostor: s.nImpostor, auc: s.auc },
      { nGenuine: 2, nImpostor: 3, auc: 5 / 6 }, // pairs: 1 beats all 3, 3 beats 4 and 5 -> 5/6
    );
  });
});

describe('DET data', () => {
  test('normal deviates of known probabilities', () => {
    close(normalDeviate(0.5), 0, 1e-9);
    close(normalDeviate(0.975), 1.959963984540054, 1e-8);
    close(normalDeviate(0.01), -2.326347874040841, 1e-8);
    assert.equal(normalDeviate(0), -Infinity);
  });
  test('keeps only points with both rates strictly inside (0, 1)', () => {
    const det = detCurve(labelScores([1, 3], [2, 4, 5]));
    assert.deepEqual(
      det.map((p) => [p.threshold, p.far, p.frr]),
      [[2, 1 / 3, 1 / 2]],
    );
    close(det[0]!.frrDeviate, 0, 1e-9);
  });
});

describe('writer-dependent protocol', () => {
  const samples: ProtocolSample<string>[] = [];
  for (const w of ['alice', 'bob']) {
    for (let i = 0; i < 6; i++) samples.push({ writer: w, genuine: true, item: `${w}-g${i}` });
    for (let i = 0; i < 3; i++) samples.push({ writer: w, genuine: false, item: `${w}-f${i}` });
  }
  samples.push({ writer: 'carol', genuine: true, item: 'carol-g0' });

  test('K references per writer, the rest questioned, too-small writers skipped', () => {
    const split = writerDependentSplit(samples, { references: 4, seed: 7 });
    assert.deepEqual(
      split.writers.map((w) => w.writer),
      ['alice', 'bob'],
    );
    assert.deepEqual(split.skipped, [{ writer: 'carol', reason: '1 genuine signatures, 4 references needed' }]);
    for (const w of split.writers) {
      assert.equal(w.references.length, 4);
      assert.equal(w.questioned.filter((q) => q.genuine).length, 2);
      assert.equal(w.questioned.filter((q) => !q.genuine).length, 3);
      const all = new Set([...w.references, ...w.questioned.map((q) => q.item)]);
      assert.equal(all.size, 9, 'references and questioned are disjoint and complete');
      assert.ok(w.references.every((r) => r.startsWith(`${w.writer}-g`)));
    }
  });

  test('the seed decides the references, and a writer does not depend on the others', () => {
    const a = writerDependentSplit(samples, { references: 3, seed: 1 });
    const again = writerDependentSplit(samples, { references: 3, seed: 1 });
    assert.deepEqual(a, again);
    const aliceOnly = writerDependentSplit(
      samples.filter((s) => s.writer === 'alice'),
      { references: 3, seed: 1 },
    );
    assert.deepEqual(aliceOnly.writers[0], a.writers[0]);
    const seeds = new Set([1, 2, 3, 4, 5].map((seed) => writerDependentSplit(samples, { references: 3, seed }).writers[0]!.references.join()));
    assert.ok(seeds.size > 1, 'different seeds choose different references');
  });

  test('scoring keeps the labels', () => {
    const split = writerDependentSplit(samples, { references: 4, seed: 7 });
    const scores = scoreWriterDependent(split, (q) => (q.includes('-g') ? 0.1 : 0.9));
    assert.equal(scores.length, 10);
    assert.equal(eer(scores).eer, 0);
  });
});

describe('95 % intervals a trained model records (writers resampled)', () => {
  // Five writers, 4 genuine and 4 forged scores each (distances: lower = more alike). Writers
  // b..e separate perfectly; writer a's forgeries score below its genuine signatures.
  const writers = ['a', 'b', 'c', 'd', 'e'];
  const sets = {
    genuine: writers.flatMap((w) => (w === 'a' ? [0.6, 0.62, 0.64, 0.66] : [0.1, 0.12, 0.14, 0.16])),
    forged: writers.flatMap((w) => (w === 'a' ? [0.3, 0.32, 0.34, 0.36] : [0.9, 0.92, 0.94, 0.96])),
    random: writers.flatMap(() => [0.8, 0.85]),
    pairSame: writers.flatMap(() => [0.2, 0.25]),
    pairDiff: writers.flatMap(() => [0.7, 0.75]),
    writerOf: {
      genuine: writers.flatMap((w) => [w, w, w, w]),
      forged: writers.flatMap((w) => [w, w, w, w]),
      random: writers.flatMap((w) => [w, w]),
      pairSame: writers.flatMap((w) => [w, w]),
      pairDiff: writers.flatMap((w) => [w, w]),
    },
  };

  test('the interval reaches 0 where rounds leave the one bad writer out, and lies around the figure', () => {
    const iv = intervalsOf(sets, null, 7, 400);
    const point = eer(labelScores(sets.genuine, sets.forged)).eer;
    // A round draws 5 writers with replacement; it leaves 'a' out with probability (4/5)^5 = 0.33,
    // far more than 2.5 %: so the lower end is 0. Resampling single trials instead would almost never
    // drop all eight of a's trials, and its lower end would stay near the point.
    assert.ok(iv.eer, 'an EER interval');
    assert.equal(iv.eer[0], 0);
    assert.ok(iv.eer[1] > point, `upper end ${iv.eer[1]} above the point ${point}`);
    assert.deepEqual([iv.method, iv.level, iv.rounds, iv.seed], ['bootstrap over writers', 0.95, 400, 7]);
    assert.deepEqual(iv.eerRandom, [0, 0], 'random forgeries separate in every round');
    assert.equal(iv.cllr, null, 'no Cllr interval without a calibration');
    assert.ok(iv.cllrMin && iv.cllrMin[0] <= iv.cllrMin[1]);
    assert.deepEqual(iv.pairEer, [0, 0]);
    assert.deepEqual(intervalsOf(sets, null, 7, 400), iv, 'seeded: the same intervals again');
  });

  test('the figures read them out with their samples; a model without intervals says so', () => {
    const iv = intervalsOf(sets, null, 7, 400);
    const md = {
      metrics: { eer: 0.2, auc: 0.8, validationWriters: 5, validationGenuine: 20, validationForged: 20, validationRandom: 10 },
      trainingData: null,
      calibration: null,
    };
    const withIv = modelFigures({ ...md, metricIntervals: iv });
    const eerFig = withIv.find((f) => f.key === 'eer')!;
    assert.equal(eerFig.line, `EER 20.0 % (95 % CI 0.0–${(iv.eer![1] * 100).toFixed(1)} %; 5 writers, 20 genuine / 20 forged)`);
    assert.equal(withIv.find((f) => f.key === 'auc')!.intervalText, `95 % CI ${iv.auc![0].toFixed(3)}–${iv.auc![1].toFixed(3)}`);
    const without = modelFigures(md);
    assert.deepEqual(
      without.map((f) => f.intervalText),
      ['interval not recorded', 'interval not recorded'],
    );
    assert.equal(without[0]!.sample, '5 writers, 20 genuine / 20 forged');
  });
});
