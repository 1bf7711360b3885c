/**
 * Small numeric helpers for the generator: seeded sub-streams, erf and the lognormal
 * used by the kinematic model, and smooth value noise (elastic distortion, tremor,
 * paper texture). Everything is plain arithmetic on V8's own Math functions, so the
 * same seed gives the same numbers on every machine.
 */
import { Rng, hashString } from '../util/random.ts';

export interface Pt {
  x: number;
  y: number;
}

/** A random stream named by a base seed and a path of labels: independent of call order. */
export function rngFor(seed: number, ...labels: (string | number)[]): Rng {
  return new Rng((hashString(labels.join('/')) ^ Math.imul(seed >>> 0, 2654435761)) >>> 0 || 1);
}

export const clamp = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);
export const lerp = (a: number, b: number, t: number): number => a + (b - a) * t;

export function smoothstep(e0: number, e1: number, x: number): number {
  const t = clamp((x - e0) / (e1 - e0), 0, 1);
  return t * t * (3 - 2 * t);
}

/** Wraps an angle to (-pi, pi]. */
export function wrapAngle(a: number): number {
  while (a > Math.PI) a -= 2 * Math.PI;
  while (a <= -Math.PI) a += 2 * Math.PI;
  return a;
}

/** erf, Abramowitz & Stegun 7.1.26 (absolute error < 1.5e-7). */
export function erf(x: number): number {
  const s = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return s * y;
}

/** Normal distribution in log time: the lognormal CDF of (t - t0). */
export function lognormalCdf(t: number, t0: number, mu: number, sigma: number): number {
  if (t <= t0) return 0;
  return 0.5 * (1 + erf((Math.log(t - t0) - mu) / (sigma * Math.SQRT2)));
}

/** Lognormal density of (t - t0): the speed profile of one stroke of unit length. */
export function lognormalPdf(t: number, t0: number, mu: number, sigma: number): number {
  if (t <= t0) return 0;
  const d = t - t0;
  const z = (Math.log(d) - mu) / sigma;
  return Math.exp(-0.5 * z * z) / (sigma * 2.5066282746310002 * d);
}

/** 1-D value noise: random values at integer knots, smoothly interpolated; range about -1..1. */
export class Noise1D {
  private readonly knots: Float64Array;
  constructor(rng: Rng, size = 256) {
    this.knots = new Float64Array(size);
    for (let i = 0; i < size; i++) this.knots[i] = rng.uniform(-1, 1);
  }
  at(x: number): number {
    const n = this.knots.length;
    const f = Math.floor(x);
    const t = x - f;
    const i = ((f % n) + n) % n;
    const a = this.knots[i] as number;
    const b = this.knots[(i + 1) % n] as number;
    return a + (b - a) * t * t * (3 - 2 * t);
  }
}

/** 2-D value noise on a periodic lattice; range about -1..1. */
export class Noise2D {
  private readonly grid: Float32Array;
  constructor(
    rng: Rng,
    private readonly size = 64,
  ) {
    this.grid = new Float32Array(size * size);
    for (let i = 0; i < this.grid.length; i++) this.grid[i] = rng.uniform(-1, 1);
  }
  at(x: number, y: number): number {
    const n = this.size;
    const fx = Math.floor(x);
    const fy = Math.floor(y);
    let tx = x - fx;
    let ty = y - fy;
    tx = tx * tx * (3 - 2 * tx);
    ty = ty * ty * (3 - 2 * ty);
    const x0 = ((fx % n) + n) % n;
    const y0 = ((fy % n) + n) % n;
    const x1 = (x0 + 1) % n;
    const y1 = (y0 + 1) % n;
    const g = this.grid;
    const a = g[y0 * n + x0] as number;
    const b = g[y0 * n + x1] as number;
    const c = g[y1 * n + x0] as number;
    const d = g[y1 * n + x1] as number;
    return a + (b - a) * tx + (c - a) * ty + (a - b - c + d) * tx * ty;
  }
}

/** A table of standard normal values: fast per-pixel noise. */
export function normalTable(rng: Rng, size = 1 << 16): Float32Array {
  const t = new Float32Array(size);
  for (let i = 0; i < size; i++) t[i] = rng.normal();
  return t;
}

export const NORMALS_SIZE = 1 << 16;
let normals: Float32Array | undefined;

/**
 * One fixed table of normal values shared by every image (built once from a constant seed);
 * images read it from their own random offsets, so noise differs between images while
 * nobody pays for fresh Gaussian draws per pixel.
 */
export function sharedNormals(): Float32Array {
  return (normals ??= normalTable(new Rng('countersign/synth/normals'), NORMALS_SIZE));
}

/** A smooth random displacement field (sum of a few oriented waves), for elastic distortion. */
export class ElasticField {
  private readonly waves: { kx: number; ky: number; phase: number; ax: number; ay: number }[] = [];
  constructor(rng: Rng, amplitude: number, wavelength: number, count = 4) {
    for (let i = 0; i < count; i++) {
      const ang = rng.uniform(0, Math.PI * 2);
      const k = (2 * Math.PI) / (wavelength * rng.uniform(0.7, 1.6));
      this.waves.push({
        kx: Math.cos(ang) * k,
        ky: Math.sin(ang) * k,
        phase: rng.uniform(0, Math.PI * 2),
        ax: rng.normal(0, amplitude / Math.sqrt(count)),
        ay: rng.normal(0, amplitude / Math.sqrt(count)),
      });
    }
  }
  displace(p: Pt): Pt {
    let dx = 0;
    let dy = 0;
    for (const w of this.waves) {
      const s = Math.sin(w.kx * p.x + w.ky * p.y + w.phase);
      dx += w.ax * s;
      dy += w.ay * s;
    }
    return { x: p.x + dx, y: p.y + dy };
  }
}

/** Integer hash of a pixel position: deterministic grain without a random stream. */
export function hash2(x: number, y: number, seed: number): number {
  let h = Math.imul(x, 374761393) ^ Math.imul(y, 668265263) ^ Math.imul(seed, 2246822519);
  h = Math.imul(h ^ (h >>> 13), 1274126177);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}
