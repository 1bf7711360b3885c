import { existsSync } from 'node:fs';
import path from 'node:path';
import { ROOT_DIR } from '../../core/paths.ts';
import { bool, num, str, UsageError, type CommandImpl, type CommandContext, type ParsedArgs } from '../command.ts';

/**
 * The PyTorch reference script, when present: in COUNTERSIGN_BENCH_DIR, else in ../shared/bench
 * beside the package root (ROOT_DIR: the same from the sources and from the built CLI in
 * out/cli; the working directory does not matter).
 */
export function defaultReference(): string | undefined {
  const dir = process.env.COUNTERSIGN_BENCH_DIR || path.join(ROOT_DIR, '..', 'shared', 'bench');
  const p = path.resolve(dir, 'torch_signet_reference.py');
  return existsSync(p) ? p : undefined;
}

export const commands: CommandImpl[] = [
  {
    name: 'bench',
    description: `Random 155 x 220 inputs, batch 32, random weights; warm-up excluded. Embedding on the
product's inference engine (onnxruntime where it loads, else tfjs; COUNTERSIGN_INFERENCE=tfjs
measures tfjs) with one worker and in the product's pool layout; training (tfjs) with one
replica and data-parallel replicas; --seconds per figure. The measures are repeated for --rounds
rounds (default 3), each round starting with the PyTorch reference (same network, same machine;
Debian's /usr/bin/python3 with python3-torch) when there is one, so a shared machine's load falls
on both alike: the ratios (product / reference) are taken within each round, and the figures and
ratios reported are the medians over rounds (--json: reference.rounds, and each round in
perRound). --reference names the reference script; by default torch_signet_reference.py in
$COUNTERSIGN_BENCH_DIR, else in ../shared/bench beside the repository (not the working
directory), is used when it exists; without one (--no-reference, or none found) the rounds
repeat the product's measures only. --memory also reports the peak memory of embedding 1,000
signatures through the product's worker pool (once, after the rounds).

--identify N: writer identification's search over a synthetic reference library of N
128-d embeddings (10 per writer) in a temporary data directory: HNSW writer index build
time, size and memory, query latency (median, p95) and recall@5 against the exact scan
(the first --exact-queries queries are also run by exact scan; 8 s each at a million).
--library spectrum (default) draws writers and exemplars with the covariance shapes
measured on real signatures' embeddings; clustered uses isotropic centres (spread 0.35).
--json prints {"identify":{"n","medianMs","p95Ms","recallAt5",...}}.

--inference: embedding throughput of onnxruntime (CPU) and tfjs, each in the product's pool
layout, beside the PyTorch reference, interleaved (reference, onnxruntime, tfjs, ...) for
--rounds rounds (default 3) in one run; ratios are taken within each round, then the median.`,
    options: {
      arch: { type: 'string' },
      seconds: { type: 'string' },
      workers: { type: 'string' },
      reference: { type: 'string' },
      'no-reference': { type: 'boolean' },
      memory: { type: 'boolean' },
      inference: { type: 'boolean' },
      rounds: { type: 'string' },
      identify: { type: 'string' },
      queries: { type: 'string' },
      'exact-queries': { type: 'string' },
      library: { type: 'string' },
      engines: { type: 'string' },
      dir: { type: 'string' },
    },
    async run(ctx, args) {
      if (str(args, 'identify') !== undefined) return benchIdentify(ctx, args);
      const reference = bool(args, 'no-reference') ? undefined : (str(args, 'reference') ?? defaultReference());
      const rounds = num(args, 'rounds', { min: 1, max: 50, integer: true, default: 3 })!;
      if (bool(args, 'inference')) {
        const { formatInferenceBench, runInferenceBench } = await import('../../../bench/inference.ts');
        const r = await runInferenceBench({
          ...(str(args, 'arch') ? { architecture: str(args, 'arch') } : {}),
          rounds,
          seconds: num(args, 'seconds', { min: 1, max: 600, default: 8 })!,
          ...(reference ? { referenceScript: reference } : {}),
          onProgress: ctx.json ? undefined : (line) => ctx.out(line),
        });
        if (ctx.json) return ctx.emit(r);
        for (const l of formatInferenceBench(r)) ctx.out(l);
        return;
      }
      const workers = num(args, 'workers', { min: 1, max: 64, integer: true });
      const { benchEmbedMemory, formatModelBench, runModelBench } = await import('../../../bench/model.ts');
      const r = await runModelBench({
        ...(str(args, 'arch') ? { architecture: str(args, 'arch') } : {}),
        rounds,
        seconds: num(args, 'seconds', { min: 1, max: 600, default: 8 })!,
        ...(workers ? { workers } : {}),
        ...(reference ? { referenceScript: reference } : {}),
        onProgress: ctx.json ? undefined : (line) => ctx.out(line),
      });
      const memory = bool(args, 'memory') ? await benchEmbedMemory({ ...(str(args, 'arch') ? { architecture: str(args, 'arch') } : {}) }) : null;
      if (ctx.json) return ctx.emit({ ...r, memory });
      const noReference = bool(args, 'no-reference')
        ? '--no-reference'
        : 'torch_signet_reference.py is not in $COUNTERSIGN_BENCH_DIR or in ../shared/bench beside the repository; --reference names one';
      for (const l of formatModelBench(r, { noReference })) ctx.out(l);
      if (memory)
        ctx.out(
          `embedding ${memory.images} signatures (${memory.workers} workers, ${memory.seconds.toFixed(1)} s): peak RSS ${memory.rssPeakMb.toFixed(0)} MB (${memory.rssBeforeMb.toFixed(0)} MB before)`,
        );
    },
  },
];

const ENGINES = ['hnsw', 'sqlite-vec'] as const;

async function benchIdentify(ctx: CommandContext, args: ParsedArgs): Promise<void> {
  const n = num(args, 'identify', { min: 10, max: 10_000_000, integer: true })!;
  const queries = num(args, 'queries', { min: 2, max: 100_000, integer: true, default: 200 })!;
  const exactQueries = num(args, 'exact-queries', { min: 1, max: 100_000, integer: true, default: Math.min(queries, 50) })!;
  const library = str(args, 'library') ?? 'spectrum';
  if (library !== 'spectrum' && library !== 'clustered')
    throw new UsageError(`--library: expected spectrum or clustered, got '${library}'`, { field: 'library' });
  const engines = (str(args, 'engines') ?? 'hnsw').split(',').map((e) => e.trim());
  for (const e of engines) {
    if (!(ENGINES as readonly string[]).includes(e))
      throw new UsageError(`--engines: expected a list of ${ENGINES.join(', ')}, got '${e}'`, { field: 'engines' });
  }
  const { formatIdentifyBench, identifySummary, runIdentifyBench } = await import('../../../bench/identify.ts');
  const r = await runIdentifyBench({
    sizes: [n],
    queries,
    exactQueries,
    library,
    engines: engines as (typeof ENGINES)[number][],
    ...(str(args, 'dir') ? { dir: str(args, 'dir')! } : {}),
    onProgress: ctx.json ? undefined : (line) => ctx.out(line),
  });
  if (ctx.json) return ctx.emit(identifySummary(r));
  for (const l of formatIdentifyBench(r)) ctx.out(l);
}
