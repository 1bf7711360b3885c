/**
 * Stored images made ready for display: PNG and JPEG as they are, anything else (TIFF, a page
 * of a multi-page TIFF, an EXIF-rotated image) converted, optionally downscaled to a width;
 * and a small cache of recently shown ones. The bytes never cross IPC: the front-ends serve
 * them by URL (ipc/object-requests.ts: `cs-object://<sha256>`, the bridge's `/objects/<sha256>`).
 */
import sharp, { type Metadata } from 'sharp';
import { AppError } from '../errors.ts';

/** What the UI learns about an image for display (its bytes are fetched by URL). */
export interface DisplayImageInfo {
  mime: 'image/png' | 'image/jpeg';
  /** Size of the returned image. */
  width: number;
  height: number;
  /** Size of the stored image (the returned one may be downscaled). */
  originalWidth: number;
  originalHeight: number;
}

/** An image ready for display: its encoded bytes (PNG or JPEG) and what they are. */
export interface DisplayImage extends DisplayImageInfo {
  bytes: Buffer;
}

/** Pixels we agree to decode for display (as imaging's decode limit: 64 MP). */
export const MAX_DISPLAY_PIXELS = 64_000_000;

/** What the display cache holds at most, in bytes of encoded images. */
export const DISPLAY_CACHE_BYTES = 96 * 1024 * 1024;

/**
 * The image for display. `sha` only names the object in messages. Refuses (UNSUPPORTED) what
 * sharp cannot read or convert and images above MAX_DISPLAY_PIXELS; NOT_FOUND for a page the
 * image does not have.
 */
export async function renderImage(bytes: Buffer, sha: string, maxWidth?: number, page?: number): Promise<DisplayImage> {
  const readMeta = async (p?: number): Promise<Metadata> => {
    try {
      return await sharp(bytes, { limitInputPixels: false, ...(p !== undefined ? { page: p } : {}) }).metadata();
    } catch (err) {
      throw new AppError('UNSUPPORTED', `object ${sha.slice(0, 12)}: not an image this build can show (${(err as Error).message})`);
    }
  };
  let meta = await readMeta();
  if (page !== undefined) {
    // Counted first: libvips refuses a page past the end as a corrupt file, which it is not.
    if (page >= (meta.pages ?? 1)) {
      const pages = meta.pages ?? 1;
      throw new AppError('NOT_FOUND', `page: the image has ${pages} page${pages === 1 ? '' : 's'}, there is no page ${page}`);
    }
    meta = await readMeta(page);
  }
  const rotated = (meta.orientation ?? 1) >= 5;
  const w0 = (rotated ? meta.height : meta.width) ?? 0;
  const h0 = (rotated ? meta.width : meta.height) ?? 0;
  if (w0 * h0 > MAX_DISPLAY_PIXELS) {
    throw new AppError('UNSUPPORTED', `object ${sha.slice(0, 12)}: ${w0} x ${h0} pixels is above the display limit of ${MAX_DISPLAY_PIXELS / 1e6} megapixels`);
  }
  const needsResize = maxWidth !== undefined && w0 > maxWidth;
  const upright = (meta.orientation ?? 1) === 1;
  const passThrough = !needsResize && upright && (meta.format === 'png' || meta.format === 'jpeg') && (meta.pages ?? 1) === 1;
  if (passThrough) {
    const mime = meta.format === 'png' ? 'image/png' : 'image/jpeg';
    return { bytes, mime, width: w0, height: h0, originalWidth: w0, originalHeight: h0 };
  }
  try {
    let pipe = sharp(bytes, { limitInputPixels: MAX_DISPLAY_PIXELS, autoOrient: true, ...(page !== undefined ? { page } : {}) });
    if (needsResize) pipe = pipe.resize({ width: maxWidth, withoutEnlargement: true });
    const jpeg = meta.format === 'jpeg';
    pipe = jpeg ? pipe.jpeg({ quality: 88 }) : pipe.png({ compressionLevel: 6 });
    const { data, info } = await pipe.toBuffer({ resolveWithObject: true });
    const mime = jpeg ? 'image/jpeg' : 'image/png';
    return { bytes: data, mime, width: info.width, height: info.height, originalWidth: w0, originalHeight: h0 };
  } catch (err) {
    throw new AppError('UNSUPPORTED', `object ${sha.slice(0, 12)}: cannot be converted for display (${(err as Error).message})`);
  }
}

/**
 * Recently shown images (thumbnails are asked for again on every visit of a case page), least
 * recently used dropped first once their bytes exceed `maxBytes`; an image above a quarter
 * of that is never kept.
 */
export class ImageCache {
  private readonly entries = new Map<string, DisplayImage>();
  private bytes = 0;

  constructor(private readonly maxBytes = DISPLAY_CACHE_BYTES) {}

  get(key: string): DisplayImage | undefined {
    const v = this.entries.get(key);
    if (v) {
      this.entries.delete(key);
      this.entries.set(key, v);
    }
    return v;
  }

  set(key: string, value: DisplayImage): void {
    if (value.bytes.length > this.maxBytes / 4) return;
    // Two requests for the same image may both miss and both store it: count it once.
    const before = this.entries.get(key);
    if (before) {
      this.entries.delete(key);
      this.bytes -= before.bytes.length;
    }
    this.entries.set(key, value);
    this.bytes += value.bytes.length;
    for (const [k, v] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= v.bytes.length;
    }
  }

  /** What the cache holds now, in bytes of encoded images. */
  get size(): number {
    return this.bytes;
  }
}
