/**
 * Training augmentation of one model input (H x W, ink high, paper 0): what differs between two
 * scans of one writer's signatures without changing the hand.
 *
 * - 'light' (runs from before): a small affine change (rotation +-0.05 rad, scale 0.94-1.06,
 *   shift +-4/+-3 px) and sometimes a 3 x 3 dilation or erosion.
 * - 'scan': rotation +-0.07 rad, scale 0.9-1.1 with a slightly different height (aspect
 *   0.95-1.05), shear +-0.15, shift +-5/+-4 px, a smooth elastic displacement (a 4 x 6 grid of
 *   random offsets, sd 1.2 px, interpolated), and a fractional stroke-width change (blend towards
 *   the 3 x 3 maximum or minimum by up to half), each drawn from the seeded generator.
 */
import type { Rng } from '../../util/random.ts';

export type Augmentation = 'none' | 'light' | 'scan';
export const AUGMENTATIONS: readonly Augmentation[] = ['none', 'light', 'scan'];

export function augment(input: Float32Array, h: number, w: number, rng: Rng, kind: Augmentation = 'light'): Float32Array {
  if (kind === 'none') return input;
  if (kind === 'light') {
    let out = warp(input, h, w, affine(rng.uniform(-0.05, 0.05), rng.uniform(0.94, 1.06), 1, 0, rng.uniform(-4, 4), rng.uniform(-3, 3)), null);
    const stroke = rng.next();
    if (stroke < 0.15) out = morph(out, h, w, Math.max);
    else if (stroke < 0.25) out = morph(out, h, w, Math.min);
    return out;
  }
  const m = affine(rng.uniform(-0.07, 0.07), rng.uniform(0.9, 1.1), rng.uniform(0.95, 1.05), rng.uniform(-0.15, 0.15), rng.uniform(-5, 5), rng.uniform(-4, 4));
  const out = warp(input, h, w, m, elasticField(h, w, rng, 4, 6, 1.2));
  const stroke = rng.next();
  if (stroke < 0.5) {
    const amount = rng.uniform(0, 0.5);
    const target = morph(out, h, w, stroke < 0.25 ? Math.max : Math.min);
    for (let i = 0; i < out.length; i++) out[i] = out[i]! + amount * (target[i]! - out[i]!);
  }
  return out;
}

/** Inverse map (output -> source) of rotation, scale, aspect, shear and shift about the centre: [a, b, c, d, tx, ty]. */
type Affine = [number, number, number, number, number, number];

function affine(angle: number, scale: number, aspect: number, shear: number, tx: number, ty: number): Affine {
  // forward: p' = R * S * H * p + t, with S = diag(scale, scale * aspect), H = [[1, shear], [0, 1]]
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const sx = scale;
  const sy = scale * aspect;
  const f00 = cos * sx;
  const f01 = cos * sx * shear - sin * sy;
  const f10 = sin * sx;
  const f11 = sin * sx * shear + cos * sy;
  const det = f00 * f11 - f01 * f10;
  return [f11 / det, -f01 / det, -f10 / det, f00 / det, tx, ty];
}

/** A smooth random displacement field (dx, dy per pixel) from a coarse grid of normal offsets. */
function elasticField(h: number, w: number, rng: Rng, rows: number, cols: number, sd: number): { dx: Float32Array; dy: Float32Array } {
  const gx = new Float32Array(rows * cols);
  const gy = new Float32Array(rows * cols);
  for (let i = 0; i < gx.length; i++) {
    gx[i] = rng.normal(0, sd);
    gy[i] = rng.normal(0, sd);
  }
  const dx = new Float32Array(h * w);
  const dy = new Float32Array(h * w);
  for (let y = 0; y < h; y++) {
    const fy = (y / Math.max(1, h - 1)) * (rows - 1);
    const r0 = Math.min(rows - 2, Math.floor(fy));
    const ty = fy - r0;
    for (let x = 0; x < w; x++) {
      const fx = (x / Math.max(1, w - 1)) * (cols - 1);
      const c0 = Math.min(cols - 2, Math.floor(fx));
      const tx = fx - c0;
      const i = r0 * cols + c0;
      const lerp = (g: Float32Array) => g[i]! * (1 - tx) * (1 - ty) + g[i + 1]! * tx * (1 - ty) + g[i + cols]! * (1 - tx) * ty + g[i + cols + 1]! * tx * ty;
      dx[y * w + x] = lerp(gx);
      dy[y * w + x] = lerp(gy);
    }
  }
  return { dx, dy };
}

function warp(input: Float32Array, h: number, w: number, m: Affine, field: { dx: Float32Array; dy: Float32Array } | null): Float32Array {
  const [a, b, c, d, tx, ty] = m;
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const out = new Float32Array(h * w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const k = y * w + x;
      const ox = x - cx - tx + (field ? field.dx[k]! : 0);
      const oy = y - cy - ty + (field ? field.dy[k]! : 0);
      const sx = a * ox + b * oy + cx;
      const sy = c * ox + d * oy + cy;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      if (x0 < 0 || y0 < 0 || x0 >= w - 1 || y0 >= h - 1) continue;
      const fx = sx - x0;
      const fy = sy - y0;
      const i = y0 * w + x0;
      out[k] = input[i]! * (1 - fx) * (1 - fy) + input[i + 1]! * fx * (1 - fy) + input[i + w]! * (1 - fx) * fy + input[i + w + 1]! * fx * fy;
    }
  }
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
