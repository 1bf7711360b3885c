// The identification search: sqlite-vec with exact re-ranking gives the exact scan's top k
// (same writers, order, aggregates and distances), checked against an independent brute force.
// These tests pin the sqlite-vec engine; the HNSW writer index has its own (ann-index.test.ts).
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { searchWriters, type SearchOptions } from '../../../src-main/core/identify/search.ts';
import { vectorSearchAvailability } from '../../../src-main/core/identify/availability.ts';
import { closeVectorIndex, INDEX_FILE, vectorIndexOf } from '../../../src-main/core/store/vector-index.ts';
import { openStore, type Store } from '../../../src-main/core/store/index.ts';
import { gaussianVector, seedEmbeddingLibrary, type EmbeddingLibrary } from '../../../src-main/core/synth/embedding-library.ts';
import { Rng } from '../../../src-main/core/util/random.ts';
import { distance, type DistanceMetric } from '../../../src-main/core/scoring/distance.ts';
import { tempDir, throwsCode } from '../../helpers/store.ts';

const DIM = 16;
const MODEL = 'syn-16';

function library(store: Store, o: { writers: number; seed: number; kind?: 'clustered' | 'uniform'; ties?: boolean }): EmbeddingLibrary {
  const rng = new Rng(`vectors-${o.seed}`);
  const base: Float32Array[][] = [];
  // With ties: every third writer repeats an earlier writer's exemplars exactly, so equal
  // aggregates are common and ranks must be decided by subject id.
  const vector = o.ties
    ? (w: number, e: number) => {
        const src = w % 3 === 2 ? w - 1 - (w % 2) : w;
        base[src] ??= [];
        base[src][e] ??= gaussianVector(rng, DIM, 1);
        return base[src][e];
      }
    : undefined;
  return seedEmbeddingLibrary(store, {
    writers: o.writers,
    exemplars: o.ties ? 3 : [1, 6],
    dim: DIM,
    seed: o.seed,
    modelId: MODEL,
    kind: o.kind ?? 'clustered',
    ...(vector ? { vector } : {}),
  });
}

/** Every writer's mean distance computed here from the rows, sorted by (aggregate, subject id). */
function bruteForce(store: Store, q: Float32Array, metric: DistanceMetric, top: number) {
  const rows = store.db
    .prepare(
      `SELECT d.subject_id AS w, e.vector AS v FROM embeddings e JOIN signatures s ON s.id = e.signature_id JOIN documents d ON d.id = s.document_id
       JOIN subjects sub ON sub.id = d.subject_id WHERE e.model_id = ? AND d.status = 'ready' AND s.status <> 'rejected' AND sub.withdrawn_at IS NULL ORDER BY s.id`,
    )
    .all(MODEL) as { w: number; v: Buffer }[];
  const sums = new Map<number, number[]>();
  for (const r of rows)
    sums.set(r.w, [...(sums.get(r.w) ?? []), distance(metric, q, new Float32Array(r.v.buffer.slice(r.v.byteOffset, r.v.byteOffset + r.v.byteLength)))]);
  return [...sums]
    .map(([w, ds]) => ({ subjectId: w, aggregate: ds.reduce((s, x) => s + x, 0) / ds.length }))
    .sort((a, b) => a.aggregate - b.aggregate || a.subjectId - b.subjectId)
    .slice(0, top);
}

function search(store: Store, q: Float32Array, metric: DistanceMetric, o: Partial<SearchOptions> = {}) {
  return searchWriters(store, { kind: 'library' }, { id: MODEL, dim: DIM, metric }, q, { top: 5, engine: 'sqlite-vec', ...o });
}

const stores: Store[] = [];
function newStore(): Store {
  const s = openStore(tempDir('cs-identify-'));
  stores.push(s);
  return s;
}
after(() => {
  for (const s of stores) {
    closeVectorIndex(s);
    s.close();
  }
});

describe('identification search', () => {
  it('the extension loads on this machine', () => {
    const v = vectorSearchAvailability();
    assert.equal(v.available, true, v.reason ?? '');
    assert.match(v.version ?? '', /^v0\.1\./);
  });

  for (const metric of ['euclidean', 'cosine'] as const) {
    for (const kind of ['clustered', 'uniform'] as const) {
      it(`${metric}, ${kind} random data: sqlite-vec and the exact scan return the same top k as a brute force`, () => {
        const store = newStore();
        const lib = library(store, { writers: 400, seed: kind === 'uniform' ? 11 : 12, kind });
        const rng = new Rng(`q-${metric}-${kind}`);
        let early = 0;
        let secondStage = 0;
        for (let i = 0; i < 24; i++) {
          const near = lib.centres[rng.int(0, lib.centres.length - 1)]!;
          const q = i % 2 ? gaussianVector(rng, DIM, 1) : gaussianVector(rng, DIM, 0.35, near);
          const top = kind === 'uniform' ? 5 + 5 * (i % 8) : 1 + (i % 7);
          const vec = search(store, q, metric, { top });
          const exact = search(store, q, metric, { top, method: 'exact' });
          assert.equal(vec.method, 'sqlite-vec', vec.note ?? '');
          assert.equal(exact.method, 'exact');
          assert.deepEqual(vec.ranked, exact.ranked, `query ${i}`);
          assert.deepEqual(
            exact.ranked.map((w) => ({ subjectId: w.subjectId, aggregate: w.aggregate })),
            bruteForce(store, q, metric, top),
            `query ${i}`,
          );
          if (vec.neighboursRead < lib.exemplars) early++;
          if (vec.neighboursRead > 256) secondStage++;
        }
        // Clustered data lets the search stop long before the end of the index.
        if (kind === 'clustered') assert.ok(early >= 12, `stopped early on ${early} of 24 queries`);
        // Without writer structure the first 256 neighbours rarely settle it: the larger k runs too.
        else assert.ok(secondStage >= 3, `a second KNN query on ${secondStage} of 24 queries`);
      });
    }
  }

  it('ties: equal aggregates are ranked by subject id, identically by both methods, at the k-th place too', () => {
    const store = newStore();
    library(store, { writers: 150, seed: 21, ties: true });
    const rng = new Rng('ties');
    let tiedAtCut = 0;
    for (let i = 0; i < 30; i++) {
      const q = gaussianVector(rng, DIM, 1);
      const top = 2 + (i % 5);
      const vec = search(store, q, 'euclidean', { top });
      const exact = search(store, q, 'euclidean', { top, method: 'exact' });
      assert.deepEqual(vec.ranked, exact.ranked);
      const all = bruteForce(store, q, 'euclidean', 1000);
      assert.deepEqual(
        exact.ranked.map((w) => w.subjectId),
        all.slice(0, top).map((w) => w.subjectId),
      );
      if (all[top - 1]!.aggregate === all[top]!.aggregate) tiedAtCut++;
      for (let k = 1; k < exact.ranked.length; k++) {
        const [a, b] = [exact.ranked[k - 1]!, exact.ranked[k]!];
        assert.ok(a.aggregate < b.aggregate || (a.aggregate === b.aggregate && a.subjectId < b.subjectId));
      }
    }
    assert.ok(tiedAtCut >= 5, `a tie straddled the cut in ${tiedAtCut} queries`);
  });

  it('too few neighbours to settle: the exact scan decides, says so, and the result is the same', () => {
    const store = newStore();
    const lib = library(store, { writers: 200, seed: 31 });
    const q = gaussianVector(new Rng('few'), DIM, 0.35, lib.centres[3]);
    const r = search(store, q, 'euclidean', { maxNeighbours: 4 });
    assert.equal(r.method, 'exact');
    assert.match(r.note ?? '', /did not settle/);
    assert.deepEqual(r.ranked, search(store, q, 'euclidean', { method: 'exact' }).ranked);
  });

  it('withdrawn writers, excluded documents and rejected signatures are not ranked by either method; the query itself is left out', () => {
    const store = newStore();
    const lib = library(store, { writers: 60, seed: 41 });
    const q = gaussianVector(new Rng('gone'), DIM, 0.1, lib.centres[5]);
    const first = search(store, q, 'euclidean');
    const best = first.ranked[0]!.subjectId;
    assert.equal(best, lib.subjectIds[5]);
    store.write(() => store.db.prepare("UPDATE subjects SET withdrawn_at = 'x', withdrawn_reason = 'test' WHERE id = ?").run(best));
    const second = first.ranked[1]!.subjectId;
    store.write(() => store.db.prepare("UPDATE documents SET status = 'excluded' WHERE subject_id = ?").run(second));
    const third = first.ranked[2]!;
    const rejected = third.distances[0]!.signatureId;
    store.write(() => store.db.prepare("UPDATE signatures SET status = 'rejected' WHERE id = ?").run(rejected));
    const after = search(store, q, 'euclidean');
    assert.deepEqual(after.ranked, search(store, q, 'euclidean', { method: 'exact' }).ranked);
    const ids = after.ranked.map((w) => w.subjectId);
    assert.ok(!ids.includes(best) && !ids.includes(second));
    const t = after.ranked.find((w) => w.subjectId === third.subjectId);
    if (t) assert.ok(!t.distances.some((d) => d.signatureId === rejected));
    // The questioned signature's own row never counts as an exemplar.
    const own = store.db
      .prepare('SELECT s.id FROM signatures s JOIN documents d ON d.id = s.document_id WHERE d.subject_id = ? LIMIT 1')
      .pluck()
      .get(lib.subjectIds[9]) as number;
    const v = search(store, q, 'euclidean', { top: 60, exclude: { signatureId: own } });
    assert.ok(v.ranked.every((w) => w.distances.every((d) => d.signatureId !== own)));
    assert.deepEqual(v.ranked, search(store, q, 'euclidean', { top: 60, method: 'exact', exclude: { signatureId: own } }).ranked);
  });

  it('the index catches up with new embeddings from the log, and is rebuilt when deleted or built from another database', () => {
    const store = newStore();
    const lib = library(store, { writers: 50, seed: 51 });
    const q = gaussianVector(new Rng('late'), DIM, 1);
    const first = search(store, q, 'euclidean');
    assert.equal(first.sync?.added, lib.exemplars);
    // A writer enrolled later right where the query is: it must come first.
    const late = seedEmbeddingLibrary(store, { writers: 1, exemplars: 3, dim: DIM, seed: 52, modelId: MODEL, vector: () => q });
    const second = search(store, q, 'euclidean');
    assert.equal(second.sync?.added, 3);
    assert.equal(second.ranked[0]!.subjectId, late.subjectIds[0]);
    assert.equal(second.ranked[0]!.aggregate, 0);
    // Deleting an embedding (derived data may be recomputed) removes it from the index too.
    store.write(() =>
      store.db
        .prepare('DELETE FROM embeddings WHERE signature_id IN (SELECT s.id FROM signatures s JOIN documents d ON d.id = s.document_id WHERE d.subject_id = ?)')
        .run(late.subjectIds[0]),
    );
    const third = search(store, q, 'euclidean');
    assert.equal(third.sync?.removed, 3);
    assert.deepEqual(third.ranked, first.ranked);

    closeVectorIndex(store);
    for (const f of [INDEX_FILE, `${INDEX_FILE}-wal`, `${INDEX_FILE}-shm`]) rmSync(path.join(store.dataDir, f), { force: true });
    const rebuilt = search(store, q, 'euclidean');
    assert.equal(rebuilt.sync?.added, lib.exemplars);
    assert.deepEqual(rebuilt.ranked, first.ranked);

    // An index file from another data directory is not trusted.
    const other = newStore();
    library(other, { writers: 5, seed: 53 });
    closeVectorIndex(store);
    closeVectorIndex(other);
    search(other, q, 'euclidean');
    closeVectorIndex(other);
    for (const ext of ['', '-wal', '-shm']) rmSync(path.join(other.dataDir, INDEX_FILE + ext), { force: true });
    for (const ext of ['', '-wal'])
      if (existsSync(path.join(store.dataDir, INDEX_FILE + ext)))
        copyFileSync(path.join(store.dataDir, INDEX_FILE + ext), path.join(other.dataDir, INDEX_FILE + ext));
    const foreign = search(other, q, 'euclidean');
    assert.equal(foreign.sync?.added, other.db.prepare('SELECT count(*) FROM embeddings').pluck().get());
    assert.deepEqual(foreign.ranked, search(other, q, 'euclidean', { method: 'exact' }).ranked);
  });

  it('where the extension cannot be loaded, the exact scan runs and says why; --index then refuses', () => {
    const store = newStore();
    const lib = library(store, { writers: 30, seed: 61 });
    const q = gaussianVector(new Rng('noext'), DIM, 0.3, lib.centres[0]);
    const reference = search(store, q, 'euclidean', { method: 'exact' }).ranked;
    process.env.COUNTERSIGN_SQLITE_VEC = path.join(store.dataDir, 'no-such-extension.so');
    try {
      assert.equal(vectorSearchAvailability().available, false);
      const r = search(store, q, 'euclidean');
      assert.equal(r.method, 'exact');
      assert.match(r.note ?? '', /cannot be loaded/);
      assert.deepEqual(r.ranked, reference);
      throwsCode(() => search(store, q, 'euclidean', { method: 'index' }), 'UNAVAILABLE', 'sqlite-vec');
    } finally {
      delete process.env.COUNTERSIGN_SQLITE_VEC;
    }
    assert.equal(vectorSearchAvailability().available, true);
    assert.equal(search(store, q, 'euclidean').method, 'sqlite-vec');
    assert.ok(vectorIndexOf(store).vectors({ modelId: MODEL, dim: DIM, metric: 'euclidean' }) > 0);
  });
});
