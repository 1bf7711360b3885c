/**
 * Identification search benchmark: query latency at 10k, 100k and 1M stored library
 * embeddings (128-d), through the product's own search (core/identify/search.ts) on a real
 * store: the HNSW writer index (approximate candidates, exact ranking) and sqlite-vec
 * (exact) against the brute-force exact scan: HNSW's recall@k of the exact top k, and a
 * check that sqlite-vec returns the same top k.
 *
 *   node --import tsx bench/identify.ts [--json] [--sizes 10000,100000,1000000] [--queries 50]
 *        [--exact-queries N] [--top 5] [--exemplars 10] [--library spectrum|clustered]
 *        [--engines hnsw,sqlite-vec] [--dir D] [--keep]
 *
 * The library is synthetic (core/synth/embedding-library.ts), writers as cluster centres
 * with exemplars around them: 'spectrum' (default) with the covariance shapes measured on a
 * trained model's embeddings of real signatures, 'clustered' with isotropic 128-d centres
 * and spread 0.35 (the earlier benchmark's). Rows are written directly (no images, no audit
 * rows), in batches of one transaction each. Queries: half a fresh exemplar of an enrolled
 * writer (a genuine questioned signature), half one of a writer who is not enrolled (open
 * set). Latency is the wall clock of one search (query vector in, ranked writers out); CPU
 * time of the process beside it, since other work shares the machine. Each index is built
 * once before the queries; that time is reported on its own.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { exemplarsWithoutEmbedding, writersInScope } from '../src-main/core/store/exemplars.ts';
import { HNSW_CANDIDATES, rerankCount, searchWriters, type SearchResult } from '../src-main/core/identify/search.ts';
import { ANN_DIR, closeWriterIndexes, HNSW_PARAMS, writerIndexOf } from '../src-main/core/identify/ann-index.ts';
import { annAvailability, vectorSearchAvailability } from '../src-main/core/identify/availability.ts';
import { closeVectorIndex, INDEX_FILE, vectorIndexOf } from '../src-main/core/store/vector-index.ts';
import { DB_FILE, openStore } from '../src-main/core/store/index.ts';
import { seedEmbeddingLibrary } from '../src-main/core/synth/embedding-library.ts';
import { Rng } from '../src-main/core/util/random.ts';

export interface IdentifyBenchOptions {
  sizes?: number[];
  queries?: number;
  /** Exact-scan queries per size (the scan is slow at 1M); default min(queries, 20). */
  exactQueries?: number;
  top?: number;
  exemplars?: number;
  dim?: number;
  /** How the synthetic vectors are drawn (default 'spectrum'). */
  library?: 'spectrum' | 'clustered';
  /** Indexes to measure (default both where they load). */
  engines?: ('hnsw' | 'sqlite-vec')[];
  dir?: string;
  keep?: boolean;
  onProgress?: (line: string) => void;
}

export interface HnswResult extends Latency {
  genuine: Latency;
  openSet: Latency;
  buildSeconds: number;
  indexMb: number;
  writersRanked: number;
  /** Share of the exact scan's top k that HNSW returned, over the compared queries. */
  recallAtK: number;
  /** Compared queries where HNSW's top k was exactly the exact scan's (writers, order, figures). */
  identical: number;
  compared: number;
  /** Peak resident memory of the process after the build (MB). */
  rssAfterBuildMb: number;
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
  hnsw: HnswResult | null;
  vec: (Latency & { genuine: Latency; openSet: Latency; neighboursMedian: number; fallbacks: number }) | null;
  exact: Latency;
  /** Queries where sqlite-vec and the exact scan were both run and gave different top k (must be 0). */
  mismatches: number;
  compared: number;
  rssMb: number;
  /** Peak resident memory of the process so far (MB). */
  maxRssMb: number;
  /** What an identification does once per process besides the search: count the writers, check every exemplar has an embedding. */
  firstUse: { countMs: number; coverageMs: number };
}

export interface IdentifyBenchResult {
  cpu: string;
  cores: number;
  node: string;
  sqliteVec: string | null;
  usearch: string | null;
  library: 'spectrum' | 'clustered';
  hnswParams: { connectivity: number; expansionAdd: number; candidates: number; rerank: number };
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
const dirMb = (d: string) => (existsSync(d) ? readdirSync(d).reduce((s, f) => s + mb(path.join(d, f)), 0) : 0);
const maxRssMb = () => process.resourceUsage().maxRSS / 1024;

export async function runIdentifyBench(o: IdentifyBenchOptions = {}): Promise<IdentifyBenchResult> {
  const say = o.onProgress ?? (() => {});
  const vec = vectorSearchAvailability();
  const ann = annAvailability();
  const engines = o.engines ?? (['hnsw', 'sqlite-vec'] as const).filter((e) => (e === 'hnsw' ? ann.available : vec.available));
  if (engines.includes('hnsw') && !ann.available) throw new Error(`the HNSW index is not available here: ${ann.reason}`);
  if (engines.includes('sqlite-vec') && !vec.available) throw new Error(`sqlite-vec is not available here: ${vec.reason}`);
  const dim = o.dim ?? 128;
  const top = o.top ?? 5;
  const perWriter = o.exemplars ?? 10;
  const queries = o.queries ?? 50;
  const kind = o.library ?? 'spectrum';
  const model = { id: 'bench-128', dim, metric: 'euclidean' as const };
  const out: SizeResult[] = [];
  for (const size of o.sizes ?? [10_000, 100_000, 1_000_000]) {
    const dir = mkdtempSync(path.join(o.dir ?? os.tmpdir(), `cs-bench-identify-${size}-`));
    const store = openStore(dir, { client: 'cli' });
    try {
      const writers = Math.ceil(size / perWriter);
      say(`${size}: writing ${writers} writers x ${perWriter} exemplars (${kind}) ...`);
      let t0 = performance.now();
      const lib = seedEmbeddingLibrary(store, { writers, exemplars: perWriter, dim, seed: size, modelId: model.id, batch: 20_000, kind });
      const seedSeconds = (performance.now() - t0) / 1000;
      say(`${size}: written in ${seedSeconds.toFixed(1)} s`);
      let hnswBuild = 0;
      let rssAfterBuildMb = 0;
      if (engines.includes('hnsw')) {
        t0 = performance.now();
        const sync = store.db.transaction(() => writerIndexOf(store, { modelId: model.id, dim, metric: 'euclidean' }).sync())();
        hnswBuild = (performance.now() - t0) / 1000;
        rssAfterBuildMb = maxRssMb();
        say(`${size}: HNSW index of ${sync.writers} writers built and saved in ${hnswBuild.toFixed(1)} s (peak RSS ${rssAfterBuildMb.toFixed(0)} MB)`);
      }
      let indexBuildSeconds = 0;
      if (engines.includes('sqlite-vec')) {
        t0 = performance.now();
        const sync = vectorIndexOf(store).sync({ modelId: model.id, dim, metric: 'euclidean' });
        indexBuildSeconds = (performance.now() - t0) / 1000;
        say(`${size}: sqlite-vec index of ${sync.vectors} vectors in ${indexBuildSeconds.toFixed(1)} s`);
      }
      t0 = performance.now();
      writersInScope(store, { kind: 'library' });
      const countMs = performance.now() - t0;
      t0 = performance.now();
      exemplarsWithoutEmbedding(store, { kind: 'library' }, model.id, 0);
      const coverageMs = performance.now() - t0;
      say(`${size}: ${queries} queries ...`);
      const rng = new Rng(`bench-queries-${size}`);
      type Sample = { ms: number; cpu: number; genuine: boolean; read: number; fallback: boolean };
      const hnswSamples: Sample[] = [];
      const vecSamples: Sample[] = [];
      const exactSamples: { ms: number; cpu: number }[] = [];
      const exactQueries = Math.min(queries, o.exactQueries ?? 20);
      let mismatches = 0;
      let compared = 0;
      let found = 0;
      let identical = 0;
      for (let i = 0; i < queries; i++) {
        const genuine = i % 2 === 0;
        const q = genuine ? lib.draw.exemplar(rng, lib.centres[rng.int(0, lib.centres.length - 1)]!) : lib.draw.exemplar(rng, lib.draw.writer(rng));
        const h = engines.includes('hnsw') ? timed(() => searchWriters(store, { kind: 'library' }, model, q, { top, method: 'index', engine: 'hnsw' })) : null;
        if (h) hnswSamples.push({ ms: h.ms, cpu: h.cpu, genuine, read: h.r.neighboursRead, fallback: h.r.method !== 'hnsw' });
        const v = engines.includes('sqlite-vec')
          ? timed(() => searchWriters(store, { kind: 'library' }, model, q, { top, method: 'auto', engine: 'sqlite-vec' }))
          : null;
        if (v) vecSamples.push({ ms: v.ms, cpu: v.cpu, genuine, read: v.r.neighboursRead, fallback: v.r.method !== 'sqlite-vec' });
        if (i < exactQueries) {
          const e = timed(() => searchWriters(store, { kind: 'library' }, model, q, { top, method: 'exact' }));
          exactSamples.push({ ms: e.ms, cpu: e.cpu });
          compared++;
          if (v && !same(v.r, e.r)) mismatches++;
          if (h) {
            const truth = new Set(e.r.ranked.map((w) => w.subjectId));
            found += h.r.ranked.filter((w) => truth.has(w.subjectId)).length / Math.max(1, truth.size);
            if (same(h.r, e.r)) identical++;
          }
          if (i % 10 === 9) say(`${size}: ${i + 1} queries, ${compared} compared with the exact scan`);
        }
      }
      const reads = vecSamples.map((s) => s.read).sort((a, b) => a - b);
      const hr = hnswSamples.map((s) => s.read).sort((a, b) => a - b);
      const r: SizeResult = {
        embeddings: lib.exemplars,
        writers,
        seedSeconds,
        indexBuildSeconds,
        dbMb: mb(path.join(dir, DB_FILE)) + mb(path.join(dir, `${DB_FILE}-wal`)),
        indexMb: mb(path.join(dir, INDEX_FILE)) + mb(path.join(dir, `${INDEX_FILE}-wal`)),
        hnsw: hnswSamples.length
          ? {
              ...latency(hnswSamples),
              genuine: latency(hnswSamples.filter((s) => s.genuine)),
              openSet: latency(hnswSamples.filter((s) => !s.genuine)),
              buildSeconds: hnswBuild,
              indexMb: dirMb(path.join(dir, ANN_DIR)),
              writersRanked: hr[hr.length >> 1] ?? 0,
              recallAtK: compared ? found / compared : NaN,
              identical,
              compared,
              rssAfterBuildMb,
            }
          : null,
        vec: vecSamples.length
          ? {
              ...latency(vecSamples),
              genuine: latency(vecSamples.filter((s) => s.genuine)),
              openSet: latency(vecSamples.filter((s) => !s.genuine)),
              neighboursMedian: reads[reads.length >> 1] ?? 0,
              fallbacks: vecSamples.filter((s) => s.fallback).length,
            }
          : null,
        exact: latency(exactSamples),
        mismatches,
        compared,
        rssMb: process.memoryUsage().rss / 2 ** 20,
        maxRssMb: maxRssMb(),
        firstUse: { countMs, coverageMs },
      };
      out.push(r);
      if (r.hnsw)
        say(
          `${size}: HNSW median ${r.hnsw.medianMs.toFixed(1)} ms (p95 ${r.hnsw.p95Ms.toFixed(1)}), recall@${top} ${r.hnsw.recallAtK.toFixed(4)} over ${compared} queries`,
        );
      if (r.vec)
        say(
          `${size}: sqlite-vec median ${r.vec.medianMs.toFixed(1)} ms (p95 ${r.vec.p95Ms.toFixed(1)}); ${mismatches} of ${compared} differ from the exact scan`,
        );
      say(`${size}: exact scan median ${r.exact.medianMs.toFixed(1)} ms`);
    } finally {
      closeVectorIndex(store);
      closeWriterIndexes(store);
      store.close();
      if (!o.keep) rmSync(dir, { recursive: true, force: true });
    }
  }
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    node: process.version,
    sqliteVec: vec.version,
    usearch: ann.library,
    library: kind,
    hnswParams: { ...HNSW_PARAMS, candidates: HNSW_CANDIDATES, rerank: rerankCount(top) },
    dim,
    top,
    exemplarsPerWriter: perWriter,
    loadAverage: os.loadavg(),
    sizes: out,
  };
}

export function formatIdentifyBench(r: IdentifyBenchResult): string[] {
  const f = (x: number) => x.toFixed(1);
  const n = (x: number) => x.toLocaleString('en-GB');
  const p = r.hnswParams;
  const lines = [
    `${r.cpu}, ${r.cores} cores, Node ${r.node}, ${r.usearch ?? 'no usearch'}, sqlite-vec ${r.sqliteVec ?? 'none'}; ${r.library} library, ${r.dim}-d, ${r.exemplarsPerWriter} exemplars per writer, top ${r.top}; load average ${r.loadAverage.map((x) => x.toFixed(1)).join(' ')}`,
    `HNSW: connectivity ${p.connectivity}, build beam ${p.expansionAdd}, search beam ${p.candidates}, ${p.rerank} writers ranked exactly`,
    '| embeddings | writers | HNSW median / p95 ms (CPU ms) | genuine / open-set median ms | recall@k (identical) | HNSW build s, MB, peak RSS MB | sqlite-vec median / p95 ms | sqlite-vec same top k | exact scan median / p95 ms | db MB |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const s of r.sizes) {
    const h = s.hnsw;
    const v = s.vec;
    lines.push(
      `| ${n(s.embeddings)} | ${n(s.writers)} | ${h ? `${f(h.medianMs)} / ${f(h.p95Ms)} (${f(h.medianCpuMs)})` : '-'} | ${h ? `${f(h.genuine.medianMs)} / ${f(h.openSet.medianMs)}` : '-'} | ${h ? `${h.recallAtK.toFixed(4)} (${h.identical}/${h.compared})` : '-'} | ${h ? `${f(h.buildSeconds)}, ${h.indexMb.toFixed(0)}, ${h.rssAfterBuildMb.toFixed(0)}` : '-'} | ${v ? `${f(v.medianMs)} / ${f(v.p95Ms)}${v.fallbacks ? `, ${v.fallbacks} fell back` : ''}` : '-'} | ${v ? `${s.compared - s.mismatches}/${s.compared}` : '-'} | ${f(s.exact.medianMs)} / ${f(s.exact.p95Ms)} | ${s.dbMb.toFixed(0)} |`,
    );
  }
  lines.push(
    '',
    'Once per process (first identification): ' +
      r.sizes.map((s) => `${n(s.embeddings)}: counting ${f(s.firstUse.countMs)} ms, embedding check ${f(s.firstUse.coverageMs)} ms`).join('; '),
  );
  lines.push('Peak RSS of the whole run: ' + r.sizes.map((s) => `${n(s.embeddings)}: ${s.maxRssMb.toFixed(0)} MB`).join('; '));
  return lines;
}

/** The one-line summary `countersign bench --identify N --json` prints. */
export function identifySummary(r: IdentifyBenchResult) {
  const s = r.sizes[r.sizes.length - 1];
  const h = s?.hnsw;
  if (!s || !h) throw new Error('no HNSW figures: usearch did not load');
  return {
    identify: {
      n: s.embeddings,
      medianMs: h.medianMs,
      p95Ms: h.p95Ms,
      /** CPU time of the median query: the wall clock includes waiting for a core on a shared machine. */
      medianCpuMs: h.medianCpuMs,
      recallAt5: h.recallAtK,
      queries: h.queries,
      compared: h.compared,
      identicalTop5: h.identical,
      genuineMedianMs: h.genuine.medianMs,
      openSetMedianMs: h.openSet.medianMs,
      exactScanMedianMs: s.exact.medianMs,
      buildSeconds: h.buildSeconds,
      indexMb: h.indexMb,
      peakRssMb: s.maxRssMb,
      writers: s.writers,
      library: r.library,
      usearch: r.usearch,
      hnsw: r.hnswParams,
      loadAverage: r.loadAverage,
    },
  };
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
    ...(arg('library') ? { library: arg('library') as 'spectrum' | 'clustered' } : {}),
    ...(arg('engines') ? { engines: arg('engines')!.split(',') as ('hnsw' | 'sqlite-vec')[] } : {}),
    ...(arg('dir') ? { dir: arg('dir')! } : {}),
    keep: process.argv.includes('--keep'),
    onProgress: json ? undefined : (l) => process.stderr.write(l + '\n'),
  });
  if (json) process.stdout.write(JSON.stringify(r) + '\n');
  else for (const l of formatIdentifyBench(r)) console.log(l);
}
