/**
 * Deriving a signature from a page: the crop an examiner looks at (the original's pixels in
 * the region, as PNG) and the normalised image the network sees, with every parameter and
 * the image-quality figures. The import job and the manual crop editor both call this, so a
 * manual correction is derived exactly as an automatic one would be.
 */
import sharp from 'sharp';
import type { PageAnalysis } from './analyse.ts';
import type { StrokeMask } from './localise.ts';
import { normaliseSignature, type NormaliseParams, type NormaliseVersion, type SignatureQuality } from './normalise.ts';
import { clampBox, type Box, type RawImage } from './pixels.ts';

export const DERIVE_VERSION = 1;

/** How the pixels around the signature were treated before normalising. */
export type CleanMethod = 'none' | 'localiser-strokes' | 'page-strokes';

export interface DeriveInput {
  page: RawImage;
  /** Used in messages: `known/alice/k01.png` or `scan.tif#2`. */
  name: string;
  dpi: number | null;
  /** The part of the page to crop and normalise, in page pixels (clamped to the page). */
  region: Box;
  /**
   * Pixels outside these strokes become paper before normalising: printed rules, captions and
   * background inside the region are not the signature. Omitted: the region as it is.
   */
  strokes?: { mask: StrokeMask; method: Exclude<CleanMethod, 'none'> };
  /** Normalisation version (default: the current one). */
  version?: NormaliseVersion;
}

/** Quality figures in the shape verification reads (verify/compare.ts QualityInfo) plus the rest. */
export interface StoredQuality {
  /** Share of the ink box that is ink (0..1). */
  inkRatio: number;
  /** Paper minus ink grey level as a fraction of the full range (0..1). */
  contrast: number;
  inkBoxWidth: number;
  inkBoxHeight: number;
  inkBoxInches: { w: number; h: number } | null;
  inkPixels: number;
  paperLevel: number;
  inkLevel: number;
  blur: number;
  touches: SignatureQuality['touches'];
  warnings: SignatureQuality['warnings'];
  lowConfidence: boolean;
}

export interface DerivedSignature {
  crop: Buffer;
  normalised: Buffer;
  /** The normalised input in [0, 1] (canvas rows), for embedding without decoding the PNG. */
  input: Float32Array;
  params: {
    deriveVersion: number;
    /** Region of the page that was cropped and normalised, page pixels. */
    region: Box;
    clean: CleanMethod;
    /** normaliseSignature's parameters, with region and inkBox in page pixels. */
    normalise: NormaliseParams;
  };
  quality: Omit<StoredQuality, 'lowConfidence'>;
}

/** A box grown by `pad` pixels on every side, kept inside the page. */
export function padBox(box: Box, pad: number, width: number, height: number): Box {
  const x0 = Math.max(0, box[0] - pad);
  const y0 = Math.max(0, box[1] - pad);
  const x1 = Math.min(width, box[0] + box[2] + pad);
  const y1 = Math.min(height, box[1] + box[3] + pad);
  return [x0, y0, x1 - x0, y1 - y0];
}

/** Margin kept around an automatic box in the crop: a twentieth of an inch (10 px at 200 dpi). */
export function cropMargin(dpi: number | null): number {
  return Math.max(4, Math.round((dpi ?? 200) / 20));
}

function extractRaw(page: RawImage, region: Box): RawImage {
  const [rx, ry, rw, rh] = region;
  const c = page.channels;
  const out = new Uint8Array(rw * rh * c);
  for (let y = 0; y < rh; y++) {
    const src = ((ry + y) * page.width + rx) * c;
    out.set(page.data.subarray(src, src + rw * c), y * rw * c);
  }
  return { data: out, width: rw, height: rh, channels: c };
}

/** The region with every pixel off the strokes set to paper (white). */
function cleanRaw(crop: RawImage, region: Box, m: StrokeMask): RawImage {
  const [rx, ry, rw, rh] = region;
  const c = crop.channels;
  const out = new Uint8Array(crop.data.length).fill(255);
  for (let y = 0; y < rh; y++) {
    const cy = Math.floor((ry + y) / m.factor) - m.y0;
    if (cy < 0 || cy >= m.h) continue;
    const cells = cy * m.w;
    for (let x = 0; x < rw; x++) {
      const cx = Math.floor((rx + x) / m.factor) - m.x0;
      if (cx < 0 || cx >= m.w || m.cells[cells + cx] !== 1) continue;
      const i = (y * rw + x) * c;
      for (let k = 0; k < c; k++) out[i + k] = crop.data[i + k]!;
    }
  }
  return { data: out, width: rw, height: rh, channels: c };
}

async function encodePng(img: RawImage): Promise<Buffer> {
  return sharp(img.data, { raw: { width: img.width, height: img.height, channels: img.channels as 1 | 2 | 3 | 4 } })
    .png({ compressionLevel: 6 })
    .toBuffer();
}

/** Crops and normalises one signature; throws AppError (reason 'no-ink') when the region holds no ink. */
export async function deriveSignature(input: DeriveInput): Promise<DerivedSignature> {
  const { page, name } = input;
  const region = clampBox(input.region, page.width, page.height, name);
  const crop = extractRaw(page, region);
  const cleaned = input.strokes ? cleanRaw(crop, region, input.strokes.mask) : crop;
  const n = await normaliseSignature({ data: cleaned, name, dpi: input.dpi }, input.version ? { version: input.version } : {});
  const [rx, ry] = region;
  const ib = n.params.inkBox;
  const normalise: NormaliseParams = { ...n.params, region, inkBox: [ib[0] + rx, ib[1] + ry, ib[2], ib[3]] };
  return {
    crop: await encodePng(crop),
    normalised: n.png,
    input: n.input,
    params: { deriveVersion: DERIVE_VERSION, region, clean: input.strokes?.method ?? 'none', normalise },
    quality: storedQuality(n.quality),
  };
}

/** normaliseSignature's quality figures as the signature row stores them (contrast as 0..1). */
export function storedQuality(q: SignatureQuality): Omit<StoredQuality, 'lowConfidence'> {
  return {
    inkRatio: q.inkRatio,
    contrast: Math.round((q.contrast / 255) * 1000) / 1000,
    inkBoxWidth: q.inkBox.w,
    inkBoxHeight: q.inkBox.h,
    inkBoxInches: q.inkBox.wInches === null || q.inkBox.hInches === null ? null : { w: q.inkBox.wInches, h: q.inkBox.hInches },
    inkPixels: q.inkPixels,
    paperLevel: q.paperLevel,
    inkLevel: q.inkLevel,
    blur: q.blur,
    touches: q.touches,
    warnings: q.warnings,
  };
}

/**
 * The pen strokes of an analysed page that lie in a box (printed text, logos and rules left
 * out), as a mask for cleaning a box the examiner drew: the box decides what is the
 * signature, the page analysis only what in it is printed.
 */
export function strokesInBox(a: PageAnalysis, box: Box): StrokeMask {
  const f = a.scale.factor;
  const x0 = Math.max(0, Math.floor(box[0] / f) - 1);
  const y0 = Math.max(0, Math.floor(box[1] / f) - 1);
  const x1 = Math.min(a.width - 1, Math.ceil((box[0] + box[2]) / f) + 1);
  const y1 = Math.min(a.height - 1, Math.ceil((box[1] + box[3]) / f) + 1);
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;
  const cells = new Uint8Array(w * h);
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const l = a.labels[y * a.width + x]!;
      if (l < 0) continue;
      const kind = a.components[l]!.kind;
      if (kind === 'text' || kind === 'logo') continue;
      // dilated by one cell: the reduction lightens stroke edges
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx - x0;
          const yy = y + dy - y0;
          if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
          if ((dx || dy) && a.lineMask[(y + dy) * a.width + x + dx]) continue;
          cells[yy * w + xx] = 1;
        }
      }
    }
  }
  return { factor: f, x0, y0, w, h, cells };
}
