// The HNSW writer index (usearch): approximate candidates, exact figures; kept up to date
// from the embedding log and the audit log; persisted beside the database; rebuilt when
// missing, foreign or after a restore; sqlite-vec or the exact scan where it cannot load.
import assert from 'node:assert/strict';
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { annAvailability } from '../../../src-main/core/identify/availability.ts';
import { ANN_DIR, closeWriterIndexes, estimatedAggregate, queryPoint, writerIndexOf, writerPoint } from '../../../src-main/core/identify/ann-index.ts';
import { scoreWriter } from '../../../src-main/core/identify/rank.ts';
import { searchWriters, type SearchOptions } from '../../../src-main/core/identify/search.ts';
import { closeVectorIndex } from '../../../src-main/core/store/vector-index.ts';
import { withdrawLibrarySubject } from '../../../src-main/core/library/copy.ts';
import { openStore, type Store } from '../../../src-main/core/store/index.ts';
import { gaussianVector, seedEmbeddingLibrary, type EmbeddingLibrary } from '../../../src-main/core/synth/embedding-library.ts';
import { Rng } from '../../../src-main/core/util/random.ts';
import { distance, type DistanceMetric } from '../../../src-main/core/scoring/distance.ts';
import { tempDir, throwsCode } from '../../helpers/store.ts';

const DIM = 16;
const MODEL = 'syn-16';

const stores: Store[] = [];
function newStore(dir = tempDir('cs-ann-')): Store {
  const s = openStore(dir);
  stores.push(s);
  return s;
}
after(() => {
  for (const s of stores) {
    closeVectorIndex(s);
    closeWriterIndexes(s);
    if (s.db.open) s.close();
  }
});

function library(store: Store, writers: number, seed: number, exemplars: number | [number, number] = [3, 8]): EmbeddingLibrary {
  return seedEmbeddingLibrary(store, { writers, exemplars, dim: DIM, seed, modelId: MODEL });
}

function search(store: Store, q: Float32Array, metric: DistanceMetric, o: Partial<SearchOptions> = {}) {
  return searchWriters(store, { kind: 'library' }, { id: MODEL, dim: DIM, metric }, q, { top: 5, ...o });
}

const key = (metric: DistanceMetric = 'euclidean') => ({ modelId: MODEL, dim: DIM, metric });

describe('HNSW writer index', () => {
  it('usearch loads here (prebuilt binary from the npm package)', () => {
    const a = annAvailability();
    assert.equal(a.available, true, a.reason ?? '');
    assert.match(a.library ?? '', /^usearch \d+\.\d+\.\d+$/);
  });

  it("a writer's point gives its mean squared distance (Euclidean) and twice its mean cosine distance", () => {
    const rng = new Rng('point');
    const exemplars = Array.from({ length: 5 }, (_, i) => ({ signatureId: i + 1, vector: gaussianVector(rng, DIM, 1) }));
    const q = gaussianVector(rng, DIM, 1);
    const l2sq = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + (x - b[i]!) ** 2, 0);
    const p = writerPoint('euclidean', exemplars, DIM);
    assert.equal(p.length, DIM + 1);
    const meanSq = exemplars.reduce((s, e) => s + distance('euclidean', q, e.vector) ** 2, 0) / 5;
    assert.ok(Math.abs(l2sq(queryPoint('euclidean', q), p) - meanSq) < 1e-5);
    // Never below the aggregate (the mean distance): root mean square >= mean.
    assert.ok(estimatedAggregate('euclidean', meanSq) >= scoreWriter('euclidean', q, 1, exemplars).aggregate);
    const c = writerPoint('cosine', exemplars, DIM);
    const meanCos = scoreWriter('cosine', q, 1, exemplars).aggregate;
    assert.ok(Math.abs(estimatedAggregate('cosine', l2sq(queryPoint('cosine', q), c)) - meanCos) < 1e-5);
  });

  for (const metric of ['euclidean', 'cosine'] as const) {
    it(`${metric}: the top 5 of 2,000 clustered writers (20k exemplars) agree with the exact scan; every figure is exact`, () => {
      const store = newStore();
      const lib = library(store, 2000, metric === 'euclidean' ? 71 : 72, 10);
      const rng = new Rng(`ann-${metric}`);
      let found = 0;
      let wanted = 0;
      let firstRight = 0;
      for (let i = 0; i < 30; i++) {
        const writer = rng.int(0, lib.centres.length - 1);
        const q = i % 2 ? gaussianVector(rng, DIM, 1) : gaussianVector(rng, DIM, 0.35, lib.centres[writer]);
        const h = search(store, q, metric);
        const e = search(store, q, metric, { method: 'exact' });
        assert.equal(h.method, 'hnsw', h.note ?? '');
        assert.match(h.note ?? '', /approximate search: the 20 writers nearest by the HNSW index/);
        assert.equal(h.ranked.length, 5);
        const exact = new Set(e.ranked.map((w) => w.subjectId));
        found += h.ranked.filter((w) => exact.has(w.subjectId)).length;
        wanted += 5;
        if (i % 2 === 0 && h.ranked[0]!.subjectId === lib.subjectIds[writer]) firstRight++;
        // The index only proposes: each writer's figures are the exact scan's whenever both rank it.
        for (const w of h.ranked) {
          const same = e.ranked.find((x) => x.subjectId === w.subjectId);
          if (same) assert.deepEqual(w, same);
        }
        for (let k = 1; k < h.ranked.length; k++) assert.ok(h.ranked[k - 1]!.aggregate <= h.ranked[k]!.aggregate);
      }
      assert.ok(found / wanted >= 0.97, `recall@5 ${found}/${wanted}`);
      // usearch builds its graph on several threads, so the graph (not the data) differs from run
      // to run and an approximate search can, rarely, leave the true writer out of its 20
      // candidates: one miss in 15 is within the recall asserted above (seen once in CI, 14 of 15).
      assert.ok(firstRight >= 14, `a questioned signature near a writer finds that writer first (${firstRight} of 15)`);
    });
  }

  it('is updated incrementally: an enrolled writer is added, deleted embeddings and a withdrawal take writers out', () => {
    const store = newStore();
    library(store, 60, 81);
    const q = gaussianVector(new Rng('late'), DIM, 1);
    const first = search(store, q, 'euclidean');
    assert.equal(first.annSync?.rebuilt, 'no saved index');
    assert.equal(first.annSync?.writers, 60);
    // A writer enrolled right where the query is comes first; only that writer is refreshed.
    const late = seedEmbeddingLibrary(store, { writers: 1, exemplars: 3, dim: DIM, seed: 82, modelId: MODEL, vector: () => q });
    const second = search(store, q, 'euclidean');
    assert.deepEqual([second.annSync?.rebuilt, second.annSync?.refreshed, second.annSync?.writers], [null, 1, 61]);
    assert.equal(second.ranked[0]!.subjectId, late.subjectIds[0]);
    assert.equal(second.ranked[0]!.aggregate, 0);
    // Nothing changed: nothing refreshed, nothing saved.
    const again = search(store, q, 'euclidean');
    assert.deepEqual([again.annSync?.refreshed, again.annSync?.saved], [0, false]);
    // `library remove` (audit-logged withdrawal) takes the writer out of the index.
    withdrawLibrarySubject(store, late.subjectIds[0]!, 'enrolled twice');
    const third = search(store, q, 'euclidean');
    assert.deepEqual([third.annSync?.refreshed, third.annSync?.writers], [1, 60]);
    assert.deepEqual(third.ranked, search(store, q, 'euclidean', { method: 'exact' }).ranked);
    // Embeddings deleted (derived data may be recomputed): that writer leaves the index.
    const gone = first.ranked[0]!.subjectId;
    store.write(() =>
      store.db
        .prepare('DELETE FROM embeddings WHERE signature_id IN (SELECT s.id FROM signatures s JOIN documents d ON d.id = s.document_id WHERE d.subject_id = ?)')
        .run(gone),
    );
    const fourth = search(store, q, 'euclidean');
    assert.deepEqual([fourth.annSync?.refreshed, fourth.annSync?.writers], [1, 59]);
    assert.ok(!fourth.ranked.some((w) => w.subjectId === gone));
  });

  it('is rebuilt when a search comes back short (a writer no longer reachable after removals) and the search still ranks every writer', () => {
    const store = newStore();
    library(store, 30, 83);
    const q = gaussianVector(new Rng('short'), DIM, 1);
    const exact = search(store, q, 'euclidean', { method: 'exact' }).ranked;
    const index = writerIndexOf(store, key());
    index.sync();
    // What a damaged graph does (seen about once in 3,000 searches after a removal): one live
    // writer, here the nearest, is missing from the answer. Injected, as usearch gives no way to
    // make it happen on purpose.
    const damaged = (index as unknown as { index: { search: (...a: unknown[]) => { keys: BigUint64Array; distances: Float32Array } } }).index;
    const real = damaged.search.bind(damaged);
    damaged.search = (...a: unknown[]) => {
      const m = real(...a);
      return { keys: m.keys.slice(1), distances: m.distances.slice(1) };
    };
    const r = search(store, q, 'euclidean');
    assert.equal(r.method, 'hnsw');
    assert.match(r.note ?? '', /rebuilt from the database/);
    assert.deepEqual(r.ranked, exact);
    // The rebuilt index answers in full: no second rebuild.
    const again = search(store, q, 'euclidean');
    assert.doesNotMatch(again.note ?? '', /rebuilt/);
    assert.deepEqual(again.ranked, exact);
    assert.deepEqual([index.nearest(q, 100).items.length, index.nearest(q, 100).complete], [30, true]);
  });

  it('builds small indexes that reach every writer: 12 libraries of 40-200 writers, each asked for all of them', () => {
    // Built on two idle cores, 8.8 % of such searches came back short at 30 writers (CI saw it once).
    let short = 0;
    for (let i = 0; i < 12; i++) {
      const store = newStore();
      const writers = 40 + 15 * i;
      library(store, writers, 200 + i, 3);
      const index = writerIndexOf(store, key());
      index.sync();
      const rng = new Rng(`all-${i}`);
      for (let j = 0; j < 10; j++) {
        const near = index.nearest(gaussianVector(rng, DIM, 1), 256);
        // A short answer is repaired (rebuilt) before it is returned: count those.
        if (near.repaired || near.items.length < writers) short++;
      }
    }
    assert.equal(short, 0, `${short} of 120 searches missed a writer before a rebuild`);
  });

  it('falls back to the exact scan when even the rebuilt index comes back short, and says so', () => {
    const store = newStore();
    library(store, 30, 84);
    const q = gaussianVector(new Rng('short-twice'), DIM, 1);
    const exact = search(store, q, 'euclidean', { method: 'exact' }).ranked;
    const index = writerIndexOf(store, key());
    // Every search of the index, before and after the rebuild, misses its nearest writer.
    const patched = index as unknown as { searchIndex: (query: Float32Array, n: number) => { subjectId: number; l2sq: number }[] };
    const real = patched.searchIndex.bind(index);
    patched.searchIndex = (query, n) => real(query, n).slice(1);
    const r = search(store, q, 'euclidean');
    assert.equal(r.method, 'exact');
    assert.match(r.note ?? '', /returned 29 of the writers it was asked for, even rebuilt.*the exact scan decided/);
    assert.deepEqual(r.ranked, exact);
    assert.equal(index.nearest(q, 100).complete, false);
  });

  it('is saved beside the database and loaded by the next process; rebuilt when missing, unreadable or from another database', () => {
    const store = newStore();
    library(store, 40, 91);
    const q = gaussianVector(new Rng('saved'), DIM, 1);
    const first = search(store, q, 'euclidean');
    assert.equal(first.annSync?.saved, true);
    const dir = path.join(store.dataDir, ANN_DIR);
    const files = readdirSync(dir).sort();
    assert.equal(files.length, 2);
    assert.match(files[0]!, /^syn-16-16-euclidean\.json$/);
    assert.match(files[1]!, /^syn-16-16-euclidean\..+\.usearch$/);

    // A new process (the index forgotten): loaded from disk, nothing to catch up.
    closeWriterIndexes(store);
    const loaded = search(store, q, 'euclidean');
    assert.deepEqual([loaded.annSync?.rebuilt, loaded.annSync?.refreshed, loaded.annSync?.writers], [null, 0, 40]);
    assert.deepEqual(loaded.ranked, first.ranked);

    // Enrolments made while no process held the index are caught up from the log when loaded.
    closeWriterIndexes(store);
    library(store, 2, 92);
    const caught = search(store, q, 'euclidean');
    assert.deepEqual([caught.annSync?.rebuilt, caught.annSync?.refreshed, caught.annSync?.writers], [null, 2, 42]);

    // Deleted: rebuilt from the embeddings table.
    closeWriterIndexes(store);
    rmSync(dir, { recursive: true });
    const rebuilt = search(store, q, 'euclidean');
    assert.equal(rebuilt.annSync?.rebuilt, 'no saved index');
    assert.equal(rebuilt.annSync?.writers, 42);

    // Its JSON with a field of the wrong type (damaged, hand-edited): rebuilt, not trusted.
    closeWriterIndexes(store);
    const metaFile = path.join(dir, files[0]!);
    writeFileSync(metaFile, JSON.stringify({ ...JSON.parse(readFileSync(metaFile, 'utf8')), syncedSeq: '0' }));
    const damaged = search(store, q, 'euclidean');
    assert.match(damaged.annSync?.rebuilt ?? '', /does not match/);
    assert.equal(damaged.annSync?.writers, 42);

    // A truncated index file: rebuilt, not trusted.
    closeWriterIndexes(store);
    const usearchFile = readdirSync(dir).find((f) => f.endsWith('.usearch'))!;
    rmSync(path.join(dir, usearchFile));
    const broken = search(store, q, 'euclidean');
    assert.match(broken.annSync?.rebuilt ?? '', /does not match/);
    assert.equal(broken.annSync?.writers, 42);

    // The index of another data directory is not trusted.
    const other = newStore();
    library(other, 5, 93);
    closeWriterIndexes(store);
    cpSync(dir, path.join(other.dataDir, ANN_DIR), { recursive: true });
    const foreign = search(other, q, 'euclidean');
    assert.match(foreign.annSync?.rebuilt ?? '', /does not match/);
    assert.equal(foreign.annSync?.writers, 5);
  });

  it('a database put back from an older copy (a restore) is not searched with the newer index: rebuilt', () => {
    const store = newStore();
    library(store, 30, 101);
    const q = gaussianVector(new Rng('restore'), DIM, 1);
    const before = search(store, q, 'euclidean');
    // The older copy: same database (same first audit row), fewer embeddings.
    const target = tempDir('cs-ann-restore-');
    store.db.exec(`VACUUM INTO '${path.join(target, 'countersign.db')}'`);
    library(store, 10, 102);
    assert.equal(search(store, q, 'euclidean').annSync?.writers, 40);
    closeWriterIndexes(store);
    cpSync(path.join(store.dataDir, ANN_DIR), path.join(target, ANN_DIR), { recursive: true });
    const restored = newStore(target);
    const after = search(restored, q, 'euclidean');
    assert.match(after.annSync?.rebuilt ?? '', /ahead of the database/);
    assert.equal(after.annSync?.writers, 30);
    assert.deepEqual(after.ranked, before.ranked);
    // Without any index file (a restore into a new directory): built at the first search.
    closeWriterIndexes(restored);
    rmSync(path.join(target, ANN_DIR), { recursive: true });
    const fresh = search(restored, q, 'euclidean');
    assert.equal(fresh.annSync?.rebuilt, 'no saved index');
    assert.deepEqual(fresh.ranked, before.ranked);
  });

  it('where usearch cannot be used, sqlite-vec searches (exactly) and an explicit HNSW request is refused', () => {
    const store = newStore();
    const lib = library(store, 30, 111);
    const q = gaussianVector(new Rng('off'), DIM, 0.3, lib.centres[0]);
    process.env.COUNTERSIGN_ANN = 'off';
    try {
      assert.deepEqual(annAvailability(), { available: false, library: null, reason: 'turned off (COUNTERSIGN_ANN=off)' });
      const r = search(store, q, 'euclidean');
      assert.equal(r.method, 'sqlite-vec');
      assert.deepEqual(r.ranked, search(store, q, 'euclidean', { method: 'exact' }).ranked);
      throwsCode(() => search(store, q, 'euclidean', { method: 'index', engine: 'hnsw' }), 'UNAVAILABLE', 'COUNTERSIGN_ANN=off');
      assert.throws(() => writerIndexOf(store, key()), /COUNTERSIGN_ANN=off/);
    } finally {
      delete process.env.COUNTERSIGN_ANN;
    }
    assert.equal(search(store, q, 'euclidean').method, 'hnsw');
  });

  it('refuses a bad candidate or re-rank count, naming it', () => {
    const store = newStore();
    library(store, 5, 121);
    const q = gaussianVector(new Rng('bad'), DIM, 1);
    throwsCode(() => search(store, q, 'euclidean', { rerank: 0 }), 'INVALID_ARGUMENT', 'rerank');
    throwsCode(() => search(store, q, 'euclidean', { candidates: 1.5 }), 'INVALID_ARGUMENT', 'candidates');
  });
});
