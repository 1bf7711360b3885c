// The one-shot protocol of `eval --identify` on embeddings whose answer is known.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { oneShotEvaluation, type OneShotProtocol } from '../../../src-main/core/identify/evaluate.ts';
import { gaussianVector } from '../../../src-main/core/synth/embedding-library.ts';
import { Rng } from '../../../src-main/core/util/random.ts';

/** `writers` writers x `per` genuine vectors: tight clusters (spread) around random centres. */
function clusters(writers: number, per: number, spread: number, seed: number) {
  const rng = new Rng(seed);
  const items: { writer: string; genuine: boolean }[] = [];
  const vectors: Float32Array[] = [];
  for (let w = 0; w < writers; w++) {
    const c = gaussianVector(rng, 16, 1);
    for (let i = 0; i < per; i++) {
      items.push({ writer: `w${w}`, genuine: true });
      vectors.push(gaussianVector(rng, 16, spread, c));
    }
    // A forgery of each writer lies on its centre: forgeries must not be used as queries or references.
    items.push({ writer: `w${w}`, genuine: false });
    vectors.push(c);
  }
  return { items, vectors };
}

const base: OneShotProtocol = { shots: 1, ways: 5, episodes: 40, heldOut: 0.25, seed: 3, metric: 'euclidean', threshold: null };

describe('one-shot evaluation', () => {
  it('separated writers: every C-way episode and the all-enrolled ranking are right; figures beside chance', () => {
    const { items, vectors } = clusters(20, 4, 0.05, 1);
    const r = oneShotEvaluation(items, vectors, base);
    assert.deepEqual(r.writers, { usable: 20, enrolled: 15, heldOut: 5, skipped: [] });
    assert.deepEqual([r.episodes.queries, r.episodes.accuracy, r.episodes.top5Accuracy, r.episodes.chance, r.episodes.top5Chance], [200, 1, 1, 0.2, 1]);
    assert.deepEqual([r.allEnrolled.ways, r.allEnrolled.queries, r.allEnrolled.accuracy], [15, 45, 1]);
    assert.equal(r.openSet, null);
    assert.match(r.openSetNote ?? '', /no threshold/);
  });

  it('writers that cannot be told apart: accuracy near chance, not above it', () => {
    const { items, vectors } = clusters(30, 4, 50, 2); // the noise swamps the centres
    const r = oneShotEvaluation(items, vectors, { ...base, ways: 10, episodes: 300, heldOut: 0 });
    assert.ok(Math.abs(r.episodes.accuracy - 0.1) < 0.04, `accuracy ${r.episodes.accuracy}`);
    assert.ok(Math.abs(r.episodes.top5Accuracy - 0.5) < 0.06, `top-5 ${r.episodes.top5Accuracy}`);
  });

  it('open set: held-out writers far from every enrolled one are rejected, enrolled ones accepted, at a threshold between', () => {
    const { items, vectors } = clusters(12, 5, 0.05, 4);
    const r = oneShotEvaluation(items, vectors, { ...base, ways: 4, threshold: 0.3 });
    assert.ok(r.openSet);
    assert.deepEqual(
      [r.openSet.heldOutQueries, r.openSet.rejectionRate, r.openSet.falseRejectionRate, r.openSet.identifiedRate, r.openSet.eer],
      [15, 1, 0, 1, 0],
    );
    const loose = oneShotEvaluation(items, vectors, { ...base, ways: 4, threshold: 100 });
    assert.equal(loose.openSet?.rejectionRate, 0);
  });

  it('the seed fixes every draw; few-shot needs shots + 1 genuine signatures per writer', () => {
    const { items, vectors } = clusters(12, 3, 2, 5);
    assert.deepEqual(oneShotEvaluation(items, vectors, base), oneShotEvaluation(items, vectors, base));
    assert.notDeepEqual(oneShotEvaluation(items, vectors, base).episodes, oneShotEvaluation(items, vectors, { ...base, seed: 4 }).episodes);
    const r = oneShotEvaluation(items, vectors, { ...base, shots: 2, ways: 3 });
    assert.equal(r.writers.skipped.length, 0);
    assert.throws(() => oneShotEvaluation(items, vectors, { ...base, shots: 3 }), /--ways 5: the data has 0 writers with at least 4 genuine signatures/);
    assert.throws(() => oneShotEvaluation(items, vectors, { ...base, ways: 1 }), /--ways/);
  });
});
