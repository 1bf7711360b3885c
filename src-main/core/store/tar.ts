import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs/promises';
import { AppError } from '../errors.ts';

/*
 * A minimal POSIX ustar writer and reader, enough for backups: regular files only, names up
 * to 255 bytes (prefix + name), sizes below 8 GiB. The archives open with any tar tool.
 */

const BLOCK = 512;
const CHUNK = 1 << 20;
const MAX_SIZE = 8 ** 11 - 1;

function writeOctal(h: Buffer, offset: number, length: number, value: number, what: string): void {
  const s = Math.floor(value).toString(8);
  if (s.length > length - 1) throw new AppError('UNSUPPORTED', `${what}: too large for a tar header (${value})`);
  h.write(s.padStart(length - 1, '0') + '\0', offset, length, 'ascii');
}

function splitName(name: string): { prefix: string; base: string } {
  if (Buffer.byteLength(name) <= 100) return { prefix: '', base: name };
  for (let i = name.indexOf('/'); i !== -1; i = name.indexOf('/', i + 1)) {
    const prefix = name.slice(0, i);
    const base = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(base) <= 100) return { prefix, base };
  }
  throw new AppError('UNSUPPORTED', `${name}: name too long for a tar archive`);
}

function header(name: string, size: number, mode: number, mtime: number): Buffer {
  if (size > MAX_SIZE) throw new AppError('UNSUPPORTED', `${name}: ${size} bytes is too large for a backup entry (limit 8 GiB)`);
  const h = Buffer.alloc(BLOCK);
  const { prefix, base } = splitName(name);
  h.write(base, 0, 100, 'utf8');
  writeOctal(h, 100, 8, mode, name);
  writeOctal(h, 108, 8, 0, name);
  writeOctal(h, 116, 8, 0, name);
  writeOctal(h, 124, 12, size, name);
  writeOctal(h, 136, 12, mtime, name);
  h.fill(0x20, 148, 156);
  h.write('0', 156, 1, 'ascii');
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  h.write('countersign', 265, 32, 'ascii');
  h.write('countersign', 297, 32, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  return h;
}

/** Appends entries to a new file; every byte written also feeds `sha256` (the archive's hash). */
export class TarWriter {
  private readonly hash: Hash = createHash('sha256');
  private bytes = 0;

  private constructor(
    readonly file: string,
    private readonly fh: fs.FileHandle,
  ) {}

  static async create(file: string): Promise<TarWriter> {
    return new TarWriter(file, await fs.open(file, 'wx', 0o600));
  }

  private async write(data: Uint8Array): Promise<void> {
    let off = 0;
    while (off < data.length) off += (await this.fh.write(data, off, data.length - off)).bytesWritten;
    this.hash.update(data);
    this.bytes += data.length;
  }

  private async pad(size: number): Promise<void> {
    const rest = size % BLOCK;
    if (rest) await this.write(Buffer.alloc(BLOCK - rest));
  }

  async addBuffer(name: string, data: Uint8Array, mode = 0o644): Promise<void> {
    await this.write(header(name, data.length, mode, Date.now() / 1000));
    await this.write(data);
    await this.pad(data.length);
  }

  /** Copies a file in; `onChunk` sees its bytes (to hash them on the way). Returns its size. */
  async addFile(name: string, source: string, opts: { mode?: number; onChunk?: (chunk: Buffer) => void } = {}): Promise<number> {
    const src = await fs.open(source, 'r');
    try {
      const st = await src.stat();
      const size = st.size;
      await this.write(header(name, size, opts.mode ?? 0o644, st.mtimeMs / 1000));
      const buf = Buffer.allocUnsafe(CHUNK);
      let done = 0;
      while (done < size) {
        const { bytesRead } = await src.read(buf, 0, Math.min(CHUNK, size - done), done);
        if (bytesRead === 0) throw new AppError('IO', `${source}: the file shrank while it was being backed up`);
        const chunk = buf.subarray(0, bytesRead);
        opts.onChunk?.(chunk);
        await this.write(chunk);
        done += bytesRead;
      }
      await this.pad(size);
      return size;
    } finally {
      await src.close();
    }
  }

  /** Writes the end-of-archive blocks, fsyncs and closes; returns size and SHA-256. */
  async finish(): Promise<{ size: number; sha256: string }> {
    await this.write(Buffer.alloc(BLOCK * 2));
    await this.fh.sync();
    await this.fh.close();
    return { size: this.bytes, sha256: this.hash.digest('hex') };
  }

  async abort(): Promise<void> {
    await this.fh.close().catch(() => undefined);
    await fs.rm(this.file, { force: true });
  }
}

export interface TarEntry {
  name: string;
  size: number;
  mode: number;
}

function parseOctal(h: Buffer, offset: number, length: number): number {
  const s = h.toString('ascii', offset, offset + length).replace(/[\0 ]+$/g, '').trim();
  if (!/^[0-7]*$/.test(s)) return NaN;
  return s ? parseInt(s, 8) : 0;
}

function cString(h: Buffer, offset: number, length: number): string {
  const end = h.indexOf(0, offset);
  return h.toString('utf8', offset, end === -1 || end > offset + length ? offset + length : end);
}

/**
 * Reads a tar file entry by entry. For each regular file, `onEntry` gets the header and an
 * async iterator over its bytes (which it may leave unread). Directories are skipped;
 * anything else (links, devices) is refused: a backup never contains them.
 */
export async function readTar(
  file: string,
  onEntry: (entry: TarEntry, data: AsyncIterable<Buffer>) => Promise<void>,
): Promise<{ size: number }> {
  const fh = await fs.open(file, 'r');
  try {
    const total = (await fh.stat()).size;
    const h = Buffer.alloc(BLOCK);
    let pos = 0;
    for (;;) {
      if (pos + BLOCK > total) throw new AppError('INTEGRITY', `${file}: the archive is truncated (no end-of-archive marker)`);
      await fh.read(h, 0, BLOCK, pos);
      if (h.every((b) => b === 0)) break;
      let sum = 0;
      for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (h[i] as number);
      if (parseOctal(h, 148, 8) !== sum) throw new AppError('INTEGRITY', `${file}: damaged tar header at byte ${pos}`);
      const base = cString(h, 0, 100);
      const prefix = h.toString('ascii', 257, 262) === 'ustar' ? cString(h, 345, 155) : '';
      const name = prefix ? `${prefix}/${base}` : base;
      const size = parseOctal(h, 124, 12);
      const mode = parseOctal(h, 100, 8);
      const type = String.fromCharCode(h[156] as number);
      const dataStart = pos + BLOCK;
      if (!Number.isFinite(size) || dataStart + size > total) throw new AppError('INTEGRITY', `${file}: entry ${name} is truncated`);
      pos = dataStart + Math.ceil(size / BLOCK) * BLOCK;
      if (type === '5') continue;
      if (type !== '0' && type !== '\0') throw new AppError('INTEGRITY', `${file}: unexpected entry ${name} (tar type '${type}')`);
      async function* chunks(): AsyncGenerator<Buffer> {
        const buf = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(size, 1)));
        for (let done = 0; done < size; ) {
          const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, size - done), dataStart + done);
          if (bytesRead === 0) throw new AppError('INTEGRITY', `${file}: entry ${name} is truncated`);
          done += bytesRead;
          yield Buffer.from(buf.subarray(0, bytesRead));
        }
      }
      await onEntry({ name, size, mode }, chunks());
    }
    return { size: total };
  } finally {
    await fh.close();
  }
}
