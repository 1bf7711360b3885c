/**
 * Encoding raw pixels to image files with sharp (libvips). Options are spelled out so
 * the bytes depend only on the pixels: no timestamps or profiles are written, and the
 * same pixels give the same file.
 */
import sharp from 'sharp';

export type ImageFormat = 'png' | 'jpeg' | 'tiff' | 'raw';

export interface EncodeOptions {
  format: ImageFormat;
  /** JPEG quality 1..100 */
  quality?: number;
  /** written as the file's resolution (PNG pHYs, JPEG JFIF, TIFF tags) */
  dpi?: number;
}

export async function encodeImage(pixels: Uint8Array, width: number, height: number, channels: 1 | 3, opts: EncodeOptions): Promise<Buffer> {
  if (opts.format === 'raw') return Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  let img = sharp(pixels, { raw: { width, height, channels } });
  if (opts.dpi) img = img.withMetadata({ density: opts.dpi });
  switch (opts.format) {
    case 'png':
      return img.png({ compressionLevel: 3, adaptiveFiltering: false, palette: false }).toBuffer();
    case 'jpeg':
      return img.jpeg({ quality: opts.quality ?? 88, chromaSubsampling: '4:2:0', mozjpeg: false }).toBuffer();
    case 'tiff':
      return img.tiff({ compression: 'lzw', predictor: 'horizontal' }).toBuffer();
  }
}

export function extensionOf(format: ImageFormat): string {
  return format === 'jpeg' ? 'jpg' : format === 'tiff' ? 'tif' : format;
}
