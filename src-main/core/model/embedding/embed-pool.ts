/**
 * Embedding on worker threads, on the engine chosen for the model (inference-engine.ts).
 * onnxruntime: one worker whose session uses every core (its own thread pool), so a small job
 * embeds as fast as a large one. tfjs on wasm/cpu: each worker has its own backend instance and
 * model copy, one per core (tfjs-wasm's own threads do not start in Node); on the native
 * tfjs-node(-gpu) backends one batched worker uses the library's own parallelism.
 * Batches go to whichever worker is free; results come back in input order.
 */
import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { AppError } from '../../errors.ts';
import { startWorker } from '../../jobs/worker.ts';
import { getSpec } from '../architectures.ts';
import type { EmbedReply, EmbedRequest, EmbedWorkerData, EmbedWorkerInit } from './embed-worker.ts';
import { engineForSpec, resolveInferenceEngine, type InferenceEngine } from './inference-engine.ts';
import { getModel } from '../registry/registry-files.ts';
import { meanOfViews, testTimeViewsOf, writeShifted, type View } from './views.ts';

export interface EmbedPoolOptions extends EmbedWorkerData {
  /**
   * Worker count; default one per core on tfjs wasm/cpu, one on native tfjs backends and on
   * onnxruntime (whose session then uses every core; with N workers, cores / N threads each).
   */
  workers?: number;
  /** The engine; default the thread's choice for the model's architecture (COUNTERSIGN_INFERENCE). */
  engine?: InferenceEngine;
  /** Images per batch (default 32; with several test-time views, images times views). */
  batchSize?: number;
  /** Test-time views instead of the model's own (deriving a version with other views measures them). */
  views?: readonly View[];
}

export interface EmbedRunOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

interface Slot {
  worker: Worker;
  busy: boolean;
}

export class EmbedPool {
  readonly dim: number;
  readonly inputSize: number;
  readonly batchSize: number;
  readonly inputShape: readonly [number, number, number];
  private constructor(
    private readonly slots: Slot[],
    /** What embeds: 'onnxruntime-cpu', or the tfjs backend ('wasm', 'tensorflow', ...); results that carry a backend record this. */
    readonly backend: string,
    readonly engine: InferenceEngine,
    dim: number,
    inputShape: readonly [number, number, number],
    batchSize: number,
    /** Each input is embedded as the mean over these shifts of it (views.ts). */
    readonly views: readonly View[],
  ) {
    this.dim = dim;
    this.inputShape = inputShape;
    this.inputSize = inputShape[0] * inputShape[1] * inputShape[2];
    this.batchSize = batchSize;
  }

  get size(): number {
    return this.slots.length;
  }

  static async create(opts: EmbedPoolOptions): Promise<EmbedPool> {
    const meta = getModel(opts.dataDir, opts.modelId, opts.resourcesDir ? { resourcesDir: opts.resourcesDir } : {});
    const views = opts.views ?? testTimeViewsOf(meta, `model ${meta.id}`);
    const engine = opts.engine ?? engineForSpec(await resolveInferenceEngine(), getSpec(meta.architecture));
    const cores = os.availableParallelism();
    let count: number;
    let threads: number | undefined;
    let backend: string;
    if (engine === 'onnxruntime') {
      count = Math.max(1, opts.workers ?? 1);
      threads = Math.max(1, Math.floor(cores / count));
      backend = 'onnxruntime-cpu';
    } else {
      const info = await (await import('../backend.ts')).resolveBackend();
      const native = info.backend === 'tensorflow' || info.backend === 'tensorflow-gpu';
      count = Math.max(1, opts.workers ?? (native ? 1 : cores));
      backend = info.backend;
    }
    const workerData: EmbedWorkerInit = {
      dataDir: opts.dataDir,
      modelId: opts.modelId,
      ...(opts.resourcesDir ? { resourcesDir: opts.resourcesDir } : {}),
      engine,
      ...(threads ? { threads } : {}),
    };
    const slots: Slot[] = [];
    try {
      await Promise.all(
        Array.from({ length: count }, async () => {
          const worker = startWorker(new URL('./embed-worker.ts', import.meta.url), { workerData });
          slots.push({ worker, busy: false });
          const ready = await new Promise<EmbedReply>((resolve, reject) => {
            worker.once('message', resolve);
            worker.once('error', reject);
          });
          if (ready.type === 'error') throw new AppError('UNAVAILABLE', `embedding worker: ${ready.message}`);
          if (ready.type === 'ready') backend = ready.backend;
        }),
      );
    } catch (err) {
      await Promise.all(slots.map((s) => s.worker.terminate()));
      throw err;
    }
    const dim = meta.embeddingSize ?? 128;
    return new EmbedPool(slots, backend, engine, dim, meta.inputShape, opts.batchSize ?? 32, views);
  }

  /**
   * Embeds every input (each H*W*C floats in [0,1]); returns one vector per input, in order:
   * with several test-time views, the mean of the input's embeddings at each of them.
   */
  async embed(inputs: Float32Array[], run: EmbedRunOptions = {}): Promise<Float32Array[]> {
    const total = inputs.length;
    const out: Float32Array[] = new Array(total);
    const batches: { start: number; n: number }[] = [];
    const views = this.views.length;
    const perBatch = Math.max(1, Math.ceil(this.batchSize / views));
    for (let start = 0; start < total; start += perBatch) batches.push({ start, n: Math.min(perBatch, total - start) });
    let next = 0;
    let done = 0;
    let id = 0;
    run.onProgress?.(0, total);

    const runOn = async (slot: Slot): Promise<void> => {
      while (next < batches.length) {
        if (run.signal?.aborted) throw new AppError('CANCELLED', 'embedding was cancelled');
        const b = batches[next++]!;
        const data = new Float32Array(b.n * views * this.inputSize);
        for (let i = 0; i < b.n; i++) {
          const x = inputs[b.start + i]!;
          if (x.length !== this.inputSize) throw new AppError('INVALID_ARGUMENT', `input ${b.start + i}: expected ${this.inputSize} values, got ${x.length}`);
          this.views.forEach((v, k) => writeShifted(data, (i * views + k) * this.inputSize, x, this.inputShape, v));
        }
        const myId = ++id;
        slot.busy = true;
        const reply = await new Promise<EmbedReply>((resolve, reject) => {
          const onMessage = (m: EmbedReply) => {
            if ((m.type === 'result' || m.type === 'error') && m.id === myId) {
              slot.worker.off('message', onMessage);
              slot.worker.off('error', reject);
              resolve(m);
            }
          };
          slot.worker.on('message', onMessage);
          slot.worker.once('error', reject);
          slot.worker.postMessage({ type: 'embed', id: myId, data, n: b.n * views } satisfies EmbedRequest, [data.buffer as ArrayBuffer]);
        });
        slot.busy = false;
        if (reply.type === 'error') throw new AppError('INTERNAL', `embedding failed: ${reply.message}`);
        if (reply.type !== 'result') continue;
        if (views === 1) for (let i = 0; i < b.n; i++) out[b.start + i] = reply.out.slice(i * this.dim, (i + 1) * this.dim);
        else meanOfViews(reply.out, b.n, views, this.dim).forEach((v, i) => (out[b.start + i] = v));
        done += b.n;
        run.onProgress?.(done, total);
      }
    };
    await Promise.all(this.slots.map(runOn));
    return out;
  }

  /**
   * Ends every worker: each finishes the batch it is on, releases its model and exits by itself.
   * A worker is terminated only if it has not exited `CLOSE_GRACE_MS` after it was asked to (a
   * hung thread); terminating one that holds a native onnxruntime session mid-call can abort the
   * whole process, so the normal path never does. Resolves to how each worker ended.
   */
  async close(): Promise<('exited' | 'terminated')[]> {
    return Promise.all(
      this.slots.map(async (s) => {
        const exited = new Promise<void>((resolve) => s.worker.once('exit', () => resolve()));
        if (s.worker.threadId === -1) return 'exited'; // already gone
        s.worker.postMessage({ type: 'close' } satisfies EmbedRequest);
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<'late'>((resolve) => {
          timer = setTimeout(() => resolve('late'), CLOSE_GRACE_MS);
        });
        const how = await Promise.race([exited.then(() => 'exited' as const), late]);
        clearTimeout(timer);
        if (how === 'exited') return how;
        await s.worker.terminate();
        return 'terminated';
      }),
    );
  }
}

/** How long a closing worker may take to finish its batch and release its model. */
const CLOSE_GRACE_MS = 60_000;
