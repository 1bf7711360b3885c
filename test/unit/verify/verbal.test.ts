// ENFSI verbal equivalents: every band, the boundaries, both directions, the sentences.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defaultPropositions, ENFSI_SCALE, supportLevel, verbalEquivalent } from '../../../src-main/core/verify/verbal.ts';

const level = (lr: number) => supportLevel(Math.log10(lr)).level;

describe('ENFSI scale', () => {
  test('one LR inside each band', () => {
    assert.deepEqual([1, 5, 50, 500, 5000, 50_000, 5_000_000].map(level), [
      'none',
      'weak',
      'moderate',
      'moderately strong',
      'strong',
      'very strong',
      'extremely strong',
    ]);
  });

  test('a boundary LR takes the weaker wording; 2 is already weak', () => {
    assert.deepEqual([2, 10, 100, 1000, 10_000, 1_000_000].map(level), ['weak', 'weak', 'moderate', 'moderately strong', 'strong', 'very strong']);
    assert.deepEqual([10.0001, 100.001, 1000.01, 10_000.1, 1_000_001].map(level), [
      'moderate',
      'moderately strong',
      'strong',
      'very strong',
      'extremely strong',
    ]);
  });

  test('LRs between 1/2 and 2 support neither proposition', () => {
    for (const lr of [1, 1.5, 1.999, 0.51, 0.75]) assert.equal(level(lr), 'none', `LR ${lr}`);
    assert.equal(level(0.5), 'weak');
  });

  test('below 1 the same scale applies to 1/LR', () => {
    for (const lr of [5, 10, 50, 500, 5000, 50_000, 1_000_000, 5_000_000]) {
      assert.equal(level(1 / lr), level(lr), `LR 1/${lr}`);
    }
  });

  test('bands cover |log10 LR| without gaps', () => {
    for (let i = 1; i < ENFSI_SCALE.length; i++) assert.equal(ENFSI_SCALE[i]!.fromLog10, ENFSI_SCALE[i - 1]!.toLog10);
    assert.equal(supportLevel(Infinity).level, 'extremely strong');
    assert.throws(() => supportLevel(NaN), { code: 'INVALID_ARGUMENT' });
  });
});

describe('sentences', () => {
  const props = defaultPropositions('Alice Smith');

  test('support for the same-writer proposition names both propositions', () => {
    const v = verbalEquivalent(2.5, { same: 'the questioned signature is genuine', different: 'the questioned signature was not written by Alice Smith' });
    assert.equal(v.favours, 'same');
    assert.equal(
      v.sentence,
      'The findings provide moderately strong support for the proposition that the questioned signature is genuine, ' +
        'rather than the proposition that the questioned signature was not written by Alice Smith.',
    );
  });

  test('support for the alternative swaps the propositions', () => {
    const v = verbalEquivalent(-4.2, props);
    assert.equal(v.favours, 'different');
    assert.equal(v.level, 'very strong');
    assert.equal(v.lrRange, '10,000 to 1,000,000');
    assert.match(
      v.sentence,
      /^The findings provide very strong support for the proposition that the questioned signature was not written by Alice Smith, rather than the proposition that the questioned signature is a genuine signature of Alice Smith\.$/,
    );
  });

  test('no support names neither side as favoured', () => {
    const v = verbalEquivalent(0.1, props);
    assert.equal(v.favours, 'neither');
    assert.match(v.sentence, /no support for either proposition/);
  });

  test('propositions are trimmed of final full stops and must not be empty', () => {
    const v = verbalEquivalent(1.5, { same: 'A wrote it. ', different: 'B wrote it.' });
    assert.equal(v.sentence, 'The findings provide moderate support for the proposition that A wrote it, rather than the proposition that B wrote it.');
    assert.throws(() => verbalEquivalent(1, { same: ' ', different: 'x' }), { code: 'INVALID_ARGUMENT', message: /propositions.same/ });
  });

  test('default propositions without a subject', () => {
    assert.deepEqual(defaultPropositions(), {
      same: 'the questioned signature is genuine',
      different: 'the questioned signature is not genuine',
    });
  });
});
