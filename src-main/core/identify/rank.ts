/**
 * Ranking writers for a questioned signature: pure functions over embeddings, shared by the
 * exact scan, the vector-index search and the one-shot evaluation, so all three compute the
 * same numbers.
 *
 * A writer's score is the aggregate verification uses (verify/compare.ts): the MEAN distance
 * of the questioned signature to the writer's exemplars, summed in exemplar order (signature
 * id ascending) exactly as compare.ts's mean() does, so the same exemplars give bit-identical
 * aggregates whichever path computed them. Writers are ordered by aggregate, ties by subject
 * id: a deterministic order whatever the search method.
 */
import { distance, type DistanceMetric } from '../scoring/distance.ts';

export interface WriterScore {
  subjectId: number;
  aggregate: number;
  /** Distances to each exemplar, in exemplar order. */
  distances: { signatureId: number; distance: number }[];
}

export interface Exemplar {
  signatureId: number;
  vector: Float32Array;
}

/** Mean distance of q to the exemplars (the verification aggregate); NaN for none. */
export function aggregateDistance(
  metric: DistanceMetric,
  q: Float32Array,
  exemplars: readonly Exemplar[],
): { mean: number; distances: WriterScore['distances'] } {
  const distances = exemplars.map((e) => ({ signatureId: e.signatureId, distance: distance(metric, q, e.vector) }));
  let s = 0;
  for (const d of distances) s += d.distance;
  return { mean: distances.length ? s / distances.length : NaN, distances };
}

export function scoreWriter(metric: DistanceMetric, q: Float32Array, subjectId: number, exemplars: readonly Exemplar[]): WriterScore {
  const a = aggregateDistance(metric, q, exemplars);
  return { subjectId, aggregate: a.mean, distances: a.distances };
}

/** The ranking order: smaller aggregate first, then smaller subject id. */
export function byRank(a: Pick<WriterScore, 'aggregate' | 'subjectId'>, b: Pick<WriterScore, 'aggregate' | 'subjectId'>): number {
  return a.aggregate - b.aggregate || a.subjectId - b.subjectId;
}

/**
 * The best `top` writers seen so far, kept sorted. Small k: insertion into a sorted array is
 * cheaper than a heap and keeps the order the result needs.
 */
export class TopWriters {
  readonly items: WriterScore[] = [];
  constructor(readonly top: number) {}

  offer(w: WriterScore): void {
    if (!Number.isFinite(w.aggregate)) return;
    const items = this.items;
    if (items.length >= this.top && byRank(w, items[items.length - 1]!) >= 0) return;
    let i = items.length;
    while (i > 0 && byRank(w, items[i - 1]!) < 0) i--;
    items.splice(i, 0, w);
    if (items.length > this.top) items.pop();
  }

  /** The aggregate a writer must beat (or tie with a smaller id) to enter; Infinity until full. */
  get bar(): number {
    return this.items.length >= this.top ? this.items[this.items.length - 1]!.aggregate : Infinity;
  }

  get full(): boolean {
    return this.items.length >= this.top;
  }
}

/** Ranks writers given as groups of exemplars; returns the best `top`, ranked. */
export function rankWriters(
  metric: DistanceMetric,
  q: Float32Array,
  writers: Iterable<{ subjectId: number; exemplars: readonly Exemplar[] }>,
  top: number,
): WriterScore[] {
  const best = new TopWriters(top);
  for (const w of writers) if (w.exemplars.length) best.offer(scoreWriter(metric, q, w.subjectId, w.exemplars));
  return best.items;
}
