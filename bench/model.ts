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
 *   node --import tsx bench/model.ts [--json] [--arch signet] [--rounds 3] [--seconds 8]
 *        [--workers N] [--batch 32] [--no-train] [--no-embed] [--inference onnxruntime|tfjs]
 *        [--reference ../shared/bench/torch_signet_reference.py]
 *
 * The measures are repeated for --rounds rounds. --reference runs the PyTorch reference script
 * (same network, same machine; Debian's /usr/bin/python3 with python3-torch) at the start of
 * each round, interleaved with the product's measures (bench/rounds.ts) so a shared machine's
 * load falls on both alike; ratios are taken within a round, then the median over rounds.
 * `countersign bench` calls runModelBench().
 */
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
import { interleavedRounds, median, medianOrNull, type ReferenceFigures } from './rounds.ts';

export interface ModelBenchOptions {
  architecture?: string;
  /** Rounds of (reference, embedding, training). Default 3. */
  rounds?: number;
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
  /** Path of torch_signet_reference.py, run at the start of each round for side-by-side figures. */
  referenceScript?: string;
  /** Progress lines for humans. */
  onProgress?: (line: string) => void;
}

export type { ReferenceFigures } from './rounds.ts';

/** The product's figures of one round. */
export interface ModelBenchFigures {
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
}

export interface ModelBenchRound extends ModelBenchFigures {
  /** What the reference script printed this round (null without a reference). */
  reference: ReferenceFigures | null;
  /** This round's product figure / this round's reference figure. */
  embedRatio: number | null;
  trainRatio: number | null;
}

/**
 * The figures (embed, train, coresUsed, embedPerSec, trainPairsPerSec, and the reference's
 * embed_per_s and train_pairs_per_s) are medians over rounds, each figure on its own; the ratios
 * are medians of the per-round ratios. `perRound` has each round's figures.
 */
export interface ModelBenchResult extends ModelBenchFigures {
  architecture: string;
  /** The tfjs backend (training; embedding too where `inference` is tfjs). */
  backend: string;
  /** What embedded: 'onnxruntime' or 'tfjs'. */
  inference: InferenceEngine;
  cores: number;
  batch: number;
  /** Measured seconds per figure per round. */
  seconds: number;
  /** Forward multiply-accumulates per image. */
  forwardMacs: number;
  rounds: number;
  reference: (ReferenceFigures & { rounds: number; embedRatio: number | null; trainRatio: number | null }) | null;
  perRound: ModelBenchRound[];
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

export async function runModelBench(options: ModelBenchOptions = {}): Promise<ModelBenchResult> {
  const architecture = options.architecture ?? 'signet';
  const spec = getSpec(architecture);
  const batch = options.batch ?? 32;
  const seconds = options.seconds ?? 8;
  const rounds = options.rounds ?? 3;
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  const info = await resolveBackend();
  const inference = options.inference ?? engineForSpec(await resolveInferenceEngine(), spec);
  const workers = options.workers ?? (info.threadsPerInstance === 1 ? cores : 1);
  const embedLayout = inference === 'onnxruntime' ? poolLayout('onnxruntime', cores, options.workers) : { workers, threads: 1 };

  /** One round's product figures: embedding (1 worker, the pool), then training (1 replica, data-parallel). */
  const measure = async (say: (line: string) => void): Promise<ModelBenchFigures> => {
    const coresUsed: ModelBenchFigures['coresUsed'] = {};
    let embedFigures: ModelBenchFigures['embed'] = null;
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
    let trainFigures: ModelBenchFigures['train'] = null;
    if (options.train !== false) {
      say('training, 1 replica ...');
      const single = await benchTraining(architecture, 1, batch, seconds);
      say(`training, ${workers} data-parallel replicas ...`);
      const parallel = workers > 1 ? await benchTraining(architecture, workers, batch, seconds) : single;
      trainFigures = { singleWorker: single.perSec, dataParallel: parallel.perSec, workers };
      coresUsed.trainSingle = single.coresUsed;
      coresUsed.trainParallel = parallel.coresUsed;
    }
    return {
      embed: embedFigures,
      train: trainFigures,
      coresUsed,
      embedPerSec: embedFigures ? Math.max(embedFigures.singleWorker, embedFigures.pool) : null,
      trainPairsPerSec: trainFigures ? Math.max(trainFigures.singleWorker, trainFigures.dataParallel) : null,
    };
  };

  const measured = await interleavedRounds(
    { rounds, threads: cores, say: options.onProgress ?? (() => undefined), ...(options.referenceScript ? { referenceScript: options.referenceScript } : {}) },
    measure,
  );
  const perRound: ModelBenchRound[] = measured.map(({ reference, product: p }) => ({
    reference,
    ...p,
    embedRatio: reference && p.embedPerSec !== null ? p.embedPerSec / reference.embed_per_s : null,
    trainRatio: reference && p.trainPairsPerSec !== null ? p.trainPairsPerSec / reference.train_pairs_per_s : null,
  }));
  const med = (get: (p: ModelBenchRound) => number | null | undefined) => medianOrNull(perRound.map(get));
  const first = perRound[0]!;
  const coresUsed: ModelBenchFigures['coresUsed'] = {};
  for (const k of ['embedSingle', 'embedPool', 'trainSingle', 'trainParallel'] as const) {
    const m = med((p) => p.coresUsed[k]);
    if (m !== null) coresUsed[k] = m;
  }
  const refs = perRound.flatMap((p) => (p.reference ? [p.reference] : []));
  const lastRef = refs.at(-1);
  return {
    architecture,
    backend: info.backend,
    inference,
    cores,
    batch,
    seconds,
    forwardMacs: forwardMacs(spec),
    rounds,
    embed: first.embed && {
      singleWorker: med((p) => p.embed?.singleWorker)!,
      pool: med((p) => p.embed?.pool)!,
      poolWorkers: first.embed.poolWorkers,
      poolThreads: first.embed.poolThreads,
    },
    train: first.train && {
      singleWorker: med((p) => p.train?.singleWorker)!,
      dataParallel: med((p) => p.train?.dataParallel)!,
      workers: first.train.workers,
    },
    coresUsed,
    embedPerSec: med((p) => p.embedPerSec),
    trainPairsPerSec: med((p) => p.trainPairsPerSec),
    reference: lastRef
      ? {
          impl: lastRef.impl,
          threads: lastRef.threads,
          params: lastRef.params,
          embed_per_s: median(refs.map((r) => r.embed_per_s)),
          train_pairs_per_s: median(refs.map((r) => r.train_pairs_per_s)),
          rounds: refs.length,
          embedRatio: med((p) => p.embedRatio),
          trainRatio: med((p) => p.trainRatio),
        }
      : null,
    perRound,
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

/**
 * One line per round, then the medians over rounds. `noReference`: why there is no PyTorch
 * reference, said in the output when there is none.
 */
export function formatModelBench(r: ModelBenchResult, options: { noReference?: string } = {}): string[] {
  const f = (x: number) => x.toFixed(2);
  const ratio = (x: number | null) => (x === null ? 'n/a' : `${x.toFixed(2)}x`);
  const used = (x: number | undefined) => (x === undefined ? '' : `, ${x.toFixed(2)} cores used`);
  const pool = (e: NonNullable<ModelBenchResult['embed']>) => `pool of ${e.poolWorkers}${e.poolThreads > 1 ? ` x ${e.poolThreads} threads` : ''}`;
  const product = (p: ModelBenchFigures) => {
    const u = p.coresUsed;
    return [
      p.embed && `embeddings/s: ${f(p.embed.singleWorker)} (1 worker${used(u.embedSingle)}), ${f(p.embed.pool)} (${pool(p.embed)}${used(u.embedPool)})`,
      p.train &&
        `training pairs/s: ${f(p.train.singleWorker)} (1 replica${used(u.trainSingle)}), ${f(p.train.dataParallel)} (${p.train.workers} data-parallel${used(u.trainParallel)})`,
    ].filter((x): x is string => !!x);
  };
  const rounds = `${r.rounds} ${r.reference ? 'interleaved ' : ''}round${r.rounds === 1 ? '' : 's'}${r.reference ? ' (PyTorch reference, then the product)' : ''} of ${r.seconds} s per figure`;
  const lines = [
    `${r.architecture}: embedding on ${r.inference === 'onnxruntime' ? 'onnxruntime (CPU)' : `tfjs ${r.backend}`}, training on tfjs ${r.backend}; ${r.cores} cores, batch ${r.batch}, ${(r.forwardMacs / 1e6).toFixed(0)} M MACs per image; ${rounds}`,
  ];
  if (!r.reference) lines.push(`no PyTorch reference${options.noReference ? ` (${options.noReference})` : ''}: each round repeats the product's measures only`);
  r.perRound.forEach((p, i) => {
    const ref = p.reference
      ? `; PyTorch embed ${f(p.reference.embed_per_s)}/s, train ${f(p.reference.train_pairs_per_s)} pairs/s; ratio embed ${ratio(p.embedRatio)}, train ${ratio(p.trainRatio)}`
      : '';
    lines.push(`  round ${i + 1}: ${product(p).join('; ')}${ref}`);
  });
  lines.push(`median over ${r.rounds} round${r.rounds === 1 ? '' : 's'}:`);
  lines.push(...product(r));
  if (r.reference) {
    lines.push(
      `PyTorch reference (${r.reference.impl}, ${r.reference.threads} threads): embed ${f(r.reference.embed_per_s)}/s, train ${f(r.reference.train_pairs_per_s)} pairs/s`,
    );
    lines.push(
      `ratio to PyTorch (median of the per-round ratios): embed ${ratio(r.reference.embedRatio)} (${r.inference}), train ${ratio(r.reference.trainRatio)} (tfjs)`,
    );
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
      rounds: { type: 'string' },
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
    ...(values.rounds ? { rounds: num(values.rounds)! } : {}),
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
