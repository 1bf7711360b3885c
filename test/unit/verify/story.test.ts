import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { referenceMedianScore, scoreText, scoreView, variationStory } from '../../../src-main/core/verify/story.ts';

const legacyRow = { aggregate: 0.412, distances: { summary: { mean: 0.412 } } };
const ratioRow = {
  aggregate: 2.3,
  scoreMethod: 'kk-ratio' as const,
  distances: {
    summary: { mean: 0.46 },
    score: {
      method: 'kk-ratio' as const,
      qk: 0.46,
      scale: 0.2,
      kkPairs: 6,
      prior: 0.21,
      priorWeight: 3,
      explanation: 'Q is 2.3 times as far from the references as they are from each other; measured against x',
    },
  },
};

describe('one story per item', () => {
  it('names the score for what it is; rows from before the score read as mean distances', () => {
    const legacy = scoreView(legacyRow);
    assert.equal(legacy.method, 'mean-distance');
    assert.equal(legacy.label, 'mean distance');
    assert.equal(legacy.scale, 1);
    assert.equal(legacy.explanation, "the questioned signature's mean distance to the references is 0.412");
    assert.equal(scoreText(legacy), 'mean distance 0.412');
    const ratio = scoreView(ratioRow);
    assert.equal(ratio.label, 'score (Q-K ÷ K-K)');
    assert.equal(ratio.scale, 0.2);
    assert.match(ratio.explanation, /^Q is 2\.3 times as far/);
    assert.equal(scoreText(ratio), 'score 2.30');
    assert.match(ratio.axis, /score units/);
    // A kk-ratio row without its score details still has a usable scale (mean Q-K / score).
    assert.ok(Math.abs(scoreView({ ...ratioRow, distances: { summary: { mean: 0.46 } } }).scale - 0.2) < 1e-12);
  });

  it("puts the references' own spread in score units and never lets the variation text contradict the decision", () => {
    const v = scoreView(ratioRow);
    // Leave-one-out means 0.3, 0.4, 0.5 -> 1.5, 2, 2.5 in score units; Q's score 2.3 is within.
    const loo = [0.3, 0.4, 0.5];
    assert.equal(referenceMedianScore(v, loo), 2);
    const genuine = variationStory(v, loo, 'genuine', 3);
    assert.equal(genuine.position, 'within');
    assert.equal(genuine.reconciled, false);
    assert.match(genuine.sentence, /within the references' own spread\.$/);
    const notGenuine = variationStory(v, loo, 'not_genuine', 1.8);
    assert.equal(notGenuine.reconciled, true);
    assert.match(
      notGenuine.sentence,
      /nevertheless "supports not genuine": the threshold \(1\.80\) lies below some of the references' own leave-one-out means/,
    );
    const farther = variationStory(v, [0.1, 0.2, 0.3], 'genuine', 4);
    assert.equal(farther.position, 'farther');
    assert.match(farther.sentence, /nevertheless "supports genuine"/);
    assert.equal(variationStory(v, [0.4], 'genuine', 3).position, 'unknown');
  });
});
