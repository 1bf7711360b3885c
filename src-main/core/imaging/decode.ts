/**
 * Reading and decoding scans with sharp: PNG, JPEG, TIFF (each page of a multi-page TIFF is a
 * separate document) and WebP. The format is detected from the content; EXIF orientation is
 * applied, so every pixel coordinate elsewhere (boxes, crops) refers to the page as it is
 * displayed upright. Every failure is an AppError whose message starts with the file's name
 * and whose `details.reason` is a stable word the import report can group by.
 */
import { constants as fsConstants, promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

import sharp, { type Metadata } from 'sharp';
import { AppError, type ErrorCode } from '../errors.ts';
import { isInside } from './inside-folder.ts';
import { FORMAT_NAMES, jpegHasEndMarker, pngHasEnd, sniffFormat, type ImageFormat, type SniffedFormat } from './format.ts';

/**
 * Largest page we decode, in pixels (width x height): 64 megapixels, e.g. 8000 x 8000.
 * An A4 page at 600 dpi is 35 MP and a cheque at 600 dpi is 4 MP; a 20000 x 20000 image
 * (400 MP, 1.2 GB of RGB pixels) is refused from its header before any pixel is decoded.
 */
export const DEFAULT_MAX_PIXELS = 64_000_000;

/**
 * Largest file we read, in bytes: 256 MiB. An uncompressed 64-megapixel RGB TIFF is 192 MB;
 * anything larger is refused before it is read into memory.
 */
export const DEFAULT_MAX_FILE_BYTES = 256 * 1024 * 1024;

/** Stable reasons for failures, carried in `AppError.details.reason`. */
export type DecodeFailure =
  | 'empty'
  | 'truncated'
  | 'not-an-image'
  | 'unsupported-format'
  | 'pdf'
  | 'too-large'
  | 'corrupt'
  | 'not-found'
  | 'outside-folder'
  | 'not-a-file'
  | 'permission'
  | 'symlink-loop'
  | 'unreadable'
  | 'bad-page';

export interface DecodeOptions {
  /** Refuse pages with more pixels than this (default DEFAULT_MAX_PIXELS). */
  maxPixels?: number;
  /**
   * 'auto' keeps greyscale scans as 1 channel and colour scans as RGB; 'grey' and 'rgb' force
   * one or the other. Alpha is always flattened onto white (transparent = paper).
   */
  channels?: 'auto' | 'grey' | 'rgb';
}

export interface PageInfo {
  page: number;
  /** Width and height after EXIF orientation is applied. */
  width: number;
  height: number;
}

export interface ImageInfo {
  /** The name used in messages (usually the path relative to the case folder). */
  name: string;
  format: ImageFormat;
  bytes: number;
  /** Number of pages; each page of a multi-page TIFF is a separate document. */
  pages: number;
  /** Page 0 size after orientation (other TIFF pages may differ: see decodePage). */
  width: number;
  height: number;
  /** Pixels per inch from the file's metadata, or null when absent or implausible. */
  dpi: number | null;
  /** EXIF orientation tag 1..8 as stored (1 = upright); decoding applies it. */
  orientation: number;
  /** False for greyscale / black-and-white scans. */
  colour: boolean;
  hasAlpha: boolean;
}

export interface DecodedPage {
  name: string;
  format: ImageFormat;
  page: number;
  pages: number;
  width: number;
  height: number;
  /** 1 (grey) or 3 (RGB); 8 bits per sample, row-major, no padding. */
  channels: 1 | 3;
  data: Buffer;
  dpi: number | null;
  orientation: number;
}

function fail(code: ErrorCode, name: string, reason: DecodeFailure, text: string, extra?: Record<string, unknown>): AppError {
  return new AppError(code, `${name}: ${text}`, { file: name, reason, ...extra });
}

/**
 * Reads a file's bytes with a clear error for each way that can go wrong.
 * `name` (default: the path) is what messages call the file. With `inside` (a case folder,
 * resolved), symbolic links are resolved first and a file that lies outside that folder is
 * refused before a byte of it is read; the resolved file is then opened without following a
 * link, so one swapped in meanwhile is not followed either.
 */
export async function readImageBytes(path: string, name: string = path, maxBytes = DEFAULT_MAX_FILE_BYTES, opts: { inside?: string } = {}): Promise<Buffer> {
  let target = path;
  // Non-blocking: opening a named pipe must not wait for a writer (it is then refused as not a file).
  let flags = fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0);
  if (opts.inside) {
    try {
      target = await fsp.realpath(path);
    } catch (err) {
      throw fsError(err, path, name);
    }
    if (!isInside(target, opts.inside)) {
      throw fail(
        'IO',
        name,
        'outside-folder',
        `a symbolic link to ${target}, outside the case folder: refused without reading it (copy the file into the case folder to import it)`,
      );
    }
    flags |= fsConstants.O_NOFOLLOW ?? 0;
  }
  let fh: FileHandle;
  try {
    fh = await fsp.open(target, flags);
  } catch (err) {
    throw fsError(err, path, name);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw fail('IO', name, 'not-a-file', st.isDirectory() ? 'is a folder, not an image file' : 'is not a regular file');
    if (st.size === 0) throw fail('INVALID_ARGUMENT', name, 'empty', 'empty file (0 bytes)');
    if (st.size > maxBytes) {
      throw fail('UNSUPPORTED', name, 'too-large', `file is too large: ${mb(st.size)} is above the ${mb(maxBytes)} limit; nothing was read`, {
        size: st.size,
        maxBytes,
      });
    }
    const bytes = await fh.readFile();
    if (bytes.length === 0) throw fail('INVALID_ARGUMENT', name, 'empty', 'empty file (0 bytes)');
    return bytes;
  } catch (err) {
    throw fsError(err, path, name);
  } finally {
    await fh.close();
  }
}

function fsError(err: unknown, path: string, name: string): AppError {
  if (err instanceof AppError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ELOOP':
      return fail('IO', name, 'symlink-loop', 'symbolic link loop (the links lead back to each other and never to a file)');
    case 'ENOENT':
      return fail('IO', name, 'not-found', 'file not found (or a symbolic link to a missing file)', { path });
    case 'EACCES':
    case 'EPERM':
      return fail('IO', name, 'permission', 'permission denied: the file cannot be read');
    case 'EISDIR':
      return fail('IO', name, 'not-a-file', 'is a folder, not an image file');
    default:
      return fail('IO', name, 'unreadable', `cannot be read (${(err as Error).message})`);
  }
}

function refuseFormat(name: string, fmt: SniffedFormat): AppError {
  switch (fmt) {
    case 'pdf':
      return fail('UNSUPPORTED', name, 'pdf', 'PDF files are not supported yet; export the pages as PNG or TIFF');
    case 'text':
    case 'unknown':
    case 'zip':
      return fail(
        'UNSUPPORTED',
        name,
        'not-an-image',
        `not an image: the content is ${fmt === 'zip' ? 'a ZIP archive' : fmt === 'text' ? 'text' : 'not PNG, JPEG, TIFF or WebP'}, whatever the file name says`,
      );
    default:
      return fail('UNSUPPORTED', name, 'unsupported-format', `${FORMAT_NAMES[fmt]} images are not supported; convert to PNG, TIFF, JPEG or WebP`);
  }
}

/** Checks that could only be made on the bytes themselves (truncation) before sharp sees them. */
function checkStructure(bytes: Buffer, format: ImageFormat, name: string): void {
  if (format === 'jpeg' && !jpegHasEndMarker(bytes)) {
    throw fail('INVALID_ARGUMENT', name, 'truncated', 'truncated JPEG (no end-of-image marker: the file was cut short)');
  }
  if (format === 'png' && !pngHasEnd(bytes)) {
    throw fail('INVALID_ARGUMENT', name, 'truncated', 'truncated PNG (no IEND chunk: the file was cut short)');
  }
  if (format === 'webp' && bytes.length >= 12) {
    const declared = bytes.readUInt32LE(4) + 8;
    if (bytes.length < declared) {
      throw fail('INVALID_ARGUMENT', name, 'truncated', `truncated WebP (${bytes.length} of ${declared} bytes)`);
    }
  }
}

function decoderError(err: unknown, name: string, format: ImageFormat, maxPixels = DEFAULT_MAX_PIXELS): AppError {
  if (err instanceof AppError) return err;
  const msg = ((err as Error).message ?? String(err)).replace(/^(vips\w*|Vips\w*):\s*/i, '').replace(/[:\s]+$/, '');
  if (/premature end|truncat|unexpected end|short read|read error|not enough data/i.test(msg)) {
    return fail('INVALID_ARGUMENT', name, 'truncated', `truncated or damaged ${FORMAT_NAMES[format]} (${msg.trim()})`);
  }
  if (/pixel limit/i.test(msg)) {
    return fail('UNSUPPORTED', name, 'too-large', `image is larger than the ${mp(maxPixels)} limit (${msg.trim()})`);
  }
  return fail('INVALID_ARGUMENT', name, 'corrupt', `damaged ${FORMAT_NAMES[format]} file (${msg.trim()})`);
}

function mb(bytes: number): string {
  return `${Math.round((bytes / 1048576) * 10) / 10} MiB`;
}

function mp(pixels: number): string {
  return pixels >= 1e6 ? `${Math.round(pixels / 1e5) / 10} megapixel` : `${pixels} pixel`;
}

/**
 * The resolution a file states, or null. libvips reports 72 for a JPEG that states none (no
 * JFIF or EXIF resolution, or a JFIF header giving only the pixel aspect ratio): only a density
 * with a unit (inch or cm) was written by the scanner.
 */
function plausibleDpi(meta: { density?: number; resolutionUnit?: string }): number | null {
  const d = meta.density;
  if (meta.resolutionUnit === undefined || d === undefined || !Number.isFinite(d) || d < 20 || d > 20000) return null;
  return Math.round(d * 100) / 100;
}

function oriented(width: number, height: number, orientation: number): [number, number] {
  return orientation >= 5 && orientation <= 8 ? [height, width] : [width, height];
}

function checkSize(name: string, width: number, height: number, maxPixels: number, page: number, pages: number): void {
  if (!(width > 0 && height > 0)) throw fail('INVALID_ARGUMENT', name, 'corrupt', 'the image header gives no size');
  if (width * height > maxPixels) {
    const where = pages > 1 ? ` (page ${page + 1} of ${pages})` : '';
    throw fail(
      'UNSUPPORTED',
      name,
      'too-large',
      `image is too large${where}: ${width} x ${height} pixels (${mp(width * height)}) is above the ${mp(maxPixels)} limit; scan at a lower resolution or split the page`,
      { width, height, maxPixels },
    );
  }
}

/**
 * Reads the header: format, page count, size, dpi, orientation. Refuses empty, truncated,
 * non-image, PDF and oversized inputs without decoding any pixels.
 */
export async function probeImage(bytes: Buffer, name: string, opts: DecodeOptions = {}): Promise<ImageInfo> {
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (bytes.length === 0) throw fail('INVALID_ARGUMENT', name, 'empty', 'empty file (0 bytes)');
  const sniffed = sniffFormat(bytes);
  if (sniffed !== 'png' && sniffed !== 'jpeg' && sniffed !== 'tiff' && sniffed !== 'webp') throw refuseFormat(name, sniffed);
  const format: ImageFormat = sniffed;
  checkStructure(bytes, format, name);
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw decoderError(err, name, format);
  }
  const pages = format === 'tiff' ? Math.max(1, meta.pages ?? 1) : 1;
  const orientation = meta.orientation && meta.orientation >= 1 && meta.orientation <= 8 ? meta.orientation : 1;
  checkSize(name, meta.width, meta.height, maxPixels, 0, pages);
  const [width, height] = oriented(meta.width, meta.height, orientation);
  return {
    name,
    format,
    bytes: bytes.length,
    pages,
    width,
    height,
    dpi: plausibleDpi(meta),
    orientation,
    colour: !(meta.space === 'b-w' || meta.space === 'grey16'),
    hasAlpha: meta.hasAlpha,
  };
}

/**
 * Decodes one page to 8-bit pixels, orientation applied, alpha flattened onto white.
 * Pass the ImageInfo from probeImage to skip a second header read.
 */
export async function decodePage(bytes: Buffer, name: string, page = 0, opts: DecodeOptions = {}, info?: ImageInfo): Promise<DecodedPage> {
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  const inf = info ?? (await probeImage(bytes, name, opts));
  if (!Number.isInteger(page) || page < 0 || page >= inf.pages) {
    throw fail('INVALID_ARGUMENT', name, 'bad-page', `has ${inf.pages} page${inf.pages === 1 ? '' : 's'}; page ${page + 1} does not exist`);
  }
  let pageMeta: Metadata | null = null;
  try {
    if (page > 0) {
      pageMeta = await sharp(bytes, { page, limitInputPixels: false }).metadata();
      checkSize(name, pageMeta.width, pageMeta.height, maxPixels, page, inf.pages);
    }
    const colour = page > 0 && pageMeta ? !(pageMeta.space === 'b-w' || pageMeta.space === 'grey16') : inf.colour;
    const want = opts.channels ?? 'auto';
    const grey = want === 'grey' || (want === 'auto' && !colour);
    let pipe = sharp(bytes, { page, failOn: 'warning', limitInputPixels: maxPixels, autoOrient: true });
    const hasAlpha = page > 0 && pageMeta ? pageMeta.hasAlpha : inf.hasAlpha;
    if (hasAlpha) pipe = pipe.flatten({ background: '#ffffff' });
    pipe = grey ? pipe.toColourspace('b-w') : pipe.toColourspace('srgb');
    const { data, info: out } = await pipe.removeAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    if (out.channels !== 1 && out.channels !== 3) {
      throw fail('INTERNAL', name, 'corrupt', `decoder returned ${out.channels} channels`);
    }
    const orientation = page > 0 && pageMeta?.orientation ? pageMeta.orientation : inf.orientation;
    return {
      name,
      format: inf.format,
      page,
      pages: inf.pages,
      width: out.width,
      height: out.height,
      channels: out.channels,
      data,
      dpi: page > 0 && pageMeta ? (plausibleDpi(pageMeta) ?? inf.dpi) : inf.dpi,
      orientation,
    };
  } catch (err) {
    throw decoderError(err, name, inf.format, maxPixels);
  }
}

/** Reads, probes and decodes every page of a file. */
export async function decodeFile(
  path: string,
  opts: DecodeOptions & { name?: string } = {},
): Promise<{ bytes: Buffer; info: ImageInfo; pages: DecodedPage[] }> {
  const name = opts.name ?? path;
  const bytes = await readImageBytes(path, name);
  const info = await probeImage(bytes, name, opts);
  const pages: DecodedPage[] = [];
  for (let p = 0; p < info.pages; p++) pages.push(await decodePage(bytes, name, p, opts, info));
  return { bytes, info, pages };
}

/** The reason word of a decode failure, for reports; undefined for other errors. */
export function failureReason(err: unknown): DecodeFailure | string | undefined {
  if (err instanceof AppError && err.details && typeof err.details.reason === 'string') return err.details.reason;
  return undefined;
}
