// Contrastive loss, optimizers, a finite-difference check of the whole network's gradient,
// the in-process trainer (determinism, exact resume, learning) and tensor leaks.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { getSpec, paramInfos, signetArchitecture } from '../../../src-main/core/model/architectures.ts';
import { resolveBackend } from '../../../src-main/core/model/backend.ts';
import { cloneParams, disposeParams, embed, initParams, type Params } from '../../../src-main/core/model/network.ts';
import { contrastiveLoss, euclideanDistance, l2Penalty } from '../../../src-main/core/model/training/engine/loss.ts';
import { Optimizer } from '../../../src-main/core/model/training/engine/optimizers.ts';
import { branchSeed, computeGradients } from '../../../src-main/core/model/training/engine/step.ts';
import { createTrainer, type PairBatch } from '../../../src-main/core/model/training/engine/trainer.ts';
import { Rng } from '../../../src-main/core/util/random.ts';

/** SigNet's structure at the smallest input it accepts, for gradient checks and quick training. */
const MICRO = signetArchitecture({ name: 'signet-micro', description: 'test', inputShape: [67, 71, 1], filters: [3, 4, 4, 3], dense: 6, embeddingSize: 5 });

before(async () => {
  await resolveBackend();
});

function pairBatch(n: number, seed: number, shape: number[]): PairBatch {
  const rng = new Rng(seed);
  const size = shape.reduce((a, b) => a * b);
  const a = Float32Array.from({ length: n * size }, () => Math.max(0, rng.normal()));
  const b = Float32Array.from({ length: n * size }, () => Math.max(0, rng.normal()));
  const y = Float32Array.from({ length: n }, (_, i) => i % 2);
  return { a, b, y, n };
}

const copyBatch = (b: PairBatch): PairBatch => ({ a: b.a.slice(), b: b.b.slice(), y: b.y.slice(), n: b.n });

describe('contrastive loss (y = 1 similar, 0 dissimilar)', () => {
  test('matches hand-computed values', () => {
    tf.tidy(() => {
      const a = tf.tensor2d([
        [3, 4],
        [0.6, 0.8],
        [0.3, 0.4],
      ]);
      const b = tf.zeros([3, 2]) as tf.Tensor2D;
      assert.deepEqual(
        Array.from(euclideanDistance(a, b).dataSync()).map((d) => +d.toFixed(6)),
        [5, 1, 0.5],
      );
      const close = (t: tf.Scalar, want: number) => assert.ok(Math.abs(t.dataSync()[0]! - want) < 1e-5, `${t.dataSync()[0]} vs ${want}`);
      // similar pairs pay d^2, dissimilar ones max(0, margin - d)^2
      close(contrastiveLoss(a, b, tf.tensor1d([1, 1, 0])), (25 + 1 + 0.25) / 3);
      close(contrastiveLoss(a, b, tf.tensor1d([1, 1, 0]), 2), (25 + 1 + 2.25) / 3);
      close(contrastiveLoss(a, b, tf.tensor1d([0, 0, 1])), (0 + 0 + 0.25) / 3);
      // identical embeddings: finite loss and gradient
      const g = tf.grad((x: tf.Tensor) => contrastiveLoss(x as tf.Tensor2D, b, tf.tensor1d([0, 0, 0])))(tf.zeros([3, 2]));
      assert.ok(g.dataSync().every(Number.isFinite));
    });
  });

  test('L2 penalty is 5e-4 * sum of squared dense kernels', () => {
    const spec = getSpec('signet-tiny');
    const params = initParams(spec, 1);
    const want = tf.tidy(
      () => 5e-4 * (tf.sum(tf.square(params.tensors.get('fc1/kernel')!)).dataSync()[0]! + tf.sum(tf.square(params.tensors.get('fc2/kernel')!)).dataSync()[0]!),
    );
    const got = tf.tidy(() => l2Penalty(params, spec).dataSync()[0]!);
    assert.ok(want > 0 && Math.abs(got - want) < 1e-6 * want);
    disposeParams(params);
  });
});

describe('optimizers', () => {
  const run = (name: 'rmsprop' | 'adam', grads: number[]) => {
    const params: Params = { architecture: 'x', tensors: new Map([['w', tf.scalar(1)]]) };
    const opt = new Optimizer({ name, learningRate: 0.1 });
    const out: number[] = [];
    for (const g of grads) {
      const gt = tf.scalar(g);
      opt.apply(params, new Map([['w', gt]]));
      gt.dispose();
      out.push(params.tensors.get('w')!.dataSync()[0]!);
    }
    const state = opt.getState();
    opt.dispose();
    disposeParams(params);
    return { out, state };
  };
  test('rmsprop (rho 0.9, eps 1e-8) matches hand-computed steps', () => {
    const { out, state } = run('rmsprop', [0.5, 0.5]);
    assert.ok(Math.abs(out[0]! - 0.6837722539831608) < 1e-6);
    assert.ok(Math.abs(out[1]! - 0.4543565306389143) < 1e-6);
    assert.equal(state.step, 2);
    assert.deepEqual(
      state.slots.map((s) => s.name),
      ['w/a'],
    );
  });
  test('adam (0.9, 0.999, eps 1e-8) matches hand-computed steps with bias correction', () => {
    const { out } = run('adam', [0.5, -1]);
    assert.ok(Math.abs(out[0]! - 0.9) < 1e-6);
    assert.ok(Math.abs(out[1]! - 0.9366103542405653) < 1e-6);
  });
  test("the authors' defaults and bad settings", () => {
    assert.equal(new Optimizer({ name: 'rmsprop' }).config.learningRate, 1e-4);
    assert.equal(new Optimizer({ name: 'rmsprop' }).config.rho, 0.9);
    assert.throws(() => new Optimizer({ name: 'sgd' as 'adam' }), /rmsprop' or 'adam/);
    assert.throws(() => new Optimizer({ name: 'adam', learningRate: -1 }), /learning rate/);
  });
});

describe('gradient of the whole network', () => {
  test('matches central finite differences on the cpu backend (every parameter tensor)', () => {
    const previous = tf.getBackend();
    tf.setBackend('cpu');
    try {
      const params = initParams(MICRO, 11);
      const data = pairBatch(4, 3, MICRO.inputShape);
      const [h, w, c] = MICRO.inputShape;
      const batch = { kind: 'pairs' as const, a: tf.tensor4d(data.a, [4, h, w, c]), b: tf.tensor4d(data.b, [4, h, w, c]), y: tf.tensor1d(data.y) };
      const opts = { objective: 'contrastive' as const, margin: 1, seed: 5 }; // fixed dropout masks in every evaluation
      // The objective computeGradients differentiates, evaluated forward only.
      const lossAt = (p: Params) =>
        tf.tidy(() => {
          const ea = embed(p, MICRO, batch.a, { training: true, seed: branchSeed(opts.seed, 'a') });
          const eb = embed(p, MICRO, batch.b, { training: true, seed: branchSeed(opts.seed, 'b') });
          return tf.add(contrastiveLoss(ea, eb, batch.y, opts.margin), l2Penalty(p, MICRO)).dataSync()[0]!;
        });
      const analytic = computeGradients(params, MICRO, batch, opts);
      assert.ok(Math.abs(analytic.loss - lossAt(params)) < 1e-6, 'lossAt is the objective');
      const rng = new Rng(17);
      const failures: string[] = [];
      for (const info of paramInfos(MICRO).filter((p) => p.trainable)) {
        const g = analytic.grads.get(info.name)!.dataSync() as Float32Array;
        // A random unit direction in this tensor: compare <grad, v> with (L(p + hv) - L(p - hv)) / 2h.
        const v = Float32Array.from(g, () => rng.normal());
        const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
        v.forEach((x, i) => (v[i] = x / norm));
        const want = g.reduce((s, gi, i) => s + gi * v[i]!, 0);
        // Small enough that ReLU / max-pool switches rarely matter, large enough for float32.
        const hStep = 1e-3;
        const shifted = (sign: number) => {
          const p = cloneParams(params);
          const old = p.tensors.get(info.name)!;
          p.tensors.set(
            info.name,
            tf.tidy(() => tf.add(old, tf.mul(tf.tensor(v, old.shape), sign * hStep))),
          );
          old.dispose();
          const l = lossAt(p);
          disposeParams(p);
          return l;
        };
        const numeric = (shifted(1) - shifted(-1)) / (2 * hStep);
        const err = Math.abs(numeric - want);
        if (err > 0.03 * Math.abs(want) + 3e-3) failures.push(`${info.name}: analytic ${want.toExponential(4)}, numeric ${numeric.toExponential(4)}`);
      }
      tf.dispose([...analytic.grads.values(), ...analytic.batchStats.flatMap((s) => [s.mean, s.variance]), batch.a, batch.b, batch.y]);
      disposeParams(params);
      assert.deepEqual(failures, []);
    } finally {
      tf.setBackend(previous);
    }
  });
});

describe('in-process trainer', () => {
  test('is deterministic for a seed and resumes exactly from weights + optimizer state', async () => {
    const params = initParams(MICRO, 2);
    const batches = [pairBatch(6, 1, MICRO.inputShape), pairBatch(6, 2, MICRO.inputShape)];
    const trainFor = async (
      steps: PairBatch[],
      from: {
        params: Params | Awaited<ReturnType<Awaited<ReturnType<typeof createTrainer>>['getParamArrays']>>;
        state?: Awaited<ReturnType<Awaited<ReturnType<typeof createTrainer>>['getOptimizerState']>>;
      },
    ) => {
      const t = await createTrainer({
        spec: MICRO,
        params: from.params,
        workers: 1,
        seed: 9,
        learningRate: 1e-3,
        ...(from.state ? { optimizerState: from.state } : {}),
      });
      const losses = [];
      for (const b of steps) losses.push((await t.step(copyBatch(b))).loss);
      const out = { losses, arrays: await t.getParamArrays(), state: await t.getOptimizerState() };
      await t.dispose();
      return out;
    };
    const full = await trainFor(batches, { params });
    const again = await trainFor(batches, { params });
    assert.deepEqual(again.losses, full.losses);
    assert.deepEqual(again.arrays, full.arrays);
    const first = await trainFor(batches.slice(0, 1), { params });
    const resumed = await trainFor(batches.slice(1), { params: first.arrays, state: first.state });
    assert.equal(resumed.state.step, 2);
    assert.deepEqual(resumed.losses, full.losses.slice(1));
    assert.deepEqual(resumed.arrays, full.arrays);
    const otherSeed = await createTrainer({ spec: MICRO, params, workers: 1, seed: 10, learningRate: 1e-3 });
    assert.notEqual((await otherSeed.step(copyBatch(batches[0]!))).loss, full.losses[0], 'the seed drives dropout');
    await otherSeed.dispose();
    disposeParams(params);
  });

  test('learns: the loss on a fixed batch falls well below its start', async () => {
    const params = initParams(MICRO, 4);
    const t = await createTrainer({ spec: MICRO, params, workers: 1, seed: 1, optimizer: 'adam', learningRate: 3e-3 });
    const batch = pairBatch(8, 5, MICRO.inputShape);
    const first = (await t.step(copyBatch(batch))).dataLoss;
    let last = first;
    for (let i = 0; i < 25; i++) last = (await t.step(copyBatch(batch))).dataLoss;
    assert.ok(last < 0.5 * first, `loss ${first} -> ${last}`);
    assert.ok(await t.replicasInSync());
    await t.dispose();
    await assert.rejects(t.step(copyBatch(batch)), /disposed/);
    disposeParams(params);
  });

  test('refuses malformed batches', async () => {
    const params = initParams(MICRO, 1);
    const t = await createTrainer({ spec: MICRO, params, workers: 1 });
    const b = pairBatch(2, 1, MICRO.inputShape);
    await assert.rejects(t.step({ ...b, n: 3 }), /expected 3 x 67x71x1/);
    await assert.rejects(t.step({ ...b, y: Float32Array.of(1, 0.5) }), /labels must be 1 \(similar\) or 0/);
    await t.dispose();
    disposeParams(params);
  });
});

describe('memory', () => {
  test('embedding 100 images and training a few steps leave no tensors or backend buffers behind', async () => {
    const spec = getSpec('signet-tiny');
    const params = initParams(spec, 1);
    const tensorsBefore = tf.memory().numTensors;
    const buffersBefore = tf.engine().backend.numDataIds();
    const rng = new Rng(1);
    for (let i = 0; i < 4; i++) {
      const x = tf.tensor4d(
        Float32Array.from({ length: 25 * 155 * 220 }, () => rng.next()),
        [25, 155, 220, 1],
      );
      const e = embed(params, spec, x);
      assert.deepEqual(e.shape, [25, 32]);
      tf.dispose([x, e]);
    }
    const t = await createTrainer({ spec, params, workers: 1 });
    for (let i = 0; i < 3; i++) await t.step(pairBatch(4, i, spec.inputShape));
    const trained = await t.getParams();
    disposeParams(trained);
    await t.dispose();
    assert.equal(tf.memory().numTensors, tensorsBefore);
    assert.equal(tf.engine().backend.numDataIds(), buffersBefore);
    disposeParams(params);
  });
});
