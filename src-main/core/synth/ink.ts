/**
 * Ink deposition: turns a pen trajectory into line width and ink density per sample
 * (pressure profile, tapered or blunt ends, thinner and lighter where the pen is fast),
 * and paints it onto a coverage layer with the round brush.
 */
import type { Rng } from '../util/random.ts';
import type { Hand, Pen, PenHabit } from './hand.ts';
import type { Trace } from './kinematics.ts';
import { Noise1D, clamp, hash2, smoothstep } from './math.ts';
import { brushSegment, type Layer } from './raster.ts';

/** A line ready to paint: positions in mm, width in mm, density 0..1, per sample. */
export interface InkLine {
  x: Float64Array;
  y: Float64Array;
  width: Float64Array;
  density: Float64Array;
  n: number;
}

export interface InkOptions {
  /** blunt starts and ends regardless of habit (pen set down and lifted at rest) */
  blunt?: boolean;
  /** sample indices where the pen paused: ink pools into a blot */
  pauses?: number[];
}

/** Width and density along one trace. */
export function inkLine(trace: Trace, habit: PenHabit, pen: Pen, rng: Rng, opts: InkOptions = {}): InkLine {
  const { n, x, y, speed, dt } = trace;
  const width = new Float64Array(n);
  const density = new Float64Array(n);
  const arc = new Float64Array(n);
  for (let i = 1; i < n; i++) arc[i] = (arc[i - 1] as number) + Math.hypot((x[i] as number) - (x[i - 1] as number), (y[i] as number) - (y[i - 1] as number));
  const total = arc[n - 1] as number;
  const taper = opts.blunt ? 0.05 : habit.taper;
  const lenIn = Math.max(0.05, taper * Math.min(1.6, 0.3 * total) * rng.uniform(0.6, 1.3));
  const lenOut = Math.max(0.05, taper * Math.min(2.2, 0.35 * total) * rng.uniform(0.6, 1.4));
  const floorIn = opts.blunt ? 0.85 : 0.15;
  const noise = new Noise1D(rng, 64);
  const phase = rng.uniform(0, 64);
  const sensitivity = pen.kind === 'ballpoint' ? 0.45 : pen.kind === 'gel' ? 0.65 : 0.8;
  for (let i = 0; i < n; i++) {
    const s = arc[i] as number;
    const ramp = (floorIn + (1 - floorIn) * smoothstep(0, lenIn, s)) * (floorIn + (1 - floorIn) * smoothstep(0, lenOut, total - s));
    const p = clamp(habit.pressure * (1 + habit.pressureVar * noise.at(phase + i * dt * 3)) * ramp, 0, 1);
    const q = (speed[i] as number) / ((speed[i] as number) + habit.speedRef);
    width[i] = pen.width * (1 - sensitivity + sensitivity * 1.25 * p) * (1.2 - 0.5 * q);
    density[i] = pen.flow * clamp(0.72 + 0.38 * p - 0.32 * q, 0.25, 1);
  }
  for (const k of opts.pauses ?? []) {
    if (k < 0 || k >= n) continue;
    width[k] = pen.width * rng.uniform(1.25, 1.6);
    density[k] = Math.min(1, pen.flow * 1.1);
  }
  return { x, y, width, density, n };
}

export interface PixelTransform {
  /** px per mm */
  scale: number;
  /** pixel position of mm (0, 0) */
  ox: number;
  oy: number;
}

/** Paints lines onto a layer; grain (0..1) speckles the ink like a ballpoint's skipping ball. */
export function paintLines(layer: Layer, lines: readonly InkLine[], tf: PixelTransform, grain: number, grainSeed: number): void {
  const minStep = 0.35;
  const maxStep = 2;
  for (const line of lines) {
    const n = line.n;
    const X = (i: number) => (line.x[i < 0 ? 0 : i >= n ? n - 1 : i] as number) * tf.scale + tf.ox;
    const Y = (i: number) => (line.y[i < 0 ? 0 : i >= n ? n - 1 : i] as number) * tf.scale + tf.oy;
    let px = X(0);
    let py = Y(0);
    let pr = ((line.width[0] as number) * tf.scale) / 2;
    let pa = line.density[0] as number;
    let painted = 0;
    if (n === 1) brushSegment(layer, px, py, pr, pa, px, py, pr, pa);
    for (let i = 1; i < n; i++) {
      const qx = X(i);
      const qy = Y(i);
      const qr = ((line.width[i] as number) * tf.scale) / 2;
      const qa = line.density[i] as number;
      const dx = qx - px;
      const dy = qy - py;
      const d2 = dx * dx + dy * dy;
      if (i < n - 1 && d2 < minStep * minStep && Math.abs(qr - pr) < 0.3) continue;
      if (d2 > maxStep * maxStep && painted === i - 1) {
        // Long step on a fast stroke: follow a Catmull-Rom curve through the samples.
        const m = Math.ceil(Math.sqrt(d2) / maxStep);
        const x0 = X(i - 2),
          y0 = Y(i - 2),
          x3 = X(i + 1),
          y3 = Y(i + 1);
        let sx = px,
          sy = py,
          sr = pr,
          sa = pa;
        for (let k = 1; k <= m; k++) {
          const t = k / m;
          const t2 = t * t;
          const t3 = t2 * t;
          const ex = 0.5 * (2 * px + (qx - x0) * t + (2 * x0 - 5 * px + 4 * qx - x3) * t2 + (3 * px - x0 - 3 * qx + x3) * t3);
          const ey = 0.5 * (2 * py + (qy - y0) * t + (2 * y0 - 5 * py + 4 * qy - y3) * t2 + (3 * py - y0 - 3 * qy + y3) * t3);
          const er = pr + (qr - pr) * t;
          const ea = pa + (qa - pa) * t;
          brushSegment(layer, sx, sy, sr, sa, ex, ey, er, ea);
          sx = ex;
          sy = ey;
          sr = er;
          sa = ea;
        }
      } else {
        brushSegment(layer, px, py, pr, pa, qx, qy, qr, qa);
      }
      px = qx;
      py = qy;
      pr = qr;
      pa = qa;
      painted = i;
    }
  }
  if (grain <= 0 || layer.empty) return;
  const d = layer.data;
  const w = layer.width;
  for (let y = layer.minY; y <= layer.maxY; y++) {
    for (let x = layer.minX, i = y * w + x; x <= layer.maxX; x++, i++) {
      const v = d[i] as number;
      if (v <= 0) continue;
      const h = hash2(x, y, grainSeed);
      d[i] = v * (1 - grain * h * h);
    }
  }
}

/** Line width of a hand's pen at its usual pressure, in mm (for layout margins). */
export function nominalWidth(hand: Hand): number {
  return hand.pen.width * 1.2;
}
