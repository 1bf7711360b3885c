/**
 * The one tar reader and writer, for backups (store/backup.ts) and model bundles
 * (model/registry/registry-bundle.ts), built on tar-stream. Archives are ordinary POSIX ustar (long
 * names as pax headers), readable with any `tar`.
 *
 * Reading treats the file as hostile. Every entry is checked from its header before any of
 * its data is read: its name (no absolute path, no `..`, no backslash or NUL), its type
 * (regular files only; directories are skipped; links, devices, fifos, sparse and unknown
 * types are refused, naming the entry), duplicates, the entry count, per-entry and total size
 * limits, and that the sizes claimed so far fit in the file (a header claiming gigabytes in a
 * small file is refused at once). Damage that tar-stream finds (a bad checksum, data ending
 * early) and a missing end-of-archive marker are INTEGRITY errors naming the file.
 */
import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import tarStream from 'tar-stream';
import { AppError, type ErrorCode } from '../errors.ts';

const BLOCK = 512;
const CHUNK = 1 << 20;

export interface TarEntry {
  /** The entry's path, `.` segments and a trailing slash removed. */
  name: string;
  size: number;
  mode: number;
}

export interface ReadTarOptions {
  /** What the archive is, for messages: "backup", "model bundle" (default "tar archive"). */
  what?: string;
  /** The code of a refusal (type, name, count, limit); damage is always INTEGRITY. */
  code?: ErrorCode;
  /** At most this many entries (directories included). */
  maxEntries?: number;
  /** At most this many bytes in any one entry, checked from its header. */
  maxEntryBytes?: number;
  /** At most this many bytes in all entries together, checked from the headers. */
  maxTotalBytes?: number;
}

const TYPE_NAMES: Record<string, string> = {
  link: 'a hard link',
  symlink: 'a symbolic link',
  'character-device': 'a character device',
  'block-device': 'a block device',
  fifo: 'a fifo',
  'contiguous-file': 'a contiguous file',
};

/** The entry's name made canonical, or the reason it is refused. */
function checkName(raw: string): { name: string } | { refused: string } {
  if (raw.includes('\0')) return { refused: 'contains a NUL byte' };
  if (raw.includes('\\')) return { refused: 'contains a backslash' };
  if (raw.startsWith('/') || /^[A-Za-z]:/.test(raw)) return { refused: 'is an absolute path' };
  const parts = raw.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) return { refused: "contains '..'" };
  if (!parts.length) return { refused: 'is empty' };
  return { name: parts.join('/') };
}

const size = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : `${n} bytes`);

/**
 * Reads a tar file entry by entry. For each regular file `onEntry` gets the header and its
 * bytes, which it may leave unread (they are then skipped). Throws AppError for anything the
 * module comment lists; errors thrown by `onEntry` pass through unchanged.
 */
export async function readTar(
  file: string,
  onEntry: (entry: TarEntry, data: AsyncIterable<Buffer>) => Promise<void>,
  opts: ReadTarOptions = {},
): Promise<{ size: number }> {
  const what = opts.what ?? 'tar archive';
  const code = opts.code ?? 'INTEGRITY';
  const fh = await fs.open(file, 'r');
  let total: number;
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new AppError('IO', `${file}: not a file`);
    total = st.size;
    const magic = Buffer.alloc(2);
    await fh.read(magic, 0, 2, 0);
    if (magic[0] === 0x1f && magic[1] === 0x8b)
      throw new AppError('INTEGRITY', `${file}: the ${what} is gzip-compressed; decompress it (gunzip) and give the .tar`);
  } catch (err) {
    await fh.close();
    throw err;
  }
  let last: string | undefined;
  const where = () => (last ? `after entry ${last}` : 'in the first header');
  /** tar-stream's errors, worded; AppErrors (ours, or thrown by onEntry) pass through. */
  const damage = (err: unknown): unknown => {
    if (err instanceof AppError || !(err instanceof Error)) return err;
    if ((err as NodeJS.ErrnoException).code) return err; // an I/O error reading the file
    if (/unexpected end of data/i.test(err.message))
      return new AppError('INTEGRITY', `${file}: the ${what} is truncated (it ends inside an entry, ${where()})`);
    if (/unknown format/i.test(err.message)) return new AppError('INTEGRITY', `${file}: not a ${what} (not a ustar or GNU tar header, ${where()})`);
    return new AppError('INTEGRITY', `${file}: damaged ${what} (bad tar header ${where()}: ${err.message})`);
  };

  const input = fh.createReadStream({ autoClose: false });
  const extract = tarStream.extract();
  input.on('error', (err) => extract.destroy(err));
  input.pipe(extract);
  const entries = extract[Symbol.asyncIterator]();
  const seen = new Set<string>();
  let count = 0;
  /** A lower bound of the position in the file: headers and padded data seen so far. */
  let claimed = 0;
  let claimedData = 0;
  try {
    for (;;) {
      let next: Awaited<ReturnType<typeof entries.next>>;
      try {
        next = await entries.next();
      } catch (err) {
        throw damage(err);
      }
      if (next.done) break;
      const stream = next.value;
      const h = stream.header;
      const entrySize = h.size ?? 0;
      // `./`, as `tar -cf x.tar -C dir .` writes it, is the archive's own root.
      const checked = (h.type as string | null) === 'directory' && /^(\.\/?)+$/.test(h.name) ? { name: '.' } : checkName(h.name);
      const shown = 'name' in checked ? checked.name : JSON.stringify(h.name);
      count++;
      if (opts.maxEntries !== undefined && count > opts.maxEntries) {
        throw new AppError(code, `${file}: not a ${what} (more than ${opts.maxEntries} entries)`);
      }
      if ('refused' in checked) throw new AppError(code, `${file}: entry ${shown} ${checked.refused}; refused: a ${what} holds relative paths only`);
      claimed += BLOCK + Math.ceil(entrySize / BLOCK) * BLOCK;
      if (claimed > total) {
        throw new AppError('INTEGRITY', `${file}: the ${what} is truncated (entry ${shown} claims ${entrySize} bytes, the file ends before)`);
      }
      const type: string | null = h.type; // null for a type tar-stream does not know
      if (type === 'directory') {
        if (entrySize !== 0) throw new AppError('INTEGRITY', `${file}: damaged ${what} (directory entry ${shown} claims ${entrySize} bytes)`);
        last = shown;
        continue;
      }
      if (type !== 'file') {
        const kind = type
          ? (TYPE_NAMES[type] ?? `a '${type}' entry`)
          : 'of an unsupported tar type (a GNU sparse file, a multi-volume part or an unknown type)';
        const link = h.linkname ? ` to ${h.linkname}` : '';
        throw new AppError(code, `${file}: entry ${shown} is ${kind}${link}; a ${what} holds regular files only`);
      }
      if (seen.has(checked.name)) throw new AppError(code, `${file}: entry ${shown} appears twice; a ${what} holds each file once`);
      seen.add(checked.name);
      if (opts.maxEntryBytes !== undefined && entrySize > opts.maxEntryBytes) {
        throw new AppError(
          code,
          `${file}: entry ${shown} is ${size(entrySize)}; an entry of a ${what} is at most ${size(opts.maxEntryBytes)}; nothing was read`,
        );
      }
      claimedData += entrySize;
      if (opts.maxTotalBytes !== undefined && claimedData > opts.maxTotalBytes) {
        throw new AppError(
          code,
          `${file}: the entries of the ${what} up to ${shown} hold more than ${size(opts.maxTotalBytes)}, its limit; nothing more was read`,
        );
      }
      last = shown;
      // The entry's bytes, once: an early exit by onEntry leaves the rest to be skipped below
      // (returning the entry's own iterator would destroy the whole extraction).
      const it = stream[Symbol.asyncIterator]();
      let finished = false;
      const pull = async (): Promise<Buffer | undefined> => {
        try {
          const r = await it.next();
          if (r.done) finished = true;
          return r.done ? undefined : (r.value as Buffer);
        } catch (err) {
          throw damage(err);
        }
      };
      const data: AsyncIterable<Buffer> = {
        async *[Symbol.asyncIterator]() {
          for (let c = await pull(); c !== undefined; c = await pull()) yield c;
        },
      };
      await onEntry({ name: checked.name, size: entrySize, mode: h.mode ?? 0o644 }, data);
      while (!finished) await pull();
    }
    // tar-stream accepts an archive cut at an entry boundary; a tar ends with two zero blocks.
    const tail = Buffer.alloc(2 * BLOCK);
    if (total < tail.length || (await fh.read(tail, 0, tail.length, total - tail.length)).bytesRead !== tail.length || tail.some((b) => b !== 0)) {
      throw new AppError('INTEGRITY', `${file}: the ${what} is truncated (no end-of-archive marker)`);
    }
    return { size: total };
  } finally {
    input.unpipe(extract);
    input.destroy();
    extract.destroy();
    await fh.close();
  }
}

export interface AddOptions {
  mode?: number;
  /** Seconds since 1970; fixed for reproducible archives. Default: now (a file: its mtime). */
  mtime?: number;
}

/**
 * Writes a new tar file (never replacing one) entry by entry; every byte written also feeds
 * `sha256`, the archive's hash, returned by finish().
 */
export class TarWriter {
  private readonly hash: Hash = createHash('sha256');
  private bytes = 0;
  private readonly pack = tarStream.pack();
  private readonly drained: Promise<void>;

  private constructor(
    readonly file: string,
    private readonly fh: fs.FileHandle,
  ) {
    // Copies the packed bytes to the file as tar-stream produces them; a write error ends the
    // pack so the entry being added fails too.
    this.drained = (async () => {
      for await (const chunk of this.pack as AsyncIterable<Buffer>) {
        for (let off = 0; off < chunk.length;) off += (await this.fh.write(chunk, off, chunk.length - off)).bytesWritten;
        this.hash.update(chunk);
        this.bytes += chunk.length;
      }
    })();
    this.drained.catch((err: unknown) => this.pack.destroy(err as Error));
  }

  static async create(file: string, mode = 0o600): Promise<TarWriter> {
    return new TarWriter(file, await fs.open(file, 'wx', mode));
  }

  /** Adds one entry of `size` bytes, written by `fill` through `write`. */
  private async add(name: string, size: number, opts: AddOptions, fill: (write: (chunk: Buffer) => Promise<void>) => Promise<void>): Promise<void> {
    const checked = checkName(name);
    if ('refused' in checked || checked.name !== name) throw new AppError('INVALID_ARGUMENT', `${name}: not a name for a tar entry`);
    let failed: Error | undefined;
    let entry!: ReturnType<tarStream.Pack['entry']>;
    const done = new Promise<void>((resolve, reject) => {
      const mtime = new Date(Math.floor(opts.mtime ?? Date.now() / 1000) * 1000);
      entry = this.pack.entry({ name, size, mode: opts.mode ?? 0o644, mtime, type: 'file' }, (err) => (err ? reject(err) : resolve()));
    });
    done.catch((err: Error) => (failed = err));
    const write = async (chunk: Buffer) => {
      if (failed) throw failed;
      if (!entry.write(chunk)) {
        await new Promise<void>((resolve) => {
          entry.once('drain', resolve);
          entry.once('close', resolve);
        });
      }
    };
    try {
      await fill(write);
      entry.end(undefined);
      await done;
    } catch (err) {
      entry.destroy(err as Error);
      throw err;
    }
  }

  async addBuffer(name: string, data: Uint8Array, opts: AddOptions = {}): Promise<void> {
    await this.add(name, data.length, opts, (write) => write(Buffer.from(data.buffer, data.byteOffset, data.length)));
  }

  /** Copies a file in; `onChunk` sees its bytes (to hash them on the way). Returns its size. */
  async addFile(name: string, source: string, opts: AddOptions & { onChunk?: (chunk: Buffer) => void } = {}): Promise<number> {
    const src = await fs.open(source, 'r');
    try {
      const st = await src.stat();
      await this.add(name, st.size, { mode: opts.mode, mtime: opts.mtime ?? st.mtimeMs / 1000 }, async (write) => {
        for (let done = 0; done < st.size;) {
          // A fresh buffer per chunk: tar-stream keeps it until the file has it.
          const buf = Buffer.allocUnsafe(Math.min(CHUNK, st.size - done));
          const { bytesRead } = await src.read(buf, 0, buf.length, done);
          if (bytesRead === 0) throw new AppError('IO', `${source}: the file shrank while it was being archived`);
          const chunk = buf.subarray(0, bytesRead);
          opts.onChunk?.(chunk);
          await write(chunk);
          done += bytesRead;
        }
      });
      return st.size;
    } finally {
      await src.close();
    }
  }

  /** Writes the end-of-archive blocks, fsyncs and closes; returns size and SHA-256. */
  async finish(): Promise<{ size: number; sha256: string }> {
    this.pack.finalize();
    await this.drained;
    await this.fh.sync();
    await this.fh.close();
    return { size: this.bytes, sha256: this.hash.digest('hex') };
  }

  /** Stops writing and removes the file. */
  async abort(): Promise<void> {
    this.pack.destroy(new Error('the archive was abandoned'));
    await this.drained.catch(() => undefined);
    await this.fh.close().catch(() => undefined);
    await fs.rm(this.file, { force: true });
  }
}

/** A tar file of in-memory entries, written to `file` (replaced) through a temporary sibling. */
export async function writeTarFile(
  file: string,
  entries: readonly { name: string; data: Uint8Array }[],
  opts: AddOptions = {},
): Promise<{ size: number; sha256: string }> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  await fs.rm(tmp, { force: true });
  const w = await TarWriter.create(tmp, 0o644);
  try {
    for (const e of entries) await w.addBuffer(e.name, e.data, opts);
    const r = await w.finish();
    await fs.rename(tmp, file);
    return r;
  } catch (err) {
    await w.abort();
    throw err;
  }
}
