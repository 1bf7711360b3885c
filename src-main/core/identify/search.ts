/**
 * Finding the top-k writers for a query vector: through the HNSW writer index (approximate
 * candidates, exact ranking), through the sqlite-vec index or by exact scan (both exact).
 *
 * HNSW (library scope, where usearch loads; ann-index.ts): the index returns the writers
 * nearest to q by mean squared distance to their exemplars (`candidates` of them: the
 * search beam), nearest first; the first `rerank` of those have their aggregate computed
 * exactly over ALL their exemplars, read from the embeddings table, and the best k are
 * returned in the exact order. The index is approximate: a writer it does not propose is
 * not ranked, so the top k can differ from the exact scan's (recall measured in
 * docs/benchmarks.md); the figures of every writer returned are exact.
 *
 * Exact scan: every candidate writer's aggregate (mean distance to its exemplars), ranked.
 *
 * Index search (library scope): read the indexed exemplars nearest to q in order; for each
 * writer met for the first time, compute its exact aggregate over ALL its exemplars (read
 * from the embeddings table, not from the index) and keep the best k. Stop as soon as the
 * distance of the next exemplar exceeds the k-th best aggregate: a writer not met yet has
 * every exemplar at least that far away, and a mean is never below its smallest term, so
 * its aggregate is larger still and it cannot enter the top k (strictly larger, so it
 * cannot tie either). If the nearest VEC_MAX_K exemplars do not settle it, the exact scan
 * runs instead. Either way the top k are the exact scan's, in the same order, with the same
 * numbers (tests: test/integration/identify/search.test.ts).
 */
import { AppError } from '../errors.ts';
import type { Store } from '../store/index.ts';
import type { DistanceMetric } from '../scoring/distance.ts';
import { inReadTransaction, isInTransaction } from '../store/transactions.ts';
import { ExemplarReader, scanExemplars, type Exclusions, type Scope } from '../store/exemplars.ts';
import { scoreWriter, TopWriters, type WriterScore } from './rank.ts';
import { annAvailability, vectorSearchAvailability, type SearchMethod } from './availability.ts';
import { writerIndexOf, type AnnSyncResult } from './ann-index.ts';
import { lowerBound, VEC_MAX_K, vectorIndexOf, type SyncResult } from '../store/vector-index.ts';

export { writerSearchInfo, type SearchMethod, type WriterSearchInfo } from './availability.ts';

export interface ModelKey {
  id: string;
  dim: number;
  metric: DistanceMetric;
}

export interface SearchOptions {
  top: number;
  /** 'auto': an index for the library where one loads; 'exact'; 'index': an index or an error. */
  method?: 'auto' | 'exact' | 'index';
  /** Which index 'auto' and 'index' use: by default HNSW where usearch loads, else sqlite-vec. */
  engine?: 'hnsw' | 'sqlite-vec';
  /** HNSW: writers the index returns (its search beam; default HNSW_CANDIDATES). */
  candidates?: number;
  /** HNSW: how many of them, nearest first, are ranked exactly (default rerankCount(top)). */
  rerank?: number;
  exclude?: Exclusions;
  /** How many nearest exemplars the index search reads before falling back (at most 4096). */
  maxNeighbours?: number;
}

export interface SearchResult {
  ranked: WriterScore[];
  method: SearchMethod;
  /** Why the exact scan ran where an index might have, or how an approximate result was found; null for the plain exact scan and sqlite-vec. */
  note: string | null;
  /** Writers whose aggregate was computed. */
  writersScored: number;
  /** Index rows read: exemplars (sqlite-vec) or candidate writers (HNSW); 0 for the exact scan. */
  neighboursRead: number;
  sync: SyncResult | null;
  annSync: AnnSyncResult | null;
  seconds: number;
}

function exactScan(store: Store, scope: Scope, model: ModelKey, q: Float32Array, top: number, exclude: Exclusions): { ranked: WriterScore[]; scored: number } {
  const best = new TopWriters(top);
  let scored = 0;
  for (const w of scanExemplars(store, scope, model.id, exclude)) {
    best.offer(scoreWriter(model.metric, q, w.subjectId, w.exemplars));
    scored++;
  }
  return { ranked: best.items, scored };
}

/**
 * Rows a first KNN query asks for: the queries measured needed about 100 (docs/benchmarks.md),
 * and a smaller k costs less; only when they do not settle the ranking is VEC_MAX_K asked for.
 */
const FIRST_K = 256;

function indexSearch(store: Store, scope: Scope, model: ModelKey, q: Float32Array, top: number, exclude: Exclusions, limit: number) {
  const index = vectorIndexOf(store);
  const key = { modelId: model.id, dim: model.dim, metric: model.metric };
  const sync = index.sync(key);
  const reader = new ExemplarReader(store, scope, model.id, exclude);
  const best = new TopWriters(top);
  const seen = new Set<number>();
  let read = 0;
  for (const k of [...new Set([Math.min(FIRST_K, limit), limit])]) {
    // A larger k returns the same nearest rows first: skip what the smaller one already gave.
    let row = 0;
    for (const n of index.neighbours(key, q, k)) {
      if (row++ < read) continue;
      if (best.full && lowerBound(model.metric, n.estimate) > best.bar) return { settled: true, ranked: best.items, scored: seen.size, read, sync };
      read++;
      const writer = reader.writerOf(n.signatureId);
      if (writer === undefined || seen.has(writer)) continue;
      seen.add(writer);
      const exemplars = reader.exemplarsOf(writer);
      if (exemplars.length) best.offer(scoreWriter(model.metric, q, writer, exemplars));
    }
    // Fewer rows than asked for: the index holds no more, so every candidate was met.
    if (row < k) return { settled: true, ranked: best.items, scored: seen.size, read, sync };
  }
  return { settled: false, ranked: best.items, scored: seen.size, read, sync };
}

/**
 * HNSW search beam: the writers the index returns per query. Recall grows with it and so
 * does the time (about 0.7 ms at 256 and 1.1 ms at 512 over 100,000 writers here).
 */
export const HNSW_CANDIDATES = 256;

/**
 * Writers ranked exactly per query: reading a writer's exemplars from the database is what
 * costs (0.05-0.3 ms each at a million embeddings), and beyond 4k the index's order is
 * already right about the top k (recall with this count: docs/benchmarks.md; no sweep of
 * the count is recorded).
 */
export function rerankCount(top: number): number {
  return Math.max(20, 4 * top);
}

function hnswSearch(store: Store, scope: Scope, model: ModelKey, q: Float32Array, top: number, exclude: Exclusions, o: { candidates: number; rerank: number }) {
  const index = writerIndexOf(store, { modelId: model.id, dim: model.dim, metric: model.metric });
  const sync = index.sync();
  const reader = new ExemplarReader(store, scope, model.id, exclude);
  const best = new TopWriters(top);
  const near = index.nearest(q, Math.max(o.candidates, o.rerank));
  if (!near.complete)
    return {
      incomplete: `the HNSW index returned ${near.items.length} of the writers it was asked for, even rebuilt (its graph could not reach every writer); the exact scan decided`,
      sync,
    };
  let read = 0;
  for (const n of near.items.slice(0, o.rerank)) {
    read++;
    const exemplars = reader.exemplarsOf(n.subjectId);
    if (exemplars.length) best.offer(scoreWriter(model.metric, q, n.subjectId, exemplars));
  }
  return { ranked: best.items, read, sync, repaired: near.repaired };
}

type Engine = 'hnsw' | 'sqlite-vec';

/** The index to use for this search, or why none can be. */
function chooseEngine(scope: Scope, preferred: Engine | undefined, inTransaction: boolean): { engine: Engine } | { note: string } {
  if (scope.kind !== 'library') return { note: "a case's writers are searched by exact scan; the indexes hold the library" };
  if (inTransaction) return { note: 'called inside a write transaction: the index is not brought up to date there' };
  const ann = annAvailability();
  const vec = vectorSearchAvailability();
  if (preferred === 'sqlite-vec') return vec.available ? { engine: 'sqlite-vec' } : { note: vec.reason ?? 'sqlite-vec is unavailable' };
  if (ann.available) return { engine: 'hnsw' };
  if (preferred === 'hnsw') return { note: `HNSW index: ${ann.reason}` };
  return vec.available ? { engine: 'sqlite-vec' } : { note: `HNSW index: ${ann.reason}; sqlite-vec: ${vec.reason}` };
}

export function searchWriters(store: Store, scope: Scope, model: ModelKey, q: Float32Array, opts: SearchOptions): SearchResult {
  const t0 = performance.now();
  if (!Number.isInteger(opts.top) || opts.top < 1)
    throw new AppError('INVALID_ARGUMENT', `top: expected a whole number of at least 1, got ${opts.top}`, { field: 'top' });
  if (q.length !== model.dim) throw new AppError('INVALID_ARGUMENT', `query: the embedding has ${q.length} values, model ${model.id} gives ${model.dim}`);
  const candidates = opts.candidates ?? HNSW_CANDIDATES;
  const rerank = opts.rerank ?? rerankCount(opts.top);
  for (const [field, v] of [
    ['candidates', candidates],
    ['rerank', rerank],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) throw new AppError('INVALID_ARGUMENT', `${field}: expected a whole number of at least 1, got ${v}`, { field });
  }
  const exclude = opts.exclude ?? {};
  const method = opts.method ?? 'auto';
  const limit = Math.min(VEC_MAX_K, Math.max(1, opts.maxNeighbours ?? VEC_MAX_K));
  const done = (r: Omit<SearchResult, 'seconds' | 'annSync'> & { annSync?: AnnSyncResult | null }): SearchResult => ({
    annSync: null,
    ...r,
    seconds: (performance.now() - t0) / 1000,
  });

  let note: string | null = null;
  let engine: Engine | null = null;
  if (method !== 'exact') {
    const chosen = chooseEngine(scope, opts.engine, isInTransaction(store));
    if ('note' in chosen) note = chosen.note;
    else engine = chosen.engine;
    if (note && method === 'index') throw new AppError('UNAVAILABLE', `vector search: ${note}`);
  }
  if (!engine) {
    const r = inReadTransaction(store, () => exactScan(store, scope, model, q, opts.top, exclude));
    return done({ ranked: r.ranked, method: 'exact', note, writersScored: r.scored, neighboursRead: 0, sync: null });
  }
  // One read transaction: the log, the index's catch-up and every exemplar read see the same snapshot.
  return inReadTransaction(store, (): SearchResult => {
    if (engine === 'hnsw') {
      let r: ReturnType<typeof hnswSearch>;
      try {
        r = hnswSearch(store, scope, model, q, opts.top, exclude, { candidates, rerank });
      } catch (err) {
        if (method === 'index' || !(err instanceof AppError) || err.code !== 'UNAVAILABLE') throw err;
        const e = exactScan(store, scope, model, q, opts.top, exclude);
        return done({ ranked: e.ranked, method: 'exact', note: err.message, writersScored: e.scored, neighboursRead: 0, sync: null });
      }
      if (r.incomplete !== undefined) {
        const e = exactScan(store, scope, model, q, opts.top, exclude);
        return done({ ranked: e.ranked, method: 'exact', note: r.incomplete, writersScored: e.scored, neighboursRead: 0, sync: null, annSync: r.sync });
      }
      return done({
        ranked: r.ranked,
        method: 'hnsw',
        note:
          `approximate search: the ${r.read} writers nearest by the HNSW index (mean squared distance) ranked by their exact mean distances` +
          (r.repaired ? '; the index could no longer reach every writer (links lost to removals) and was rebuilt from the database' : ''),
        writersScored: r.read,
        neighboursRead: r.read,
        sync: null,
        annSync: r.sync,
      });
    }
    let r: ReturnType<typeof indexSearch>;
    try {
      r = indexSearch(store, scope, model, q, opts.top, exclude, limit);
    } catch (err) {
      if (method === 'index' || !(err instanceof AppError) || err.code !== 'UNAVAILABLE') throw err;
      const e = exactScan(store, scope, model, q, opts.top, exclude);
      return done({ ranked: e.ranked, method: 'exact', note: err.message, writersScored: e.scored, neighboursRead: 0, sync: null });
    }
    if (r.settled) return done({ ranked: r.ranked, method: 'sqlite-vec', note: null, writersScored: r.scored, neighboursRead: r.read, sync: r.sync });
    const e = exactScan(store, scope, model, q, opts.top, exclude);
    return done({
      ranked: e.ranked,
      method: 'exact',
      note: `the ${r.read} nearest exemplars in the index did not settle the top ${opts.top} writers; the exact scan decided`,
      writersScored: e.scored,
      neighboursRead: r.read,
      sync: r.sync,
    });
  });
}
