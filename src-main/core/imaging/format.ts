/**
 * Format detection by content (magic bytes), never by file extension: an examiner's folder
 * may hold a PDF renamed to .png or a text file called scan.jpg, and the reason we give
 * must say what the file really is.
 */

/** The formats Countersign decodes. */
export type ImageFormat = 'png' | 'jpeg' | 'tiff' | 'webp';

/** What the first bytes of a file say it is. */
export type SniffedFormat = ImageFormat | 'pdf' | 'gif' | 'bmp' | 'heif' | 'jpeg2000' | 'svg' | 'zip' | 'text' | 'unknown';

export const SUPPORTED_FORMATS: readonly ImageFormat[] = ['png', 'jpeg', 'tiff', 'webp'];

/** Human names used in messages. */
export const FORMAT_NAMES: Record<SniffedFormat, string> = {
  png: 'PNG',
  jpeg: 'JPEG',
  tiff: 'TIFF',
  webp: 'WebP',
  pdf: 'PDF',
  gif: 'GIF',
  bmp: 'BMP',
  heif: 'HEIF/AVIF',
  jpeg2000: 'JPEG 2000',
  svg: 'SVG',
  zip: 'ZIP archive (or an office document)',
  text: 'text',
  unknown: 'unknown',
};

function startsWith(b: Uint8Array, sig: readonly number[], at = 0): boolean {
  if (b.length < at + sig.length) return false;
  for (let i = 0; i < sig.length; i++) if (b[at + i] !== sig[i]) return false;
  return true;
}

function ascii(b: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < Math.min(to, b.length); i++) s += String.fromCharCode(b[i] as number);
  return s;
}

/** Detects the format from the first bytes of a file. */
export function sniffFormat(bytes: Uint8Array): SniffedFormat {
  const b = bytes;
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(b, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (
    startsWith(b, [0x49, 0x49, 0x2a, 0x00]) ||
    startsWith(b, [0x4d, 0x4d, 0x00, 0x2a]) ||
    startsWith(b, [0x49, 0x49, 0x2b, 0x00]) ||
    startsWith(b, [0x4d, 0x4d, 0x00, 0x2b])
  ) {
    return 'tiff';
  }
  if (ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP') return 'webp';
  // A PDF header may follow a little junk (the spec allows it within the first 1024 bytes).
  if (ascii(b, 0, 1024).includes('%PDF-')) return 'pdf';
  if (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a') return 'gif';
  if (ascii(b, 0, 2) === 'BM' && b.length > 26) return 'bmp';
  if (ascii(b, 4, 8) === 'ftyp' && /heic|heix|hevc|mif1|msf1|avif|avis/.test(ascii(b, 8, 32))) return 'heif';
  if (startsWith(b, [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20]) || startsWith(b, [0xff, 0x4f, 0xff, 0x51])) {
    return 'jpeg2000';
  }
  if (startsWith(b, [0x50, 0x4b, 0x03, 0x04])) return 'zip';
  const head = ascii(b, 0, 512);
  if (/^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<svg[\s>]/i.test(head)) return 'svg';
  if (looksLikeText(b)) return 'text';
  return 'unknown';
}

/** True when the first bytes are printable text (ASCII or UTF-8), as in a CSV or a note. */
function looksLikeText(b: Uint8Array): boolean {
  const n = Math.min(b.length, 512);
  if (n === 0) return false;
  let printable = 0;
  for (let i = 0; i < n; i++) {
    const c = b[i] as number;
    if (c === 9 || c === 10 || c === 13 || (c >= 32 && c < 127) || c >= 128) printable++;
    else if (c === 0) return false;
  }
  return printable / n > 0.95;
}

/**
 * True when a JPEG's bytes end with an End Of Image marker (FFD9), allowing trailing padding.
 * Entropy-coded data cannot contain FFD9 (0xFF is byte-stuffed), so a file cut short in its
 * scan data has no EOI in its tail. sharp's failOn also catches most truncations; this check
 * does not depend on how the decoder reports them.
 */
export function jpegHasEndMarker(bytes: Uint8Array): boolean {
  const from = Math.max(2, bytes.length - 4096);
  for (let i = bytes.length - 2; i >= from; i--) {
    if (bytes[i] === 0xff && bytes[i + 1] === 0xd9) return true;
  }
  return false;
}

/** True when a PNG's bytes contain the IEND chunk type near the end. */
export function pngHasEnd(bytes: Uint8Array): boolean {
  const from = Math.max(8, bytes.length - 4096);
  for (let i = bytes.length - 8; i >= from; i--) {
    if (bytes[i] === 0x49 && bytes[i + 1] === 0x45 && bytes[i + 2] === 0x4e && bytes[i + 3] === 0x44) return true;
  }
  return false;
}
