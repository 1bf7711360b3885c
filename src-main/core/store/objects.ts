import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { AppError } from '../errors.ts';

export const SHA256_HEX = /^[0-9a-f]{64}$/;
const TEMP_MAX_AGE_MS = 24 * 3600 * 1000;
const CHUNK = 1 << 20;

/** Maps a file-system failure to AppError('IO') naming the path (full disk said plainly). */
export function ioError(err: unknown, file: string): AppError {
  if (err instanceof AppError) return err;
  const e = err as NodeJS.ErrnoException;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG') {
    return new AppError('IO', `${file}: no space left on the disk (${code}); nothing was stored`);
  }
  if (/^E[A-Z]+$/.test(code)) return new AppError('IO', `${file}: ${e.message}`);
  return new AppError('INTERNAL', `${file}: ${err instanceof Error ? err.message : String(err)}`);
}

function attempt<T>(file: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw ioError(err, file);
  }
}

function writeAll(fd: number, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) off += fs.writeSync(fd, data, off, data.length - off);
}

/** Makes a new directory entry durable; not possible (nor needed) on every platform. */
function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    /* Windows cannot open directories; its rename is durable enough */
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function sha256Of(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function assertSha256(sha: string, field = 'sha256'): void {
  if (typeof sha !== 'string' || !SHA256_HEX.test(sha)) {
    throw new AppError('INVALID_ARGUMENT', `${field}: expected 64 lower-case hex digits, got '${String(sha)}'`);
  }
}

/**
 * Content-addressed, write-once file store: `<root>/ab/cdef...` holds the bytes whose
 * SHA-256 is `abcdef...`. An object becomes visible only complete and fsynced (written to
 * `<root>/tmp/`, then hard-linked into place, which never replaces an existing file); files
 * are made read-only, for their owner only (0400, folders 0700); reads are verified. Objects are never deleted or overwritten.
 */
export class ObjectStore {
  readonly root: string;
  readonly tmpDir: string;

  constructor(root: string) {
    this.root = path.resolve(root);
    this.tmpDir = path.join(this.root, 'tmp');
    attempt(this.tmpDir, () => fs.mkdirSync(this.tmpDir, { recursive: true, mode: 0o700 }));
    this.cleanTemp();
  }

  path(sha: string): string {
    assertSha256(sha, 'object');
    return path.join(this.root, sha.slice(0, 2), sha.slice(2));
  }

  has(sha: string): boolean {
    return fs.existsSync(this.path(sha));
  }

  /** Stores bytes, or the file at a path (streamed, never loaded whole); returns the SHA-256. */
  put(source: Uint8Array | string): string {
    if (typeof source === 'string') return this.putFile(source);
    if (!(source instanceof Uint8Array)) throw new AppError('INVALID_ARGUMENT', 'object: expected a Buffer or a file path');
    const sha = sha256Of(source);
    if (this.has(sha)) return sha;
    const tmp = this.tempPath();
    this.withTemp(tmp, (fd) => writeAll(fd, source));
    this.publish(tmp, sha);
    return sha;
  }

  /** The object's bytes, after checking they still hash to its name. */
  get(sha: string): Buffer {
    const file = this.path(sha);
    let data: Buffer;
    try {
      data = fs.readFileSync(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw this.missing(sha, file);
      throw ioError(err, file);
    }
    const actual = sha256Of(data);
    if (actual !== sha) throw this.corrupt(sha, file, actual);
    return data;
  }

  /** Re-hashes an object (streamed) and throws INTEGRITY if it changed, NOT_FOUND if missing. */
  verify(sha: string): void {
    const file = this.path(sha);
    let actual: string;
    try {
      actual = hashFile(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw this.missing(sha, file);
      throw ioError(err, file);
    }
    if (actual !== sha) throw this.corrupt(sha, file, actual);
  }

  /** Every stored object's hash (not the temporary files). */
  *list(): Generator<string> {
    let dirs: string[];
    try {
      dirs = fs
        .readdirSync(this.root)
        .filter((d) => /^[0-9a-f]{2}$/.test(d))
        .sort();
    } catch (err) {
      throw ioError(err, this.root);
    }
    for (const d of dirs) {
      for (const f of fs.readdirSync(path.join(this.root, d)).sort()) if (/^[0-9a-f]{62}$/.test(f)) yield d + f;
    }
  }

  /**
   * Removes temporary files left by a crash: those of processes that no longer run, and
   * any older than a day. A live process's temp file (the app importing while the CLI
   * opens the store) is left alone. Temp files are never objects: nothing refers to them.
   */
  cleanTemp(): number {
    let removed = 0;
    let names: string[];
    try {
      names = fs.readdirSync(this.tmpDir);
    } catch {
      return 0;
    }
    for (const name of names) {
      const file = path.join(this.tmpDir, name);
      const pid = Number(/^(\d+)-/.exec(name)?.[1]);
      try {
        const age = Date.now() - fs.statSync(file).mtimeMs;
        const owned = Number.isInteger(pid) && pid > 0 && (pid === process.pid || pidAlive(pid));
        if (owned && age < TEMP_MAX_AGE_MS) continue;
        fs.rmSync(file, { force: true, recursive: true });
        removed++;
      } catch {
        /* another process cleaned it first */
      }
    }
    return removed;
  }

  private putFile(file: string): string {
    const src = attempt(file, () => fs.openSync(file, 'r'));
    try {
      const tmp = this.tempPath();
      const hash = createHash('sha256');
      const buf = Buffer.allocUnsafe(CHUNK);
      this.withTemp(tmp, (out) => {
        for (;;) {
          const n = attempt(file, () => fs.readSync(src, buf, 0, CHUNK, null));
          if (n === 0) break;
          hash.update(buf.subarray(0, n));
          writeAll(out, buf.subarray(0, n));
        }
      });
      const sha = hash.digest('hex');
      this.publish(tmp, sha);
      return sha;
    } finally {
      fs.closeSync(src);
    }
  }

  private tempPath(): string {
    return path.join(this.tmpDir, `${process.pid}-${threadId}-${randomBytes(8).toString('hex')}.tmp`);
  }

  /** Writes a new temp file with `fill`, fsyncs it; on any failure removes it. */
  private withTemp(tmp: string, fill: (fd: number) => void): void {
    let fd: number | undefined;
    try {
      fd = fs.openSync(tmp, 'wx', 0o600);
      fill(fd);
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      fd = undefined;
    } catch (err) {
      if (fd !== undefined) {
        try {
          fs.closeSync(fd);
        } catch {
          /* reporting the first error */
        }
      }
      fs.rmSync(tmp, { force: true });
      throw err instanceof AppError ? err : ioError(err, this.root);
    }
  }

  /** Moves a complete temp file into place without ever replacing an existing object. */
  private publish(tmp: string, sha: string): void {
    const target = this.path(sha);
    const dir = path.dirname(target);
    try {
      if (fs.existsSync(target)) return;
      fs.chmodSync(tmp, 0o400);
      const newDir = !fs.existsSync(dir);
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      try {
        fs.linkSync(tmp, target);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') return; // stored meanwhile by someone else: same bytes
        if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw err;
        // No hard links on this file system: rename (same content if it raced in).
        if (!fs.existsSync(target)) fs.renameSync(tmp, target);
      }
      fsyncDir(dir);
      if (newDir) fsyncDir(this.root);
    } catch (err) {
      throw ioError(err, target);
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }

  private missing(sha: string, file: string): AppError {
    return new AppError('NOT_FOUND', `object ${sha} is missing from the object store (${file})`);
  }

  private corrupt(sha: string, file: string, actual: string): AppError {
    return new AppError('INTEGRITY', `object ${sha} (${file}) is corrupt: its content now hashes to ${actual}`);
  }
}

export function hashFile(file: string): string {
  const fd = fs.openSync(file, 'r');
  try {
    const hash = createHash('sha256');
    const buf = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const n = fs.readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
    }
    return hash.digest('hex');
  } finally {
    fs.closeSync(fd);
  }
}
