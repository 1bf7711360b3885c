/**
 * The sqlite-vec index of library embeddings: derived data in its own file beside the case
 * database (`vector-index.db`), one vec0 table per (model, dimension, metric).
 *
 * Why a separate file: vec0 tables can only be read with the extension loaded, and the case
 * database must open, back up, restore and verify anywhere, with or without it. The index
 * is never evidence: it can be deleted at any time and is rebuilt from the `embeddings`
 * table, and it is not in backups.
 *
 * How it stays right: every insert and delete of an embedding is logged by triggers in the
 * case database (embedding_log, migration 002), whoever writes it. Before each search the
 * index catches up from the log (the log's newest row is one indexed read when nothing
 * changed). The index remembers which database it was built from (the hash of its first
 * audit row) and the log row it stopped at; a different database, or a log that no longer
 * has that row (a restored or replaced file), makes it rebuild from scratch.
 *
 * Cosine: vectors are stored L2-normalised in an L2 table, so |a - b|^2 / 2 = 1 - cos(a, b);
 * sqlite-vec's own cosine metric gives a zero vector a NULL distance that sorts first.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { AppError } from '../errors.ts';
import { unitVector as unit, type DistanceMetric } from '../scoring/distance.ts';
import { toStoreError } from './database.ts';
import { loadInto } from './sqlite-vec.ts';
import type { Store } from './store.ts';

export const INDEX_FILE = 'vector-index.db';
/** sqlite-vec refuses k above this in a KNN query. */
export const VEC_MAX_K = 4096;
const SYNC_BATCH = 5000;
/**
 * vec0 keeps vectors in chunks and, for a KNN query, selects the k best of each chunk: the
 * cost grows with min(k, chunk size). Small chunks make a large k (up to VEC_MAX_K) cost
 * about what k = 64 costs with the default 1024 (measured in docs/benchmarks.md), and the
 * search needs a large k whenever many exemplars lie near the query.
 */
const VEC_LAYOUT = 'chunk_size=64';

export interface IndexKey {
  modelId: string;
  dim: number;
  metric: DistanceMetric;
}

interface IndexRow {
  name: string;
  model_id: string;
  dim: number;
  metric: DistanceMetric;
  synced_seq: number;
  anchor: string | null;
  vectors: number;
  layout: string;
}

export interface SyncResult {
  /** Log rows read. */
  read: number;
  added: number;
  removed: number;
  rebuilt: string | null;
  seconds: number;
  vectors: number;
}

const blob = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);

/**
 * A lower bound, in the metric's units, on the true (float64) distance of any vector the
 * index puts at `estimate` or beyond: sqlite-vec computes in float32, so a relative and an
 * absolute margin cover its rounding (measured errors are below 1e-6 relative).
 */
export function lowerBound(metric: DistanceMetric, estimate: number): number {
  const d = metric === 'cosine' ? (estimate * estimate) / 2 : estimate;
  return d * (1 - 1e-4) - (metric === 'cosine' ? 1e-5 : 1e-6);
}

export class VectorIndex {
  readonly version: string;
  private constructor(
    private readonly db: Database.Database,
    private readonly store: Store,
    readonly file: string,
  ) {
    this.version = db.prepare('SELECT vec_version()').pluck().get() as string;
  }

  /** Opens (creating) the index file of a store; throws UNAVAILABLE when the extension cannot load. */
  static open(store: Store): VectorIndex {
    const file = path.join(store.dataDir, INDEX_FILE);
    let db: Database.Database | undefined;
    try {
      db = new Database(file, { timeout: 5000 });
      db.pragma('journal_mode = WAL');
      // Derived data: a lost last transaction is re-synced from the log, never wrong.
      db.pragma('synchronous = NORMAL');
      // The KNN scan reads every chunk: mapped pages instead of copies through a small page cache.
      db.pragma('mmap_size = 4294967296');
      loadInto(db);
    } catch (err) {
      db?.close();
      const why = err instanceof Error ? err.message : String(err);
      throw new AppError('UNAVAILABLE', `vector index ${file}: ${why}`);
    }
    db.exec(`CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS indexes (name TEXT PRIMARY KEY, model_id TEXT NOT NULL, dim INTEGER NOT NULL, metric TEXT NOT NULL,
               synced_seq INTEGER NOT NULL DEFAULT 0, anchor TEXT, vectors INTEGER NOT NULL DEFAULT 0, layout TEXT NOT NULL DEFAULT '',
               UNIQUE (model_id, dim, metric));`);
    const index = new VectorIndex(db, store, file);
    index.checkOrigin();
    return index;
  }

  /** The index belongs to one database: its first audit row's hash names it. */
  private checkOrigin(): void {
    const origin = (this.store.db.prepare('SELECT hash FROM audit_log WHERE seq = 1').pluck().get() as string | undefined) ?? 'empty';
    const mine = this.db.prepare("SELECT value FROM meta WHERE key = 'origin'").pluck().get() as string | undefined;
    if (mine === origin) return;
    this.db
      .transaction(() => {
        for (const r of this.db.prepare('SELECT name FROM indexes').all() as { name: string }[]) this.db.exec(`DROP TABLE IF EXISTS ${r.name}`);
        this.db.exec('DELETE FROM indexes');
        this.db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('origin', ?)").run(origin);
      })
      .immediate();
  }

  private info(key: IndexKey): IndexRow {
    const get = () =>
      this.db.prepare('SELECT * FROM indexes WHERE model_id = ? AND dim = ? AND metric = ?').get(key.modelId, key.dim, key.metric) as IndexRow | undefined;
    const found = get();
    if (found?.layout === VEC_LAYOUT) return found;
    this.db
      .transaction(() => {
        const stale = get();
        if (stale?.layout === VEC_LAYOUT) return;
        if (stale) {
          // Built by another version with another layout: rebuilt from the log.
          this.db.exec(`DROP TABLE IF EXISTS ${stale.name}`);
          this.db.prepare('DELETE FROM indexes WHERE name = ?').run(stale.name);
        }
        const n = (this.db.prepare('SELECT COALESCE(MAX(CAST(substr(name, 5) AS INTEGER)), 0) + 1 FROM indexes').pluck().get() as number) ?? 1;
        const name = `vec_${n}`;
        this.db.exec(`DROP TABLE IF EXISTS ${name}; CREATE VIRTUAL TABLE ${name} USING vec0(embedding float[${key.dim}], ${VEC_LAYOUT})`);
        this.db
          .prepare('INSERT INTO indexes (name, model_id, dim, metric, layout) VALUES (?, ?, ?, ?, ?)')
          .run(name, key.modelId, key.dim, key.metric, VEC_LAYOUT);
      })
      .immediate();
    return get()!;
  }

  private reset(row: IndexRow): void {
    this.db.exec(`DELETE FROM ${row.name}`);
    this.db.prepare('UPDATE indexes SET synced_seq = 0, anchor = NULL, vectors = 0 WHERE name = ?').run(row.name);
  }

  /**
   * Brings the index up to the newest log row of the caller's snapshot of the case database.
   * Must not run inside a write transaction of the case database: its uncommitted log rows
   * could be rolled back and their sequence numbers reused.
   */
  sync(key: IndexKey): SyncResult {
    const t0 = performance.now();
    const main = this.store.db;
    const maxSeq = main.prepare('SELECT COALESCE(MAX(seq), 0) FROM embedding_log WHERE model_id = ?').pluck().get(key.modelId) as number;
    let row = this.info(key);
    const out: SyncResult = { read: 0, added: 0, removed: 0, rebuilt: null, seconds: 0, vectors: row.vectors };
    if (row.synced_seq === maxSeq && row.anchor === this.anchorOf(row.synced_seq)) return { ...out, seconds: (performance.now() - t0) / 1000 };
    if (row.synced_seq > maxSeq || (row.synced_seq > 0 && row.anchor !== this.anchorOf(row.synced_seq))) {
      out.rebuilt =
        row.synced_seq > maxSeq
          ? 'the index is ahead of the database (the database was replaced)'
          : 'the log row the index stopped at is gone (the database was replaced)';
      this.db.transaction(() => this.reset(row)).immediate();
      row = this.info(key);
    }
    const log = main.prepare('SELECT seq, signature_id, op FROM embedding_log WHERE model_id = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?');
    const vector = main
      .prepare(
        `SELECT e.vector FROM embeddings e JOIN signatures s ON s.id = e.signature_id JOIN documents d ON d.id = s.document_id
       WHERE e.signature_id = ? AND e.model_id = ? AND d.case_id IS NULL`,
      )
      .pluck();
    const del = this.db.prepare(`DELETE FROM ${row.name} WHERE rowid = ?`);
    const ins = this.db.prepare(`INSERT INTO ${row.name} (rowid, embedding) VALUES (?, ?)`);
    const has = this.db.prepare(`SELECT 1 FROM ${row.name} WHERE rowid = ?`).pluck();
    let from = row.synced_seq;
    while (from < maxSeq) {
      const batch = log.all(key.modelId, from, maxSeq, SYNC_BATCH) as { seq: number; signature_id: number; op: string }[];
      if (!batch.length) break;
      this.db
        .transaction(() => {
          // Another process may have synced meanwhile: go on from what the index holds now.
          const now = this.db.prepare('SELECT synced_seq FROM indexes WHERE name = ?').pluck().get(row.name) as number;
          let vectors = 0;
          for (const r of batch) {
            if (r.seq <= now) continue;
            out.read++;
            const id = BigInt(r.signature_id);
            const present = has.get(id) !== undefined;
            if (present) {
              del.run(id);
              vectors--;
            }
            if (r.op === 'delete') {
              if (present) out.removed++;
              continue;
            }
            const v = vector.get(r.signature_id, key.modelId) as Buffer | undefined;
            if (!v) continue; // not a library signature, or deleted again later in the log
            if (v.byteLength !== key.dim * 4)
              throw new AppError(
                'INTEGRITY',
                `embedding of signature #${r.signature_id} for ${key.modelId} has ${v.byteLength / 4} values, the model has ${key.dim}`,
              );
            const f = new Float32Array(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
            ins.run(id, blob(key.metric === 'cosine' ? unit(f) : f));
            vectors++;
            if (!present) out.added++;
          }
          const last = batch[batch.length - 1]!;
          if (last.seq > now) {
            this.db
              .prepare('UPDATE indexes SET synced_seq = ?, anchor = ?, vectors = vectors + ? WHERE name = ?')
              .run(last.seq, anchorText(last), vectors, row.name);
          }
        })
        .immediate();
      from = batch[batch.length - 1]!.seq;
    }
    out.vectors = (this.db.prepare('SELECT vectors FROM indexes WHERE name = ?').pluck().get(row.name) as number) ?? 0;
    out.seconds = (performance.now() - t0) / 1000;
    return out;
  }

  private anchorOf(seq: number): string | null {
    if (seq === 0) return null;
    const r = this.store.db.prepare('SELECT seq, signature_id, op FROM embedding_log WHERE seq = ?').get(seq) as
      { seq: number; signature_id: number; op: string } | undefined;
    return r ? anchorText(r) : 'missing';
  }

  vectors(key: IndexKey): number {
    return this.info(key).vectors;
  }

  /**
   * The indexed vectors nearest to q, nearest first, read lazily: a caller that stops early
   * reads only what it used. `estimate` is sqlite-vec's distance (L2, float32).
   */
  *neighbours(key: IndexKey, q: Float32Array, k: number): Generator<{ signatureId: number; estimate: number }> {
    const row = this.info(key);
    const stmt = this.db.prepare(`SELECT rowid, distance FROM ${row.name} WHERE embedding MATCH ? AND k = ? ORDER BY distance`);
    const query = key.metric === 'cosine' ? unit(q) : q;
    for (const r of stmt.iterate(blob(query), Math.min(k, VEC_MAX_K)) as Iterable<{ rowid: number; distance: number }>) {
      yield { signatureId: Number(r.rowid), estimate: r.distance };
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function anchorText(r: { seq: number; signature_id: number; op: string }): string {
  return `${r.seq}:${r.signature_id}:${r.op}`;
}

const open = new WeakMap<Store, VectorIndex>();

/** The store's index, opened once (closed again when the store has been closed). */
export function vectorIndexOf(store: Store): VectorIndex {
  const cached = open.get(store);
  if (cached && store.db.open) return cached;
  cached?.close();
  try {
    const index = VectorIndex.open(store);
    open.set(store, index);
    return index;
  } catch (err) {
    throw err instanceof AppError ? err : toStoreError(err, path.join(store.dataDir, INDEX_FILE));
  }
}

export function closeVectorIndex(store: Store): void {
  open.get(store)?.close();
  open.delete(store);
}
