/**
 * Paper and scanner: paper tone and texture under the ink, then what a flatbed or cheque
 * scanner adds: slight skew, optical blur, a tone curve (contrast, brightness, gamma) and
 * sensor noise, quantised to 8 bits.
 */
import type { Rng } from '../util/random.ts';
import { NORMALS_SIZE, Noise2D, clamp, sharedNormals } from './math.ts';
import { Canvas, type Layer, type Rgb } from './raster.ts';

export interface ScanSettings {
  /** skew (radians), applied about the image centre; corners show the scanner lid */
  rotation: number;
  lid: Rgb;
  /** Gaussian blur sigma in pixels (0 = none) */
  blur: number;
  /** noise standard deviation (grey levels): luminance and per channel */
  noise: number;
  chromaNoise: number;
  /** tone curve: out = 255 * ((v/255 - 0.5) * contrast + 0.5 + brightness) ^ gamma */
  contrast: number;
  brightness: number;
  gamma: number;
}

/** `level`: 0 = pristine (a clean digital capture), 1 = a typical office scan, 2 = a poor one. */
export function randomScan(rng: Rng, level = 1, maxRotationDeg = 0): ScanSettings {
  const deg = Math.PI / 180;
  return {
    rotation: maxRotationDeg > 0 ? rng.uniform(-maxRotationDeg, maxRotationDeg) * deg : 0,
    lid: [rng.int(200, 245), rng.int(200, 245), rng.int(200, 245)],
    blur: level === 0 ? 0 : rng.uniform(0.35, 0.65) * level,
    noise: level === 0 ? 0 : rng.uniform(1, 2.2) * level,
    chromaNoise: level === 0 ? 0 : rng.uniform(0.3, 1) * level,
    contrast: 1 + rng.normal(0, 0.05 * level),
    brightness: rng.normal(0, 0.015 * level),
    gamma: Math.exp(rng.normal(0, 0.06 * level)),
  };
}

export interface PaperSettings {
  tone: Rgb;
  /** grey levels of cloudy texture and of fine fibre grain */
  cloud: number;
  fibre: number;
}

export function randomPaper(rng: Rng, level = 1): PaperSettings {
  const base = rng.uniform(236, 252);
  const warm = rng.uniform(0, 5);
  return {
    tone: [clamp(base + warm, 0, 255), clamp(base + warm * 0.4, 0, 255), clamp(base - warm * 0.6, 0, 255)],
    cloud: rng.uniform(1.5, 4) * level,
    fibre: rng.uniform(0.8, 2.2) * level,
  };
}

/** Paper texture on a coarse grid (every PAPER_STEP pixels), in grey levels. */
const PAPER_STEP = 4;

function paperGrid(w: number, h: number, rng: Rng, paper: PaperSettings): { grid: Float32Array; gw: number } {
  const gw = Math.ceil(w / PAPER_STEP) + 2;
  const gh = Math.ceil(h / PAPER_STEP) + 2;
  const cloud = new Noise2D(rng, 64);
  const fibre = new Noise2D(rng, 64);
  const grid = new Float32Array(gw * gh);
  for (let gy = 0; gy < gh; gy++) {
    for (let gx = 0; gx < gw; gx++) {
      const x = gx * PAPER_STEP;
      const y = gy * PAPER_STEP;
      grid[gy * gw + gx] = paper.cloud * (cloud.at(x / 90, y / 90) + 0.5 * cloud.at(x / 31 + 17, y / 31 + 5)) + paper.fibre * fibre.at(x / 5, y / 2.5);
    }
  }
  return { grid, gw };
}

/** Fills one row of paper texture values (bilinear from the grid). */
function paperRow(grid: Float32Array, gw: number, y: number, w: number, row: Float32Array): void {
  const gy = y / PAPER_STEP;
  const y0 = gy | 0;
  const fy = gy - y0;
  const inv = 1 / PAPER_STEP;
  for (let x = 0; x < w; x++) {
    const gx = x * inv;
    const x0 = gx | 0;
    const fx = gx - x0;
    const k = y0 * gw + x0;
    const a = grid[k] as number;
    const b = grid[k + 1] as number;
    const c = grid[k + gw] as number;
    const d = grid[k + gw + 1] as number;
    const top = a + (b - a) * fx;
    row[x] = top + (c + (d - c) * fx - top) * fy;
  }
}

/** Multiplies paper tone and adds texture (call before inks so they sit on the paper). */
export function applyPaper(canvas: Canvas, rng: Rng, paper: PaperSettings): void {
  const { width: w, height: h, data } = canvas;
  const { grid, gw } = paperGrid(w, h, rng, paper);
  const row = new Float32Array(w);
  const tr = paper.tone[0] / 255;
  const tg = paper.tone[1] / 255;
  const tb = paper.tone[2] / 255;
  for (let y = 0; y < h; y++) {
    paperRow(grid, gw, y, w, row);
    let i = y * w * 3;
    for (let x = 0; x < w; x++, i += 3) {
      const t = row[x] as number;
      data[i] = (data[i] as number) * tr + t;
      data[i + 1] = (data[i + 1] as number) * tg + t;
      data[i + 2] = (data[i + 2] as number) * tb + t;
    }
  }
}

function toneLut(s: ScanSettings): Float32Array {
  const lut = new Float32Array(1024);
  for (let i = 0; i < 1024; i++) {
    const v = clamp((i / 4 / 255 - 0.5) * s.contrast + 0.5 + s.brightness, 0, 1);
    lut[i] = 255 * Math.pow(v, s.gamma);
  }
  return lut;
}

/**
 * The fast path for a single ink on plain paper (signature images): paper, ink, blur of
 * the ink, tone curve and noise in one pass, straight to 8-bit pixels.
 */
export function inkOnPaper(layer: Layer, ink: Rgb, rng: Rng, paper: PaperSettings | null, s: ScanSettings, grey = false): Uint8Array {
  const { width: w, height: h } = layer;
  blurLayer(layer, s.blur);
  const lut = toneLut(s);
  const pg = paper ? paperGrid(w, h, rng, paper) : null;
  const tone = paper ? paper.tone : ([255, 255, 255] as const);
  const row = new Float32Array(w);
  const N = sharedNormals();
  const mask = NORMALS_SIZE - 1;
  const noise = s.noise;
  const chroma = s.chromaNoise;
  const kr = ink[0] / 255 - 1;
  const kg = ink[1] / 255 - 1;
  const kb = ink[2] / 255 - 1;
  const out = new Uint8ClampedArray(w * h * (grey ? 1 : 3));
  const ld = layer.data;
  const [t0, t1, t2] = tone;
  for (let y = 0; y < h; y++) {
    if (pg) paperRow(pg.grid, pg.gw, y, w, row);
    let pos = rng.int(0, mask);
    let cpos = rng.int(0, mask);
    for (let x = 0, i = y * w; x < w; x++, i++) {
      const a = ld[i] as number;
      const t = row[x] as number;
      const r = (t0 + t) * (1 + a * kr);
      const g = (t1 + t) * (1 + a * kg);
      const b = (t2 + t) * (1 + a * kb);
      const lum = noise * (N[pos] as number);
      pos = (pos + 1) & mask;
      if (grey) {
        const v = 0.299 * r + 0.587 * g + 0.114 * b;
        out[i] = (lut[v <= 0 ? 0 : v >= 255.75 ? 1023 : (v * 4) | 0] as number) + lum;
        continue;
      }
      const o = i * 3;
      out[o] = (lut[r <= 0 ? 0 : r >= 255.75 ? 1023 : (r * 4) | 0] as number) + lum + chroma * (N[cpos] as number);
      out[o + 1] = (lut[g <= 0 ? 0 : g >= 255.75 ? 1023 : (g * 4) | 0] as number) + lum + chroma * (N[(cpos + 5003) & mask] as number);
      out[o + 2] = (lut[b <= 0 ? 0 : b >= 255.75 ? 1023 : (b * 4) | 0] as number) + lum + chroma * (N[(cpos + 10007) & mask] as number);
      cpos = (cpos + 1) & mask;
    }
  }
  return new Uint8Array(out.buffer);
}

/** Separable Gaussian blur of a coverage layer, in place, over its drawn bounds (plus the kernel). */
export function blurLayer(layer: Layer, sigma: number): void {
  if (sigma < 0.2 || layer.empty) return;
  const r = Math.max(1, Math.round(sigma * 2.2));
  const k = new Float32Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += k[i + r] = Math.exp((-i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i] = (k[i] as number) / sum;
  const { width: w, data } = layer;
  layer.touch(layer.minX - r, layer.minY - r, layer.maxX + r, layer.maxY + r);
  const x0 = layer.minX;
  const x1 = layer.maxX;
  const y0 = layer.minY;
  const y1 = layer.maxY;
  const bw = x1 - x0 + 1;
  const bh = y1 - y0 + 1;
  // Horizontal, into a compact copy of the region; then vertical, row by row, back.
  const tmp = new Float32Array(bw * bh);
  if (r === 1) {
    blur3(data, w, x0, y0, bw, bh, tmp, k[0] as number, k[1] as number);
    return;
  }
  for (let y = 0; y < bh; y++) {
    const src = (y + y0) * w;
    for (let x = 0; x < bw; x++) {
      let a = 0;
      for (let t = -r; t <= r; t++) {
        const xx = x + x0 + t;
        if (xx >= 0 && xx < w) a += (k[t + r] as number) * (data[src + xx] as number);
      }
      tmp[y * bw + x] = a;
    }
  }
  for (let y = 0; y < bh; y++) {
    const dst = (y + y0) * w + x0;
    for (let x = 0; x < bw; x++) data[dst + x] = 0;
    for (let t = -r; t <= r; t++) {
      const yy = y + t;
      if (yy < 0 || yy >= bh) continue;
      const kk = k[t + r] as number;
      const row = yy * bw;
      for (let x = 0; x < bw; x++) data[dst + x] = (data[dst + x] as number) + kk * (tmp[row + x] as number);
    }
  }
}

/** The common 3-tap case of blurLayer, unrolled (edge pixels of the region see zeros outside). */
function blur3(data: Float32Array, w: number, x0: number, y0: number, bw: number, bh: number, tmp: Float32Array, side: number, mid: number): void {
  for (let y = 0; y < bh; y++) {
    const src = (y + y0) * w + x0;
    const row = y * bw;
    let prev = x0 > 0 ? (data[src - 1] as number) : 0;
    let cur = data[src] as number;
    for (let x = 0; x < bw; x++) {
      const next = x + 1 < bw || x0 + x + 1 < w ? (data[src + x + 1] as number) : 0;
      tmp[row + x] = side * (prev + next) + mid * cur;
      prev = cur;
      cur = next;
    }
  }
  for (let y = 0; y < bh; y++) {
    const dst = (y + y0) * w + x0;
    const up = y > 0 ? (y - 1) * bw : -1;
    const row = y * bw;
    const down = y + 1 < bh ? (y + 1) * bw : -1;
    for (let x = 0; x < bw; x++) {
      const a = up >= 0 ? (tmp[up + x] as number) : 0;
      const c = down >= 0 ? (tmp[down + x] as number) : 0;
      data[dst + x] = side * (a + c) + mid * (tmp[row + x] as number);
    }
  }
}

/** Maps a point through rotateCanvas's forward transform (for ground-truth boxes). */
export function rotatePoint(x: number, y: number, angle: number, w: number, h: number): [number, number] {
  const cx = w / 2;
  const cy = h / 2;
  const dx = x - cx;
  const dy = y - cy;
  return [Math.cos(angle) * dx - Math.sin(angle) * dy + cx, Math.sin(angle) * dx + Math.cos(angle) * dy + cy];
}

/** Separable Gaussian blur, in place. */
export function blurCanvas(canvas: Canvas, sigma: number): void {
  if (sigma < 0.2) return;
  const r = Math.max(1, Math.round(sigma * 2.2));
  const k = new Float32Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += k[i + r] = Math.exp((-i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i] = (k[i] as number) / sum;
  const { width: w, height: h, data } = canvas;
  const line = new Float32Array(Math.max(w, h) * 3 + 6 * r);
  // horizontal
  for (let y = 0; y < h; y++) {
    const base = y * w * 3;
    for (let x = -r; x < w + r; x++) {
      const sx = x < 0 ? 0 : x >= w ? w - 1 : x;
      for (let c = 0; c < 3; c++) line[(x + r) * 3 + c] = data[base + sx * 3 + c] as number;
    }
    for (let x = 0; x < w; x++) {
      let a = 0,
        b = 0,
        cc = 0;
      for (let t = 0; t <= 2 * r; t++) {
        const kk = k[t] as number;
        const j = (x + t) * 3;
        a += kk * (line[j] as number);
        b += kk * (line[j + 1] as number);
        cc += kk * (line[j + 2] as number);
      }
      const i = base + x * 3;
      data[i] = a;
      data[i + 1] = b;
      data[i + 2] = cc;
    }
  }
  // vertical
  for (let x = 0; x < w; x++) {
    for (let y = -r; y < h + r; y++) {
      const sy = y < 0 ? 0 : y >= h ? h - 1 : y;
      const i = (sy * w + x) * 3;
      for (let c = 0; c < 3; c++) line[(y + r) * 3 + c] = data[i + c] as number;
    }
    for (let y = 0; y < h; y++) {
      let a = 0,
        b = 0,
        cc = 0;
      for (let t = 0; t <= 2 * r; t++) {
        const kk = k[t] as number;
        const j = (y + t) * 3;
        a += kk * (line[j] as number);
        b += kk * (line[j + 1] as number);
        cc += kk * (line[j + 2] as number);
      }
      const i = (y * w + x) * 3;
      data[i] = a;
      data[i + 1] = b;
      data[i + 2] = cc;
    }
  }
}

/** Bilinear samples of the canvas rotated by `angle` about its centre, for output row y. */
function rotatedRow(src: Canvas, y: number, cos: number, sin: number, lid: Rgb, out: Float32Array): void {
  const { width: w, height: h } = src;
  const s = src.data;
  const row = w * 3;
  const cx = w / 2;
  const cy = h / 2;
  const dy = y + 0.5 - cy;
  const dx0 = 0.5 - cx;
  let sx = cos * dx0 + sin * dy + cx - 0.5;
  let sy = -sin * dx0 + cos * dy + cy - 0.5;
  for (let x = 0, i = 0; x < w; x++, i += 3, sx += cos, sy -= sin) {
    const x0 = sx | 0;
    const y0 = sy | 0;
    if (sx < 0 || sy < 0 || x0 >= w - 1 || y0 >= h - 1) {
      out[i] = lid[0];
      out[i + 1] = lid[1];
      out[i + 2] = lid[2];
      continue;
    }
    const fx = sx - x0;
    const fy = sy - y0;
    const k = (y0 * w + x0) * 3;
    const k2 = k + row;
    const w00 = (1 - fx) * (1 - fy);
    const w10 = fx * (1 - fy);
    const w01 = (1 - fx) * fy;
    const w11 = fx * fy;
    out[i] = w00 * (s[k] as number) + w10 * (s[k + 3] as number) + w01 * (s[k2] as number) + w11 * (s[k2 + 3] as number);
    out[i + 1] = w00 * (s[k + 1] as number) + w10 * (s[k + 4] as number) + w01 * (s[k2 + 1] as number) + w11 * (s[k2 + 4] as number);
    out[i + 2] = w00 * (s[k + 2] as number) + w10 * (s[k + 5] as number) + w01 * (s[k2 + 2] as number) + w11 * (s[k2 + 5] as number);
  }
}

/** Rotates the canvas by the scan's skew (bilinear; corners get the lid colour). */
export function rotateCanvas(src: Canvas, angle: number, lid: Rgb): Canvas {
  if (Math.abs(angle) < 1e-6) return src;
  const out = new Canvas(src.width, src.height);
  const row = new Float32Array(src.width * 3);
  for (let y = 0; y < src.height; y++) {
    rotatedRow(src, y, Math.cos(angle), Math.sin(angle), lid, row);
    out.data.set(row, y * src.width * 3);
  }
  return out;
}

/**
 * The scanner: skew (bilinear resampling, which also softens like optics; otherwise an
 * explicit blur), tone curve and noise, then 8-bit RGB (or grey when `grey`). The canvas
 * may be blurred in place.
 */
export function scanToBytes(canvas: Canvas, rng: Rng, s: ScanSettings, grey = false, paper?: PaperSettings): Uint8Array {
  const rotate = Math.abs(s.rotation) > 1e-6;
  // Paper texture (when given) is added here rather than in its own pass: over light
  // paper the result is the same, and it saves a pass over a large page.
  const pg = paper ? paperGrid(canvas.width, canvas.height, rng, paper) : null;
  if (!rotate) blurCanvas(canvas, s.blur);
  const lut = toneLut(s);
  const { width: w, height: h } = canvas;
  // Noise: the shared table of normal values, read from a random offset on each row.
  const N = sharedNormals();
  const mask = NORMALS_SIZE - 1;
  const noise = s.noise;
  const chroma = s.chromaNoise;
  const out = new Uint8ClampedArray(w * h * (grey ? 1 : 3));
  const tex = new Float32Array(w);
  const cos = Math.cos(s.rotation);
  const sin = Math.sin(s.rotation);
  const buf = rotate ? new Float32Array(w * 3) : canvas.data;
  for (let y = 0; y < h; y++) {
    let j = y * w * 3;
    if (rotate) {
      rotatedRow(canvas, y, cos, sin, s.lid, buf);
      j = 0;
    }
    if (pg) paperRow(pg.grid, pg.gw, y, w, tex);
    let pos = rng.int(0, mask);
    let cpos = rng.int(0, mask);
    if (grey) {
      for (let x = 0, o = y * w; x < w; x++, o++, j += 3) {
        const v = 0.299 * (buf[j] as number) + 0.587 * (buf[j + 1] as number) + 0.114 * (buf[j + 2] as number);
        out[o] = (lut[v <= 0 ? 0 : v >= 255.75 ? 1023 : (v * 4) | 0] as number) + noise * (N[pos] as number) + (tex[x] as number);
        pos = (pos + 1) & mask;
      }
      continue;
    }
    for (let x = 0, o = y * w * 3; x < w; x++, o += 3, j += 3) {
      const r = buf[j] as number;
      const g = buf[j + 1] as number;
      const b = buf[j + 2] as number;
      const lum = noise * (N[pos] as number) + (tex[x] as number);
      out[o] = (lut[r <= 0 ? 0 : r >= 255.75 ? 1023 : (r * 4) | 0] as number) + lum + chroma * (N[cpos] as number);
      out[o + 1] = (lut[g <= 0 ? 0 : g >= 255.75 ? 1023 : (g * 4) | 0] as number) + lum + chroma * (N[(cpos + 5003) & mask] as number);
      out[o + 2] = (lut[b <= 0 ? 0 : b >= 255.75 ? 1023 : (b * 4) | 0] as number) + lum + chroma * (N[(cpos + 10007) & mask] as number);
      pos = (pos + 1) & mask;
      cpos = (cpos + 1) & mask;
    }
  }
  return new Uint8Array(out.buffer);
}
