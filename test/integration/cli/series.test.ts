// `countersign synth case --series` and `countersign series` as a user runs them: a series case
// generated, imported and grouped by hand, with and without the truth.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setActiveModel } from '../../../src-main/core/model/registry/registry.ts';
import { cli, lastJson, tempDir } from '../../helpers/cli.ts';
import { saveTinyModel } from '../../helpers/verify-fixture.ts';

interface SeriesJson {
  linkage: string;
  cut: number;
  groups: { members: { documentId: number; documentPath: string }[]; within: { mean: number } | null }[];
  ari?: number;
}

describe('countersign series', () => {
  const tmp = tempDir('countersign-series-');
  const home = path.join(tmp.dir, 'home');
  const folder = path.join(tmp.dir, 'case');
  const run = (...args: string[]) => cli(['--data-dir', home, ...args]);
  after(() => tmp.cleanup());

  before(async () => {
    setActiveModel(home, (await saveTinyModel(home, { scoring: { method: 'kk-ratio', prior: 0.4, priorWeight: 3 } })).id);
    const g = cli(['synth', 'case', folder, '--subjects', '2', '--known', '2', '--questioned', '1', '--series', '2', '--seed', '3', '--json']);
    assert.equal(g.status, 0, g.stderr);
    assert.equal(run('case', 'create', 'Series').status, 0);
    const i = run('import', folder, '--case', 'Series', '--json');
    assert.equal(i.status, 0, i.stderr);
  });

  it('groups every questioned document once; the adjusted Rand index only with --truth', () => {
    const r = run('series', '--case', 'Series', '--json');
    assert.equal(r.status, 0, r.stderr);
    const out = lastJson<SeriesJson>(r);
    assert.equal(out.linkage, 'average');
    assert.equal(out.ari, undefined);
    const docs = out.groups.flatMap((g) => g.members.map((m) => m.documentPath)).sort();
    // Per subject: one genuine questioned cheque and three by its series forger.
    assert.equal(docs.length, 8);
    assert.equal(new Set(docs).size, 8);

    const t = run('series', '--case', 'Series', '--truth', path.join(folder, 'truth.json'), '--json');
    assert.equal(t.status, 0, t.stderr);
    const scored = lastJson<SeriesJson>(t);
    assert.ok(typeof scored.ari === 'number' && scored.ari >= -1 && scored.ari <= 1, `ari ${scored.ari}`);

    const human = run('series', '--case', 'Series', '--cut', '1000000');
    assert.equal(human.status, 0, human.stderr);
    assert.match(human.stdout, /average linkage, cut 1000000\.000 \(given\)/);
    assert.match(human.stdout, /group 1: 8 signatures/);
  });

  it('names a bad truth file and a bad cut', () => {
    const missing = run('series', '--case', 'Series', '--truth', path.join(tmp.dir, 'nope.json'));
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, /--truth: cannot read .*nope\.json/);
    const damaged = path.join(tmp.dir, 'damaged.json');
    writeFileSync(damaged, '{"questioned/a.png": {"hand": ');
    const bad = run('series', '--case', 'Series', '--truth', damaged);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /damaged\.json: not valid JSON/);
    writeFileSync(damaged, '{"questioned/a.png": {"hand": 7}}');
    const wrong = run('series', '--case', 'Series', '--truth', damaged);
    assert.notEqual(wrong.status, 0);
    assert.match(wrong.stderr, /damaged\.json: questioned\/a\.png\.hand: no 'hand'/);
    const cut = run('series', '--case', 'Series', '--cut', 'abc');
    assert.notEqual(cut.status, 0);
    assert.match(cut.stderr, /--cut: expected a number/);
  });
});
