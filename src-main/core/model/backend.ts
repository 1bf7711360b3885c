/**
 * TensorFlow.js backend resolution. Order (DESIGN section 5): @tensorflow/tfjs-node-gpu
 * (CUDA), @tensorflow/tfjs-node (native CPU), @tensorflow/tfjs-backend-wasm, plain cpu.
 * Each backend that is skipped is recorded with the reason, for `doctor`, the UI and reports.
 * The wasm binaries are read from the installed package (or resources/wasm when packaged),
 * never from the network.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { RESOURCES_DIR } from '../paths.ts';
import { registerWasmTrainingKernels } from './wasm-kernels.ts';

export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

export interface BackendAttempt {
  name: BackendName;
  package: string;
  ok: boolean;
  reason?: string;
}

export interface BackendInfo {
  /** The backend in use. */
  backend: BackendName;
  /** tfjs's own name for it (`tensorflow`, `wasm`, `cpu`). */
  tfBackend: string;
  /** Every backend considered, best first, with why the better ones were not used. */
  backendsTried: BackendAttempt[];
  /** Whether a CUDA GPU is visible to the process (driver present). */
  gpu: boolean;
  /** Threads one tfjs instance uses (wasm in Node: 1; scale-out is by worker threads). */
  threadsPerInstance: number;
}

const require = createRequire(import.meta.url);

const CANDIDATES: { name: BackendName; pkg: string }[] = [
  { name: 'tensorflow-gpu', pkg: '@tensorflow/tfjs-node-gpu' },
  { name: 'tensorflow', pkg: '@tensorflow/tfjs-node' },
  { name: 'wasm', pkg: '@tensorflow/tfjs-backend-wasm' },
  { name: 'cpu', pkg: '@tensorflow/tfjs-backend-cpu' },
];

let resolved: Promise<BackendInfo> | undefined;

/** Whether a CUDA-capable NVIDIA GPU and driver are visible. */
export function gpuVisible(): boolean {
  return existsSync('/proc/driver/nvidia/gpus') || existsSync('/dev/nvidia0') || existsSync('/dev/nvidiactl');
}

/** Folder holding tfjs-backend-wasm's .wasm files: packaged resources first, else the npm package. */
export function wasmDir(): string {
  const packaged = path.join(RESOURCES_DIR, 'wasm');
  if (existsSync(path.join(packaged, 'tfjs-backend-wasm-simd.wasm'))) return packaged;
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'));
}

function describeLoadError(pkg: string, err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND') {
    if (String(e.message).includes(`'${pkg}'`) || String(e.message).includes(pkg)) {
      return pkg === '@tensorflow/tfjs-node-gpu'
        ? 'not installed: optional dependency; its install downloads libtensorflow with CUDA support and needs network access and an NVIDIA driver'
        : 'not installed: optional; `npm install @tensorflow/tfjs-node` adds the native CPU backend where libtensorflow can be downloaded';
    }
  }
  const msg = (e?.message ?? String(err)).split('\n')[0] ?? '';
  return `failed to load: ${msg}`;
}

async function tryBackend(name: BackendName, pkg: string): Promise<string | undefined> {
  switch (name) {
    case 'tensorflow-gpu':
    case 'tensorflow': {
      if (name === 'tensorflow-gpu' && !gpuVisible()) {
        // Still report whether the package itself is present.
        try {
          require.resolve(pkg);
        } catch (err) {
          return describeLoadError(pkg, err);
        }
        return 'installed, but no NVIDIA GPU/driver is visible to this process';
      }
      try {
        await import(pkg);
      } catch (err) {
        return describeLoadError(pkg, err);
      }
      const ok = await tf.setBackend('tensorflow').catch(() => false);
      return ok ? undefined : `${pkg} loaded but the 'tensorflow' backend did not initialise`;
    }
    case 'wasm': {
      try {
        const wasm = (await import('@tensorflow/tfjs-backend-wasm')) as typeof import('@tensorflow/tfjs-backend-wasm');
        wasm.setWasmPaths(wasmDir() + path.sep);
        // Threads are never started by tfjs-wasm inside Node; be explicit.
        wasm.setThreadsCount?.(1);
      } catch (err) {
        return describeLoadError(pkg, err);
      }
      const ok = await tf.setBackend('wasm').catch((e: unknown) => String(e));
      if (ok !== true) return `the wasm backend did not initialise${typeof ok === 'string' ? ': ' + ok : ''}`;
      // wasm lacks Conv2DBackpropFilter (and has a slow Conv2DBackpropInput): supply them so
      // training works here too (wasm-kernels.ts).
      registerWasmTrainingKernels();
      return undefined;
    }
    case 'cpu': {
      const ok = await tf.setBackend('cpu');
      return ok ? undefined : 'the cpu backend did not initialise';
    }
  }
}

/**
 * Resolves and activates the best available backend once per thread.
 * `COUNTERSIGN_BACKEND` (tensorflow-gpu | tensorflow | wasm | cpu) forces a starting point.
 */
export function resolveBackend(): Promise<BackendInfo> {
  resolved ??= (async () => {
    tf.env().set('PROD', true); // silences the "install tfjs-node" console hint; we report it ourselves
    const forced = process.env.COUNTERSIGN_BACKEND as BackendName | undefined;
    const start = forced ? CANDIDATES.findIndex((c) => c.name === forced) : 0;
    const tried: BackendAttempt[] = [];
    for (const [i, c] of CANDIDATES.entries()) {
      if (i < start) {
        tried.push({ name: c.name, package: c.pkg, ok: false, reason: `skipped: COUNTERSIGN_BACKEND=${forced}` });
        continue;
      }
      const reason = await tryBackend(c.name, c.pkg);
      tried.push({ name: c.name, package: c.pkg, ok: !reason, ...(reason ? { reason } : {}) });
      if (!reason) {
        await tf.ready();
        return {
          backend: c.name,
          tfBackend: tf.getBackend(),
          backendsTried: tried,
          gpu: gpuVisible(),
          threadsPerInstance: c.name === 'wasm' || c.name === 'cpu' ? 1 : 0,
        };
      }
    }
    throw new Error('no TensorFlow.js backend could be initialised');
  })();
  return resolved;
}
