/**
 * How often a freshly built usearch HNSW graph fails to return every writer when asked for all
 * of them (or for 256, the search beam, when it holds more): the reason ann-index.ts adds small
 * batches on one thread (docs/identification.md, "An answer that comes back short").
 *
 *   node --import tsx bench/hnsw-reach.ts --writers 30 --builds 1000 --threads 0
 *
 * Points are uniform in 17 dimensions (a 16-d embedding plus the index's spread coordinate),
 * in a graph made as the index makes its own (`emptyGraph`); 5 queries per build.
 */
import { parseArgs } from 'node:util';
import { emptyGraph } from '../src-main/core/identify/ann-index.ts';
import { Rng } from '../src-main/core/util/random.ts';

const { values } = parseArgs({
  options: { writers: { type: 'string', default: '30' }, builds: { type: 'string', default: '1000' }, threads: { type: 'string', default: '0' } },
});
const writers = Number(values.writers);
const builds = Number(values.builds);
const threads = Number(values.threads);
const DIM = 17;
const QUERIES = 5;
const rng = new Rng('hnsw-reach');
const point = () => Float32Array.from({ length: DIM }, () => rng.next() - 0.5);

let short = 0;
const wanted = Math.min(256, writers);
const t0 = performance.now();
for (let b = 0; b < builds; b++) {
  const index = emptyGraph(DIM);
  const keys = BigUint64Array.from({ length: writers }, (_, i) => BigInt(i + 1));
  const vectors = new Float32Array(writers * DIM);
  for (let i = 0; i < writers; i++) vectors.set(point(), i * DIM);
  index.add(keys, vectors, threads);
  for (let q = 0; q < QUERIES; q++) {
    const found = [...index.search(point(), wanted, 1).keys].filter((k) => k !== 0xffffffffffffffffn).length;
    if (found < wanted) short++;
  }
}
const searches = builds * QUERIES;
console.log(
  `${writers} writers, built on ${threads === 0 ? 'all' : threads} thread(s): ${short} of ${searches} searches for ${wanted} came back short (${((100 * short) / searches).toFixed(1)} %), ${((performance.now() - t0) / 1000).toFixed(1)} s`,
);
