/**
 * The training step API the training loop drives: createTrainer(...) -> step(batch) per batch.
 *
 * workers = 1: one replica in the calling thread, on its active tfjs backend (tfjs-node(-gpu)
 * where installed, else wasm / cpu).
 * workers > 1: data-parallel; one worker thread per replica, each with its own wasm backend; the
 * batch is split into contiguous shards, gradients are averaged through a SharedArrayBuffer and
 * every replica applies the identical update (replica.ts). Worth it only where one tfjs instance
 * uses one core (wasm, cpu): defaultTrainerWorkers() says how many.
 *
 * Determinism: for a fixed seed, worker count, initial weights and batch sequence the results
 * (losses and weights) are bit-identical run to run, and a trainer created from a checkpoint
 * (weights + optimizer state, whose step count continues the dropout seeds) continues exactly as
 * the uninterrupted run would. Different worker counts give different (equally valid) results:
 * batch norm normalises each shard with its own statistics and the dropout masks differ.
 */
import * as tf from '@tensorflow/tfjs';
import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { AppError } from '../../../errors.ts';
import { startWorker } from '../../../jobs/worker.ts';
import { getSpec, type ArchitectureSpec } from '../../architectures.ts';
import { resolveBackend, type BackendInfo } from '../../backend.ts';
import { cloneParams, paramsFromArrays, paramsToArrays, type NamedArray, type Params } from '../../network.ts';
import { DEFAULT_MARGIN } from './loss.ts';
import { Optimizer, resolveOptimizerConfig, type OptimizerConfig, type OptimizerName, type OptimizerState } from './optimizers.ts';
import type { FromReplica, ReplicaInit, ToReplica } from './protocol.ts';
import { Replica, exchangeLayout, shardSeed, type ShardData } from './replica.ts';
import { OBJECTIVES, branchesOf, type Objective } from './step.ts';

export interface TrainerOptions {
  /** Architecture spec or registered name. */
  spec: ArchitectureSpec | string;
  /** Initial weights; copied, the caller keeps ownership. */
  params: Params | NamedArray[];
  /** Default 'rmsprop' with the authors' settings. */
  optimizer?: OptimizerName | OptimizerConfig;
  /** Overrides the optimizer's learning rate (default 1e-4). */
  learningRate?: number;
  /** What is learned: 'contrastive' pairs (default), 'triplet' groups, 'writers' classes. */
  objective?: Objective;
  /** Contrastive or triplet margin, default 1. */
  margin?: number;
  /** Replicas; default defaultTrainerWorkers(). 1 trains in the calling thread. */
  workers?: number;
  /** Seed of the dropout masks. Default 0. */
  seed?: number;
  /** Optimizer state from getOptimizerState() of an earlier run, to resume it exactly. */
  optimizerState?: OptimizerState;
}

/** One batch of pairs as plain data: n pairs of preprocessed images [H, W, C], flattened. */
export interface PairBatch {
  kind?: 'pairs';
  a: Float32Array;
  b: Float32Array;
  /** 1 similar (genuine-genuine, same writer), 0 dissimilar. */
  y: Float32Array;
  n: number;
}

/**
 * One batch of n images (triplet and writer objectives) with a label each. The batch is made of
 * blocks of `blockSize` images that must stay together on one replica (a writer's group for
 * triplet mining; 1 for classification); n is a multiple of it.
 */
export interface ImageBatch {
  kind: 'images';
  x: Float32Array;
  labels: Int32Array;
  n: number;
  blockSize: number;
}

export type TrainBatch = PairBatch | ImageBatch;

export interface StepResult {
  /** 1-based count of updates applied, including those of a resumed run. */
  step: number;
  /** Batch objective: mean data loss + L2 penalty. */
  loss: number;
  /** The objective's data term alone (mean contrastive, triplet or cross-entropy loss). */
  dataLoss: number;
  /** Pairs (contrastive) or images in the batch. */
  items: number;
  seconds: number;
  /** Images through the network per second (a pair is two). */
  imagesPerSec: number;
}

export interface Trainer {
  readonly workers: number;
  /** tfjs backend the replicas run on. */
  readonly backend: string;
  readonly objective: Objective;
  step(batch: TrainBatch): Promise<StepResult>;
  /** Current weights as new tensors on the calling thread's backend (owned by the caller). */
  getParams(): Promise<Params>;
  /** Current weights as plain arrays. */
  getParamArrays(): Promise<NamedArray[]>;
  getOptimizerState(): Promise<OptimizerState>;
  setLearningRate(lr: number): Promise<void>;
  /** Whether every replica holds bit-identical weights (a consistency check; true with one). */
  replicasInSync(): Promise<boolean>;
  dispose(): Promise<void>;
}

/** Replicas that use the machine: one per core where one tfjs instance uses one core, else 1. */
export function defaultTrainerWorkers(info?: Pick<BackendInfo, 'threadsPerInstance'>): number {
  if (info && info.threadsPerInstance !== 1) return 1;
  return Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
}

function checkBatch(batch: TrainBatch, spec: ArchitectureSpec, objective: Objective): void {
  const [h, w, c] = spec.inputShape;
  const size = h * w * c;
  if (!Number.isInteger(batch.n) || batch.n < 1) throw new AppError('INVALID_ARGUMENT', `batch: expected at least one item, got n=${batch.n}`);
  if ((batch.kind === 'images') !== (objective !== 'contrastive')) {
    throw new AppError('INVALID_ARGUMENT', `batch: the ${objective} objective takes ${objective === 'contrastive' ? 'pairs' : 'images'}`);
  }
  if (batch.kind === 'images') {
    if (batch.x.length !== batch.n * size) throw new AppError('INVALID_ARGUMENT', `batch: expected ${batch.n} x ${h}x${w}x${c} floats, got ${batch.x.length}`);
    if (batch.labels.length !== batch.n) throw new AppError('INVALID_ARGUMENT', `batch: expected ${batch.n} labels, got ${batch.labels.length}`);
    if (!(Number.isInteger(batch.blockSize) && batch.blockSize >= 1 && batch.n % batch.blockSize === 0)) {
      throw new AppError('INVALID_ARGUMENT', `batch: blockSize ${batch.blockSize} must divide n=${batch.n}`);
    }
    return;
  }
  if (batch.a.length !== batch.n * size || batch.b.length !== batch.n * size) {
    throw new AppError('INVALID_ARGUMENT', `batch: expected ${batch.n} x ${h}x${w}x${c} floats in a and b, got ${batch.a.length} and ${batch.b.length}`);
  }
  if (batch.y.length !== batch.n) throw new AppError('INVALID_ARGUMENT', `batch: expected ${batch.n} labels, got ${batch.y.length}`);
  for (const v of batch.y) {
    if (v !== 0 && v !== 1) throw new AppError('INVALID_ARGUMENT', `batch: labels must be 1 (similar) or 0 (dissimilar), got ${v}`);
  }
}

function toShard(batch: TrainBatch): ShardData {
  return batch.kind === 'images'
    ? { kind: 'images', x: batch.x, labels: batch.labels, n: batch.n }
    : { kind: 'pairs', a: batch.a, b: batch.b, y: batch.y, n: batch.n };
}

/** Shard k of count: contiguous, and for images whole blocks only. */
function shardOf(batch: TrainBatch, spec: ArchitectureSpec, k: number, count: number): ShardData {
  const size = spec.inputShape.reduce((a, b) => a * b, 1);
  const unit = batch.kind === 'images' ? batch.blockSize : 1;
  const blocks = batch.n / unit;
  const start = Math.floor((k * blocks) / count) * unit;
  const end = Math.floor(((k + 1) * blocks) / count) * unit;
  if (batch.kind === 'images') return { kind: 'images', x: batch.x.slice(start * size, end * size), labels: batch.labels.slice(start, end), n: end - start };
  return {
    kind: 'pairs',
    a: batch.a.slice(start * size, end * size),
    b: batch.b.slice(start * size, end * size),
    y: batch.y.slice(start, end),
    n: end - start,
  };
}

function stepResult(step: number, loss: number, dataLoss: number, batch: TrainBatch, objective: Objective, seconds: number): StepResult {
  return { step, loss, dataLoss, items: batch.n, seconds, imagesPerSec: (batch.n * branchesOf(objective)) / seconds };
}

export async function createTrainer(options: TrainerOptions): Promise<Trainer> {
  const spec = typeof options.spec === 'string' ? getSpec(options.spec) : options.spec;
  const info = await resolveBackend();
  const workers = options.workers ?? defaultTrainerWorkers(info);
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
    throw new AppError('INVALID_ARGUMENT', `workers: expected an integer in 1..64, got ${workers}`);
  }
  const margin = options.margin ?? DEFAULT_MARGIN;
  if (!(margin > 0) || !Number.isFinite(margin)) throw new AppError('INVALID_ARGUMENT', `margin: expected a positive number, got ${margin}`);
  const base: OptimizerConfig = typeof options.optimizer === 'string' ? { name: options.optimizer } : (options.optimizer ?? { name: 'rmsprop' });
  const optimizer = resolveOptimizerConfig({ ...base, ...(options.learningRate !== undefined ? { learningRate: options.learningRate } : {}) });
  const seed = options.seed ?? 0;
  const objective = options.objective ?? 'contrastive';
  if (!OBJECTIVES.includes(objective)) throw new AppError('INVALID_ARGUMENT', `objective: expected one of ${OBJECTIVES.join(', ')}, got ${String(objective)}`);
  const common = { spec, margin, seed, optimizer, optimizerState: options.optimizerState, objective };
  return workers === 1 ? localTrainer(options.params, common) : workerTrainer(options.params, workers, common);
}

interface Common {
  objective: Objective;
  spec: ArchitectureSpec;
  margin: number;
  seed: number;
  optimizer: OptimizerConfig;
  optimizerState: OptimizerState | undefined;
}

function localTrainer(initial: Params | NamedArray[], c: Common): Trainer {
  const params = Array.isArray(initial) ? paramsFromArrays(c.spec, initial) : cloneParams(initial);
  const replica = new Replica(c.spec, params, new Optimizer(c.optimizer, c.optimizerState), c.objective);
  let disposed = false;
  const alive = () => {
    if (disposed) throw new AppError('INVALID_ARGUMENT', 'trainer: already disposed');
  };
  return {
    workers: 1,
    backend: tf.getBackend(),
    objective: c.objective,
    async step(batch) {
      alive();
      checkBatch(batch, c.spec, c.objective);
      const t0 = performance.now();
      const stepIndex = replica.optimizer.iterations;
      const r = replica.gradients(toShard(batch), { margin: c.margin, seed: shardSeed(c.seed, stepIndex, 0), weight: 1 });
      replica.applyTensors(r.grads, r.batchStats);
      return stepResult(stepIndex + 1, r.loss, r.dataLoss, batch, c.objective, (performance.now() - t0) / 1000);
    },
    async getParams() {
      alive();
      return cloneParams(replica.params);
    },
    async getParamArrays() {
      alive();
      return paramsToArrays(replica.params, c.spec);
    },
    async getOptimizerState() {
      alive();
      return replica.optimizer.getState();
    },
    async setLearningRate(lr) {
      alive();
      replica.optimizer.setLearningRate(lr);
    },
    async replicasInSync() {
      alive();
      return true;
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      replica.dispose();
    },
  };
}

/** One worker thread and its one-at-a-time request channel. */
class ReplicaHandle {
  private pending: { resolve: (m: FromReplica) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;

  constructor(
    readonly worker: Worker,
    readonly index: number,
  ) {
    worker.on('message', (m: FromReplica) => {
      const p = this.pending;
      this.pending = undefined;
      if (m.type === 'error') {
        const err = new AppError('INTERNAL', `training worker ${index}: ${m.message}`);
        if (p) p.reject(err);
        else this.failure = err;
        return;
      }
      p?.resolve(m);
    });
    const fail = (err: Error) => {
      this.failure = err;
      const p = this.pending;
      this.pending = undefined;
      p?.reject(err);
    };
    worker.on('error', (e) => fail(new AppError('INTERNAL', `training worker ${index} failed: ${e.message}`)));
    worker.on('exit', (code) => fail(new AppError('INTERNAL', `training worker ${index} exited (code ${code})`)));
  }

  /** Waits for the next message (the first one is 'ready'). */
  next(): Promise<FromReplica> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.pending) return Promise.reject(new Error(`internal: worker ${this.index} already has a request under way`));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
    });
  }

  request(msg: ToReplica, transfer: ArrayBuffer[] = []): Promise<FromReplica> {
    const reply = this.next();
    if (!this.failure) this.worker.postMessage(msg, transfer);
    return reply;
  }
}

function expect<T extends FromReplica['type']>(m: FromReplica, type: T): Extract<FromReplica, { type: T }> {
  if (m.type !== type) throw new AppError('INTERNAL', `training worker: expected '${type}', got '${m.type}'`);
  return m as Extract<FromReplica, { type: T }>;
}

async function workerTrainer(initial: Params | NamedArray[], count: number, c: Common): Promise<Trainer> {
  const layout = exchangeLayout(c.spec, branchesOf(c.objective));
  const gradBuffer = new SharedArrayBuffer(count * layout.gradSize * 4);
  const statBuffer = new SharedArrayBuffer(count * layout.statSize * 4);
  const arrays = Array.isArray(initial) ? initial : paramsToArrays(initial, c.spec);
  const handles: ReplicaHandle[] = [];
  for (let index = 0; index < count; index++) {
    const init: ReplicaInit = {
      spec: c.spec,
      params: arrays,
      optimizer: c.optimizer,
      ...(c.optimizerState ? { optimizerState: c.optimizerState } : {}),
      objective: c.objective,
      index,
      count,
      gradBuffer,
      statBuffer,
    };
    handles.push(
      new ReplicaHandle(startWorker(new URL('./replica-worker.ts', import.meta.url), { workerData: init as unknown as Record<string, unknown> }), index),
    );
  }
  let backend = 'unknown';
  try {
    const ready = await Promise.all(handles.map((h) => h.next()));
    backend = expect(ready[0]!, 'ready').backend;
  } catch (err) {
    await Promise.all(handles.map((h) => h.worker.terminate()));
    throw err;
  }
  let stepIndex = c.optimizerState?.step ?? 0;
  let disposed = false;
  let busy: Promise<unknown> = Promise.resolve();
  // Requests are serialised: a step and a getParams never interleave.
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    if (disposed) return Promise.reject(new AppError('INVALID_ARGUMENT', 'trainer: already disposed'));
    const run = busy.then(fn, fn);
    busy = run.catch(() => undefined);
    return run;
  };
  const getParamArrays = () => serial(async () => expect(await handles[0]!.request({ type: 'get-params' }), 'params').params);
  return {
    workers: count,
    backend,
    objective: c.objective,
    step(batch) {
      return serial(async () => {
        checkBatch(batch, c.spec, c.objective);
        const t0 = performance.now();
        const shards = handles.map((_, k) => shardOf(batch, c.spec, k, count));
        const replies = await Promise.all(
          handles.map((h, k) => {
            const shard = shards[k]!;
            const msg: ToReplica = { type: 'gradients', shard, weight: shard.n / batch.n, seed: shardSeed(c.seed, stepIndex, k), margin: c.margin };
            const buffers = shard.kind === 'pairs' ? [shard.a.buffer, shard.b.buffer, shard.y.buffer] : [shard.x.buffer, shard.labels.buffer];
            return h.request(msg, buffers as ArrayBuffer[]);
          }),
        );
        let loss = 0;
        let dataLoss = 0;
        for (const r of replies) {
          const g = expect(r, 'gradients');
          loss += g.loss;
          dataLoss += g.dataLoss;
        }
        await Promise.all(handles.map((h) => h.request({ type: 'apply' }).then((m) => expect(m, 'applied'))));
        stepIndex++;
        return stepResult(stepIndex, loss, dataLoss, batch, c.objective, (performance.now() - t0) / 1000);
      });
    },
    getParamArrays,
    async getParams() {
      return paramsFromArrays(c.spec, await getParamArrays());
    },
    getOptimizerState() {
      return serial(async () => expect(await handles[0]!.request({ type: 'get-optimizer-state' }), 'optimizer-state').state);
    },
    setLearningRate(lr) {
      return serial(async () => {
        await Promise.all(handles.map(async (h) => expect(await h.request({ type: 'set-learning-rate', learningRate: lr }), 'ok')));
      });
    },
    replicasInSync() {
      return serial(async () => {
        const all = await Promise.all(handles.map(async (h) => expect(await h.request({ type: 'get-params' }), 'params').params));
        const first = all[0]!;
        return all.every((arrays) =>
          arrays.every((a, i) => {
            const f = first[i]!;
            if (a.name !== f.name || a.data.length !== f.data.length) return false;
            const x = new Uint32Array(a.data.buffer, a.data.byteOffset, a.data.length);
            const y = new Uint32Array(f.data.buffer, f.data.byteOffset, f.data.length);
            return x.every((v, j) => v === y[j]);
          }),
        );
      });
    },
    async dispose() {
      if (disposed) return;
      await busy;
      disposed = true;
      await Promise.all(
        handles.map(async (h) => {
          await h.request({ type: 'close' }).catch(() => undefined);
          await h.worker.terminate();
        }),
      );
    },
  };
}
