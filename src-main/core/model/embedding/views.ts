/**
 * Test-time views: a model may embed each signature as the mean of its embeddings at a few small
 * shifts of the network input (`preprocessing.testTimeViews`, a list of [dy, dx] in input pixels,
 * the unshifted [0, 0] among them). A signature is then described by how the network sees it
 * around where the normalisation happened to put it, not at that one position, which makes the
 * distance between two signatures of a hand less dependent on where each landed on the canvas.
 *
 * A model without the field embeds the input once. Views change every distance, so they are set
 * only on a new model version, with its own calibration (metric-version.ts `deriveVersion`);
 * the identity covers `preprocessing`, so an embedding stored under one can never pass for the other's.
 * Chosen on SigComp develop's validation writers (docs/evaluation.md section 6).
 */
import { AppError } from '../../errors.ts';

/** A shift of the network input: rows down, columns right (negative: up, left). */
export type View = readonly [dy: number, dx: number];

/** The views a model is derived with by name (`countersign models views <id> <set>`). */
export const VIEW_SETS = {
  /** The input once (what every model without views does). */
  none: [[0, 0]],
  /** The input and its 8 neighbours on a 3 x 3 grid: 3 rows and 4 columns apart. */
  grid9: [
    [0, 0],
    [0, 4],
    [0, -4],
    [3, 0],
    [-3, 0],
    [3, 4],
    [-3, -4],
    [3, -4],
    [-3, 4],
  ],
} as const satisfies Record<string, readonly View[]>;
export type ViewSet = keyof typeof VIEW_SETS;
export const VIEW_SET_NAMES = Object.keys(VIEW_SETS) as ViewSet[];

const ONCE: readonly View[] = VIEW_SETS.none;
/** No shift may move the input by more than this share of its height or width. */
const MAX_SHIFT_SHARE = 0.25;
const MAX_VIEWS = 32;

/**
 * The views of a model (`preprocessing.testTimeViews`), checked: a non-empty list of at most 32
 * distinct [dy, dx] integer pairs, [0, 0] among them, each shift within a quarter of the input's
 * height and width. Absent: the input once.
 */
export function testTimeViewsOf(meta: { preprocessing: Record<string, unknown>; inputShape: readonly number[] }, where = 'model'): readonly View[] {
  const raw = meta.preprocessing.testTimeViews;
  if (raw === undefined) return ONCE;
  const field = `${where}: preprocessing.testTimeViews`;
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > MAX_VIEWS)
    throw new AppError('INTEGRITY', `${field}: expected a list of 1 to ${MAX_VIEWS} [dy, dx] shifts`);
  const [h, w] = meta.inputShape as [number, number];
  const seen = new Set<string>();
  const views = raw.map((v: unknown, i): View => {
    const ok = Array.isArray(v) && v.length === 2 && v.every((d) => Number.isInteger(d));
    if (!ok) throw new AppError('INTEGRITY', `${field}[${i}]: expected [dy, dx], two whole numbers, got ${JSON.stringify(v)}`);
    const [dy, dx] = v as [number, number];
    if (Math.abs(dy) > h * MAX_SHIFT_SHARE || Math.abs(dx) > w * MAX_SHIFT_SHARE) {
      throw new AppError('INTEGRITY', `${field}[${i}]: the shift [${dy}, ${dx}] moves the ${h} x ${w} input by more than a quarter of its size`);
    }
    if (seen.has(`${dy},${dx}`)) throw new AppError('INTEGRITY', `${field}[${i}]: [${dy}, ${dx}] is listed twice`);
    seen.add(`${dy},${dx}`);
    return [dy, dx];
  });
  if (!seen.has('0,0')) throw new AppError('INTEGRITY', `${field}: the unshifted view [0, 0] is missing`);
  return views;
}

/**
 * Writes input x (h x w x c, channels last) shifted by (dy, dx) into dst at offset; what moves in
 * from outside is background (0: network inputs have paper at 0 and ink above it).
 */
export function writeShifted(dst: Float32Array, offset: number, x: Float32Array, [h, w, c]: readonly [number, number, number], [dy, dx]: View): void {
  const row = w * c;
  if (dy === 0 && dx === 0) {
    dst.set(x, offset);
    return;
  }
  dst.fill(0, offset, offset + h * row);
  const x0 = Math.max(0, dx);
  const x1 = Math.min(w, w + dx);
  if (x1 <= x0) return;
  for (let y = Math.max(0, dy); y < Math.min(h, h + dy); y++) {
    const from = (y - dy) * row + (x0 - dx) * c;
    dst.set(x.subarray(from, from + (x1 - x0) * c), offset + y * row + x0 * c);
  }
}

/** The mean of each run of `views` consecutive vectors in out (n * views vectors of dim values). */
export function meanOfViews(out: Float32Array, n: number, views: number, dim: number): Float32Array[] {
  const vecs: Float32Array[] = [];
  for (let i = 0; i < n; i++) {
    const v = new Float32Array(dim);
    for (let k = 0; k < views; k++) {
      const at = (i * views + k) * dim;
      for (let d = 0; d < dim; d++) v[d]! += out[at + d]!;
    }
    for (let d = 0; d < dim; d++) v[d]! /= views;
    vecs.push(v);
  }
  return vecs;
}
