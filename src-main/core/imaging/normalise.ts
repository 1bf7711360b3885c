/**
 * Signature normalisation for the network, following sigver's normalize.py and SigNet:
 * greyscale; Gaussian blur used only to find the ink's bounding box; Otsu threshold; crop to
 * the ink; pixels above the threshold set to white (255); invert so ink is high and paper 0;
 * scale to fit the model canvas (155 x 220 for SigNet) keeping the aspect ratio, centred;
 * values divided by 255 into [0, 1].
 *
 * Differences from sigver, on purpose: sigver centres the centre of mass on a large dataset
 * canvas and then resizes and centre-crops (which can cut off a long signature); here the ink
 * box is scaled to fit inside the canvas and its centre placed at the canvas centre, so no ink
 * is ever lost. SigNet then divides by the training set's pixel standard deviation: that scaling
 * belongs to the model (it is recorded in the model's metadata), so the input here stays [0, 1].
 *
 * Everything is deterministic and every parameter used is returned, so a normalised image can
 * be re-derived from the original file plus `params`.
 */
import sharp from 'sharp';
import { AppError } from '../errors.ts';
import { decodePage } from './decode.ts';
import { checkRaw, clampBox, gaussianBlur, histogram, otsuThreshold, resample, toGrey, type Box, type GreyImage, type RawImage } from './pixels.ts';

/**
 * Version 2 (the default): ink-invariant. Every ink pixel (at or below the Otsu threshold) is
 * set to full ink before scaling, so the network input carries the shape of the strokes and
 * their coverage at the canvas resolution (anti-aliased edges), never how dark the pen was.
 * Version 1 kept the ink's grey level (255 - grey); models trained on it still get it.
 */
export const NORMALISE_VERSION = 2;
export type NormaliseVersion = 1 | 2;
export const NORMALISE_VERSIONS: readonly NormaliseVersion[] = [1, 2];

export interface NormaliseInput {
  /** Raw pixels (1-4 channels; a DecodedPage fits) or an encoded image sharp can read. */
  data: RawImage | Buffer;
  /** Part of the image to use, [x, y, w, h] in its pixels (default: all of it). */
  region?: Box;
  /** Name used in error messages (the file, or file#page). */
  name?: string;
  /** Pixels per inch of the source, when known: used for size warnings only. */
  dpi?: number | null;
}

export interface NormaliseOptions {
  /** [height, width] of the model input (SigNet: [155, 220]). */
  canvas?: [number, number];
  /** Blank border kept around the ink on the canvas, in canvas pixels. */
  margin?: number;
  /** Gaussian sigma (source pixels) of the blur used only to find the ink box (sigver: 2). */
  blurSigma?: number;
  /** Minimum difference between paper and ink grey levels for there to be ink at all. */
  minContrast?: number;
  /** Minimum number of ink pixels (source pixels) for there to be ink at all. */
  minInkPixels?: number;
  /** 2: ink-invariant (binary ink before scaling); 1: ink keeps its grey level. */
  version?: NormaliseVersion;
}

export const DEFAULT_NORMALISE: Required<NormaliseOptions> = {
  canvas: [155, 220],
  margin: 2,
  blurSigma: 2,
  minContrast: 32,
  minInkPixels: 12,
  version: NORMALISE_VERSION,
};

export interface NormaliseParams {
  version: NormaliseVersion;
  canvas: [number, number];
  margin: number;
  greyscale: 'bt601';
  /** The region of the source that was used, [x, y, w, h] in source pixels. */
  region: Box;
  blurSigma: number;
  /** Otsu threshold on the region's grey levels: ink is <= this. */
  otsuThreshold: number;
  /**
   * The ink box holds the ink pixels whose blurred grey is <= this (halfway between the Otsu
   * threshold and the mean paper level), so isolated specks do not count.
   */
  boxThreshold: number;
  /** Tight box around the (blurred) ink, [x, y, w, h] in source pixels. */
  inkBox: Box;
  /** Canvas pixels per source pixel. */
  scale: number;
  /** Top-left of the scaled ink box on the canvas, [x, y] in canvas pixels. */
  offset: [number, number];
  /** Size of the scaled ink box on the canvas, [w, h]. */
  scaledSize: [number, number];
  resample: 'area-average down, bilinear up';
  /**
   * Input values in [0, 1], paper 0, ink high: version 2 the share of each canvas pixel that
   * ink covers ('coverage'); version 1 (255 - grey) / 255 with paper forced to 0 ('darkness').
   */
  valueRange: [0, 1];
  ink: 'coverage' | 'darkness';
  /** The model applies its own input scaling (SigNet: divide by the dataset pixel std). */
  modelScaling: 'applied by the model';
}

export type QualityWarning = 'low-contrast' | 'little-ink' | 'dense-ink' | 'small-signature' | 'blurred' | 'clipped';

export interface SignatureQuality {
  /** Share of the ink box's pixels that are ink (<= threshold, unblurred). */
  inkRatio: number;
  inkPixels: number;
  /** Mean paper grey level minus mean ink grey level (0..255). */
  contrast: number;
  paperLevel: number;
  inkLevel: number;
  /** Ink box size in source pixels, and in inches when the dpi is known. */
  inkBox: { w: number; h: number; wInches: number | null; hInches: number | null };
  /** Blur estimate 0..1 (blurEffect): about 0.2-0.4 for crisp scans; 'blurred' above BLURRED_ABOVE. */
  blur: number;
  /** Sides of the region that the ink touches: the box may cut the signature off there. */
  touches: ('left' | 'top' | 'right' | 'bottom')[];
  warnings: QualityWarning[];
}

export interface NormalisedSignature {
  /** canvas[0] x canvas[1] values in [0, 1], row-major, ink high, paper 0. */
  input: Float32Array;
  /**
   * PNG of the same canvas for display, ink dark on white (255 - 255 x input), 8-bit grey,
   * so an examiner sees what the network sees in the usual polarity.
   */
  png: Buffer;
  params: NormaliseParams;
  quality: SignatureQuality;
}

function noInk(name: string, why: string): AppError {
  return new AppError('INVALID_ARGUMENT', `${name}: no ink found (${why})`, { file: name, reason: 'no-ink' });
}

async function toRaw(input: NormaliseInput, name: string): Promise<RawImage> {
  if (Buffer.isBuffer(input.data)) return decodePage(input.data, name, 0, { channels: 'auto' });
  checkRaw(input.data, name);
  return input.data;
}

/** Normalises one signature (see the file comment). Throws AppError 'no ink found' for blanks. */
export async function normaliseSignature(input: NormaliseInput, options: NormaliseOptions = {}): Promise<NormalisedSignature> {
  const o = { ...DEFAULT_NORMALISE, ...options };
  const name = input.name ?? 'signature';
  const [H, W] = o.canvas;
  if (!NORMALISE_VERSIONS.includes(o.version)) {
    throw new AppError('INVALID_ARGUMENT', `normalisation version: expected one of ${NORMALISE_VERSIONS.join(', ')}, got ${String(o.version)}`);
  }
  if (!(Number.isInteger(H) && Number.isInteger(W) && H >= 8 && W >= 8)) {
    throw new AppError('INVALID_ARGUMENT', `canvas: expected [height, width] integers of at least 8, got [${o.canvas.join(', ')}]`);
  }
  const raw = await toRaw(input, name);
  const region = clampBox(input.region ?? [0, 0, raw.width, raw.height], raw.width, raw.height, name);
  const grey = toGrey(raw, region);
  const core = normaliseGrey(grey, name, o);
  const inkBox: Box = [region[0] + core.box[0], region[1] + core.box[1], core.box[2], core.box[3]];
  const dpi = input.dpi && input.dpi > 0 ? input.dpi : null;
  const quality = measureQuality(grey, core, dpi);

  const display = Buffer.alloc(H * W);
  for (let i = 0; i < display.length; i++) display[i] = 255 - Math.round(core.input[i]! * 255);
  const png = await sharp(display, { raw: { width: W, height: H, channels: 1 } })
    .toColourspace('b-w')
    .png({ compressionLevel: 6 })
    .toBuffer();

  return {
    input: core.input,
    png,
    params: {
      version: o.version,
      canvas: [H, W],
      margin: o.margin,
      greyscale: 'bt601',
      region,
      blurSigma: o.blurSigma,
      otsuThreshold: core.threshold,
      boxThreshold: core.boxThreshold,
      inkBox,
      scale: core.scale,
      offset: core.offset,
      scaledSize: core.scaledSize,
      resample: 'area-average down, bilinear up',
      valueRange: [0, 1],
      ink: o.version === 1 ? 'darkness' : 'coverage',
      modelScaling: 'applied by the model',
    },
    quality,
  };
}

interface CoreResult {
  input: Float32Array;
  threshold: number;
  boxThreshold: number;
  /** Ink box within the grey region. */
  box: Box;
  scale: number;
  offset: [number, number];
  scaledSize: [number, number];
  paperLevel: number;
  inkLevel: number;
}

/** The numeric heart of normalisation, on a greyscale region. Synchronous; no I/O. */
export function normaliseGrey(grey: GreyImage, name: string, o: Required<NormaliseOptions>): CoreResult {
  const { width: w, height: h, data } = grey;
  const hist = histogram(data);
  const t = otsuThreshold(hist);
  let nInk = 0;
  let sInk = 0;
  let nPaper = 0;
  let sPaper = 0;
  for (let v = 0; v < 256; v++) {
    const c = hist[v]!;
    if (v <= t) {
      nInk += c;
      sInk += c * v;
    } else {
      nPaper += c;
      sPaper += c * v;
    }
  }
  if (nPaper === 0 || nInk === 0) throw noInk(name, 'the image is a single flat grey level');
  const inkLevel = sInk / nInk;
  const paperLevel = sPaper / nPaper;
  const contrast = paperLevel - inkLevel;
  if (contrast < o.minContrast) {
    throw noInk(name, `paper and darkest marks differ by only ${contrast.toFixed(0)} grey levels; at least ${o.minContrast} expected`);
  }

  // The blur only decides the box, so isolated specks of dust do not stretch it. The box is
  // that of the ink pixels whose blurred value is still clearly darker than the paper (below
  // halfway between threshold and paper): a lone dark pixel blurs away, while thin pen
  // strokes (which a blurred value below the Otsu threshold itself would lose) are kept whole.
  const blurred = gaussianBlur(grey, o.blurSigma, t); // read only at ink pixels below
  const boxThreshold = (t + paperLevel) / 2;
  let x0 = w;
  let y0 = h;
  let x1 = -1;
  let y1 = -1;
  let count = 0;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      if (data[row + x]! <= t && blurred[row + x]! <= boxThreshold) {
        count++;
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (count < o.minInkPixels) throw noInk(name, `only ${count} ink pixels after smoothing; the page looks blank`);
  const bw = x1 - x0 + 1;
  const bh = y1 - y0 + 1;

  // Crop, paper to 0, ink high, in float for resampling. Version 2 sets every ink pixel to
  // full ink, so after area-average scaling a canvas pixel holds how much of it ink covers.
  const crop = new Float32Array(bw * bh);
  const binary = o.version !== 1;
  for (let y = 0; y < bh; y++) {
    const srow = (y0 + y) * w + x0;
    for (let x = 0; x < bw; x++) {
      const v = data[srow + x]!;
      crop[y * bw + x] = v > t ? 0 : binary ? 255 : 255 - v;
    }
  }
  const [H, W] = o.canvas;
  const availH = Math.max(1, H - 2 * o.margin);
  const availW = Math.max(1, W - 2 * o.margin);
  const scale = Math.min(availH / bh, availW / bw);
  const sw = Math.max(1, Math.min(availW, Math.round(bw * scale)));
  const sh = Math.max(1, Math.min(availH, Math.round(bh * scale)));
  const scaled = resample(crop, bw, bh, sw, sh);
  const ox = Math.floor((W - sw) / 2);
  const oy = Math.floor((H - sh) / 2);
  const input = new Float32Array(H * W);
  for (let y = 0; y < sh; y++) {
    for (let x = 0; x < sw; x++) {
      const v = scaled[y * sw + x]! / 255;
      input[(oy + y) * W + ox + x] = v < 0 ? 0 : v > 1 ? 1 : v;
    }
  }
  return {
    input,
    threshold: t,
    boxThreshold: Math.round(boxThreshold * 100) / 100,
    box: [x0, y0, bw, bh],
    scale,
    offset: [ox, oy],
    scaledSize: [sw, sh],
    paperLevel,
    inkLevel,
  };
}

/**
 * No-reference blur estimate (Crete-Roffet et al. 2007, "the blur effect"): blur the box again
 * with a 9-tap mean along rows and along columns and see how much neighbour-to-neighbour
 * variation that removes. A crisp scan loses most of it (value near 0.2-0.35); an image that
 * is already blurred loses little (towards 1). Returned as max over both directions.
 */
export function blurEffect(grey: GreyImage, box: Box): number {
  const { width: w, data } = grey;
  const [bx, by, bw, bh] = box;
  if (bw < 3 || bh < 3) return 0;
  let worst = 0;
  for (const vertical of [false, true]) {
    const n = vertical ? bh : bw;
    const m = vertical ? bw : bh;
    const line = new Float32Array(n);
    const mean = new Float32Array(n);
    let sumF = 0;
    let sumV = 0;
    for (let j = 0; j < m; j++) {
      for (let i = 0; i < n; i++) line[i] = vertical ? data[(by + i) * w + bx + j]! : data[(by + j) * w + bx + i]!;
      // Running 9-tap sum with edges replicated: the values are whole grey levels, so the
      // sums are exact and equal to summing the nine taps each time.
      let s = 0;
      for (let k = -4; k <= 4; k++) s += line[Math.min(n - 1, Math.max(0, k))]!;
      mean[0] = s / 9;
      for (let i = 1; i < n; i++) {
        s += line[Math.min(n - 1, i + 4)]! - line[Math.max(0, i - 5)]!;
        mean[i] = s / 9;
      }
      for (let i = 1; i < n; i++) {
        const d = Math.abs(line[i]! - line[i - 1]!);
        const db = Math.abs(mean[i]! - mean[i - 1]!);
        sumF += d;
        sumV += Math.max(0, d - db);
      }
    }
    if (sumF > 0) worst = Math.max(worst, (sumF - sumV) / sumF);
  }
  return worst;
}

function measureQuality(grey: GreyImage, core: CoreResult, dpi: number | null): SignatureQuality {
  const { width: w, height: h, data } = grey;
  const [bx, by, bw, bh] = core.box;
  const t = core.threshold;
  let ink = 0;
  for (let y = by; y < by + bh; y++) {
    for (let x = bx; x < bx + bw; x++) if (data[y * w + x]! <= t) ink++;
  }
  const contrast = core.paperLevel - core.inkLevel;
  const blur = blurEffect(grey, core.box);
  const inkRatio = ink / (bw * bh);
  const touches: SignatureQuality['touches'] = [];
  if (bx === 0) touches.push('left');
  if (by === 0) touches.push('top');
  if (bx + bw === w) touches.push('right');
  if (by + bh === h) touches.push('bottom');
  const wIn = dpi ? bw / dpi : null;
  const hIn = dpi ? bh / dpi : null;
  const warnings: QualityWarning[] = [];
  if (contrast < 80) warnings.push('low-contrast');
  if (ink < 200 || inkRatio < 0.01) warnings.push('little-ink');
  if (inkRatio > 0.5) warnings.push('dense-ink');
  if (wIn !== null && hIn !== null ? wIn < 0.4 || hIn < 0.1 : bw < 40 || bh < 12) warnings.push('small-signature');
  if (blur > BLURRED_ABOVE) warnings.push('blurred');
  if (touches.length) warnings.push('clipped');
  return {
    inkRatio: round(inkRatio, 4),
    inkPixels: ink,
    contrast: round(contrast, 1),
    paperLevel: round(core.paperLevel, 1),
    inkLevel: round(core.inkLevel, 1),
    inkBox: { w: bw, h: bh, wInches: wIn === null ? null : round(wIn, 3), hInches: hIn === null ? null : round(hIn, 3) },
    blur: round(blur, 3),
    touches,
    warnings,
  };
}

/** 8-bit quantisation, as a stored normalised PNG holds the input. */
export function quantise(input: Float32Array): Float32Array {
  const out = new Float32Array(input.length);
  for (let i = 0; i < input.length; i++) out[i] = Math.round(input[i]! * 255) / 255;
  return out;
}

/** blurEffect above this raises the 'blurred' warning. */
export const BLURRED_ABOVE = 0.6;

function round(v: number, d: number): number {
  const f = 10 ** d;
  return Math.round(v * f) / f;
}
