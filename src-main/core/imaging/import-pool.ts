/**
 * Runs the per-file work of an import on worker threads (or, with `workers: 0`, on the
 * calling thread: tests and debugging). Files go to whichever worker is free; each result is
 * handed to `onOutcome` on the calling thread as it arrives, so the rows of a finished file
 * are written before the next file's. A cancelled run dispatches nothing more and waits for
 * the files in flight. A worker that dies takes only its current file with it: that file is
 * reported failed and a fresh worker carries on.
 */
import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../jobs/worker.ts';
import { processFile, type FileOutcome, type FileTask } from './import-file.ts';
import type { FromImportWorker, ImportWorkerData, ToImportWorker } from './import-worker.ts';
import { ObjectStore } from '../store/objects.ts';

export interface PoolRun {
  /** 0 = on this thread. Default: one per core, at most 4. */
  workers?: number;
  signal?: AbortSignal;
  onStart?: (task: FileTask) => void;
  /** Called on this thread for each file, in completion order; a throw stops the run. */
  onOutcome: (task: FileTask, outcome: FileOutcome) => void;
}

export function defaultWorkerCount(): number {
  return Math.max(1, Math.min(4, os.availableParallelism()));
}

export async function processFiles(tasks: FileTask[], cfg: ImportWorkerData, run: PoolRun): Promise<{ processed: number; cancelled: boolean }> {
  const count = Math.min(tasks.length, run.workers ?? defaultWorkerCount());
  let next = 0;
  let processed = 0;
  const take = (): FileTask | undefined => (run.signal?.aborted ? undefined : tasks[next++]);
  if (count <= 0) {
    const opts = { ...cfg, objects: new ObjectStore(cfg.objectsDir), skip: new Set(cfg.skip) };
    for (let t = take(); t; t = take()) {
      run.onStart?.(t);
      run.onOutcome(t, await processFile(t, opts));
      processed++;
    }
    return { processed, cancelled: next < tasks.length };
  }
  let failed: unknown;
  const slot = async (): Promise<void> => {
    let worker: Worker | undefined;
    try {
      for (let t = take(); t && failed === undefined; t = take()) {
        worker ??= startWorker(new URL('./import-worker.ts', import.meta.url), { workerData: cfg });
        run.onStart?.(t);
        const outcome = await ask(worker, t);
        if (outcome.kind === 'unread' && outcome.failure.code === 'worker-stopped') worker = undefined;
        try {
          run.onOutcome(t, outcome);
        } catch (err) {
          failed ??= err;
        }
        processed++;
      }
    } finally {
      if (worker) {
        worker.postMessage({ type: 'close' } satisfies ToImportWorker);
        await worker.terminate();
      }
    }
  };
  await Promise.all(Array.from({ length: count }, slot));
  if (failed !== undefined) throw failed;
  return { processed, cancelled: next < tasks.length };
}

/** Sends one file to a worker; a worker that dies meanwhile yields a failure for that file. */
function ask(worker: Worker, task: FileTask): Promise<FileOutcome> {
  return new Promise((resolve) => {
    const done = (outcome: FileOutcome) => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      resolve(outcome);
    };
    const stopped = (why: string) => {
      void worker.terminate();
      done({
        kind: 'unread',
        sha256: null,
        size: null,
        failure: {
          code: 'worker-stopped',
          message: `${task.path}: the import worker stopped while processing this file (${why}); nothing of it was imported, run the import again`,
        },
      });
    };
    const onMessage = (m: FromImportWorker) => {
      if (m.type === 'result' && m.id === task.id) done(m.outcome);
    };
    const onError = (err: Error) => stopped(err.message);
    const onExit = (code: number) => stopped(`exit code ${code}`);
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage({ type: 'file', task } satisfies ToImportWorker);
  });
}
