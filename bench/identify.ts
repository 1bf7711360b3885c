/**
 * Identification search benchmark: query latency at 10k, 100k and 1M stored library
 * embeddings (128-d), through the product's own search (core/identify/search.ts) on a real
 * store: sqlite-vec with exact re-ranking against the brute-force exact scan, and a check
 * that both return the same top k for every query.
 *
 *   node --import tsx bench/identify.ts [--json] [--sizes 10000,100000,1000000] [--queries 50]
 *        [--exact-queries N] [--top 5] [--exemplars 10] [--dir D] [--keep]
 *
 * The library is synthetic (core/synth/embedding-library.ts): writers as random centres,
 * exemplars as noisy copies, rows written directly (no images, no audit rows), in batches of
 * one transaction each. Queries: half a fresh sample near an enrolled writer (a genuine
 * questioned signature), half near no enrolled writer (open set). Latency is the wall clock
 * of one search (query vector in, ranked writers out); CPU time of the process beside it,
 * since other work shares the machine. The index is built (caught up from the log) once
 * before the queries; that time is reported on its own.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { exemplarsWithoutEmbedding, writersInScope } from '../src-main/core/identify/exemplars.ts';
import { searchWriters, type SearchResult } from '../src-main/core/identify/search.ts';
import { closeVectorIndex, INDEX_FILE, vectorIndexOf, vectorSearchAvailability } from '../src-main/core/identify/vector-index.ts';
import { DB_FILE, openStore } from '../src-main/core/store/index.ts';
import { gaussianVector, seedEmbeddingLibrary } from '../src-main/core/synth/embedding-library.ts';
import { Rng } from '../src-main/core/util/random.ts';

export interface IdentifyBenchOptions {
  sizes?: number[];
  queries?: number;
  /** Exact-scan queries per size (the scan is slow at 1M); default min(queries, 20). */
  exactQueries?: number;
  top?: number;
  exemplars?: number;
  dim?: number;
  dir?: string;
  keep?: boolean;
  onProgress?: (line: string) => void;
}

export interface Latency {
  queries: number;
  medianMs: number;
  p95Ms: number;
  medianCpuMs: number;
}

export interface SizeResult {
  embeddings: number;
  writers: number;
  seedSeconds: number;
  indexBuildSeconds: number;
  dbMb: number;
  indexMb: number;
  vec: Latency & { genuine: Latency; openSet: Latency; neighboursMedian: number; fallbacks: number };
  exact: Latency;
  /** Queries where sqlite-vec and the exact scan were both run and gave different top k (must be 0). */
  mismatches: number;
  compared: number;
  rssMb: number;
  /** What an identification does once per process besides the search: count the writers, check every exemplar has an embedding. */
  firstUse: { countMs: number; coverageMs: number };
}

export interface IdentifyBenchResult {
  cpu: string;
  cores: number;
  node: string;
  sqliteVec: string | null;
  dim: number;
  top: number;
  exemplarsPerWriter: number;
  loadAverage: number[];
  sizes: SizeResult[];
}

function latency(samples: { ms: number; cpu: number }[]): Latency {
  const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
  const cpu = samples.map((s) => s.cpu).sort((a, b) => a - b);
  const at = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? NaN;
  return { queries: ms.length, medianMs: at(ms, 0.5), p95Ms: at(ms, 0.95), medianCpuMs: at(cpu, 0.5) };
}

function timed(fn: () => SearchResult): { r: SearchResult; ms: number; cpu: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = fn();
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { r, ms, cpu: (c.user + c.system) / 1000 };
}

const same = (a: SearchResult, b: SearchResult) => JSON.stringify(a.ranked) === JSON.stringify(b.ranked);
const mb = (f: string) => {
  try {
    return statSync(f).size / 2 ** 20;
  } catch {
    return 0;
  }
};

export async function runIdentifyBench(o: IdentifyBenchOptions = {}): Promise<IdentifyBenchResult> {
  const say = o.onProgress ?? (() => {});
  const vec = vectorSearchAvailability();
  if (!vec.available) throw new Error(`sqlite-vec is not available here: ${vec.reason}`);
  const dim = o.dim ?? 128;
  const top = o.top ?? 5;
  const perWriter = o.exemplars ?? 10;
  const queries = o.queries ?? 50;
  const out: SizeResult[] = [];
  for (const size of o.sizes ?? [10_000, 100_000, 1_000_000]) {
    const dir = mkdtempSync(path.join(o.dir ?? os.tmpdir(), `cs-bench-identify-${size}-`));
    const store = openStore(dir, { client: 'cli' });
    try {
      const writers = Math.ceil(size / perWriter);
      say(`${size}: writing ${writers} writers x ${perWriter} exemplars ...`);
      let t0 = performance.now();
      const lib = seedEmbeddingLibrary(store, { writers, exemplars: perWriter, dim, seed: size, modelId: 'bench-128', batch: 20_000 });
      const seedSeconds = (performance.now() - t0) / 1000;
      say(`${size}: written in ${seedSeconds.toFixed(1)} s; building the index ...`);
      t0 = performance.now();
      const sync = vectorIndexOf(store).sync({ modelId: 'bench-128', dim, metric: 'euclidean' });
      const indexBuildSeconds = (performance.now() - t0) / 1000;
      say(`${size}: index of ${sync.vectors} vectors in ${indexBuildSeconds.toFixed(1)} s; ${queries} queries ...`);
      const model = { id: 'bench-128', dim, metric: 'euclidean' as const };
      t0 = performance.now();
      writersInScope(store, { kind: 'library' });
      const countMs = performance.now() - t0;
      t0 = performance.now();
      exemplarsWithoutEmbedding(store, { kind: 'library' }, model.id, 0);
      const coverageMs = performance.now() - t0;
      const rng = new Rng(`bench-queries-${size}`);
      const vecSamples: { ms: number; cpu: number; genuine: boolean; read: number; fallback: boolean }[] = [];
      const exactSamples: { ms: number; cpu: number }[] = [];
      const exactQueries = Math.min(queries, o.exactQueries ?? 20);
      let mismatches = 0;
      let compared = 0;
      for (let i = 0; i < queries; i++) {
        const genuine = i % 2 === 0;
        const q = genuine ? gaussianVector(rng, dim, 0.35, lib.centres[rng.int(0, lib.centres.length - 1)]) : gaussianVector(rng, dim, 1);
        const v = timed(() => searchWriters(store, { kind: 'library' }, model, q, { top, method: 'auto' }));
        vecSamples.push({ ms: v.ms, cpu: v.cpu, genuine, read: v.r.neighboursRead, fallback: v.r.method !== 'sqlite-vec' });
        if (i < exactQueries) {
          const e = timed(() => searchWriters(store, { kind: 'library' }, model, q, { top, method: 'exact' }));
          exactSamples.push({ ms: e.ms, cpu: e.cpu });
          compared++;
          if (!same(v.r, e.r)) mismatches++;
        }
      }
      const reads = vecSamples.map((s) => s.read).sort((a, b) => a - b);
      const r: SizeResult = {
        embeddings: lib.exemplars,
        writers,
        seedSeconds,
        indexBuildSeconds,
        dbMb: mb(path.join(dir, DB_FILE)) + mb(path.join(dir, `${DB_FILE}-wal`)),
        indexMb: mb(path.join(dir, INDEX_FILE)) + mb(path.join(dir, `${INDEX_FILE}-wal`)),
        vec: {
          ...latency(vecSamples),
          genuine: latency(vecSamples.filter((s) => s.genuine)),
          openSet: latency(vecSamples.filter((s) => !s.genuine)),
          neighboursMedian: reads[reads.length >> 1] ?? 0,
          fallbacks: vecSamples.filter((s) => s.fallback).length,
        },
        exact: latency(exactSamples),
        mismatches,
        compared,
        rssMb: process.memoryUsage().rss / 2 ** 20,
        firstUse: { countMs, coverageMs },
      };
      out.push(r);
      say(`${size}: sqlite-vec median ${r.vec.medianMs.toFixed(1)} ms (p95 ${r.vec.p95Ms.toFixed(1)}), exact median ${r.exact.medianMs.toFixed(1)} ms; ${mismatches} of ${compared} differ`);
    } finally {
      closeVectorIndex(store);
      store.close();
      if (!o.keep) rmSync(dir, { recursive: true, force: true });
    }
  }
  return { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.availableParallelism(), node: process.version, sqliteVec: vec.version, dim, top, exemplarsPerWriter: perWriter, loadAverage: os.loadavg(), sizes: out };
}

export function formatIdentifyBench(r: IdentifyBenchResult): string[] {
  const f = (x: number) => x.toFixed(1);
  const lines = [
    `${r.cpu}, ${r.cores} cores, Node ${r.node}, sqlite-vec ${r.sqliteVec}; ${r.dim}-d, ${r.exemplarsPerWriter} exemplars per writer, top ${r.top}; load average ${r.loadAverage.map((x) => x.toFixed(1)).join(' ')}`,
    '| embeddings | writers | sqlite-vec median / p95 ms (CPU ms) | genuine / open-set median ms | neighbours read | exact scan median / p95 ms (CPU ms) | same top k | index build s | db + index MB |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const s of r.sizes) {
    lines.push(
      `| ${s.embeddings.toLocaleString('en-GB')} | ${s.writers.toLocaleString('en-GB')} | ${f(s.vec.medianMs)} / ${f(s.vec.p95Ms)} (${f(s.vec.medianCpuMs)}) | ${f(s.vec.genuine.medianMs)} / ${f(s.vec.openSet.medianMs)} | ${s.vec.neighboursMedian}${s.vec.fallbacks ? `, ${s.vec.fallbacks} fell back` : ''} | ${f(s.exact.medianMs)} / ${f(s.exact.p95Ms)} (${f(s.exact.medianCpuMs)}) | ${s.compared - s.mismatches}/${s.compared} | ${f(s.indexBuildSeconds)} | ${s.dbMb.toFixed(0)} + ${s.indexMb.toFixed(0)} |`,
    );
  }
  lines.push('', 'Once per process (first identification): ' + r.sizes.map((s) => `${s.embeddings.toLocaleString('en-GB')}: counting ${f(s.firstUse.countMs)} ms, embedding check ${f(s.firstUse.coverageMs)} ms`).join('; '));
  return lines;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (name: string): string | undefined => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const n = (name: string) => (arg(name) === undefined ? undefined : Number(arg(name)));
  const json = process.argv.includes('--json');
  const r = await runIdentifyBench({
    ...(arg('sizes') ? { sizes: arg('sizes')!.split(',').map(Number) } : {}),
    queries: n('queries'),
    exactQueries: n('exact-queries'),
    top: n('top'),
    exemplars: n('exemplars'),
    ...(arg('dir') ? { dir: arg('dir')! } : {}),
    keep: process.argv.includes('--keep'),
    onProgress: json ? undefined : (l) => process.stderr.write(l + '\n'),
  });
  if (json) process.stdout.write(JSON.stringify(r) + '\n');
  else for (const l of formatIdentifyBench(r)) console.log(l);
}
