/**
 * The approximate nearest-neighbour index of library writers (HNSW, usearch): one point per
 * active library writer, in `ann-index/` beside the case database. It only proposes
 * candidates: search.ts ranks them by their exact aggregates, computed from the
 * `embeddings` table, so every figure returned is exact and only the choice of candidates
 * is approximate.
 *
 * One point per writer, not per exemplar: the writer's exemplars' centroid c, plus one more
 * coordinate holding their spread s (s^2 = mean |x - c|^2). Searched with the query's extra
 * coordinate 0, the squared L2 distance is |q - c|^2 + s^2 = mean |q - x|^2, the writer's
 * mean SQUARED distance to the query, which orders writers almost exactly as their mean
 * distance (the aggregate) does. For cosine (unit vectors) it is exactly twice the
 * aggregate. Ten times fewer points than exemplars at ten exemplars per writer (no
 * comparison with an index of exemplars is recorded; recall of this layout against the
 * exact scan: docs/benchmarks.md#identification-search).
 *
 * Derived data, like the sqlite-vec index: never evidence, not in backups, deletable at any
 * time. It stays right the same way: it remembers the database it was built from (the
 * hash of its first audit row) and the embedding_log row it stopped at; before a search it
 * refreshes the writers whose embeddings were logged since, and the writers and documents
 * named by audit rows since (a withdrawal, an excluded document, a new crop). A missing or
 * unreadable file, another database, a log without that row (a restored or replaced
 * database) or another library version or layout make it rebuild.
 *
 * Persisted as `<slug>.json` (what it is and how far it is synced) naming `<slug>.<n>.usearch`;
 * the JSON is replaced last, so a crash leaves the previous consistent pair.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type * as Usearch from 'usearch';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import { annAvailability, loadedUsearch } from './availability.ts';
import { databaseOrigin, embeddingLogRow, lastAuditSeq, lastEmbeddingLogRow, libraryWritersChanged } from '../store/embedding-log.ts';
import type { Store } from '../store/index.ts';
import { unitVector as unit, type DistanceMetric } from '../scoring/distance.ts';
import { ExemplarReader, scanExemplars } from '../store/exemplars.ts';
import type { Exemplar } from './rank.ts';

export const ANN_DIR = 'ann-index';
const FORMAT = 1;
const LAYOUT = 'centroid+spread';
/** HNSW graph degree and construction beam (the recall they give at 1M: docs/benchmarks.md#identification-search; no sweep recorded). */
export const HNSW_PARAMS = { connectivity: 16, expansionAdd: 128 } as const;
const ADD_BATCH = 20_000;
/**
 * Batches smaller than this are added on one thread. usearch's concurrent insertion leaves
 * small graphs with writers no search reaches (every writer asked for, built on two idle cores:
 * 8.8 % of searches short at 30 writers, 55 % at 200; on one thread none; bench/hnsw-reach.ts,
 * docs/benchmarks.md). One thread costs about twice the time (50,000 writers: 40 s against
 * 22 s), which only large batches need to save.
 */
const SINGLE_THREAD_BELOW = 4_096;

/** An empty usearch graph of points of `dimensions` values with the index's parameters (bench/hnsw-reach.ts builds the same). */
export function emptyGraph(dimensions: number): Usearch.Index {
  const { mod } = usearch();
  return new mod.Index({
    dimensions,
    metric: mod.MetricKind.L2sq,
    quantization: mod.ScalarKind.F32,
    connectivity: HNSW_PARAMS.connectivity,
    expansion_add: HNSW_PARAMS.expansionAdd,
    expansion_search: 64,
    multi: false,
  });
}

function usearch(): { mod: typeof Usearch; version: string } {
  const loaded = loadedUsearch();
  if (!loaded) throw new AppError('UNAVAILABLE', `HNSW index: ${annAvailability().reason}`);
  return loaded;
}

export interface AnnKey {
  modelId: string;
  dim: number;
  metric: DistanceMetric;
}

/** `<slug>.json`: what the saved index is and how far it is synced (a file that does not match is rebuilt). */
const metaSchema = z.object({
  format: z.number(),
  library: z.string(),
  modelId: z.string(),
  dim: z.number().int().positive(),
  metric: z.enum(['euclidean', 'cosine']),
  params: z.object({ connectivity: z.number(), expansionAdd: z.number() }),
  layout: z.string(),
  origin: z.string(),
  syncedSeq: z.number().int().nonnegative(),
  anchor: z.string().nullable(),
  auditSeq: z.number().int().nonnegative(),
  writers: z.number().int().nonnegative(),
  file: z.string(),
});
type Meta = z.output<typeof metaSchema>;

export interface AnnSyncResult {
  /** Writers whose centroid was recomputed (added, moved or removed). */
  refreshed: number;
  /** Why the index was built from scratch, or null. */
  rebuilt: string | null;
  saved: boolean;
  seconds: number;
  writers: number;
}

/**
 * A writer's point: the centroid of its exemplars (of unit vectors for cosine) and, as one
 * more coordinate, their spread sqrt(mean |x - c|^2); dim + 1 values.
 */
export function writerPoint(metric: DistanceMetric, exemplars: readonly Exemplar[], dim: number): Float32Array {
  const vs = exemplars.map((e) => (metric === 'cosine' ? unit(e.vector) : e.vector));
  const acc = new Float64Array(dim);
  for (const v of vs) for (let i = 0; i < dim; i++) acc[i]! += v[i]!;
  for (let i = 0; i < dim; i++) acc[i]! /= vs.length;
  let spread = 0;
  for (const v of vs) for (let i = 0; i < dim; i++) spread += (v[i]! - acc[i]!) ** 2;
  const p = new Float32Array(dim + 1);
  p.set(acc);
  p[dim] = Math.sqrt(spread / vs.length);
  return p;
}

/** The query as a point: its vector (unit for cosine) and 0 for the spread coordinate. */
export function queryPoint(metric: DistanceMetric, q: Float32Array): Float32Array {
  const p = new Float32Array(q.length + 1);
  p.set(metric === 'cosine' ? unit(q) : q);
  return p;
}

/**
 * What the index's distance says about a writer's aggregate: Euclidean, the root mean
 * squared distance to its exemplars (never below their mean distance); cosine, the mean
 * cosine distance itself (float32).
 */
export function estimatedAggregate(metric: DistanceMetric, l2sq: number): number {
  return metric === 'cosine' ? Math.max(0, l2sq) / 2 : Math.sqrt(Math.max(0, l2sq));
}

const slug = (k: AnnKey) => `${k.modelId.replace(/[^A-Za-z0-9._-]/g, '_')}-${k.dim}-${k.metric}`;
const anchorText = (r: { seq: number; signature_id: number; op: string }) => `${r.seq}:${r.signature_id}:${r.op}`;

export class WriterIndex {
  private index!: Usearch.Index;
  private meta!: Meta;
  private readonly metaFile: string;
  private savedSeq = -1;

  private constructor(
    private readonly store: Store,
    readonly key: AnnKey,
    readonly dir: string,
  ) {
    this.metaFile = path.join(dir, `${slug(key)}.json`);
  }

  static open(store: Store, key: AnnKey): WriterIndex {
    usearch();
    const w = new WriterIndex(store, key, path.join(store.dataDir, ANN_DIR));
    w.load();
    return w;
  }

  get writers(): number {
    return this.index.size();
  }

  private fresh(): Usearch.Index {
    return emptyGraph(this.key.dim + 1);
  }

  private origin(): string {
    return databaseOrigin(this.store);
  }

  /** The saved index when it matches this database, library and layout; otherwise an empty one marked for rebuild. */
  private load(): void {
    const { version } = usearch();
    const library = `usearch ${version}`;
    this.index = this.fresh();
    this.meta = {
      format: FORMAT,
      library,
      ...this.key,
      params: HNSW_PARAMS,
      layout: LAYOUT,
      origin: this.origin(),
      syncedSeq: 0,
      anchor: null,
      auditSeq: 0,
      writers: 0,
      file: '',
    };
    let saved: Meta | undefined;
    try {
      const parsed = existsSync(this.metaFile) ? metaSchema.safeParse(JSON.parse(readFileSync(this.metaFile, 'utf8'))) : undefined;
      saved = parsed?.success ? parsed.data : undefined;
    } catch {
      saved = undefined; // unreadable: rebuilt
    }
    if (!saved) return;
    const same =
      saved.format === FORMAT &&
      saved.library === library &&
      saved.modelId === this.key.modelId &&
      saved.dim === this.key.dim &&
      saved.metric === this.key.metric &&
      saved.params.connectivity === HNSW_PARAMS.connectivity &&
      saved.params.expansionAdd === HNSW_PARAMS.expansionAdd &&
      saved.layout === LAYOUT &&
      saved.origin === this.meta.origin;
    if (!same) return;
    try {
      const idx = this.fresh();
      idx.load(path.join(this.dir, saved.file));
      if (idx.size() !== saved.writers) return;
      this.index = idx;
      this.meta = saved;
      this.savedSeq = saved.syncedSeq;
    } catch {
      // A truncated or foreign file: rebuilt.
    }
  }

  private anchorOf(seq: number): string | null {
    if (seq === 0) return null;
    const r = embeddingLogRow(this.store, seq);
    return r ? anchorText(r) : 'missing';
  }

  /**
   * Brings the index up to the caller's snapshot of the case database. Run inside the
   * search's read transaction (never a write transaction: rolled-back log rows could have
   * their numbers reused).
   */
  sync(): AnnSyncResult {
    const t0 = performance.now();
    const last = lastEmbeddingLogRow(this.store, this.key.modelId);
    const maxSeq = last?.seq ?? 0;
    const auditSeq = lastAuditSeq(this.store);
    const out: AnnSyncResult = { refreshed: 0, rebuilt: null, saved: false, seconds: 0, writers: 0 };
    const m = this.meta;
    if (m.syncedSeq === 0 && m.writers === 0 && !m.file)
      out.rebuilt = existsSync(this.metaFile) ? 'the saved index does not match this database or version' : 'no saved index';
    else if (m.origin !== this.origin()) out.rebuilt = 'built from another database';
    else if (m.syncedSeq > maxSeq) out.rebuilt = 'the index is ahead of the database (the database was replaced)';
    else if (m.syncedSeq > 0 && this.anchorOf(m.syncedSeq) !== m.anchor) out.rebuilt = 'the log row the index stopped at is gone (the database was replaced)';
    else if (m.auditSeq > auditSeq) out.rebuilt = 'the audit log is shorter than when the index was synced (the database was replaced)';

    if (out.rebuilt) {
      this.rebuild();
    } else if (m.syncedSeq < maxSeq || m.auditSeq < auditSeq) {
      const dirty = this.changedWriters(m.syncedSeq, maxSeq, m.auditSeq, auditSeq);
      const reader = new ExemplarReader(this.store, { kind: 'library' }, this.key.modelId, {});
      for (const w of dirty) this.refresh(w, reader.exemplarsOf(w));
      out.refreshed = dirty.size;
    }
    this.meta = { ...this.meta, origin: this.origin(), syncedSeq: maxSeq, anchor: last ? anchorText(last) : null, auditSeq, writers: this.index.size() };
    if (this.meta.syncedSeq !== this.savedSeq || out.rebuilt || out.refreshed) out.saved = this.save();
    out.writers = this.index.size();
    out.seconds = (performance.now() - t0) / 1000;
    return out;
  }

  /** Library writers named by embedding_log rows (seq in (fromSeq, toSeq]) and audit rows (seq in (fromAudit, toAudit]). */
  private changedWriters(fromSeq: number, toSeq: number, fromAudit: number, toAudit: number): Set<number> {
    return libraryWritersChanged(this.store, this.key.modelId, fromSeq, toSeq, fromAudit, toAudit);
  }

  /** Puts a writer's current point in the index, or takes the writer out when it has no exemplar. */
  refresh(subjectId: number, exemplars: readonly Exemplar[]): void {
    const key = BigInt(subjectId);
    if (this.index.contains(key)) this.index.remove(key);
    if (exemplars.length) this.index.add(key, writerPoint(this.key.metric, exemplars, this.key.dim), 1);
  }

  /** `oneThread`: build the whole graph on one thread (after a search found it incomplete). */
  private rebuild(oneThread = false): void {
    this.index = this.fresh();
    const dim = this.key.dim + 1;
    let keys = new BigUint64Array(ADD_BATCH);
    let vectors = new Float32Array(ADD_BATCH * dim);
    let n = 0;
    const flush = () => {
      if (n) this.index.add(keys.subarray(0, n), vectors.subarray(0, n * dim), oneThread || n < SINGLE_THREAD_BELOW ? 1 : 0);
      keys = new BigUint64Array(ADD_BATCH);
      vectors = new Float32Array(ADD_BATCH * dim);
      n = 0;
    };
    for (const w of scanExemplars(this.store, { kind: 'library' }, this.key.modelId)) {
      keys[n] = BigInt(w.subjectId);
      vectors.set(writerPoint(this.key.metric, w.exemplars, this.key.dim), n * dim);
      if (++n === ADD_BATCH) flush();
    }
    flush();
  }

  /** Writes the index, then the JSON naming it; removes older files. False when the folder is not writable (kept in memory). */
  private save(): boolean {
    try {
      mkdirSync(this.dir, { recursive: true });
      const base = slug(this.key);
      const generation = Date.now().toString(36) + '-' + process.pid.toString(36);
      const file = `${base}.${generation}.usearch`;
      this.index.save(path.join(this.dir, file));
      const meta = { ...this.meta, file, writers: this.index.size() };
      const tmp = `${this.metaFile}.${generation}.tmp`;
      writeFileSync(tmp, JSON.stringify(meta, null, 1));
      renameSync(tmp, this.metaFile);
      this.meta = meta;
      this.savedSeq = meta.syncedSeq;
      for (const f of readdirSync(this.dir))
        if (f.startsWith(`${base}.`) && f !== file && (f.endsWith('.usearch') || f.endsWith('.tmp'))) rmSync(path.join(this.dir, f), { force: true });
      return true;
    } catch {
      return false;
    }
  }

  /**
   * The k writers nearest to q by mean squared distance to their exemplars (approximately:
   * HNSW), nearest first, with usearch's squared L2 distance (see estimatedAggregate).
   * k is also the search beam: a larger k finds the true nearest more often.
   *
   * An HNSW graph can leave a live writer unreachable, so that a search returns fewer writers
   * than it was asked for: a small graph built on several threads (see SINGLE_THREAD_BELOW), or
   * links lost to removals. Then the index is rebuilt from the database on one thread (and
   * saved) and searched again (`repaired`); `complete`
   * says whether that answer holds min(k, size) writers. The caller must not trust an incomplete
   * one (search.ts falls back to the exact scan).
   */
  nearest(q: Float32Array, k: number): { items: { subjectId: number; l2sq: number }[]; repaired: boolean; complete: boolean } {
    const query = queryPoint(this.key.metric, q);
    const n = Math.min(k, this.index.size());
    if (n === 0) return { items: [], repaired: false, complete: true };
    const items = this.searchIndex(query, n);
    if (items.length >= n) return { items, repaired: false, complete: true };
    this.rebuild(true);
    this.save();
    const again = this.searchIndex(query, Math.min(k, this.index.size()));
    return { items: again, repaired: true, complete: again.length >= Math.min(k, this.index.size()) };
  }

  private searchIndex(query: Float32Array, n: number): { subjectId: number; l2sq: number }[] {
    const m = this.index.search(query, n, 1);
    const out: { subjectId: number; l2sq: number }[] = [];
    for (let i = 0; i < m.keys.length; i++) {
      const key = m.keys[i]!;
      // usearch pads missing results with the maximum key.
      if (key === 0xffffffffffffffffn) continue;
      out.push({ subjectId: Number(key), l2sq: m.distances[i]! });
    }
    return out;
  }
}

const open = new WeakMap<Store, Map<string, WriterIndex>>();

/** The store's writer index for a model, opened (loaded from disk or built) once per process. */
export function writerIndexOf(store: Store, key: AnnKey): WriterIndex {
  let byKey = open.get(store);
  if (!byKey) open.set(store, (byKey = new Map()));
  const k = slug(key);
  let w = byKey.get(k);
  if (!w) byKey.set(k, (w = WriterIndex.open(store, key)));
  return w;
}

export function closeWriterIndexes(store: Store): void {
  open.delete(store);
}
