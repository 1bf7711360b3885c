// Data-parallel training: worker threads, each with its own wasm backend and model replica,
// averaging gradients through shared memory.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { signetArchitecture, type ArchitectureSpec } from '../../../src-main/core/model/architectures.ts';
import { resolveBackend } from '../../../src-main/core/model/backend.ts';
import { disposeParams, initParams, paramsToArrays, type NamedArray } from '../../../src-main/core/model/network.ts';
import { createTrainer, defaultTrainerWorkers, type PairBatch } from '../../../src-main/core/model/training/engine/trainer.ts';
import { Rng } from '../../../src-main/core/util/random.ts';

const MICRO = signetArchitecture({ name: 'signet-micro', description: 'test', inputShape: [67, 71, 1], filters: [3, 4, 4, 3], dense: 6, embeddingSize: 5 });
/** The same without batch norm and dropout: its batch gradient does not depend on how the batch is split. */
const PLAIN: ArchitectureSpec = { ...MICRO, name: 'signet-micro-plain', layers: MICRO.layers.filter((l) => l.kind !== 'batchNorm' && l.kind !== 'dropout') };

before(async () => {
  await resolveBackend();
});

function pairBatch(n: number, seed: number, shape: number[]): PairBatch {
  const rng = new Rng(seed);
  const size = shape.reduce((a, b) => a * b);
  return {
    a: Float32Array.from({ length: n * size }, () => Math.max(0, rng.normal())),
    b: Float32Array.from({ length: n * size }, () => Math.max(0, rng.normal())),
    y: Float32Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0)),
    n,
  };
}
const copy = (b: PairBatch): PairBatch => ({ a: b.a.slice(), b: b.b.slice(), y: b.y.slice(), n: b.n });

async function train(spec: ArchitectureSpec, workers: number, batches: PairBatch[], seed = 3) {
  const params = initParams(spec, 21);
  const t = await createTrainer({ spec, params, workers, seed, learningRate: 1e-3 });
  disposeParams(params);
  try {
    const results = [];
    for (const b of batches) results.push(await t.step(copy(b)));
    return {
      results,
      arrays: await t.getParamArrays(),
      inSync: await t.replicasInSync(),
      state: await t.getOptimizerState(),
      workers: t.workers,
      backend: t.backend,
    };
  } finally {
    await t.dispose();
  }
}

function maxRelativeDifference(a: NamedArray[], b: NamedArray[]): number {
  let worst = 0;
  a.forEach((x, i) => {
    const y = b[i]!;
    assert.equal(x.name, y.name);
    let num = 0;
    let den = 0;
    x.data.forEach((v, j) => {
      num += (v - y.data[j]!) ** 2;
      den += y.data[j]! ** 2;
    });
    if (den > 0) worst = Math.max(worst, Math.sqrt(num / den));
  });
  return worst;
}

describe('data-parallel trainer', () => {
  test('averages gradients exactly: 2 workers on uneven shards = 1 worker (no batch norm, no dropout)', async () => {
    // 5 pairs over 2 workers: shards of 2 and 3, weighted 2/5 and 3/5.
    const batches = [pairBatch(5, 1, PLAIN.inputShape), pairBatch(5, 2, PLAIN.inputShape)];
    const one = await train(PLAIN, 1, batches);
    const two = await train(PLAIN, 2, batches);
    assert.equal(two.workers, 2);
    assert.equal(two.backend, 'wasm');
    two.results.forEach((r, i) =>
      assert.ok(Math.abs(r.loss - one.results[i]!.loss) < 1e-5 * Math.abs(one.results[i]!.loss), `loss ${r.loss} vs ${one.results[i]!.loss}`),
    );
    const diff = maxRelativeDifference(two.arrays, one.arrays);
    assert.ok(diff < 1e-4, `weights differ by ${diff}`);
    // The initial weights moved (the comparison is not vacuous).
    const start = initParams(PLAIN, 21);
    assert.ok(maxRelativeDifference(two.arrays, paramsToArrays(start, PLAIN)) > 1e-4);
    disposeParams(start);
  });

  test('replicas stay bit-identical, runs are deterministic, and a worker may get no pairs', async () => {
    // The last batch has one pair: the second worker's shard is empty.
    const batches = [pairBatch(4, 3, MICRO.inputShape), pairBatch(4, 4, MICRO.inputShape), pairBatch(1, 5, MICRO.inputShape)];
    const a = await train(MICRO, 2, batches);
    const b = await train(MICRO, 2, batches);
    assert.ok(a.inSync && b.inSync);
    assert.deepEqual(b.arrays, a.arrays);
    assert.deepEqual(
      b.results.map((r) => r.loss),
      a.results.map((r) => r.loss),
    );
    assert.equal(a.state.step, 3);
    assert.deepEqual(
      a.results.map((r) => r.items),
      [4, 4, 1],
    );
    assert.ok(a.results.every((r) => r.imagesPerSec > 0 && Number.isFinite(r.loss)));
    assert.ok(a.arrays.every((x) => x.data.every(Number.isFinite)));
  });

  test('uses one replica per core on single-threaded backends, one elsewhere', () => {
    assert.equal(defaultTrainerWorkers({ threadsPerInstance: 0 }), 1);
    assert.ok(defaultTrainerWorkers({ threadsPerInstance: 1 }) >= 1);
  });
});
