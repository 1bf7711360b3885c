/**
 * TensorFlow.js backend resolution. Order (DESIGN section 5): @tensorflow/tfjs-node-gpu
 * (CUDA), @tensorflow/tfjs-node (native CPU), @tensorflow/tfjs-backend-wasm, plain cpu.
 * Every backend is listed with why it was not used (not installed, no GPU, failed to load,
 * did not initialise, skipped by COUNTERSIGN_BACKEND, or not needed because a better one
 * works), for `doctor`, the UI and reports. The wasm binaries are read from the installed
 * package (or resources/wasm when packaged), never from the network.
 *
 * The choice (`chooseBackend`) reads the machine only through a `BackendProbe`, so tests
 * can fake every input (test/unit/model/backend.test.ts): the native packages cannot be
 * installed on the project's machines (their install scripts download libtensorflow).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../errors.ts';
import { RESOURCES_DIR } from '../paths.ts';
import { registerWasmTrainingKernels } from './wasm-kernels.ts';

export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

export interface BackendAttempt {
  name: BackendName;
  package: string;
  ok: boolean;
  /** False for the backends after the chosen one: not needed, so not loaded. */
  tried: boolean;
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

const requireHere = createRequire(import.meta.url);

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
  return path.dirname(requireHere.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'));
}

export const BACKEND_NAMES: readonly BackendName[] = CANDIDATES.map((c) => c.name);

/** Everything the choice reads from the machine; `nodeProbe()` is the real one. */
export interface BackendProbe {
  /** Whether the package can be resolved (installed). */
  installed(pkg: string): boolean;
  /** Imports the package (tfjs-node registers the 'tensorflow' backend when it loads). */
  load(pkg: string): Promise<void>;
  gpuVisible(): boolean;
  /** Activates a tfjs backend (wasm: paths and threads set first); true, or why it did not initialise. */
  activate(tfBackend: 'tensorflow' | 'wasm' | 'cpu'): Promise<true | string>;
}

const NOT_INSTALLED: Record<BackendName, string> = {
  'tensorflow-gpu':
    'not installed: optional dependency; its install script downloads libtensorflow with CUDA support, which needs network access (and, to be used, an NVIDIA GPU with CUDA 11.2 and cuDNN 8.1)',
  tensorflow: 'not installed: optional dependency, installed only where its install script can download libtensorflow (native CPU; then used before wasm)',
  wasm: 'not installed: @tensorflow/tfjs-backend-wasm is a dependency; run npm install',
  cpu: 'not installed: @tensorflow/tfjs-backend-cpu comes with @tensorflow/tfjs; run npm install',
};

function describeLoadError(name: BackendName, pkg: string, err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const msg = (e?.message ?? String(err)).split('\n')[0] ?? '';
  if ((e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND') && String(e.message).includes(pkg)) return NOT_INSTALLED[name];
  // tfjs-node(-gpu) present without its native library (the install script did not run or its download failed).
  if (/tfjs_binding\.node|libtensorflow/.test(msg)) {
    return `installed, but its native library is missing (${msg}); \`npm rebuild ${pkg}\` downloads libtensorflow where that download is reachable`;
  }
  if (/libcud|libcublas|libcudnn/.test(msg)) return `installed, but CUDA or cuDNN libraries are missing (${msg})`;
  return `failed to load: ${msg}`;
}

const TF_NAME: Record<BackendName, 'tensorflow' | 'wasm' | 'cpu'> = { 'tensorflow-gpu': 'tensorflow', tensorflow: 'tensorflow', wasm: 'wasm', cpu: 'cpu' };

async function tryBackend(probe: BackendProbe, name: BackendName, pkg: string): Promise<string | undefined> {
  // The cpu backend comes with @tensorflow/tfjs itself.
  if (name !== 'cpu' && !probe.installed(pkg)) return NOT_INSTALLED[name];
  if (name === 'tensorflow-gpu' && !probe.gpuVisible()) return 'installed, but no NVIDIA GPU/driver is visible to this process';
  if (name !== 'cpu') {
    try {
      await probe.load(pkg);
    } catch (err) {
      return describeLoadError(name, pkg, err);
    }
  }
  const ok = await probe.activate(TF_NAME[name]);
  if (ok === true) return undefined;
  return name === 'wasm' || name === 'cpu'
    ? `the ${name} backend did not initialise: ${ok}`
    : `${pkg} loaded but the 'tensorflow' backend did not initialise: ${ok}`;
}

export interface BackendChoice {
  backend: BackendName;
  backendsTried: BackendAttempt[];
}

/**
 * The first backend in the order that works, every other with why it was not used.
 * `forced` (COUNTERSIGN_BACKEND) starts the order at that backend.
 */
export async function chooseBackend(probe: BackendProbe, forced?: string): Promise<BackendChoice> {
  const start = forced ? CANDIDATES.findIndex((c) => c.name === forced) : 0;
  if (start < 0)
    throw new AppError('INVALID_ARGUMENT', `COUNTERSIGN_BACKEND: expected one of ${BACKEND_NAMES.join(', ')}, got '${forced}'`, {
      field: 'COUNTERSIGN_BACKEND',
    });
  const tried: BackendAttempt[] = [];
  let chosen: BackendName | undefined;
  for (const [i, c] of CANDIDATES.entries()) {
    if (i < start) {
      tried.push({ name: c.name, package: c.pkg, ok: false, tried: false, reason: `skipped: COUNTERSIGN_BACKEND=${forced}` });
      continue;
    }
    if (chosen) {
      tried.push({ name: c.name, package: c.pkg, ok: false, tried: false, reason: `not needed: ${chosen} comes first and works` });
      continue;
    }
    const reason = await tryBackend(probe, c.name, c.pkg);
    tried.push({ name: c.name, package: c.pkg, ok: !reason, tried: true, ...(reason ? { reason } : {}) });
    if (!reason) chosen = c.name;
  }
  if (!chosen) throw new AppError('UNAVAILABLE', `no TensorFlow.js backend could be initialised: ${tried.map((t) => `${t.name}: ${t.reason}`).join('; ')}`);
  return { backend: chosen, backendsTried: tried };
}

/** The machine itself. */
export function nodeProbe(): BackendProbe {
  return {
    installed(pkg) {
      try {
        requireHere.resolve(pkg);
        return true;
      } catch {
        return false;
      }
    },
    async load(pkg) {
      await import(pkg);
    },
    gpuVisible,
    async activate(name) {
      if (name === 'wasm') {
        try {
          const wasm = (await import('@tensorflow/tfjs-backend-wasm')) as typeof import('@tensorflow/tfjs-backend-wasm');
          wasm.setWasmPaths(wasmDir() + path.sep);
          // Threads are never started by tfjs-wasm inside Node; be explicit.
          wasm.setThreadsCount?.(1);
        } catch (err) {
          return err instanceof Error ? err.message : String(err);
        }
      }
      const ok = await tf.setBackend(name).catch((e: unknown) => (e instanceof Error ? e.message : String(e)));
      if (ok !== true) return typeof ok === 'string' ? ok : `tf.setBackend('${name}') returned false`;
      // wasm lacks Conv2DBackpropFilter (and has a slow Conv2DBackpropInput): supply them so
      // training works here too (wasm-kernels.ts).
      if (name === 'wasm') registerWasmTrainingKernels();
      return true;
    },
  };
}

/**
 * Resolves and activates the best available backend once per thread.
 * `COUNTERSIGN_BACKEND` (tensorflow-gpu | tensorflow | wasm | cpu) forces a starting point.
 */
export function resolveBackend(): Promise<BackendInfo> {
  resolved ??= (async () => {
    tf.env().set('PROD', true); // silences the "install tfjs-node" console hint; we report it ourselves
    const choice = await chooseBackend(nodeProbe(), process.env.COUNTERSIGN_BACKEND || undefined);
    await tf.ready();
    return {
      backend: choice.backend,
      tfBackend: tf.getBackend(),
      backendsTried: choice.backendsTried,
      gpu: gpuVisible(),
      threadsPerInstance: choice.backend === 'wasm' || choice.backend === 'cpu' ? 1 : 0,
    };
  })();
  return resolved;
}
