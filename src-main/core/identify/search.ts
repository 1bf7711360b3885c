/**
 * Finding the top-k writers for a query vector, by exact scan or through the sqlite-vec
 * index, with the same result either way.
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
 * numbers (tests: test/unit/identify/search.test.ts).
 */
import { AppError } from '../errors.ts';
import type { Store } from '../store/index.ts';
import type { DistanceMetric } from '../verify/distance.ts';
import { ExemplarReader, scanExemplars, type Exclusions, type Scope } from './exemplars.ts';
import { scoreWriter, TopWriters, type WriterScore } from './rank.ts';
import { lowerBound, VEC_MAX_K, vectorIndexOf, vectorSearchAvailability, type SyncResult } from './vector-index.ts';

export type SearchMethod = 'sqlite-vec' | 'exact';

export interface ModelKey {
  id: string;
  dim: number;
  metric: DistanceMetric;
}

export interface SearchOptions {
  top: number;
  /** 'auto': the index for the library when the extension loads; 'exact'; 'index': the index or an error. */
  method?: 'auto' | 'exact' | 'index';
  exclude?: Exclusions;
  /** How many nearest exemplars the index search reads before falling back (at most 4096). */
  maxNeighbours?: number;
}

export interface SearchResult {
  ranked: WriterScore[];
  method: SearchMethod;
  /** Why the exact scan ran where the index might have, or null. */
  note: string | null;
  /** Writers whose aggregate was computed. */
  writersScored: number;
  /** Index rows read (0 for the exact scan). */
  neighboursRead: number;
  sync: SyncResult | null;
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

export function searchWriters(store: Store, scope: Scope, model: ModelKey, q: Float32Array, opts: SearchOptions): SearchResult {
  const t0 = performance.now();
  if (!Number.isInteger(opts.top) || opts.top < 1) throw new AppError('INVALID_ARGUMENT', `top: expected a whole number of at least 1, got ${opts.top}`, { field: 'top' });
  if (q.length !== model.dim) throw new AppError('INVALID_ARGUMENT', `query: the embedding has ${q.length} values, model ${model.id} gives ${model.dim}`);
  const exclude = opts.exclude ?? {};
  const method = opts.method ?? 'auto';
  const limit = Math.min(VEC_MAX_K, Math.max(1, opts.maxNeighbours ?? VEC_MAX_K));
  const done = (r: Omit<SearchResult, 'seconds'>): SearchResult => ({ ...r, seconds: (performance.now() - t0) / 1000 });

  let note: string | null = null;
  if (method !== 'exact') {
    const vec = vectorSearchAvailability();
    if (scope.kind !== 'library') note = "a case's writers are searched by exact scan; the vector index holds the library";
    else if (!vec.available) note = vec.reason;
    else if (store.db.inTransaction) note = 'called inside a write transaction: the index is not brought up to date there';
    if (note && method === 'index') throw new AppError('UNAVAILABLE', `vector search: ${note}`);
  }
  if (method === 'exact' || note) {
    const r = store.db.transaction(() => exactScan(store, scope, model, q, opts.top, exclude))();
    return done({ ranked: r.ranked, method: 'exact', note, writersScored: r.scored, neighboursRead: 0, sync: null });
  }
  // One read transaction: the log, the index's catch-up and every exemplar read see the same snapshot.
  return store.db.transaction((): SearchResult => {
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
  })();
}
