/**
 * A deliberately simple verifier for tests: signature images normalised to a small fixed
 * canvas (crop to ink, fit, centre, blur), compared by mean absolute difference. Used to
 * check that skilled forgeries are harder than random ones, and that genuine samples
 * still beat skilled forgeries.
 */
import type { RasterImage } from '../../../src-main/core/synth/index.ts';

export const CANVAS = { width: 128, height: 48 } as const;

/** Ink darkness 0..1 on a fixed canvas. */
export function normalise(img: RasterImage): Float32Array {
  const { width: W, height: H } = CANVAS;
  const [bx, by, bw, bh] = img.inkBox;
  const k = Math.min((W - 4) / bw, (H - 4) / bh);
  const ox = (W - bw * k) / 2;
  const oy = (H - bh * k) / 2;
  const out = new Float32Array(W * H);
  const ch = img.channels;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      // Box-filtered sample of the source footprint of this canvas pixel.
      const sx0 = bx + (x - ox) / k;
      const sy0 = by + (y - oy) / k;
      const step = Math.max(1, Math.floor(1 / k));
      let sum = 0;
      let n = 0;
      for (let v = 0; v < step; v++) {
        for (let u = 0; u < step; u++) {
          const sx = Math.floor(sx0 + u);
          const sy = Math.floor(sy0 + v);
          if (sx < bx || sy < by || sx >= bx + bw || sy >= by + bh) continue;
          sum += 1 - (img.pixels[(sy * img.width + sx) * ch] as number) / 255;
          n++;
        }
      }
      out[y * W + x] = n ? sum / n : 0;
    }
  }
  return blur(blur(out));
}

function blur(a: Float32Array): Float32Array {
  const { width: W, height: H } = CANVAS;
  const out = new Float32Array(a.length);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let s = 0;
      let n = 0;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const u = x + dx;
          const v = y + dy;
          if (u < 0 || v < 0 || u >= W || v >= H) continue;
          s += a[v * W + u] as number;
          n++;
        }
      }
      out[y * W + x] = s / n;
    }
  }
  return out;
}

export function distance(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs((a[i] as number) - (b[i] as number));
  return s / a.length;
}

/** Mean distance from a questioned image to a writer's references. */
export function score(q: Float32Array, refs: Float32Array[]): number {
  return refs.reduce((acc, r) => acc + distance(q, r), 0) / refs.length;
}

/** Equal error rate between genuine distances (should be low) and impostor distances. */
export function eer(genuine: number[], impostor: number[]): number {
  const thresholds = [...genuine, ...impostor].sort((a, b) => a - b);
  let best = 1;
  for (const t of thresholds) {
    const frr = genuine.filter((d) => d > t).length / genuine.length;
    const far = impostor.filter((d) => d <= t).length / impostor.length;
    best = Math.min(best, Math.max(frr, far));
  }
  return best;
}

/** The references' own spread: mean distance between pairs of them. */
export function spread(refs: Float32Array[]): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < refs.length; i++) {
    for (let j = i + 1; j < refs.length; j++) {
      s += distance(refs[i] as Float32Array, refs[j] as Float32Array);
      n++;
    }
  }
  return s / n;
}
