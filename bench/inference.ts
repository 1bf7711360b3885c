/**
 * Embedding engines side by side: onnxruntime (CPU) and tfjs (the active backend, wasm here),
 * each in the product's pool layout (bench/model.ts poolLayout), beside the PyTorch reference,
 * interleaved in one run (reference, onnxruntime, tfjs, reference, onnxruntime, tfjs, ...) so a
 * shared machine's load falls on all of them alike. Ratios are taken within a round, then the
 * median over rounds (bench/rounds.ts). Random weights, random 155 x 220 inputs, batch 32,
 * warm-up excluded.
 *
 *   node --import tsx bench/inference.ts [--json] [--arch signet] [--rounds 3] [--seconds 8]
 *        [--reference ../shared/bench/torch_signet_reference.py]
 *
 * `countersign bench --inference` calls runInferenceBench().
 */
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { getSpec } from '../src-main/core/model/architectures.ts';
import { resolveBackend } from '../src-main/core/model/backend.ts';
import { engineForSpec, resolveInferenceEngine, type InferenceEngine } from '../src-main/core/model/embedding/inference-engine.ts';
import { benchEmbedding, poolLayout } from './model.ts';
import { interleavedRounds, median, type ReferenceFigures } from './rounds.ts';

export interface InferenceBenchOptions {
  architecture?: string;
  rounds?: number;
  /** Measured seconds per engine per round, after warm-up. Default 8. */
  seconds?: number;
  batch?: number;
  /** torch_signet_reference.py; without it, only the engines are compared. */
  referenceScript?: string;
  onProgress?: (line: string) => void;
}

export interface InferenceBenchRound {
  /** PyTorch's embeddings per second this round (null without a reference). */
  reference: number | null;
  onnxruntime: number;
  tfjs: number;
  /** CPU seconds per wall second of this process while each engine ran. */
  coresUsed: { onnxruntime: number; tfjs: number };
}

export interface InferenceBenchResult {
  architecture: string;
  cores: number;
  batch: number;
  seconds: number;
  rounds: number;
  /** The tfjs backend the tfjs figures ran on. */
  backend: string;
  /** The product's pool layout for each engine. */
  layouts: Record<InferenceEngine, { workers: number; threads: number }>;
  /** What the product would embed this architecture with here. */
  productEngine: InferenceEngine;
  reference: Omit<ReferenceFigures, 'embed_per_s' | 'train_pairs_per_s'> | null;
  perRound: InferenceBenchRound[];
  /** Medians over rounds: embeddings per second, and ratios taken within each round. */
  median: {
    reference: number | null;
    onnxruntime: number;
    tfjs: number;
    onnxruntimeToReference: number | null;
    tfjsToReference: number | null;
    onnxruntimeToTfjs: number;
  };
  node: string;
}

export async function runInferenceBench(options: InferenceBenchOptions = {}): Promise<InferenceBenchResult> {
  const architecture = options.architecture ?? 'signet';
  const spec = getSpec(architecture);
  const rounds = options.rounds ?? 3;
  const seconds = options.seconds ?? 8;
  const batch = options.batch ?? 32;
  const cores = os.availableParallelism();
  const info = await resolveBackend();
  const productEngine = engineForSpec(await resolveInferenceEngine(), spec);
  const layouts = {
    onnxruntime: poolLayout('onnxruntime', cores),
    tfjs: info.threadsPerInstance === 1 ? poolLayout('tfjs', cores) : { workers: 1, threads: 1 },
  };
  const say = options.onProgress ?? (() => undefined);
  const measured = await interleavedRounds(
    { rounds, threads: cores, say, ...(options.referenceScript ? { referenceScript: options.referenceScript } : {}) },
    async (say) => {
      const figures = {} as Record<InferenceEngine, { perSec: number; coresUsed: number }>;
      for (const engine of ['onnxruntime', 'tfjs'] as const) {
        const l = layouts[engine];
        say(`${engine}, ${l.workers} worker${l.workers === 1 ? '' : 's'} x ${l.threads} thread${l.threads === 1 ? '' : 's'} ...`);
        figures[engine] = await benchEmbedding(architecture, l.workers, batch, seconds, engine, l.threads);
      }
      return figures;
    },
  );
  const perRound: InferenceBenchRound[] = measured.map(({ reference: fig, product: figures }) => ({
    reference: fig ? fig.embed_per_s : null,
    onnxruntime: figures.onnxruntime.perSec,
    tfjs: figures.tfjs.perSec,
    coresUsed: { onnxruntime: figures.onnxruntime.coresUsed, tfjs: figures.tfjs.coresUsed },
  }));
  const last = measured.at(-1)?.reference;
  const reference: InferenceBenchResult['reference'] = last ? { impl: last.impl, threads: last.threads, params: last.params } : null;
  const withRef = perRound.filter((p) => p.reference !== null) as (InferenceBenchRound & { reference: number })[];
  return {
    architecture,
    cores,
    batch,
    seconds,
    rounds,
    backend: info.backend,
    layouts,
    productEngine,
    reference,
    perRound,
    median: {
      reference: withRef.length ? median(withRef.map((p) => p.reference)) : null,
      onnxruntime: median(perRound.map((p) => p.onnxruntime)),
      tfjs: median(perRound.map((p) => p.tfjs)),
      onnxruntimeToReference: withRef.length ? median(withRef.map((p) => p.onnxruntime / p.reference)) : null,
      tfjsToReference: withRef.length ? median(withRef.map((p) => p.tfjs / p.reference)) : null,
      onnxruntimeToTfjs: median(perRound.map((p) => p.onnxruntime / p.tfjs)),
    },
    node: process.version,
  };
}

export function formatInferenceBench(r: InferenceBenchResult): string[] {
  const f = (x: number) => x.toFixed(2);
  const lay = (e: InferenceEngine) =>
    `${r.layouts[e].workers} worker${r.layouts[e].workers === 1 ? '' : 's'} x ${r.layouts[e].threads} thread${r.layouts[e].threads === 1 ? '' : 's'}`;
  const lines = [
    `${r.architecture} embeddings/s, ${r.cores} cores, batch ${r.batch}, ${r.rounds} interleaved rounds of ${r.seconds} s; onnxruntime ${lay('onnxruntime')}, tfjs ${r.backend} ${lay('tfjs')}; the product embeds on ${r.productEngine}`,
  ];
  r.perRound.forEach((p, i) => {
    const ref = p.reference === null ? '' : `PyTorch ${f(p.reference)}, `;
    lines.push(
      `  round ${i + 1}: ${ref}onnxruntime ${f(p.onnxruntime)} (${p.coresUsed.onnxruntime.toFixed(2)} cores used), tfjs ${f(p.tfjs)} (${p.coresUsed.tfjs.toFixed(2)} cores used)`,
    );
  });
  const m = r.median;
  lines.push(`median: ${m.reference === null ? '' : `PyTorch ${f(m.reference)}, `}onnxruntime ${f(m.onnxruntime)}, tfjs ${f(m.tfjs)}`);
  const ratio = (x: number | null) => (x === null ? 'n/a' : `${x.toFixed(2)}x`);
  lines.push(
    `ratios (median of per-round ratios): onnxruntime/PyTorch ${ratio(m.onnxruntimeToReference)}, tfjs/PyTorch ${ratio(m.tfjsToReference)}, onnxruntime/tfjs ${ratio(m.onnxruntimeToTfjs)}`,
  );
  return lines;
}

if (isMainThread && process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const { parseArgs } = await import('node:util');
  const { values } = parseArgs({
    options: { json: { type: 'boolean' }, arch: { type: 'string' }, rounds: { type: 'string' }, seconds: { type: 'string' }, reference: { type: 'string' } },
  });
  const r = await runInferenceBench({
    ...(values.arch ? { architecture: values.arch } : {}),
    ...(values.rounds ? { rounds: Number(values.rounds) } : {}),
    ...(values.seconds ? { seconds: Number(values.seconds) } : {}),
    ...(values.reference ? { referenceScript: values.reference } : {}),
    onProgress: values.json ? undefined : (line) => console.error(line),
  });
  if (values.json) console.log(JSON.stringify(r));
  else for (const l of formatInferenceBench(r)) console.log(l);
}
