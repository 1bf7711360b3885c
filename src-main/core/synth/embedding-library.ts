/**
 * A synthetic reference library of embeddings, written straight into a store (subjects,
 * documents, signatures and embeddings rows as enrolment leaves them, without images or
 * audit rows): for testing and benchmarking the identification search at sizes no image
 * pipeline could produce here (10k to 1M vectors). Never used on evidence.
 *
 * Default vectors are clustered like a trained model's: each writer a random centre (unit
 * scale), each exemplar the centre plus Gaussian noise of `spread` times that scale.
 * `kind: 'uniform'` makes every vector independent (no writer structure at all: the worst
 * case for any nearest-neighbour shortcut). `kind: 'spectrum'` draws centres and exemplar
 * noise with the covariance shapes measured on a trained model's embeddings of real
 * signatures (embedding-spectrum.ts; spread 0.697 by default): clustered AND low in
 * effective dimension, as learned embeddings are.
 */
import { insertEmbedding } from '../store/embedding-rows.ts';
import type { Store } from '../store/index.ts';
import { insertSyntheticExemplar, insertSyntheticLibrarySubject, insertSyntheticModelRow, maxDocumentId } from '../store/synthetic-rows.ts';
import { Rng } from '../util/random.ts';
import { ALL_EIGENVALUES, MEASURED_SPREAD, WITHIN_EIGENVALUES } from './embedding-spectrum.ts';

export interface EmbeddingLibraryOptions {
  writers: number;
  /** Exemplars per writer: a number, or [min, max] drawn per writer. */
  exemplars: number | [number, number];
  dim: number;
  seed: number;
  modelId: string;
  kind?: 'clustered' | 'uniform' | 'spectrum';
  /** Exemplar noise relative to the spread of writer centres (clustered 0.35, spectrum 0.697 by default). */
  spread?: number;
  /** Overrides the vectors: (writer index, exemplar index) -> vector. */
  vector?: (writer: number, exemplar: number) => Float32Array;
  /** Rows per transaction. */
  batch?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface EmbeddingLibrary {
  subjectIds: number[];
  /** Writer centres (clustered kind), for drawing queries near a writer. */
  centres: Float32Array[];
  exemplars: number;
  /** Draws like the library's own: a new writer's centre, an exemplar of a writer (queries for benchmarks). */
  draw: VectorDraw;
}

export interface VectorDraw {
  writer(rng: Rng): Float32Array;
  exemplar(rng: Rng, centre: Float32Array): Float32Array;
}

/** Per-axis standard deviations with the given eigenvalue shape (first `dim`), total variance `total`. */
function axisScales(eigenvalues: readonly number[], dim: number, total: number): Float64Array {
  const l = Array.from({ length: dim }, (_, i) => Math.max(0, eigenvalues[i] ?? 0));
  const sum = l.reduce((a, b) => a + b, 0) || 1;
  return Float64Array.from(l, (x) => Math.sqrt((x * total) / sum));
}

/** How the library's vectors are drawn, by kind (centres of unit total variance). */
export function vectorDraw(kind: EmbeddingLibraryOptions['kind'], dim: number, spread?: number): VectorDraw {
  if (kind === 'spectrum') {
    const c = axisScales(ALL_EIGENVALUES, dim, 1);
    const w = axisScales(WITHIN_EIGENVALUES, dim, (spread ?? MEASURED_SPREAD) ** 2);
    const sample = (rng: Rng, scales: Float64Array, around?: Float32Array) => Float32Array.from(scales, (s, i) => (around ? around[i]! : 0) + rng.normal(0, s));
    return { writer: (rng) => sample(rng, c), exemplar: (rng, centre) => sample(rng, w, centre) };
  }
  const sd = spread ?? 0.35;
  if (kind === 'uniform') return { writer: () => new Float32Array(dim), exemplar: (rng) => gaussianVector(rng, dim, 1) };
  return { writer: (rng) => gaussianVector(rng, dim, 1), exemplar: (rng, centre) => gaussianVector(rng, dim, sd, centre) };
}

export function gaussianVector(rng: Rng, dim: number, scale: number, around?: Float32Array): Float32Array {
  const v = new Float32Array(dim);
  const s = scale / Math.sqrt(dim);
  for (let i = 0; i < dim; i++) v[i] = (around ? around[i]! : 0) + rng.normal(0, s);
  return v;
}

const fakeSha = (prefix: string, n: number) => (prefix + n.toString(16)).padStart(64, '0');

/** A model row for synthetic embeddings (the embeddings table refers to models). */
export function ensureSyntheticModelRow(store: Store, modelId: string, dim: number): void {
  store.write(() =>
    insertSyntheticModelRow(store, {
      id: modelId,
      name: `synthetic ${dim}-d`,
      weightsSha256: fakeSha('5', dim),
      metadata: JSON.stringify({ synthetic: true, embeddingSize: dim }),
      createdAt: new Date().toISOString(),
    }),
  );
}

export function seedEmbeddingLibrary(store: Store, o: EmbeddingLibraryOptions): EmbeddingLibrary {
  ensureSyntheticModelRow(store, o.modelId, o.dim);
  const rng = new Rng(o.seed);
  const draw = vectorDraw(o.kind, o.dim, o.spread);
  const base = maxDocumentId(store) + 1;
  const now = new Date().toISOString();
  const counts = Array.from({ length: o.writers }, () => (Array.isArray(o.exemplars) ? rng.int(o.exemplars[0], o.exemplars[1]) : o.exemplars));
  const total = counts.reduce((s, n) => s + n, 0);
  const out: EmbeddingLibrary = { subjectIds: [], centres: [], exemplars: total, draw };
  const batch = o.batch ?? 5000;
  let done = 0;
  let w = 0;
  let n = base;
  const tag = `${o.seed}-${base}`;
  while (w < o.writers) {
    store.write(() => {
      let rows = 0;
      while (w < o.writers && rows < batch) {
        const name = `synthetic ${tag} writer ${w + 1}`;
        const subjectId = insertSyntheticLibrarySubject(store, name, name, now);
        out.subjectIds.push(subjectId);
        const centre = draw.writer(rng);
        out.centres.push(centre);
        for (let e = 0; e < counts[w]!; e++) {
          const v = o.vector ? o.vector(w, e) : draw.exemplar(rng, centre);
          const { signatureId } = insertSyntheticExemplar(store, {
            subjectId,
            originalPath: `synthetic/${w + 1}/${e + 1}.png`,
            sha256: fakeSha('d', n),
            cropSha256: fakeSha('c', n),
            normalisedSha256: fakeSha('e', n),
            at: now,
          });
          insertEmbedding(store, { signatureId, modelId: o.modelId, dim: o.dim, vector: v, createdAt: now }, { orIgnore: false });
          n++;
          rows++;
        }
        done += counts[w]!;
        w++;
      }
    });
    o.onProgress?.(done, total);
  }
  return out;
}
