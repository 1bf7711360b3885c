/**
 * Printed rule lines (signature, payee and amount lines, box sides, borders): pixels in long
 * runs whose ink is thin across the run, grouped into pieces, and pieces chained along one
 * straight line (a pen stroke crossing a rule splits it). A chain is a rule when it is long,
 * mostly inked along its extent, and straight: the residual of a least-squares line through
 * its pixels is no more than a thin rule's own thickness, whatever the scanner's skew.
 * Pen underlines and flourishes curve and fail that test.
 */
import { label } from './components.ts';

export interface Line {
  horizontal: boolean;
  /** Extent in working pixels. */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** Mean row (horizontal) or column (vertical) of its pixels. */
  pos: number;
  /** Position across the line at coordinate a along it: pos + slope * (a - centre). */
  slope: number;
  centre: number;
  thickness: number;
}

interface Piece {
  label: number;
  /** Extent along (a) and across (b). */
  a0: number;
  a1: number;
  b0: number;
  b1: number;
  len: number;
  n: number;
  sa: number;
  sb: number;
  saa: number;
  sab: number;
  sbb: number;
  keep?: boolean;
}

/** Least-squares fit b = m a + c; returns slope, centre and RMS residual. */
function fit(ps: Piece[]): { slope: number; centre: number; pos: number; rms: number } {
  let n = 0;
  let sa = 0;
  let sb = 0;
  let saa = 0;
  let sab = 0;
  let sbb = 0;
  for (const p of ps) {
    n += p.n;
    sa += p.sa;
    sb += p.sb;
    saa += p.saa;
    sab += p.sab;
    sbb += p.sbb;
  }
  const ma = sa / n;
  const mb = sb / n;
  const vaa = saa / n - ma * ma;
  const vab = sab / n - ma * mb;
  const vbb = sbb / n - mb * mb;
  const slope = vaa > 1e-9 ? vab / vaa : 0;
  const res = Math.max(0, vbb - slope * vab);
  return { slope, centre: ma, pos: mb, rms: Math.sqrt(res) };
}

function pieces(labels: Int32Array, count: number, w: number, h: number, horizontal: boolean): Piece[] {
  const out: Piece[] = [];
  for (let l = 0; l < count; l++) {
    out.push({ label: l, a0: Infinity, a1: -1, b0: Infinity, b1: -1, len: 0, n: 0, sa: 0, sb: 0, saa: 0, sab: 0, sbb: 0 });
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const l = labels[y * w + x]!;
      if (l < 0) continue;
      const p = out[l]!;
      const a = horizontal ? x : y;
      const b = horizontal ? y : x;
      if (a < p.a0) p.a0 = a;
      if (a > p.a1) p.a1 = a;
      if (b < p.b0) p.b0 = b;
      if (b > p.b1) p.b1 = b;
      p.n++;
      p.sa += a;
      p.sb += b;
      p.saa += a * a;
      p.sab += a * b;
      p.sbb += b * b;
    }
  }
  for (const p of out) p.len = p.a1 - p.a0 + 1;
  return out;
}

/** Length of the ink run through each pixel, along columns (`vertical`) or rows (capped at 65535). */
function runLengths(mask: Uint8Array, w: number, h: number, vertical: boolean): Uint16Array {
  const run = new Uint16Array(w * h);
  const outer = vertical ? w : h;
  const inner = vertical ? h : w;
  const at = (o: number, i: number) => (vertical ? i * w + o : o * w + i);
  for (let o = 0; o < outer; o++) {
    let i = 0;
    while (i < inner) {
      if (!mask[at(o, i)]) {
        i++;
        continue;
      }
      let e = i;
      while (e < inner && mask[at(o, e)]) e++;
      const r = Math.min(65535, e - i);
      for (let k = i; k < e; k++) run[at(o, k)] = r;
      i = e;
    }
  }
  return run;
}

/** Candidate rule pixels: in a run of at least `minRun` along the direction, each at most `maxThick` across. */
function thinRuns(mask: Uint8Array, across: Uint16Array, w: number, h: number, horizontal: boolean, maxThick: number, minRun: number): Uint8Array {
  const cand = new Uint8Array(w * h);
  const outer = horizontal ? h : w;
  const inner = horizontal ? w : h;
  const at = (o: number, i: number) => (horizontal ? o * w + i : i * w + o);
  const thin = (j: number) => mask[j] && across[j]! <= maxThick;
  for (let o = 0; o < outer; o++) {
    let i = 0;
    while (i < inner) {
      if (!thin(at(o, i))) {
        i++;
        continue;
      }
      let e = i;
      while (e < inner && thin(at(o, e))) e++;
      if (e - i >= minRun) for (let k = i; k < e; k++) cand[at(o, k)] = 1;
      i = e;
    }
  }
  return cand;
}

/**
 * Chains the straight pieces of one direction (sorted along it) into rules: each piece continues
 * a chain that it extends in line with the chain's fit, across a short gap (a break in the print)
 * or a long one that handwriting covers. Pieces used by a kept rule get `keep`.
 */
function chainRules(ps: Piece[], mask: Uint8Array, cand: Uint8Array, w: number, horizontal: boolean, workDpi: number, maxThick: number): Line[] {
  const minLen = horizontal ? Math.round(workDpi * 0.7) : Math.round(workDpi * 1.2);
  const lines: Line[] = [];
  const used = new Uint8Array(ps.length);
  for (let i = 0; i < ps.length; i++) {
    if (used[i]) continue;
    const chain = [ps[i]!];
    used[i] = 1;
    let end = ps[i]!.a1;
    for (let j = i + 1; j < ps.length; j++) {
      const q = ps[j]!;
      if (used[j] || q.a1 <= end) continue;
      if (q.a0 > end + workDpi * 2.5) break;
      // q must continue the chain's straight line
      const f = fit(chain);
      const expected = f.pos + f.slope * ((q.a0 + q.a1) / 2 - f.centre);
      if (Math.abs(q.sb / q.n - expected) > maxThick) continue;
      // a short gap is a break in the print; a long one only when handwriting covers it
      if (q.a0 > end + workDpi * 0.5 && !gapInked(mask, cand, w, horizontal, end + 1, q.a0 - 1, f, maxThick)) continue;
      chain.push(q);
      used[j] = 1;
      end = q.a1;
    }
    const a0 = chain[0]!.a0;
    const extent = end - a0 + 1;
    const covered = chain.reduce((s, p) => s + p.len, 0);
    // the rule must show for a good part of its length (the rest hidden under handwriting)
    if (extent < minLen || covered < extent * 0.3) continue;
    const f = fit(chain);
    if (f.rms > maxThick * 0.6 + 0.6) continue; // curved: a pen stroke, not a printed rule
    let b0 = Infinity;
    let b1 = -Infinity;
    let n = 0;
    for (const p of chain) {
      b0 = Math.min(b0, p.b0);
      b1 = Math.max(b1, p.b1);
      n += p.n;
      p.keep = true;
    }
    const thickness = n / covered;
    lines.push(
      horizontal
        ? { horizontal, x0: a0, y0: b0, x1: end, y1: b1, pos: f.pos, slope: f.slope, centre: f.centre, thickness }
        : { horizontal, x0: b0, y0: a0, x1: b1, y1: end, pos: f.pos, slope: f.slope, centre: f.centre, thickness },
    );
  }
  return lines;
}

/** Finds rule lines in an ink mask; returns them and a mask of their pixels. */
export function findLines(mask: Uint8Array, w: number, h: number, workDpi: number): { lines: Line[]; lineMask: Uint8Array } {
  const maxThick = Math.max(2, Math.round(workDpi * 0.025));
  const minRun = Math.max(6, Math.round(workDpi * 0.12));
  const vrun = runLengths(mask, w, h, true);
  const hrun = runLengths(mask, w, h, false);
  const lines: Line[] = [];
  const lineMask = new Uint8Array(w * h);
  for (const horizontal of [true, false]) {
    // a horizontal rule is thin vertically, and long horizontally
    const cand = thinRuns(mask, horizontal ? vrun : hrun, w, h, horizontal, maxThick, minRun);
    const { labels, count } = label(cand, w, h);
    const ps = pieces(labels, count, w, h, horizontal).filter((p) => p.b1 - p.b0 <= maxThick + 1 + p.len * 0.06);
    ps.sort((p, q) => p.a0 - q.a0);
    lines.push(...chainRules(ps, mask, cand, w, horizontal, workDpi, maxThick));
    const keep = new Uint8Array(count);
    for (const p of ps) if (p.keep) keep[p.label] = 1;
    for (let i = 0; i < labels.length; i++) if (labels[i]! >= 0 && keep[labels[i]!]) lineMask[i] = 1;
  }
  return { lines, lineMask };
}

/**
 * True when most of a gap along a line's path has ink on it (pen strokes hiding the rule).
 * Thin-run pixels (`rule`) do not count: a stretch of printed rule in the gap is a piece of
 * its own, and letting it bridge the gap would join two collinear rules (the memo line and
 * the signature line) into one that spans both.
 */
function gapInked(
  mask: Uint8Array,
  rule: Uint8Array,
  w: number,
  horizontal: boolean,
  a0: number,
  a1: number,
  f: { pos: number; slope: number; centre: number },
  r: number,
): boolean {
  const h = mask.length / w;
  let inked = 0;
  for (let a = a0; a <= a1; a++) {
    const b = Math.round(f.pos + f.slope * (a - f.centre));
    for (let d = -r; d <= r; d++) {
      const bb = b + d;
      const idx = horizontal ? bb * w + a : a * w + bb;
      if (bb >= 0 && bb < (horizontal ? h : w) && mask[idx] && !rule[idx]) {
        inked++;
        break;
      }
    }
  }
  return inked >= (a1 - a0 + 1) * 0.5;
}

/** Row of a horizontal line at column x (its skew taken into account). */
export function lineRowAt(l: Line, x: number): number {
  return l.pos + l.slope * (x - l.centre);
}
