/**
 * Page analysis for localisation, on a reduced copy (100-150 pixels per inch) in typed arrays:
 * paper level and ink threshold from the full-resolution histogram, an ink mask in which a
 * working pixel is ink when any original pixel under it is (so thin pen strokes survive the
 * reduction), printed rule lines taken out of the mask (except where strokes cross them), and
 * connected components with their statistics.
 */
import { componentStats, label, type Component } from './components.ts';
import { findLines, type Line } from './lines.ts';
import type { RawImage } from './pixels.ts';

export type { Component } from './components.ts';
export type { Line } from './lines.ts';

export interface PageScale {
  /** Reduction factor from the original to the working image (integer >= 1). */
  factor: number;
  /** Pixels per inch of the original: from the file, or estimated from the page shape. */
  dpi: number;
  dpiEstimated: boolean;
  /** Pixels per inch of the working image. */
  workDpi: number;
}

export interface PageAnalysis {
  scale: PageScale;
  width: number;
  height: number;
  /** Working image: mean grey level per cell. */
  grey: Uint8Array;
  /** Working image: mean RGB per cell (null for grey scans). */
  rgb: Uint8Array | null;
  paper: number;
  inkLevel: number;
  /** Ink is grey <= threshold (original pixels). */
  threshold: number;
  /** 1 = ink outside rule lines. */
  mask: Uint8Array;
  /** 1 = pixel of a rule line. */
  lineMask: Uint8Array;
  lines: Line[];
  labels: Int32Array;
  components: Component[];
  /** Share of working pixels with ink (rule lines included). */
  inkShare: number;
}

export interface AnalyseOptions {
  /** Pixels per inch of the original, when the file says so. */
  dpi?: number | null;
  /** Largest working resolution in pixels per inch (default 150). */
  workDpi?: number;
}

/** Scale for the page: dpi from the file when plausible, else guessed from the page's shape. */
export function pageScale(width: number, height: number, dpi: number | null | undefined, maxWorkDpi = 150): PageScale {
  let d = dpi && dpi >= 72 && dpi <= 2400 ? dpi : 0;
  let estimated = false;
  if (!d) {
    estimated = true;
    const long = Math.max(width, height);
    const aspect = long / Math.min(width, height);
    // A cheque is 6 to 9 inches wide (aspect 2 to 3); a page 11 to 11.7 inches long.
    if (aspect >= 1.9) d = long / 7.5;
    else if (aspect >= 1.25) d = long / 11.4;
    else d = long / 4; // a square-ish card or crop
    d = Math.max(72, Math.min(1200, d));
  }
  const factor = Math.max(1, Math.ceil(d / maxWorkDpi - 0.1));
  return { factor, dpi: d, dpiEstimated: estimated, workDpi: d / factor };
}

export interface Reduced {
  width: number;
  height: number;
  grey: Uint8Array;
  rgb: Uint8Array | null;
  /** Darkest original grey level under each working pixel. */
  minGrey: Uint8Array;
  /** Histogram of the original grey levels. */
  hist: Uint32Array;
}

/** reduce() for 1- and 3-channel images, with the same results: each cell summed in one go. */
function reduceCells(img: RawImage, f: number, w: number, h: number, grey: Uint8Array, minGrey: Uint8Array, rgb: Uint8Array | null, hist: Uint32Array): void {
  const src = img.data;
  const c = img.channels;
  const stride = img.width * c;
  const n = f * f;
  for (let y = 0; y < h; y++) {
    const top = y * f * stride;
    for (let x = 0; x < w; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let mn = 255;
      for (let dy = 0; dy < f; dy++) {
        let si = top + dy * stride + x * f * c;
        if (c === 3) {
          for (let dx = 0; dx < f; dx++, si += 3) {
            const rr = src[si]!;
            const gg = src[si + 1]!;
            const bb = src[si + 2]!;
            const v = (77 * rr + 150 * gg + 29 * bb + 128) >> 8;
            hist[v]!++;
            if (v < mn) mn = v;
            r += rr;
            g += gg;
            b += bb;
          }
        } else {
          for (let dx = 0; dx < f; dx++, si++) {
            const v = src[si]!; // (77 + 150 + 29) v + 128 >> 8 = v
            hist[v]!++;
            if (v < mn) mn = v;
            r += v;
          }
        }
      }
      const i = y * w + x;
      minGrey[i] = mn;
      if (c === 1) {
        grey[i] = (r / n + 0.5) | 0;
        continue;
      }
      const mr = (r / n + 0.5) | 0;
      const mg = (g / n + 0.5) | 0;
      const mb = (b / n + 0.5) | 0;
      rgb![i * 3] = mr;
      rgb![i * 3 + 1] = mg;
      rgb![i * 3 + 2] = mb;
      grey[i] = (77 * mr + 150 * mg + 29 * mb + 128) >> 8;
    }
  }
}

/** One pass over the original: cell means (grey, RGB), cell minima and the grey histogram. */
export function reduce(img: RawImage, factor: number): Reduced {
  const f = Math.max(1, Math.min(factor, img.width, img.height));
  const w = Math.floor(img.width / f);
  const h = Math.floor(img.height / f);
  const c = img.channels;
  const colour = c >= 3;
  const src = img.data;
  const sw = img.width;
  const n = f * f;
  const grey = new Uint8Array(w * h);
  const minGrey = new Uint8Array(w * h).fill(255);
  const rgb = colour ? new Uint8Array(w * h * 3) : null;
  const hist = new Uint32Array(256);
  // Decoded scans are grey or RGB: those take a cell-by-cell loop without per-pixel branches
  // (this pass over every original pixel is the largest part of a page's analysis).
  if (c === 3 || c === 1) {
    reduceCells(img, f, w, h, grey, minGrey, rgb, hist);
    return { width: w, height: h, grey, rgb, minGrey, hist };
  }
  const acc = new Float64Array(w * 3);
  for (let y = 0; y < h; y++) {
    acc.fill(0);
    const row = y * w;
    for (let dy = 0; dy < f; dy++) {
      let si = (y * f + dy) * sw * c;
      for (let x = 0; x < w; x++) {
        let r = 0;
        let g = 0;
        let b = 0;
        let mn = minGrey[row + x]!;
        for (let dx = 0; dx < f; dx++, si += c) {
          let rr: number;
          let gg: number;
          let bb: number;
          if (c === 3) {
            rr = src[si]!;
            gg = src[si + 1]!;
            bb = src[si + 2]!;
          } else if (c === 1) {
            rr = gg = bb = src[si]!;
          } else {
            // alpha composited onto white (paper)
            const a = src[si + c - 1]! / 255;
            rr = src[si]! * a + 255 * (1 - a);
            gg = c === 4 ? src[si + 1]! * a + 255 * (1 - a) : rr;
            bb = c === 4 ? src[si + 2]! * a + 255 * (1 - a) : rr;
          }
          const v = (77 * rr + 150 * gg + 29 * bb + 128) >> 8;
          hist[v]!++;
          if (v < mn) mn = v;
          r += rr;
          g += gg;
          b += bb;
        }
        minGrey[row + x] = mn;
        acc[x * 3] = acc[x * 3]! + r;
        acc[x * 3 + 1] = acc[x * 3 + 1]! + g;
        acc[x * 3 + 2] = acc[x * 3 + 2]! + b;
      }
    }
    for (let x = 0; x < w; x++) {
      const r = (acc[x * 3]! / n + 0.5) | 0;
      const g = (acc[x * 3 + 1]! / n + 0.5) | 0;
      const b = (acc[x * 3 + 2]! / n + 0.5) | 0;
      const i = row + x;
      if (rgb) {
        rgb[i * 3] = r;
        rgb[i * 3 + 1] = g;
        rgb[i * 3 + 2] = b;
      }
      grey[i] = (77 * r + 150 * g + 29 * b + 128) >> 8;
    }
  }
  return { width: w, height: h, grey, rgb, minGrey, hist };
}

/**
 * Paper level (mean of the brighter half of the histogram: robust to tints and patterns), the
 * darkest ink level (0.3rd percentile), and the ink threshold halfway between them: light
 * security patterns stay paper while blue and black inks are ink.
 */
export function inkThreshold(hist: Uint32Array): { paper: number; inkLevel: number; threshold: number } {
  let total = 0;
  for (let v = 0; v < 256; v++) total += hist[v]!;
  let acc = 0;
  let p50 = 255;
  for (let v = 0; v < 256; v++) {
    acc += hist[v]!;
    if (acc >= total * 0.5) {
      p50 = v;
      break;
    }
  }
  let paperAcc = 0;
  let paperN = 0;
  for (let v = p50; v < 256; v++) {
    paperAcc += v * hist[v]!;
    paperN += hist[v]!;
  }
  const paper = paperN ? paperAcc / paperN : 255;
  acc = 0;
  let inkLevel = 0;
  const target = Math.max(1, total * 0.003);
  for (let v = 0; v < 256; v++) {
    acc += hist[v]!;
    if (acc >= target) {
      inkLevel = v;
      break;
    }
  }
  return { paper, inkLevel, threshold: Math.round((paper + inkLevel) / 2) };
}

/** Paper and darkest ink closer than this: nothing on the page counts as ink. */
export const MIN_PAGE_CONTRAST = 40;

/** The full analysis of a page (see the file comment). */
export function analysePage(img: RawImage, opts: AnalyseOptions = {}): PageAnalysis {
  const scale = pageScale(img.width, img.height, opts.dpi, opts.workDpi ?? 150);
  const r = reduce(img, scale.factor);
  const { width: w, height: h } = r;
  const { paper, inkLevel, threshold } = inkThreshold(r.hist);
  const raw = new Uint8Array(w * h);
  let inkCount = 0;
  if (paper - inkLevel >= MIN_PAGE_CONTRAST) {
    for (let i = 0; i < raw.length; i++) {
      if (r.minGrey[i]! <= threshold) {
        raw[i] = 1;
        inkCount++;
      }
    }
  }
  const { lines, lineMask } = findLines(raw, w, h, scale.workDpi);
  const mask = new Uint8Array(w * h);
  for (let i = 0; i < mask.length; i++) mask[i] = raw[i]! && !lineMask[i] ? 1 : 0;
  const { labels, count } = label(mask, w, h);
  const components = componentStats(labels, count, w, h, r.grey, r.rgb);
  return {
    scale,
    width: w,
    height: h,
    grey: r.grey,
    rgb: r.rgb,
    paper,
    inkLevel,
    threshold,
    mask,
    lineMask,
    lines,
    labels,
    components,
    inkShare: inkCount / (w * h),
  };
}
