/**
 * The automatic best fit of a reference crop (K) onto a questioned crop (Q): the starting point
 * an examiner adjusts by hand. Both crops are brought to one true scale (pixels per mm, from
 * each crop's DPI), binarised (Otsu), and K's ink is moved over Q's to maximise the share of
 * K's ink that lands on Q's ink (Q's ink grown by one pixel so that near misses count),
 * over translation, rotation and scale: a coarse search on images pooled to at most 48
 * pixels, then a finer search around the best coarse poses. Deterministic: no randomness,
 * a fixed search order, ties kept by the first pose found.
 *
 * The pose maps a point p of K to p' = cQ + d + s * R(theta) * (p - cK) in Q, where cQ and cK
 * are the crops' centres and R turns clockwise on screen for a positive angle (image axes,
 * y down), as CSS and canvas rotations do.
 */
import sharp from 'sharp';
import { AppError } from '../errors.ts';
import { MM_PER_INCH } from './geometry.ts';

export const FIT_METHOD = 'ink-overlap-v1';

/** A binary image: ink[y * width + x] is 1 for ink. */
export interface InkImage {
  width: number;
  height: number;
  ink: Uint8Array;
}

export interface Pose {
  /** Shift of K's centre from Q's centre, in pixels of the images given. */
  dx: number;
  dy: number;
  /** Degrees, clockwise on screen. */
  rotationDeg: number;
  scale: number;
}

export interface FitResult extends Pose {
  /** Share (0..1) of K's ink that lands on Q's ink, grown by one pixel. */
  overlap: number;
}

export interface FitOptions {
  /** Largest rotation tried either way (degrees). Default 12. */
  maxRotationDeg?: number;
  /** Scales tried: [min, max]. Default [0.85, 1.15]. */
  scaleRange?: readonly [number, number];
}

const COARSE_MAX = 48;

/** Grows ink by one pixel in every direction (3 x 3). */
export function dilate(img: InkImage): InkImage {
  const { width: w, height: h, ink } = img;
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!ink[y * w + x]) continue;
      for (let yy = Math.max(0, y - 1); yy <= Math.min(h - 1, y + 1); yy++) {
        for (let xx = Math.max(0, x - 1); xx <= Math.min(w - 1, x + 1); xx++) out[yy * w + xx] = 1;
      }
    }
  }
  return { width: w, height: h, ink: out };
}

/** Pools f x f blocks: a block is ink when any of its pixels is (thin strokes survive). */
export function pool(img: InkImage, f: number): InkImage {
  if (f <= 1) return img;
  const w = Math.ceil(img.width / f);
  const h = Math.ceil(img.height / f);
  const ink = new Uint8Array(w * h);
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) if (img.ink[y * img.width + x]) ink[Math.floor(y / f) * w + Math.floor(x / f)] = 1;
  }
  return { width: w, height: h, ink };
}

/** Ink pixel centres relative to the image centre. */
function inkPoints(img: InkImage): Float64Array {
  let n = 0;
  for (const v of img.ink) n += v;
  const pts = new Float64Array(2 * n);
  let i = 0;
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      if (!img.ink[y * img.width + x]) continue;
      pts[i++] = x + 0.5 - img.width / 2;
      pts[i++] = y + 0.5 - img.height / 2;
    }
  }
  return pts;
}

/** Share of K's points that land on ink of q (already dilated) at the pose. */
function overlapAt(q: InkImage, k: Float64Array, pose: Pose): number {
  const t = (pose.rotationDeg * Math.PI) / 180;
  const c = Math.cos(t) * pose.scale;
  const s = Math.sin(t) * pose.scale;
  const ox = q.width / 2 + pose.dx;
  const oy = q.height / 2 + pose.dy;
  let hits = 0;
  const n = k.length / 2;
  for (let i = 0; i < n; i++) {
    const x = k[2 * i]!;
    const y = k[2 * i + 1]!;
    const qx = Math.floor(ox + c * x - s * y);
    const qy = Math.floor(oy + s * x + c * y);
    if (qx >= 0 && qy >= 0 && qx < q.width && qy < q.height && q.ink[qy * q.width + qx]) hits++;
  }
  return n ? hits / n : 0;
}

/** Values from lo to hi in steps, ordered nearest `centre` first (so ties keep the simplest pose). */
function steps(lo: number, hi: number, step: number, centre: number): number[] {
  const out: number[] = [];
  for (let v = lo; v <= hi + 1e-9; v += step) out.push(Math.round(v * 1e6) / 1e6);
  return out.sort((a, b) => Math.abs(a - centre) - Math.abs(b - centre) || a - b);
}

/**
 * The pose of k on q that maximises the ink overlap; q and k at the same scale (pixels per
 * mm). Coarse to fine; the result's dx, dy are in pixels of the given images.
 */
export function bestFit(q: InkImage, k: InkImage, opts: FitOptions = {}): FitResult {
  const maxRot = opts.maxRotationDeg ?? 12;
  const [sLo, sHi] = opts.scaleRange ?? [0.85, 1.15];
  const inkOf = (img: InkImage) => img.ink.reduce((s, v) => s + v, 0);
  if (!inkOf(q)) throw new AppError('INVALID_ARGUMENT', 'questioned crop: no ink found to align on');
  if (!inkOf(k)) throw new AppError('INVALID_ARGUMENT', 'reference crop: no ink found to align on');

  const f = Math.max(1, Math.ceil(Math.max(q.width, q.height, k.width, k.height) / COARSE_MAX));
  const qc = dilate(pool(q, f));
  const kc = inkPoints(pool(k, f));
  // coarse: whole-pixel shifts over the overlap range, rotation in 4 degree steps, scale in 0.05
  const rangeX = Math.ceil((qc.width + Math.ceil(k.width / f)) / 2);
  const rangeY = Math.ceil((qc.height + Math.ceil(k.height / f)) / 2);
  const coarse: FitResult[] = [];
  for (const rotationDeg of steps(-maxRot, maxRot, 4, 0)) {
    for (const scale of steps(sLo, sHi, 0.05, 1)) {
      let best: FitResult | null = null;
      for (const dy of steps(-rangeY, rangeY, 1, 0)) {
        for (const dx of steps(-rangeX, rangeX, 1, 0)) {
          const overlap = overlapAt(qc, kc, { dx, dy, rotationDeg, scale });
          if (!best || overlap > best.overlap) best = { dx, dy, rotationDeg, scale, overlap };
        }
      }
      coarse.push(best!);
    }
  }
  // keep the best few coarse poses (stable order) and refine each on the full images
  const candidates = coarse
    .map((c, i) => ({ c, i }))
    .sort((a, b) => b.c.overlap - a.c.overlap || a.i - b.i)
    .slice(0, 4)
    .map((x) => x.c);
  const qf = dilate(q);
  const kf = inkPoints(k);
  let best: FitResult | null = null;
  for (const c of candidates) {
    const start = { dx: c.dx * f, dy: c.dy * f, rotationDeg: c.rotationDeg, scale: c.scale };
    // translation first at the coarse pose, then rotation and scale, then translation again
    let pose = refineShift(qf, kf, start, f);
    pose = refinePose(qf, kf, pose, 2.5, 0.5, 0.04, 0.01);
    pose = refineShift(qf, kf, pose, 2);
    pose = refinePose(qf, kf, pose, 0.5, 0.25, 0.01, 0.005);
    const result = { ...pose, overlap: overlapAt(qf, kf, pose) };
    if (!best || result.overlap > best.overlap) best = result;
  }
  return best!;
}

function refineShift(q: InkImage, k: Float64Array, pose: Pose, radius: number): Pose {
  let best = { pose, overlap: overlapAt(q, k, pose) };
  for (const dy of steps(pose.dy - radius, pose.dy + radius, 1, pose.dy)) {
    for (const dx of steps(pose.dx - radius, pose.dx + radius, 1, pose.dx)) {
      const p = { ...pose, dx, dy };
      const overlap = overlapAt(q, k, p);
      if (overlap > best.overlap) best = { pose: p, overlap };
    }
  }
  return best.pose;
}

function refinePose(q: InkImage, k: Float64Array, pose: Pose, rotRadius: number, rotStep: number, scaleRadius: number, scaleStep: number): Pose {
  let best = { pose, overlap: overlapAt(q, k, pose) };
  for (const rotationDeg of steps(pose.rotationDeg - rotRadius, pose.rotationDeg + rotRadius, rotStep, pose.rotationDeg)) {
    for (const scale of steps(pose.scale - scaleRadius, pose.scale + scaleRadius, scaleStep, pose.scale)) {
      for (const dy of [0, -1, 1]) {
        for (const dx of [0, -1, 1]) {
          const p = { dx: pose.dx + dx, dy: pose.dy + dy, rotationDeg, scale };
          const overlap = overlapAt(q, k, p);
          if (overlap > best.overlap) best = { pose: p, overlap };
        }
      }
    }
  }
  return best.pose;
}

/** Otsu's threshold of a grey histogram; pixels below it are ink. */
export function otsuThreshold(grey: Uint8Array): number {
  const hist = new Array<number>(256).fill(0);
  for (const v of grey) hist[v]!++;
  const total = grey.length;
  let sumAll = 0;
  for (let i = 0; i < 256; i++) sumAll += i * hist[i]!;
  let wB = 0;
  let sumB = 0;
  let bestVar = -1;
  let threshold = 128;
  for (let t = 0; t < 256; t++) {
    wB += hist[t]!;
    if (!wB) continue;
    const wF = total - wB;
    if (!wF) break;
    sumB += t * hist[t]!;
    const mB = sumB / wB;
    const mF = (sumAll - sumB) / wF;
    const between = wB * wF * (mB - mF) ** 2;
    if (between > bestVar) {
      bestVar = between;
      threshold = t + 1;
    }
  }
  return threshold;
}

/**
 * A crop (any image sharp reads) at `pxPerMm`, binarised. `dpi` is the crop's scan
 * resolution. A crop with no contrast has no ink.
 */
export async function loadInk(image: Buffer, dpi: number, pxPerMm: number, what: string): Promise<InkImage> {
  try {
    const meta = await sharp(image).metadata();
    const f = (pxPerMm * MM_PER_INCH) / dpi;
    const width = Math.max(1, Math.round((meta.width ?? 1) * f));
    const height = Math.max(1, Math.round((meta.height ?? 1) * f));
    const { data } = await sharp(image)
      .flatten({ background: '#ffffff' })
      .greyscale()
      .resize(width, height, { fit: 'fill', kernel: 'cubic' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const grey = new Uint8Array(data.buffer, data.byteOffset, data.length);
    let lo = 255;
    let hi = 0;
    for (const v of grey) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const ink = new Uint8Array(grey.length);
    if (hi - lo >= 32) {
      const t = otsuThreshold(grey);
      for (let i = 0; i < grey.length; i++) ink[i] = grey[i]! < t ? 1 : 0;
    }
    return { width, height, ink };
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError('INVALID_ARGUMENT', `${what}: cannot decode the crop (${(err as Error).message})`);
  }
}

export interface AutoFit {
  method: typeof FIT_METHOD;
  dxMm: number;
  dyMm: number;
  rotationDeg: number;
  scale: number;
  overlap: number;
  /** The working scale the fit was made at. */
  pxPerMm: number;
}

/** The best fit of two crops at true scale, in mm. */
export async function autoFitCrops(q: { image: Buffer; dpi: number }, k: { image: Buffer; dpi: number }, opts: FitOptions = {}): Promise<AutoFit> {
  const [qm, km] = await Promise.all([sharp(q.image).metadata(), sharp(k.image).metadata()]);
  const mm = (px: number | undefined, dpi: number) => ((px ?? 1) / dpi) * MM_PER_INCH;
  const largest = Math.max(mm(qm.width, q.dpi), mm(qm.height, q.dpi), mm(km.width, k.dpi), mm(km.height, k.dpi));
  // about 4 pixels per mm (0.25 mm), fewer for very large crops so the search stays quick
  const pxPerMm = Math.min(4, 240 / largest);
  const [qi, ki] = await Promise.all([loadInk(q.image, q.dpi, pxPerMm, 'questioned crop'), loadInk(k.image, k.dpi, pxPerMm, 'reference crop')]);
  const fit = bestFit(qi, ki, opts);
  const round = (v: number, d: number) => Math.round(v * 10 ** d) / 10 ** d;
  return {
    method: FIT_METHOD,
    dxMm: round(fit.dx / pxPerMm, 3),
    dyMm: round(fit.dy / pxPerMm, 3),
    rotationDeg: round(fit.rotationDeg, 3),
    scale: round(fit.scale, 4),
    overlap: round(fit.overlap, 4),
    pxPerMm: round(pxPerMm, 4),
  };
}
