/**
 * Model benchmark: embeddings per second and contrastive training pairs per second of an
 * architecture (default `signet`, random weights, random 155 x 220 inputs, batch 32), warm-up
 * excluded:
 *  - embedding on the product's inference engine (inference-engine.ts: onnxruntime where it
 *    loads, else tfjs; COUNTERSIGN_INFERENCE or --inference picks one): one worker thread with
 *    one thread, and the product's pool (tfjs wasm: one worker per core, each its own backend
 *    instance; onnxruntime: one worker whose session uses every core);
 *  - training (always tfjs, on the active backend) with one replica (the calling thread) and
 *    data-parallel with one per core.
 *
 *   node --import tsx bench/model.ts [--json] [--arch signet] [--seconds 8] [--workers N]
 *        [--batch 32] [--no-train] [--no-embed] [--inference onnxruntime|tfjs]
 *        [--reference ../shared/bench/torch_signet_reference.py]
 *
 * --reference runs the PyTorch reference script (same network, same machine; Debian's
 * /usr/bin/python3 with python3-torch) first and reports the ratios. `countersign bench` calls
 * runModelBench().
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMainThread, parentPort, workerData, type Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { startWorker } from '../src-main/core/jobs/worker.ts';
import { forwardMacs, getSpec } from '../src-main/core/model/architectures.ts';
import { resolveBackend } from '../src-main/core/model/backend.ts';
import { engineForSpec, loadOrt, resolveInferenceEngine, type InferenceEngine } from '../src-main/core/model/embedding/inference-engine.ts';
import { ortSession } from '../src-main/core/model/embedding/inference-ort.ts';
import { disposeParams, embed, initParams } from '../src-main/core/model/network.ts';
import { exportOnnx, ONNX_INPUT } from '../src-main/core/model/embedding/onnx/export.ts';
import { createTrainer, type PairBatch } from '../src-main/core/model/training/engine/trainer.ts';
import { Rng } from '../src-main/core/util/random.ts';

export interface ModelBenchOptions {
  architecture?: string;
  /** Images (embedding) or pairs (training) per batch. Default 32. */
  batch?: number;
  /** Measured seconds per figure, after warm-up. Default 8. */
  seconds?: number;
  /** Pool / data-parallel size. Default: the core count. */
  workers?: number;
  embed?: boolean;
  train?: boolean;
  /** Embedding engine; default the product's choice for the architecture. */
  inference?: InferenceEngine;
  /** Path of torch_signet_reference.py to run first for side-by-side figures. */
  referenceScript?: string;
  /** Progress lines for humans. */
  onProgress?: (line: string) => void;
}

export interface ReferenceFigures {
  impl: string;
  threads: number;
  params: number;
  embed_per_s: number;
  train_pairs_per_s: number;
}

export interface ModelBenchResult {
  architecture: string;
  /** The tfjs backend (training; embedding too where `inference` is tfjs). */
  backend: string;
  /** What embedded: 'onnxruntime' or 'tfjs'. */
  inference: InferenceEngine;
  cores: number;
  batch: number;
  /** Forward multiply-accumulates per image. */
  forwardMacs: number;
  /** poolThreads: onnxruntime's intra-op threads per pool worker (1 on tfjs wasm). */
  embed: { singleWorker: number; pool: number; poolWorkers: number; poolThreads: number } | null;
  train: { singleWorker: number; dataParallel: number; workers: number } | null;
  /**
   * Cores this process actually had while measuring (CPU seconds / wall seconds), per figure:
   * below the worker count means the machine was shared and the figure is low by that much.
   */
  coresUsed: { embedSingle?: number; embedPool?: number; trainSingle?: number; trainParallel?: number };
  /** Best embedding figure (the pool on single-threaded backends). */
  embedPerSec: number | null;
  /** Best training figure. */
  trainPairsPerSec: number | null;
  reference: (ReferenceFigures & { embedRatio: number | null; trainRatio: number | null }) | null;
  node: string;
  tfjs: string;
}

interface BenchWorkerInit {
  role: 'bench-embed';
  architecture: string;
  seed: number;
  engine: InferenceEngine;
  /** onnxruntime: intra-op threads of the worker's session. */
  threads: number;
}
type ToBench = { type: 'embed'; data: Float32Array; n: number } | { type: 'close' };
type FromBench = { type: 'ready'; backend: string } | { type: 'done'; n: number } | { type: 'error'; message: string };

function randomImages(n: number, size: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n * size }, () => rng.normal());
}

export interface Measured {
  perSec: number;
  /** CPU seconds of the whole process (all threads) per wall second while measuring. */
  coresUsed: number;
}

function startClock(): () => { wall: number; cores: number } {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  return () => {
    const wall = (performance.now() - t0) / 1000;
    const c = process.cpuUsage(c0);
    return { wall, cores: (c.user + c.system) / 1e6 / wall };
  };
}

/** The embedding layout of the product's pool for an engine (embed-pool.ts). */
export function poolLayout(engine: InferenceEngine, cores: number, workers?: number): { workers: number; threads: number } {
  if (engine === 'onnxruntime') {
    const w = Math.max(1, workers ?? 1);
    return { workers: w, threads: Math.max(1, Math.floor(cores / w)) };
  }
  return { workers: Math.max(1, workers ?? cores), threads: 1 };
}

/** Embeds batches for `seconds` on `workers` worker threads; images per second, warm-up excluded. */
export async function benchEmbedding(
  architecture: string,
  workers: number,
  batch: number,
  seconds: number,
  engine: InferenceEngine = 'tfjs',
  intraOp = 1,
): Promise<Measured> {
  const spec = getSpec(architecture);
  const size = spec.inputShape.reduce((a, b) => a * b, 1);
  const images = randomImages(batch, size, 1);
  const threads: Worker[] = [];
  const replies: ((m: FromBench) => void)[] = [];
  const next = (k: number) => new Promise<FromBench>((resolve) => (replies[k] = resolve));
  try {
    for (let k = 0; k < workers; k++) {
      const init: BenchWorkerInit = { role: 'bench-embed', architecture, seed: 1, engine, threads: intraOp };
      const w = startWorker(new URL(import.meta.url), { workerData: init as unknown as Record<string, unknown> });
      w.on('message', (m: FromBench) => replies[k]?.(m));
      w.on('error', (e) => replies[k]?.({ type: 'error', message: e.message }));
      threads.push(w);
    }
    const check = (m: FromBench): FromBench => {
      if (m.type === 'error') throw new Error(`benchmark worker: ${m.message}`);
      return m;
    };
    await Promise.all(threads.map((_, k) => next(k).then(check)));
    const send = (k: number) => {
      const reply = next(k);
      threads[k]!.postMessage({ type: 'embed', data: images.slice(), n: batch } satisfies ToBench);
      return reply.then(check);
    };
    await Promise.all(threads.map((_, k) => send(k))); // warm-up: first batch per worker
    let done = 0;
    const stop = startClock();
    const deadline = performance.now() + seconds * 1000;
    await Promise.all(
      threads.map(async (_, k) => {
        while (performance.now() < deadline) {
          await send(k);
          done += batch;
        }
      }),
    );
    const { wall, cores } = stop();
    return { perSec: done / wall, coresUsed: cores };
  } finally {
    await Promise.all(threads.map((w) => w.terminate()));
  }
}

/** Trains for `seconds` (at least 2 steps) after one warm-up step; pairs per second. */
async function benchTraining(architecture: string, workers: number, batch: number, seconds: number): Promise<Measured> {
  const spec = getSpec(architecture);
  const size = spec.inputShape.reduce((a, b) => a * b, 1);
  const params = initParams(spec, 1);
  const trainer = await createTrainer({ spec, params, workers, seed: 1 });
  disposeParams(params);
  const pairs: PairBatch = {
    a: randomImages(batch, size, 2),
    b: randomImages(batch, size, 3),
    y: Float32Array.from({ length: batch }, (_, i) => i % 2),
    n: batch,
  };
  const copy = (): PairBatch => ({ a: pairs.a.slice(), b: pairs.b.slice(), y: pairs.y.slice(), n: batch });
  try {
    await trainer.step(copy());
    let done = 0;
    let steps = 0;
    const stop = startClock();
    const t0 = performance.now();
    while (steps < 2 || performance.now() - t0 < seconds * 1000) {
      await trainer.step(copy());
      done += batch;
      steps++;
    }
    const { wall, cores } = stop();
    return { perSec: done / wall, coresUsed: cores };
  } finally {
    await trainer.dispose();
  }
}

export function runReference(script: string, threads: number): ReferenceFigures {
  const r = spawnSync('/usr/bin/python3', [script, '--threads', String(threads)], {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: String(threads) },
    timeout: 10 * 60_000,
  });
  const line = r.stdout?.trim().split('\n').at(-1);
  if (r.status !== 0 || !line) throw new Error(`reference benchmark failed: ${r.stderr?.trim().split('\n').at(-1) ?? r.error?.message}`);
  return JSON.parse(line) as ReferenceFigures;
}

export async function runModelBench(options: ModelBenchOptions = {}): Promise<ModelBenchResult> {
  const architecture = options.architecture ?? 'signet';
  const spec = getSpec(architecture);
  const batch = options.batch ?? 32;
  const seconds = options.seconds ?? 8;
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  const info = await resolveBackend();
  const inference = options.inference ?? engineForSpec(await resolveInferenceEngine(), spec);
  const workers = options.workers ?? (info.threadsPerInstance === 1 ? cores : 1);
  const embedLayout = inference === 'onnxruntime' ? poolLayout('onnxruntime', cores, options.workers) : { workers, threads: 1 };
  const say = options.onProgress ?? (() => undefined);
  let reference: ReferenceFigures | null = null;
  if (options.referenceScript) {
    say(`PyTorch reference (${cores} threads) ...`);
    reference = runReference(options.referenceScript, cores);
  }
  const coresUsed: ModelBenchResult['coresUsed'] = {};
  let embedFigures: ModelBenchResult['embed'] = null;
  if (options.embed !== false) {
    say(`embedding on ${inference}, 1 worker, 1 thread ...`);
    const single = await benchEmbedding(architecture, 1, batch, seconds, inference, 1);
    const { workers: pw, threads: pt } = embedLayout;
    say(`embedding on ${inference}, pool of ${pw}${pt > 1 ? ` x ${pt} threads` : ''} ...`);
    const pool = pw > 1 || pt > 1 ? await benchEmbedding(architecture, pw, batch, seconds, inference, pt) : single;
    embedFigures = { singleWorker: single.perSec, pool: pool.perSec, poolWorkers: pw, poolThreads: pt };
    coresUsed.embedSingle = single.coresUsed;
    coresUsed.embedPool = pool.coresUsed;
  }
  let trainFigures: ModelBenchResult['train'] = null;
  if (options.train !== false) {
    say('training, 1 replica ...');
    const single = await benchTraining(architecture, 1, batch, seconds);
    say(`training, ${workers} data-parallel replicas ...`);
    const parallel = workers > 1 ? await benchTraining(architecture, workers, batch, seconds) : single;
    trainFigures = { singleWorker: single.perSec, dataParallel: parallel.perSec, workers };
    coresUsed.trainSingle = single.coresUsed;
    coresUsed.trainParallel = parallel.coresUsed;
  }
  const embedPerSec = embedFigures ? Math.max(embedFigures.singleWorker, embedFigures.pool) : null;
  const trainPairsPerSec = trainFigures ? Math.max(trainFigures.singleWorker, trainFigures.dataParallel) : null;
  return {
    architecture,
    backend: info.backend,
    inference,
    cores,
    batch,
    forwardMacs: forwardMacs(spec),
    embed: embedFigures,
    train: trainFigures,
    coresUsed,
    embedPerSec,
    trainPairsPerSec,
    reference: reference && {
      ...reference,
      embedRatio: embedPerSec === null ? null : embedPerSec / reference.embed_per_s,
      trainRatio: trainPairsPerSec === null ? null : trainPairsPerSec / reference.train_pairs_per_s,
    },
    node: process.version,
    tfjs: tf.version.tfjs,
  };
}

export interface EmbedMemoryResult {
  images: number;
  workers: number;
  seconds: number;
  /** Resident set size of the whole process (all worker threads) before and at its peak. */
  rssBeforeMb: number;
  rssPeakMb: number;
}

/**
 * Peak memory of the product's embedding path: `images` random inputs through an EmbedPool
 * (one worker per core on wasm) of a registered random-weight model, as `ensureEmbeddings`
 * runs it. RSS is sampled every 20 ms.
 */
export async function benchEmbedMemory(options: { architecture?: string; images?: number; workers?: number } = {}): Promise<EmbedMemoryResult> {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { saveModel } = await import('../src-main/core/model/registry/registry.ts');
  const { EmbedPool } = await import('../src-main/core/model/embedding/embed-pool.ts');
  const spec = getSpec(options.architecture ?? 'signet');
  const images = options.images ?? 1000;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'countersign-bench-mem-'));
  try {
    const params = initParams(spec, 1);
    const meta = await saveModel(dir, {
      metadata: { name: 'bench', architecture: spec.name, inputShape: spec.inputShape, embeddingSize: spec.embeddingSize, preprocessing: {} },
      weights: [...params.tensors.entries()].map(([name, tensor]) => ({ name, tensor })),
    });
    disposeParams(params);
    const size = spec.inputShape.reduce((a, b) => a * b, 1);
    const rng = new Rng(5);
    const inputs = Array.from({ length: images }, () => {
      const x = new Float32Array(size);
      for (let i = 0; i < size; i++) x[i] = rng.next() < 0.06 ? 1 : 0;
      return x;
    });
    const before = process.memoryUsage().rss;
    let peak = before;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const t0 = performance.now();
    const pool = await EmbedPool.create({ dataDir: dir, modelId: meta.id, ...(options.workers ? { workers: options.workers } : {}) });
    try {
      await pool.embed(inputs);
    } finally {
      await pool.close();
      clearInterval(timer);
    }
    return {
      images,
      workers: pool.size,
      seconds: (performance.now() - t0) / 1000,
      rssBeforeMb: before / 2 ** 20,
      rssPeakMb: Math.max(peak, process.memoryUsage().rss) / 2 ** 20,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function formatModelBench(r: ModelBenchResult): string[] {
  const f = (x: number) => x.toFixed(2);
  const lines = [
    `${r.architecture}: embedding on ${r.inference === 'onnxruntime' ? 'onnxruntime (CPU)' : `tfjs ${r.backend}`}, training on tfjs ${r.backend}; ${r.cores} cores, batch ${r.batch}, ${(r.forwardMacs / 1e6).toFixed(0)} M MACs per image`,
  ];
  const used = (x: number | undefined) => (x === undefined ? '' : `, ${x.toFixed(2)} cores used`);
  const u = r.coresUsed;
  if (r.embed) {
    const pool = `pool of ${r.embed.poolWorkers}${r.embed.poolThreads > 1 ? ` x ${r.embed.poolThreads} threads` : ''}`;
    lines.push(`embeddings/s: ${f(r.embed.singleWorker)} (1 worker${used(u.embedSingle)}), ${f(r.embed.pool)} (${pool}${used(u.embedPool)})`);
  }
  if (r.train)
    lines.push(
      `training pairs/s: ${f(r.train.singleWorker)} (1 replica${used(u.trainSingle)}), ${f(r.train.dataParallel)} (${r.train.workers} data-parallel${used(u.trainParallel)})`,
    );
  if (r.reference) {
    const ratio = (x: number | null) => (x === null ? 'n/a' : `${x.toFixed(2)}x`);
    lines.push(
      `PyTorch reference (${r.reference.impl}, ${r.reference.threads} threads): embed ${f(r.reference.embed_per_s)}/s, train ${f(r.reference.train_pairs_per_s)} pairs/s`,
    );
    lines.push(`ratio to PyTorch: embed ${ratio(r.reference.embedRatio)} (${r.inference}), train ${ratio(r.reference.trainRatio)} (tfjs)`);
  }
  return lines;
}

// --- worker side -------------------------------------------------------------------------

async function benchWorker(init: BenchWorkerInit): Promise<void> {
  const port = parentPort!;
  try {
    const info = await resolveBackend();
    const spec = getSpec(init.architecture);
    const params = initParams(spec, init.seed);
    const [h, w, c] = spec.inputShape;
    let run: (data: Float32Array, n: number) => Promise<ArrayLike<number>>;
    let close: () => void;
    if (init.engine === 'onnxruntime') {
      // The same random weights, exported as the product exports a registered model.
      const arrays = new Map([...params.tensors].map(([k, t]) => [k, t.dataSync() as Float32Array]));
      disposeParams(params);
      const ort = await loadOrt();
      const session = await ortSession(ort, exportOnnx(spec, arrays, { inputScale: 1 }), init.threads);
      run = async (data, n) => (await session.run({ [ONNX_INPUT]: new ort.Tensor('float32', data, [n, h, w, c]) })).embedding!.data as Float32Array;
      close = () => void session.release();
    } else {
      run = async (data, n) => tf.tidy(() => embed(params, spec, tf.tensor4d(data, [n, h, w, c])).dataSync());
      close = () => disposeParams(params);
    }
    port.on('message', (m: ToBench) => {
      if (m.type === 'close') {
        close();
        port.close();
        return;
      }
      run(m.data, m.n)
        .then((out) => {
          if (out.length !== m.n * spec.embeddingSize) throw new Error('wrong embedding size');
          port.postMessage({ type: 'done', n: m.n } satisfies FromBench);
        })
        .catch((err: unknown) => port.postMessage({ type: 'error', message: (err as Error).message } satisfies FromBench));
    });
    port.postMessage({ type: 'ready', backend: init.engine === 'onnxruntime' ? 'onnxruntime-cpu' : info.backend } satisfies FromBench);
  } catch (err) {
    port.postMessage({ type: 'error', message: (err as Error).message } satisfies FromBench);
  }
}

// --- entry points --------------------------------------------------------------------------

const role = (workerData as { role?: string } | null)?.role;
if (!isMainThread && role === 'bench-embed') {
  await benchWorker(workerData as BenchWorkerInit);
} else if (isMainThread && process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const { parseArgs } = await import('node:util');
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean' },
      arch: { type: 'string' },
      seconds: { type: 'string' },
      workers: { type: 'string' },
      batch: { type: 'string' },
      'no-train': { type: 'boolean' },
      'no-embed': { type: 'boolean' },
      inference: { type: 'string' },
      reference: { type: 'string' },
    },
  });
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const result = await runModelBench({
    ...(values.arch ? { architecture: values.arch } : {}),
    ...(values.seconds ? { seconds: num(values.seconds)! } : {}),
    ...(values.workers ? { workers: num(values.workers)! } : {}),
    ...(values.batch ? { batch: num(values.batch)! } : {}),
    embed: !values['no-embed'],
    train: !values['no-train'],
    ...(values.inference ? { inference: values.inference as InferenceEngine } : {}),
    ...(values.reference ? { referenceScript: values.reference } : {}),
    onProgress: values.json ? undefined : (line) => console.error(line),
  });
  if (values.json) console.log(JSON.stringify(result));
  else for (const line of formatModelBench(result)) console.log(line);
}
