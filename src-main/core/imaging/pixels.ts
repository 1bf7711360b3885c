/**
 * Small pixel routines in plain TypeScript (greyscale, Otsu, Gaussian blur, resampling).
 * They are written out here rather than delegated to libvips so that a normalised signature
 * is reproducible from the original and the recorded parameters, whatever library version
 * a later build ships with.
 */
import { AppError } from '../errors.ts';

/** Raw 8-bit pixels, row-major, interleaved channels (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA). */
export interface RawImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

/** A single-channel 8-bit image. */
export interface GreyImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** [x, y, width, height] in pixels. */
export type Box = [number, number, number, number];

export function checkRaw(img: RawImage, name: string): void {
  const { width, height, channels, data } = img;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new AppError('INVALID_ARGUMENT', `${name}: image size must be positive integers (got ${width} x ${height})`);
  }
  if (![1, 2, 3, 4].includes(channels)) throw new AppError('INVALID_ARGUMENT', `${name}: expected 1 to 4 channels, got ${channels}`);
  if (data.length < width * height * channels) {
    throw new AppError('INVALID_ARGUMENT', `${name}: pixel buffer holds ${data.length} bytes, expected ${width * height * channels}`);
  }
}

/** Clamps a box to the image; throws when nothing of it is left. */
export function clampBox(box: Box, width: number, height: number, name: string): Box {
  const [bx, by, bw, bh] = box.map((v) => Math.round(v)) as Box;
  const x0 = Math.max(0, bx);
  const y0 = Math.max(0, by);
  const x1 = Math.min(width, bx + bw);
  const y1 = Math.min(height, by + bh);
  if (!(bw > 0 && bh > 0) || x1 - x0 < 1 || y1 - y0 < 1) {
    throw new AppError('INVALID_ARGUMENT', `${name}: region [${box.join(', ')}] lies outside the ${width} x ${height} image`);
  }
  return [x0, y0, x1 - x0, y1 - y0];
}

/**
 * Greyscale (ITU-R BT.601 luma, integer weights 77/150/29 of 256) of a region; alpha is
 * composited onto white, since a transparent pixel is paper.
 */
export function toGrey(img: RawImage, region?: Box): GreyImage {
  const [rx, ry, rw, rh] = region ?? [0, 0, img.width, img.height];
  const out = new Uint8Array(rw * rh);
  const c = img.channels;
  const src = img.data;
  for (let y = 0; y < rh; y++) {
    let si = ((ry + y) * img.width + rx) * c;
    let di = y * rw;
    for (let x = 0; x < rw; x++, si += c, di++) {
      let v: number;
      let a = 255;
      if (c === 1) v = src[si] as number;
      else if (c === 2) {
        v = src[si] as number;
        a = src[si + 1] as number;
      } else {
        v = (77 * (src[si] as number) + 150 * (src[si + 1] as number) + 29 * (src[si + 2] as number) + 128) >> 8;
        if (c === 4) a = src[si + 3] as number;
      }
      out[di] = a === 255 ? v : (v * a + 255 * (255 - a) + 127) / 255;
    }
  }
  return { data: out, width: rw, height: rh };
}

export function histogram(data: Uint8Array): Float64Array {
  const h = new Float64Array(256);
  for (let i = 0; i < data.length; i++) h[data[i]!]! += 1;
  return h;
}

/**
 * Otsu's threshold: the t maximising the between-class variance of {v <= t} and {v > t}.
 * Ink is v <= t (as in sigver). Returns 255 for a constant image.
 */
export function otsuThreshold(hist: Float64Array): number {
  let total = 0;
  let sumAll = 0;
  for (let v = 0; v < 256; v++) {
    total += hist[v] as number;
    sumAll += v * (hist[v] as number);
  }
  let w0 = 0;
  let sum0 = 0;
  let best = -1;
  let first = 255;
  let last = 255;
  for (let t = 0; t < 255; t++) {
    w0 += hist[t]!;
    sum0 += t * hist[t]!;
    const w1 = total - w0;
    if (w0 === 0 || w1 === 0) continue;
    const m0 = sum0 / w0;
    const m1 = (sumAll - sum0) / w1;
    const between = w0 * w1 * (m0 - m1) * (m0 - m1);
    if (between > best * (1 + 1e-12)) {
      best = between;
      first = t;
      last = t;
    } else if (between >= best * (1 - 1e-12)) {
      last = t;
    }
  }
  // Empty grey levels between the classes all score the same: take the middle of that plateau.
  return Math.floor((first + last) / 2);
}

/** Normalised 1-D Gaussian kernel, truncated at 3 sigma. */
export function gaussianKernel(sigma: number): Float32Array {
  const r = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float32Array(2 * r + 1);
  let s = 0;
  for (let i = -r; i <= r; i++) {
    const v = Math.exp((-i * i) / (2 * sigma * sigma));
    k[i + r] = v;
    s += v;
  }
  for (let i = 0; i < k.length; i++) k[i] = (k[i] as number) / s;
  return k;
}

/**
 * Separable Gaussian blur with edge replication; sigma 0 returns a float copy. With
 * `onlyAtOrBelow`, the result is computed only at pixels whose own grey level is at most that
 * (the ink, when the blur only serves to judge ink pixels) and is 255 elsewhere.
 */
export function gaussianBlur(img: GreyImage, sigma: number, onlyAtOrBelow?: number): Float32Array {
  const { width: w, height: h, data } = img;
  const out = new Float32Array(w * h);
  if (sigma <= 0) {
    for (let i = 0; i < data.length; i++) out[i] = data[i] as number;
    return out;
  }
  const k = gaussianKernel(sigma);
  const r = (k.length - 1) >> 1;
  const n = k.length;
  const tmp = new Float32Array(w * h);
  // Each output is summed over the taps in the same order as the plain formula (edge pixels
  // replicated), so the result is bit for bit that formula's; only the clamping is taken out
  // of the interior and the vertical pass walks rows (the one pass over a crop that counts).
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      let s = 0;
      if (x >= r && x + r < w) {
        const base = row + x - r;
        for (let j = 0; j < n; j++) s += k[j]! * data[base + j]!;
      } else {
        for (let j = -r; j <= r; j++) {
          const xx = x + j < 0 ? 0 : x + j >= w ? w - 1 : x + j;
          s += k[j + r]! * data[row + xx]!;
        }
      }
      tmp[row + x] = s;
    }
  }
  if (onlyAtOrBelow !== undefined) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        if (data[i]! > onlyAtOrBelow) {
          out[i] = 255;
          continue;
        }
        let s = 0;
        for (let j = -r; j <= r; j++) {
          const yy = y + j < 0 ? 0 : y + j >= h ? h - 1 : y + j;
          s += k[j + r]! * tmp[yy * w + x]!;
        }
        out[i] = s;
      }
    }
    return out;
  }
  const acc = new Float64Array(w);
  for (let y = 0; y < h; y++) {
    acc.fill(0);
    for (let j = -r; j <= r; j++) {
      const yy = y + j < 0 ? 0 : y + j >= h ? h - 1 : y + j;
      const kj = k[j + r]!;
      const src = yy * w;
      for (let x = 0; x < w; x++) acc[x] = acc[x]! + kj * tmp[src + x]!;
    }
    out.set(acc, y * w);
  }
  return out;
}

interface Taps {
  start: Int32Array;
  count: Int32Array;
  weights: Float32Array;
  maxTaps: number;
}

/**
 * 1-D resampling taps from `n` source samples to `m` output samples: area averaging when
 * shrinking (each output sample is the exact mean of the source span it covers), linear
 * interpolation between pixel centres when enlarging.
 */
function taps(n: number, m: number): Taps {
  const scale = m / n;
  const maxTaps = scale < 1 ? Math.ceil(1 / scale) + 2 : 2;
  const start = new Int32Array(m);
  const count = new Int32Array(m);
  const weights = new Float32Array(m * maxTaps);
  for (let o = 0; o < m; o++) {
    if (scale < 1) {
      const a = o / scale;
      const b = Math.min(n, (o + 1) / scale);
      const i0 = Math.floor(a);
      const i1 = Math.min(n - 1, Math.ceil(b) - 1);
      start[o] = i0;
      count[o] = i1 - i0 + 1;
      let s = 0;
      for (let i = i0; i <= i1; i++) {
        const wv = Math.min(b, i + 1) - Math.max(a, i);
        weights[o * maxTaps + (i - i0)] = wv;
        s += wv;
      }
      for (let t = 0; t < count[o]!; t++) weights[o * maxTaps + t] = weights[o * maxTaps + t]! / s;
    } else {
      const c = (o + 0.5) / scale - 0.5;
      const i0 = Math.max(0, Math.min(n - 1, Math.floor(c)));
      const i1 = Math.min(n - 1, i0 + 1);
      const f = Math.max(0, Math.min(1, c - i0));
      start[o] = i0;
      count[o] = i1 > i0 ? 2 : 1;
      weights[o * maxTaps] = i1 > i0 ? 1 - f : 1;
      if (i1 > i0) weights[o * maxTaps + 1] = f;
    }
  }
  return { start, count, weights, maxTaps };
}

/** Resamples a single-channel float image to dw x dh (separable; see taps()). */
export function resample(src: Float32Array, sw: number, sh: number, dw: number, dh: number): Float32Array {
  const tx = taps(sw, dw);
  const ty = taps(sh, dh);
  const tmp = new Float32Array(dw * sh);
  for (let y = 0; y < sh; y++) {
    const row = y * sw;
    for (let o = 0; o < dw; o++) {
      const s0 = tx.start[o]!;
      const n = tx.count[o]!;
      let s = 0;
      for (let t = 0; t < n; t++) s += tx.weights[o * tx.maxTaps + t]! * src[row + s0 + t]!;
      tmp[y * dw + o] = s;
    }
  }
  const out = new Float32Array(dw * dh);
  for (let o = 0; o < dh; o++) {
    const s0 = ty.start[o]!;
    const n = ty.count[o]!;
    for (let x = 0; x < dw; x++) {
      let s = 0;
      for (let t = 0; t < n; t++) s += ty.weights[o * ty.maxTaps + t]! * tmp[(s0 + t) * dw + x]!;
      out[o * dw + x] = s;
    }
  }
  return out;
}
