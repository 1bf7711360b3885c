import sharp from 'sharp';
import { AppError } from '../errors.ts';
import { sha256Hex } from './content-hash.ts';

/** Display resolution of images in the report. Originals are identified by hash, not reproduced. */
export const REPORT_DPI = 200;

export type PreparedFormat = 'png' | 'jpeg';

export interface PreparedImage {
  /**
   * Opaque 8-bit PNG (no alpha, not interlaced: pdfkit embeds its IDAT data as is) for
   * signatures, lossless; JPEG (quality 90, pdfkit embeds it as is) for context images
   * of the document, where exact pixels matter less than file size and speed.
   */
  png: Buffer;
  /** Pixel size. */
  width: number;
  height: number;
  /** Cache key: SHA-256 of the source bytes and the pixel box. */
  key: string;
}

/**
 * Downscales each distinct image once. The same bytes asked for the same box (the
 * reference thumbnails of one subject, repeated for every questioned item of that
 * subject) come back as the same PreparedImage, so the PDF embeds them once.
 */
export class ImagePreparer {
  private readonly cache = new Map<string, Promise<PreparedImage>>();

  prepareImage(src: Buffer, boxWidthPt: number, boxHeightPt: number, what: string, format: PreparedFormat = 'png'): Promise<PreparedImage> {
    const w = Math.ceil((boxWidthPt / 72) * REPORT_DPI);
    const h = Math.ceil((boxHeightPt / 72) * REPORT_DPI);
    const key = `${sha256Hex(src)}:${w}x${h}:${format}`;
    let p = this.cache.get(key);
    if (!p) {
      p = downscale(src, w, h, key, what, format);
      this.cache.set(key, p);
    }
    return p;
  }

  get distinctImages(): number {
    return this.cache.size;
  }
}

async function downscale(src: Buffer, w: number, h: number, key: string, what: string, format: PreparedFormat): Promise<PreparedImage> {
  try {
    const pipeline = sharp(src).flatten({ background: '#ffffff' }).resize({ width: w, height: h, fit: 'inside', withoutEnlargement: true, kernel: 'lanczos3' });
    const encoded =
      format === 'jpeg'
        ? pipeline.toColourspace('srgb').jpeg({ quality: 90, chromaSubsampling: '4:4:4', mozjpeg: false })
        : pipeline.png({ compressionLevel: 6, adaptiveFiltering: false, palette: false });
    const { data, info } = await encoded.toBuffer({ resolveWithObject: true });
    return { png: data, width: info.width, height: info.height, key };
  } catch (err) {
    throw new AppError('INVALID_ARGUMENT', `${what}: cannot decode image (${(err as Error).message})`);
  }
}
