// `countersign library enrol|list|remove`, `identify` and `eval --identify` as a user runs them:
// real child processes on a temporary data directory, real images and embeddings.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { enrolFiles } from '../../../src-main/core/library/enrol.ts';
import { setActiveModel } from '../../../src-main/core/model/registry/registry.ts';
import { openStore } from '../../../src-main/core/store/index.ts';
import { generateDataset } from '../../../src-main/core/synth/index.ts';
import { cli, lastJson, tempDir } from '../../helpers/cli.ts';
import { saveTinyModel } from '../../helpers/verify-fixture.ts';

interface Identification {
  ok: boolean;
  id: number;
  method: string;
  outcome: string;
  statement: string;
  writersSearched: number;
  candidates: { name: string; aggregate: number; llr: number | null; exemplars: unknown[] }[];
}

describe('countersign library and identify', () => {
  const tmp = tempDir('countersign-identify-');
  const home = path.join(tmp.dir, 'home');
  const images = path.join(tmp.dir, 'images');
  const file = (w: string, i: number) => path.join(images, w, 'genuine', `${w}-g${String(i).padStart(2, '0')}.png`);
  const run = (...args: string[]) => cli(['--data-dir', home, ...args]);
  after(() => tmp.cleanup());

  before(async () => {
    await generateDataset(images, { writers: 4, genuine: 4, forged: 0, seed: 8 });
    setActiveModel(home, (await saveTinyModel(home)).id);
    // Two writers enrolled in-process (without embeddings: identify computes them); one through the CLI below.
    const store = openStore(home);
    try {
      for (const w of ['w0002', 'w0003']) await enrolFiles(store, { name: `Writer ${w}`, paths: [file(w, 1), file(w, 2), file(w, 3)], modelId: null });
    } finally {
      store.close();
    }
  });

  it('enrols writers from image files, lists them, and refuses a missing folder by name', () => {
    const r = run('library', 'enrol', 'Writer w0001', file('w0001', 1), file('w0001', 2), file('w0001', 3), '--json');
    assert.equal(r.status, 0, r.stderr);
    const out = lastJson<{ totals: { enrolled: number }; model: { embedded: number } }>(r);
    assert.equal(out.totals.enrolled, 3);
    assert.equal(out.model.embedded, 3);
    const human = run('library', 'list');
    assert.equal(human.status, 0, human.stderr);
    assert.match(human.stdout, /Writer w0001\s+3\s+3\s+3\s+0\s+active/);
    assert.match(human.stdout, /Writer w0002\s+3\s+0\s+3\s+0\s+active/);
    const missing = run('library', 'enrol', 'Nobody', path.join(tmp.dir, 'nowhere'));
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /nowhere: no such file or folder/);
  });

  it('identifies an image file with the HNSW index, and the exact scan agrees; human output has the table and the outcome in words', () => {
    const r = run('identify', file('w0002', 4), '--json');
    assert.equal(r.status, 0, r.stderr);
    const a = lastJson<Identification>(r);
    assert.equal(a.ok, true);
    assert.equal(a.method, 'hnsw');
    assert.equal(a.writersSearched, 3);
    assert.equal(a.candidates.length, 3);
    const e = lastJson<Identification>(run('identify', file('w0002', 4), '--exact', '--json'));
    assert.equal(e.method, 'exact');
    assert.deepEqual(
      e.candidates.map((c) => [c.name, c.aggregate]),
      a.candidates.map((c) => [c.name, c.aggregate]),
    );
    const human = run('identify', file('w0002', 4), '--top', '2', '--threshold', '0.000001');
    assert.equal(human.status, 0, human.stderr);
    assert.match(human.stdout, /RANK\s+WRITER\s+MEAN DIST/);
    assert.match(human.stdout, /No enrolled writer is close enough/);
    assert.equal(human.stdout.match(/^\s+\d\s+Writer w000\d/gm)?.length, 2);
  });

  it('refuses bad input with the field named, and withdraws a writer only with a reason', () => {
    const both = run('identify', file('w0001', 4), '--case', 'x', '--library');
    assert.equal(both.status, 2, 'options that cannot go together: a usage error');
    assert.match(both.stderr, /--case and --library/);
    const noReason = run('library', 'remove', 'Writer w0003');
    assert.equal(noReason.status, 1);
    assert.match(noReason.stderr, /--reason/);
    const removed = run('library', 'remove', 'Writer w0003', '--reason', 'enrolled twice', '--json');
    assert.equal(removed.status, 0, removed.stderr);
    const after = lastJson<Identification>(run('identify', file('w0003', 4), '--json'));
    assert.equal(after.writersSearched, 2);
    assert.ok(!after.candidates.some((c) => c.name === 'Writer w0003'));
  });

  it('eval --identify reports C-way one-shot accuracy beside chance, all-enrolled and open-set figures; its flags need --identify', () => {
    const r = cli(['--data-dir', home, 'eval', '--identify', '--data', images, '--ways', '3', '--episodes', '20', '--held-out', '0.25', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const e = lastJson<{
      episodes: { ways: number; shots: number; queries: number; accuracy: number; chance: number };
      writers: { enrolled: number; heldOut: number };
      openSet: { heldOutQueries: number; rejectionRate: number; falseRejectionRate: number } | null;
      protocol: { seed: number };
    }>(r);
    assert.deepEqual([e.episodes.ways, e.episodes.shots, e.episodes.queries], [3, 1, 60]);
    assert.equal(e.episodes.chance, 1 / 3);
    assert.ok(e.episodes.accuracy >= 0 && e.episodes.accuracy <= 1);
    assert.deepEqual([e.writers.enrolled, e.writers.heldOut], [3, 1]);
    assert.equal(e.openSet?.heldOutQueries, 4);
    const wrong = cli(['--data-dir', home, 'eval', '--data', images, '--shots', '2']);
    assert.equal(wrong.status, 2, 'a usage error');
    assert.match(wrong.stderr, /--shots: only with --identify/);
  });

  it('left an audit trail that verifies: enrolments, identifications, the withdrawal', () => {
    const v = run('audit', 'verify', '--json');
    assert.equal(lastJson<{ ok: boolean }>(v).ok, true);
    const db = new Database(path.join(home, 'countersign.db'), { readonly: true });
    try {
      const actions = db
        .prepare("SELECT action, count(*) AS n FROM audit_log WHERE action LIKE 'library.%' OR action = 'identify.query' GROUP BY action ORDER BY action")
        .all();
      assert.deepEqual(actions, [
        { action: 'identify.query', n: 4 },
        { action: 'library.enrol', n: 3 },
        { action: 'library.remove', n: 1 },
      ]);
      assert.equal(db.prepare('SELECT count(*) FROM identifications').pluck().get(), 4);
    } finally {
      db.close();
    }
  });
});
