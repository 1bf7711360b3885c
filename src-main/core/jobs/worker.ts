import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread from a module URL. A `.ts` module (running from source under
 * tsx: the CLI, the bridge, tests) is loaded through a small bootstrap that registers
 * tsx inside the worker; a bundled `.js` module runs as is. Inside the electron-vite bundle
 * `new URL('./x-worker.ts', import.meta.url)` points next to the bundle, where the build
 * emits `x-worker.js` (every `*-worker.ts` is a build entry: electron.vite.config.ts).
 */
export function startWorker(moduleUrl: URL, options: WorkerOptions = {}): Worker {
  if (moduleUrl.pathname.endsWith('.ts') && !existsSync(fileURLToPath(moduleUrl))) {
    const bundled = new URL(moduleUrl.href.replace(/\.ts$/, '.js'));
    if (existsSync(fileURLToPath(bundled))) return new Worker(bundled, options);
  }
  if (!moduleUrl.pathname.endsWith('.ts')) return new Worker(moduleUrl, options);
  const data = options.workerData === undefined ? {} : options.workerData;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new Error('startWorker: workerData must be a plain object');
  }
  return new Worker(new URL('./worker-bootstrap.mjs', import.meta.url), {
    ...options,
    workerData: { ...data, __entry: moduleUrl.href },
  });
}
