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

interface WriterIndex {
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

/** A balanced, seeded list of pairs for one epoch. */
export function epochPairs(items: readonly LabelledItem[], writers: readonly string[], count: number, seed: number, epoch: number): Pair[] {
  const rng = new Rng(seed).fork(`pairs:${epoch}`);
  const byWriter = indexByWriter(items, writers);
  const usable = [...byWriter.keys()].sort().filter((w) => byWriter.get(w)!.genuine.length >= 2);
  if (usable.length < 2) throw new AppError('INVALID_ARGUMENT', 'training data: at least 2 writers with 2 or more genuine signatures are needed');
  const pairs: Pair[] = [];
  for (let k = 0; k < count; k++) {
    const w = rng.pick(usable);
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
 * Light augmentation of one model input (H x W, ink high): a small random affine change
 * (shift, scale, rotation) and, sometimes, a thicker or thinner stroke (3 x 3 max / min).
 */
export function augment(input: Float32Array, h: number, w: number, rng: Rng): Float32Array {
  const angle = rng.uniform(-0.05, 0.05);
  const scale = rng.uniform(0.94, 1.06);
  const tx = rng.uniform(-4, 4);
  const ty = rng.uniform(-3, 3);
  const cos = Math.cos(angle) / scale;
  const sin = Math.sin(angle) / scale;
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  let out: Float32Array = new Float32Array(h * w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const dx = x - cx - tx;
      const dy = y - cy - ty;
      const sx = cos * dx + sin * dy + cx;
      const sy = -sin * dx + cos * dy + cy;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      if (x0 < 0 || y0 < 0 || x0 >= w - 1 || y0 >= h - 1) continue;
      const fx = sx - x0;
      const fy = sy - y0;
      const i = y0 * w + x0;
      out[y * w + x] =
        input[i]! * (1 - fx) * (1 - fy) + input[i + 1]! * fx * (1 - fy) + input[i + w]! * (1 - fx) * fy + input[i + w + 1]! * fx * fy;
    }
  }
  const stroke = rng.next();
  if (stroke < 0.15) out = morph(out, h, w, Math.max);
  else if (stroke < 0.25) out = morph(out, h, w, Math.min);
  return out;
}

function morph(src: Float32Array, h: number, w: number, op: (...v: number[]) => number): Float32Array {
  const out = new Float32Array(src.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let v = src[y * w + x]!;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const yy = y + dy;
          const xx = x + dx;
          if (yy >= 0 && yy < h && xx >= 0 && xx < w) v = op(v, src[yy * w + xx]!);
        }
      }
      out[y * w + x] = v;
    }
  }
  return out;
}
