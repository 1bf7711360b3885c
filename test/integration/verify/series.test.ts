// Series linking: average-linkage clustering, the adjusted Rand index, and grouping a case's
// questioned signatures with a real (tiny) model on a real SQLite file.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setActiveModel } from '../../../src-main/core/model/registry/registry.ts';
import { openStore, type Store } from '../../../src-main/core/store/index.ts';
import { adjustedRandIndex, averageLinkage, linkSeries, seriesAri } from '../../../src-main/core/verify/series.ts';
import { saveTinyModel, seedVerifiableCase, type VerifiableCase } from '../../helpers/verify-fixture.ts';

/** A symmetric matrix from the upper triangle given row by row. */
function matrix(n: number, upper: number[]): Float64Array {
  const d = new Float64Array(n * n);
  let k = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) d[i * n + j] = d[j * n + i] = upper[k++]!;
  return d;
}

describe('averageLinkage', () => {
  // Items 0-1-2 close together, 3-4 close together, 5 far from everything.
  const d = matrix(6, [
    0.2,
    0.3,
    2.0,
    2.1,
    5.0, //
    0.25,
    2.2,
    2.0,
    5.0, //
    1.9,
    2.3,
    5.0, //
    0.4,
    5.0, //
    5.0,
  ]);
  const sorted = (c: number[][]) => c.map((g) => g.join(',')).sort();

  it('merges while the closest clusters are within the cut, by the mean distance between them', () => {
    assert.deepEqual(sorted(averageLinkage(d, 6, 1)), ['0,1,2', '3,4', '5']);
    // The two groups are 2.0-2.3 apart (mean 2.08): they join at a cut of 2.1, not at 2.0.
    assert.deepEqual(sorted(averageLinkage(d, 6, 2.0)), ['0,1,2', '3,4', '5']);
    assert.deepEqual(sorted(averageLinkage(d, 6, 2.1)), ['0,1,2,3,4', '5']);
    assert.deepEqual(sorted(averageLinkage(d, 6, 0.1)), ['0', '1', '2', '3', '4', '5']);
    assert.deepEqual(sorted(averageLinkage(d, 6, 10)), ['0,1,2,3,4,5']);
    assert.deepEqual(averageLinkage(new Float64Array(0), 0, 1), []);
  });
});

describe('adjustedRandIndex', () => {
  it('is 1 for the same grouping under other names, below 1 for a different one, and about 0 for chance', () => {
    assert.equal(adjustedRandIndex([0, 0, 1, 1, 2], ['a', 'a', 'b', 'b', 'c']), 1);
    assert.equal(adjustedRandIndex([5, 5, 7, 7, 9], ['a', 'a', 'b', 'b', 'c']), 1);
    // Worked by hand: pairs within predicted 1+1 = 2, within truth 3+0 = 3, both 1, n = 5 (10 pairs):
    // expected 2*3/10 = 0.6, max 2.5, ARI = (1 - 0.6) / (2.5 - 0.6) = 0.2105...
    assert.ok(Math.abs(adjustedRandIndex([0, 0, 1, 1, 2], ['a', 'a', 'a', 'b', 'c']) - 0.4 / 1.9) < 1e-12);
    // One group against all singletons: no pair agrees beyond chance.
    assert.equal(adjustedRandIndex([0, 0, 0, 0], ['a', 'b', 'c', 'd']), 0);
    assert.throws(() => adjustedRandIndex([0], ['a', 'b']), /differ in length/);
  });
});

describe('linkSeries', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'cs-series-'));
  let store: Store;
  let fx: VerifiableCase;
  after(() => {
    store?.close();
    rmSync(root, { recursive: true, force: true });
  });
  before(async () => {
    const dir = path.join(root, 'home');
    setActiveModel(dir, (await saveTinyModel(dir, { eerThreshold: 0.5, scoring: { method: 'kk-ratio', prior: 0.4, priorWeight: 3 } })).id);
    store = openStore(dir, { client: 'cli' });
    fx = await seedVerifiableCase(store, { subjects: 2, known: 3, questioned: 3 });
  });

  it('puts every questioned signature in exactly one group, at the case threshold by default', async () => {
    const progress: number[] = [];
    const r = await linkSeries(store, fx.caseId, { onProgress: (done) => progress.push(done) });
    assert.equal(r.linkage, 'average');
    assert.equal(r.cutSource, 'model threshold');
    assert.ok(r.cut > 0);
    assert.match(r.basis, /natural variation/);
    const members = r.groups.flatMap((g) => g.members.map((m) => m.documentId)).sort((a, b) => a - b);
    assert.deepEqual(
      members,
      fx.questioned.map((q) => q.documentId).sort((a, b) => a - b),
    );
    for (const g of r.groups) {
      if (g.members.length === 1) assert.equal(g.within, null);
      else {
        assert.equal(g.within!.pairs, (g.members.length * (g.members.length - 1)) / 2);
        assert.ok(g.within!.max >= g.within!.mean && g.within!.mean > 0);
      }
    }
    assert.ok(progress.length > 0, 'embedding progress is reported');
  });

  it('a large cut makes one group, a tiny one only singletons; a bad cut is refused by name', async () => {
    const one = await linkSeries(store, fx.caseId, { cut: 1e6 });
    assert.equal(one.cutSource, 'given');
    assert.equal(one.groups.length, 1);
    assert.equal(one.groups[0]!.members.length, 6);
    const none = await linkSeries(store, fx.caseId, { cut: 1e-9 });
    assert.equal(none.groups.length, 6);
    await assert.rejects(linkSeries(store, fx.caseId, { cut: -1 }), /cut: expected a positive number/);
  });

  it('scores against truth by path and names a questioned document the truth does not know', async () => {
    const r = await linkSeries(store, fx.caseId, { cut: 1e6 });
    const truthFile = path.join(root, 'truth.json');
    const hands = Object.fromEntries(fx.questioned.map((q) => [q.path, { hand: q.genuine ? 'writer' : 'forger' }]));
    // One group against two true hands: the Rand index adjusted for chance is 0.
    assert.equal(seriesAri(r, truthFile, hands), 0);
    const missing = { ...hands };
    delete missing[fx.questioned[0]!.path];
    assert.throws(() => seriesAri(r, truthFile, missing), new RegExp(`no entry for questioned document ${fx.questioned[0]!.path.replace(/\//g, '\\/')}`));
    // A truth file that does not match its schema names the file and the field.
    const q0 = fx.questioned[0]!.path;
    assert.throws(() => seriesAri(r, truthFile, { [q0]: { subject: 'x' } }), {
      code: 'INVALID_ARGUMENT',
      message: `${truthFile}: ${q0}.hand: no 'hand' (made by an older \`synth case\`?)`,
    });
    assert.throws(() => seriesAri(r, truthFile, { ...hands, [q0]: { hand: 3 } }), {
      code: 'INVALID_ARGUMENT',
      message: `${truthFile}: ${q0}.hand: no 'hand' (made by an older \`synth case\`?)`,
    });
    assert.throws(() => seriesAri(r, truthFile, [1, 2]), { code: 'INVALID_ARGUMENT', message: new RegExp(`^${truthFile}: \\(root\\): `) });
  });
});
