/**
 * Import worker: decoding, localisation and normalisation of one file at a time, off the
 * owning thread (the Electron main thread must stay responsive; two workers use both cores
 * of a small machine). It writes objects (files, safe from any thread) but never the
 * database: results go back to the owning thread, which writes the rows.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ObjectStore } from '../store/objects.ts';
import { processFile, type FileOutcome, type FileTask } from './import-file.ts';

export interface ImportWorkerData {
  objectsDir: string;
  /** Originals the case already has (hashes): such files are hashed and reported, not decoded. */
  skip: string[];
  maxPixels?: number;
  maxFileBytes?: number;
  flagBelow?: number;
  assumedDpi?: number;
}
export type ToImportWorker = { type: 'file'; task: FileTask } | { type: 'close' };
export type FromImportWorker = { type: 'result'; id: number; outcome: FileOutcome };

const port = parentPort!;
const cfg = workerData as ImportWorkerData;
const objects = new ObjectStore(cfg.objectsDir);
const skip = new Set(cfg.skip);
const opts = {
  objects,
  skip,
  ...(cfg.maxPixels !== undefined ? { maxPixels: cfg.maxPixels } : {}),
  ...(cfg.maxFileBytes !== undefined ? { maxFileBytes: cfg.maxFileBytes } : {}),
  ...(cfg.flagBelow !== undefined ? { flagBelow: cfg.flagBelow } : {}),
  ...(cfg.assumedDpi !== undefined ? { assumedDpi: cfg.assumedDpi } : {}),
};

port.on('message', (m: ToImportWorker) => {
  if (m.type === 'close') {
    port.close();
    return;
  }
  void processFile(m.task, opts).then((outcome) => port.postMessage({ type: 'result', id: m.task.id, outcome } satisfies FromImportWorker));
});
