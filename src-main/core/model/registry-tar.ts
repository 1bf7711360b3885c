/**
 * The minimum of POSIX ustar needed for model bundles: regular files (and directory
 * entries, which reading skips) with names up to 255 characters. Bundles stay readable with
 * any `tar` (`tar -tvf model.tar`), so an examiner can inspect one without Countersign.
 */
import fs from 'node:fs';
import { AppError } from '../errors.ts';

const BLOCK = 512;
const CHUNK = 1 << 20;

export interface TarEntry {
  name: string;
  data: Buffer;
}

function writeString(buf: Buffer, offset: number, length: number, value: string): void {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length > length) throw new AppError('INVALID_ARGUMENT', `tar: field too long: ${value}`);
  bytes.copy(buf, offset);
}

function writeOctal(buf: Buffer, offset: number, length: number, value: number): void {
  const text = Math.floor(value).toString(8).padStart(length - 1, '0');
  if (text.length > length - 1) throw new AppError('INVALID_ARGUMENT', `tar: value ${value} does not fit the header`);
  writeString(buf, offset, length, text); // followed by the NUL already in the zeroed buffer
}

function header(name: string, size: number, mtimeSeconds: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  let prefix = '';
  let base = name;
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', 155);
    if (cut <= 0 || Buffer.byteLength(name.slice(cut + 1)) > 100) {
      throw new AppError('INVALID_ARGUMENT', `tar: name too long: ${name}`);
    }
    prefix = name.slice(0, cut);
    base = name.slice(cut + 1);
  }
  writeString(h, 0, 100, base);
  writeOctal(h, 100, 8, 0o644);
  writeOctal(h, 108, 8, 0);
  writeOctal(h, 116, 8, 0);
  writeOctal(h, 124, 12, size);
  writeOctal(h, 136, 12, mtimeSeconds);
  h.fill(0x20, 148, 156); // checksum counted as spaces
  h[156] = 0x30; // '0': regular file
  writeString(h, 257, 6, 'ustar');
  writeString(h, 263, 2, '00');
  writeString(h, 345, 155, prefix);
  let sum = 0;
  for (const byte of h) sum += byte;
  writeString(h, 148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  return h;
}

/** A tar archive of the entries in order; `mtime` (seconds) makes the bytes reproducible. */
export function writeTar(entries: readonly TarEntry[], mtimeSeconds: number): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    parts.push(header(e.name, e.data.length, mtimeSeconds), e.data);
    const pad = (BLOCK - (e.data.length % BLOCK)) % BLOCK;
    if (pad) parts.push(Buffer.alloc(pad));
  }
  parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

function readString(buf: Buffer, offset: number, length: number): string {
  const slice = buf.subarray(offset, offset + length);
  const end = slice.indexOf(0);
  return slice.subarray(0, end === -1 ? length : end).toString('utf8');
}

function readOctal(buf: Buffer, offset: number, length: number, what: string, file: string): number {
  const text = readString(buf, offset, length).trim();
  if (!/^[0-7]+$/.test(text)) throw new AppError('INVALID_ARGUMENT', `${file}: not a model bundle (bad tar ${what} field)`);
  return parseInt(text, 8);
}

/** One regular file of a tar archive: where its bytes are, not the bytes. */
export interface TarHeader {
  name: string;
  size: number;
  /** Byte offset of the entry's data in the archive. */
  dataStart: number;
}

/**
 * The regular files of a tar archive, from its headers alone: the data blocks are skipped,
 * never read, so a header claiming gigabytes costs nothing until someone decides to read
 * them. Directories are skipped; links, devices and anything else are refused; at most
 * `maxEntries` entries.
 */
export function tarHeaders(fd: number, total: number, file: string, maxEntries: number): TarHeader[] {
  const entries: TarHeader[] = [];
  const h = Buffer.alloc(BLOCK);
  let pos = 0;
  for (let n = 0; pos + BLOCK <= total; n++) {
    if (n > maxEntries) throw new AppError('INVALID_ARGUMENT', `${file}: not a model bundle (more than ${maxEntries} entries)`);
    if (fs.readSync(fd, h, 0, BLOCK, pos) !== BLOCK) break;
    if (h.every((b) => b === 0)) return entries;
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
    if (readOctal(h, 148, 8, 'checksum', file) !== sum) {
      throw new AppError('INTEGRITY', `${file}: damaged model bundle (tar header checksum mismatch at byte ${pos})`);
    }
    const size = readOctal(h, 124, 12, 'size', file);
    const type = String.fromCharCode(h[156]!);
    const prefix = readString(h, 345, 155);
    const base = readString(h, 0, 100);
    const name = prefix ? `${prefix}/${base}` : base;
    const start = pos + BLOCK;
    if (start + size > total) throw new AppError('INTEGRITY', `${file}: truncated model bundle (${name} claims ${size} bytes, the file ends before)`);
    if (type === '0' || type === '\0') entries.push({ name, size, dataStart: start });
    else if (type !== '5') {
      throw new AppError('INVALID_ARGUMENT', `${file}: unexpected tar entry type '${type}' for ${name} in a model bundle`);
    }
    pos = start + Math.ceil(size / BLOCK) * BLOCK;
  }
  throw new AppError('INTEGRITY', `${file}: truncated model bundle (no end-of-archive marker)`);
}

/** Reads an entry whole: only for entries whose size was checked against a limit first. */
export function readTarEntry(fd: number, h: TarHeader): Buffer {
  const out = Buffer.alloc(h.size);
  for (let done = 0; done < h.size; ) {
    const n = fs.readSync(fd, out, done, h.size - done, h.dataStart + done);
    if (n === 0) break;
    done += n;
  }
  return out;
}

/** Copies an entry to a new file in chunks, feeding every chunk to `onChunk` (to hash it). */
export function copyTarEntry(fd: number, h: TarHeader, dest: string, onChunk: (chunk: Buffer) => void): void {
  const out = fs.openSync(dest, 'wx', 0o600);
  try {
    const buf = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(h.size, 1)));
    for (let done = 0; done < h.size; ) {
      const n = fs.readSync(fd, buf, 0, Math.min(buf.length, h.size - done), h.dataStart + done);
      if (n === 0) throw new AppError('INTEGRITY', `${h.name}: truncated in the bundle`);
      const chunk = buf.subarray(0, n);
      onChunk(chunk);
      for (let off = 0; off < n; ) off += fs.writeSync(out, chunk, off, n - off);
      done += n;
    }
    fs.fsyncSync(out);
  } finally {
    fs.closeSync(out);
  }
}
