/**
 * Training pairs from labelled data (DESIGN section 7), as in SigNet: genuine-genuine pairs of
 * one writer are similar (y = 1); genuine-skilled-forgery pairs of one writer and
 * genuine-other-writer pairs (random forgeries) are dissimilar (y = 0). Every epoch draws a
 * balanced set: half similar, half dissimilar (of those, half skilled where the writer has
 * forgeries). The train/validation split is by writer, so validation writers are never seen.
 */
import { AppError } from '../../errors.ts';
import { Rng } from '../../util/random.ts';
import type { LabelledItem } from '../dataset.ts';

export interface WriterSplit {
  train: string[];
  validation: string[];
}

/** Writer-disjoint split; at least 2 writers on each side. */
export function splitWriters(writers: readonly string[], validationFraction: number, seed: number): WriterSplit {
  if (writers.length < 4) {
    throw new AppError('INVALID_ARGUMENT', `training data: ${writers.length} writers; at least 4 are needed for a writer-disjoint train/validation split`);
  }
  const order = new Rng(seed).fork('split').shuffle([...writers].sort());
  const nVal = Math.min(writers.length - 2, Math.max(2, Math.round(writers.length * validationFraction)));
  return { validation: order.slice(0, nVal).sort(), train: order.slice(nVal).sort() };
}

export interface Pair {
  a: number;
  b: number;
  /** 1 similar, 0 dissimilar. */
  y: 0 | 1;
  kind: 'genuine' | 'skilled' | 'random';
}

export interface WriterIndex {
  genuine: number[];
  forged: number[];
}

export function indexByWriter(items: readonly LabelledItem[], writers: readonly string[]): Map<string, WriterIndex> {
  const set = new Set(writers);
  const map = new Map<string, WriterIndex>();
  items.forEach((it, i) => {
    if (!set.has(it.writer)) return;
    const w = map.get(it.writer) ?? { genuine: [], forged: [] };
    (it.label === 'genuine' ? w.genuine : w.forged).push(i);
    map.set(it.writer, w);
  });
  return map;
}

/**
 * Draws training writers: a source with probability proportional to its weight, then one of its
 * writers uniformly (so a large synthetic source with weight 1 and a small real one with weight 1
 * are drawn from equally often). One source, or no weights: every writer equally.
 */
export class WriterSampler {
  private readonly groups: { weight: number; writers: string[] }[];
  private readonly total: number;

  constructor(writers: readonly string[], sourceOf?: (writer: string) => number, weights?: readonly number[]) {
    const by = new Map<number, string[]>();
    for (const w of [...writers].sort()) {
      const s = sourceOf ? sourceOf(w) : 0;
      by.set(s, [...(by.get(s) ?? []), w]);
    }
    this.groups = [...by.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([s, ws]) => ({ weight: weights?.[s] ?? 1, writers: ws }))
      .filter((g) => g.weight > 0);
    this.total = this.groups.reduce((t, g) => t + g.weight, 0);
    if (!this.groups.length) throw new AppError('INVALID_ARGUMENT', 'training data: no writers to draw from (every source has weight 0)');
  }

  get all(): string[] {
    return this.groups.flatMap((g) => g.writers);
  }

  pick(rng: Rng): string {
    let u = rng.next() * this.total;
    for (const g of this.groups) {
      if (u < g.weight) return rng.pick(g.writers);
      u -= g.weight;
    }
    return rng.pick(this.groups.at(-1)!.writers);
  }
}

/** A balanced, seeded list of pairs for one epoch. */
export function epochPairs(
  items: readonly LabelledItem[],
  writers: readonly string[],
  count: number,
  seed: number,
  epoch: number,
  sampling?: { sourceOf: (writer: string) => number; weights: readonly number[] },
): Pair[] {
  const rng = new Rng(seed).fork(`pairs:${epoch}`);
  const byWriter = indexByWriter(items, writers);
  const usable = [...byWriter.keys()].sort().filter((w) => byWriter.get(w)!.genuine.length >= 2);
  if (usable.length < 2) throw new AppError('INVALID_ARGUMENT', 'training data: at least 2 writers with 2 or more genuine signatures are needed');
  const sampler = new WriterSampler(usable, sampling?.sourceOf, sampling?.weights);
  const pairs: Pair[] = [];
  for (let k = 0; k < count; k++) {
    const w = sampling ? sampler.pick(rng) : rng.pick(usable);
    const own = byWriter.get(w)!;
    const a = rng.pick(own.genuine);
    if (k % 2 === 0) {
      let b = rng.pick(own.genuine);
      while (b === a) b = rng.pick(own.genuine);
      pairs.push({ a, b, y: 1, kind: 'genuine' });
    } else if (own.forged.length && rng.chance(0.5)) {
      pairs.push({ a, b: rng.pick(own.forged), y: 0, kind: 'skilled' });
    } else {
      let other = rng.pick(usable);
      while (other === w) other = rng.pick(usable);
      pairs.push({ a, b: rng.pick(byWriter.get(other)!.genuine), y: 0, kind: 'random' });
    }
  }
  return rng.shuffle(pairs);
}

/**
 * One batch of images for the triplet objective: `writers` writers drawn with the sampler, each
 * as a block of `genuine` genuine signatures (label: the writer's index in the batch) followed by
 * `forged` of its skilled forgeries (label < 0, negatives only; where the writer has fewer, other
 * writers' genuine signatures, also labelled < 0, fill the block so every block has one size).
 */
export function tripletBatch(
  byWriter: ReadonlyMap<string, WriterIndex>,
  sampler: WriterSampler,
  rng: Rng,
  shape: { writers: number; genuine: number; forged: number },
): { indices: number[]; labels: Int32Array; blockSize: number } {
  const usable = sampler.all.filter((w) => (byWriter.get(w)?.genuine.length ?? 0) >= 2);
  if (usable.length < 2) throw new AppError('INVALID_ARGUMENT', 'training data: at least 2 writers with 2 or more genuine signatures are needed');
  const blockSize = shape.genuine + shape.forged;
  const indices: number[] = [];
  const labels: number[] = [];
  const chosen = new Set<string>();
  let negative = -1;
  for (let b = 0; b < shape.writers; b++) {
    let w = sampler.pick(rng);
    for (let tries = 0; (chosen.has(w) || (byWriter.get(w)?.genuine.length ?? 0) < 2) && tries < 50; tries++) w = sampler.pick(rng);
    chosen.add(w);
    const own = byWriter.get(w)!;
    const gen = rng.shuffle([...own.genuine]);
    for (let k = 0; k < shape.genuine; k++) {
      indices.push(gen[k % gen.length]!);
      labels.push(b);
    }
    const forged = rng.shuffle([...own.forged]);
    for (let k = 0; k < shape.forged; k++) {
      if (k < forged.length) indices.push(forged[k]!);
      else {
        let other = rng.pick(usable);
        while (other === w) other = rng.pick(usable);
        indices.push(rng.pick(byWriter.get(other)!.genuine));
      }
      labels.push(negative--);
    }
  }
  return { indices, labels: Int32Array.from(labels), blockSize };
}

/**
 * Writer classes for writer-classification pre-training, as SigNet-F (Hafemann et al. 2017):
 * class w for writer w's genuine signatures and class W + w for the skilled forgeries filed under
 * writer w, so the features learn to tell a forgery from its model.
 */
export function writerClasses(items: readonly LabelledItem[], writers: readonly string[]): { classOf: Int32Array; classes: number } {
  const index = new Map([...writers].sort().map((w, i) => [w, i]));
  const n = index.size;
  const classOf = new Int32Array(items.length).fill(-1);
  items.forEach((it, i) => {
    const w = index.get(it.writer);
    if (w !== undefined) classOf[i] = it.label === 'genuine' ? w : n + w;
  });
  return { classOf, classes: 2 * n };
}
