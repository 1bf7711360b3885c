/**
 * Shared plumbing of the generators that write folders: progress and cancellation hooks,
 * output directory checks, and a small pipeline that renders the next image (JavaScript,
 * on this thread) while sharp encodes and the file system writes the previous ones.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors.ts';

export type ProgressFn = (done: number, total: number, label?: string) => void;

export interface JobHooks {
  onProgress?: ProgressFn;
  signal?: AbortSignal;
}

export function hooksOf(h?: ProgressFn | JobHooks): JobHooks {
  return typeof h === 'function' ? { onProgress: h } : (h ?? {});
}

/** Creates `dir`, refusing a non-empty one unless `overwrite`. */
export async function prepareOutput(dir: string, overwrite = false): Promise<void> {
  let entries: string[] = [];
  try {
    entries = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (entries.length && !overwrite) throw new AppError('CONFLICT', `${dir}: exists and is not empty (choose a new folder, or overwrite)`);
  await mkdir(dir, { recursive: true });
}

export function checkCount(name: string, v: number, min: number, max: number): void {
  if (!Number.isInteger(v) || v < min || v > max) throw new AppError('INVALID_ARGUMENT', `${name}: expected an integer in ${min}..${max}, got ${v}`);
}

export const checkPositiveInt = (name: string, v: number, max: number): void => checkCount(name, v, 1, max);

/**
 * Runs `tasks` in order: each renders synchronously and returns a promise of its encoded
 * bytes; at most `depth` encodes/writes are in flight. Stops cleanly on abort.
 */
export async function runPipeline(
  root: string,
  tasks: { file: string; label: string; make: () => Promise<Buffer> }[],
  hooks: JobHooks,
  depth = 3,
): Promise<void> {
  const pending: Promise<void>[] = [];
  const dirs = new Set<string>();
  let done = 0;
  for (const t of tasks) {
    if (hooks.signal?.aborted) {
      await Promise.all(pending);
      throw new AppError('CANCELLED', `stopped after ${done} of ${tasks.length} files; ${root} is incomplete`);
    }
    const full = path.join(root, t.file);
    const dir = path.dirname(full);
    if (!dirs.has(dir)) {
      await mkdir(dir, { recursive: true });
      dirs.add(dir);
    }
    const p = t
      .make()
      .then((bytes) => writeFile(full, bytes))
      .then(() => {
        done++;
        hooks.onProgress?.(done, tasks.length, t.label);
      });
    pending.push(p);
    if (pending.length >= depth) await pending.shift();
  }
  await Promise.all(pending);
}
