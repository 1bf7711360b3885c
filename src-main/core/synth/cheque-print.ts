/**
 * The printed matter of a cheque: the security background (guilloche waves and a
 * rosette), bank logos, and an E-13B-like MICR code line.
 */
import type { Rng } from '../util/random.ts';
import type { BankDesign } from './cheque-text.ts';
import { drawText } from './font.ts';
import { type Canvas, type Rgb, circlePath, fillContours, fillRect, strokePolyline, type Layer } from './raster.ts';

const SIN_N = 4096;
const SIN = new Float32Array(SIN_N);
for (let i = 0; i < SIN_N; i++) SIN[i] = Math.sin((2 * Math.PI * i) / SIN_N);
/** sin(2 pi t) from a table */
const sinCycles = (t: number): number => SIN[((t * SIN_N) | 0) & (SIN_N - 1)] as number;

/**
 * Fills the canvas with the tint and two crossing families of wavy hairlines, the way
 * cheque security backgrounds look. `scale` is px per mm.
 */
export function paintBackground(canvas: Canvas, bank: BankDesign, scale: number, rng: Rng, paper: Rgb = [255, 255, 255]): void {
  const { width: w, height: h, data } = canvas;
  const { period, amp, lambda, wobble } = bank.waves;
  const per = period * scale;
  const lam = lambda * scale;
  const a = amp * scale;
  // Line profile over one period: a hairline about a tenth of the period wide.
  const prof = new Float32Array(256);
  for (let i = 0; i < 256; i++) {
    const d = Math.abs(i / 256 - 0.5) * per;
    prof[i] = Math.max(0, Math.min(1, 0.55 * scale * 0.12 + 0.5 - d)) * 0.9;
  }
  const phase = rng.uniform(0, 1);
  const colX = new Float32Array(w);
  const colY = new Float32Array(w);
  for (let x = 0; x < w; x++) {
    colX[x] = a * sinCycles(x / lam + phase + 4);
    colY[x] = wobble * sinCycles(x / (lam * 0.37) + 4);
  }
  const tr = (bank.tint[0] * paper[0]) / 255;
  const tg = (bank.tint[1] * paper[1]) / 255;
  const tb = (bank.tint[2] * paper[2]) / 255;
  const pr = bank.pattern[0] / bank.tint[0] - 1;
  const pg = bank.pattern[1] / bank.tint[1] - 1;
  const pb = bank.pattern[2] / bank.tint[2] - 1;
  const fade = 0.55 + 0.45 * rng.next();
  for (let y = 0; y < h; y++) {
    const ry = y / per;
    const rowWave = sinCycles(y / (lam * 0.8) + 7) * 0.5;
    for (let x = 0; x < w; x++) {
      const u1 = ry + ((colX[x] as number) + (colY[x] as number) * scale * 0.3) / per + rowWave;
      const u2 = ry - ((colX[x] as number) * 0.8) / per + 0.37;
      const f1 = u1 - Math.floor(u1);
      const f2 = u2 - Math.floor(u2);
      let p = (prof[(f1 * 256) | 0] as number) + 0.7 * (prof[(f2 * 256) | 0] as number);
      if (p > 1) p = 1;
      // A horizontal fade keeps the right-hand side (amount, signature) lighter.
      p *= fade + (1 - fade) * (1 - x / w);
      const i = (y * w + x) * 3;
      data[i] = tr * (1 + p * pr);
      data[i + 1] = tg * (1 + p * pg);
      data[i + 2] = tb * (1 + p * pb);
    }
  }
}

/** A guilloche rosette: a family of rotated hypotrochoid-like curves, hairline thin. */
export function drawRosette(layer: Layer, cx: number, cy: number, radius: number, rng: Rng, scale: number): void {
  const lobes = rng.int(9, 18);
  const curves = rng.int(10, 18);
  const depth = rng.uniform(0.15, 0.3);
  const n = Math.ceil(radius * 6);
  const hair = Math.max(0.35, 0.05 * scale);
  for (let c = 0; c < curves; c++) {
    const rot = (c / curves) * ((2 * Math.PI) / lobes);
    const pts: number[] = [];
    for (let i = 0; i <= n; i++) {
      const t = (i / n) * 2 * Math.PI;
      const r = radius * (1 - depth + depth * Math.cos(lobes * t + rot * lobes) * Math.cos(t * 2 + rot));
      pts.push(cx + r * Math.cos(t), cy + r * Math.sin(t));
    }
    strokePolyline(layer, pts, hair, 0.8);
  }
}

/** The bank's logo in a square of side `size` px with top-left (x, y). */
export function drawLogo(layer: Layer, bank: BankDesign, x: number, y: number, size: number): void {
  const s = size;
  const initials = bank.name
    .split(/\s+/)
    .filter((w) => /^[A-Z]/.test(w) && !['BANK', 'COMPANY', 'NATIONAL'].includes(w))
    .map((w) => w[0])
    .join('')
    .slice(0, 2);
  switch (bank.logo) {
    case 'building': {
      fillContours(layer, [[x + s * 0.5, y, x + s, y + s * 0.28, x, y + s * 0.28]]);
      fillRect(layer, x + s * 0.04, y + s * 0.32, x + s * 0.96, y + s * 0.38);
      for (let i = 0; i < 4; i++) fillRect(layer, x + s * (0.1 + i * 0.22), y + s * 0.42, x + s * (0.1 + i * 0.22) + s * 0.12, y + s * 0.82);
      fillRect(layer, x + s * 0.02, y + s * 0.86, x + s * 0.98, y + s * 0.94);
      return;
    }
    case 'ring': {
      fillContours(layer, [circlePath(x + s / 2, y + s / 2, s / 2), circlePath(x + s / 2, y + s / 2, s * 0.42, true)]);
      drawText(layer, initials, x + s / 2, y + s * 0.64, { font: 'sans-bold', size: s * 0.42, align: 'center' });
      return;
    }
    case 'shield': {
      const outer = [x, y, x + s, y, x + s, y + s * 0.55, x + s / 2, y + s, x, y + s * 0.55];
      const k = 0.09 * s;
      const inner = [x + k, y + k, x + k, y + s * 0.53, x + s / 2, y + s - 1.6 * k, x + s - k, y + s * 0.53, x + s - k, y + k];
      fillContours(layer, [outer, inner]);
      drawText(layer, initials.slice(0, 1), x + s / 2, y + s * 0.66, { font: 'sans-bold', size: s * 0.55, align: 'center' });
      return;
    }
    case 'waves': {
      for (let k = 0; k < 3; k++) {
        const pts: number[] = [];
        for (let i = 0; i <= 40; i++) {
          const t = i / 40;
          pts.push(x + t * s, y + s * (0.3 + k * 0.22) + Math.sin(t * Math.PI * 2) * s * 0.1);
        }
        strokePolyline(layer, pts, s * 0.06);
      }
      fillContours(layer, [circlePath(x + s / 2, y + s / 2, s * 0.56), circlePath(x + s / 2, y + s / 2, s * 0.5, true)]);
      return;
    }
  }
}

/** E-13B-like characters on a 6 x 9 grid: rectangles [x0, y0, x1, y1], y down. */
const MICR: Record<string, number[][]> = {
  '0': [
    [0, 0, 6, 1],
    [0, 8, 6, 9],
    [0, 0, 2, 9],
    [4, 0, 6, 9],
  ],
  '1': [
    [2.5, 0, 4.5, 9],
    [0.5, 6, 2.5, 9],
    [1.5, 0, 4.5, 1],
  ],
  '2': [
    [0, 0, 5, 1],
    [3.8, 0, 5, 4],
    [0, 4, 5, 5],
    [0, 4, 2, 9],
    [0, 8, 6, 9],
  ],
  '3': [
    [0, 0, 5, 1],
    [3.8, 0, 5, 4],
    [1, 4, 5, 5],
    [4, 4, 6, 9],
    [0, 8, 6, 9],
  ],
  '4': [
    [0, 0, 1.8, 6],
    [0, 5, 6, 6.2],
    [3.5, 3, 5.5, 9],
  ],
  '5': [
    [0, 0, 6, 1],
    [0, 0, 1.2, 4.5],
    [0, 4, 5, 5],
    [4, 4, 6, 9],
    [0, 8, 6, 9],
  ],
  '6': [
    [0, 0, 5, 1],
    [0, 0, 2, 9],
    [0, 4, 6, 5],
    [4, 4, 6, 9],
    [0, 8, 6, 9],
  ],
  '7': [
    [0, 0, 6, 1],
    [4.5, 0, 6, 4],
    [2.5, 4, 4.5, 9],
  ],
  '8': [
    [1, 0, 5, 1],
    [1, 0, 2, 4.5],
    [4, 0, 5, 4.5],
    [0, 4, 6, 5],
    [0, 4, 2, 9],
    [4, 4, 6, 9],
    [0, 8, 6, 9],
  ],
  '9': [
    [0, 0, 6, 1],
    [0, 0, 2, 5],
    [4, 0, 6, 9],
    [0, 4.2, 6, 5.2],
    [2, 8, 6, 9],
  ],
  T: [
    [0, 1, 1.4, 8],
    [2.6, 1, 5, 3.4],
    [2.6, 5.6, 5, 8],
  ],
  U: [
    [0, 1, 1.5, 5.5],
    [2.3, 1, 3.8, 5.5],
    [0, 6.8, 3.8, 8.3],
  ],
  ' ': [],
};

/** A MICR code line; `T` is the transit symbol and `U` the on-us symbol. */
export function drawMicr(layer: Layer, code: string, x: number, baseline: number, height: number): void {
  const u = height / 9;
  const pitch = u * 7.6;
  for (const ch of code) {
    for (const [x0, y0, x1, y1] of MICR[ch] ?? []) {
      fillRect(layer, x + (x0 as number) * u, baseline - height + (y0 as number) * u, x + (x1 as number) * u, baseline - height + (y1 as number) * u);
    }
    x += pitch;
  }
}
