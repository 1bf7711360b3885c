// Architectures, parameters, the forward pass and the weights format.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../src-main/core/errors.ts';
import { architectureNames, forwardMacs, getSpec, layerShapes, paramInfos, signetArchitecture } from '../../../src-main/core/model/architectures.ts';
import { resolveBackend } from '../../../src-main/core/model/backend.ts';
import {
  countParams,
  disposeBatchStats,
  disposeParams,
  embed,
  initParams,
  paramsFromArrays,
  paramsFromNamedTensors,
  paramsToArrays,
  paramsToNamedTensors,
  updateMovingStats,
  type BatchStats,
} from '../../../src-main/core/model/network.ts';
import { Rng } from '../../../src-main/core/util/random.ts';

before(async () => {
  await resolveBackend();
});

function images(n: number, seed: number, shape = [155, 220, 1]): tf.Tensor4D {
  const rng = new Rng(seed);
  const size = n * shape.reduce((a, b) => a * b);
  return tf.tensor4d(
    Float32Array.from({ length: size }, () => Math.max(0, rng.normal())),
    [n, shape[0]!, shape[1]!, shape[2]!],
  );
}

describe('architectures', () => {
  test("signet has the authors' layer shapes and the PyTorch reference's parameter count", () => {
    const spec = getSpec('signet');
    assert.deepEqual(spec.inputShape, [155, 220, 1]);
    const shapes = layerShapes(spec).map((l) => l.out.join('x'));
    assert.deepEqual(shapes, [
      '37x53x96',
      '37x53x96',
      '18x26x96', // conv1 11x11/4 valid, bn1, pool 3/2
      '18x26x256',
      '18x26x256',
      '8x12x256',
      '8x12x256', // conv2 5x5 pad 2, bn2, pool, dropout
      '8x12x384',
      '8x12x256',
      '3x5x256',
      '3x5x256', // conv3, conv4, pool, dropout
      '3840',
      '1024',
      '1024',
      '128', // flatten, fc1, dropout, fc2
    ]);
    // ../shared/bench/torch_signet_reference.py counts 6,461,568 trainable parameters.
    assert.equal(countParams(spec).trainable, 6_461_568);
    assert.equal(countParams(spec).total, 6_461_568 + 2 * (96 + 256));
    const conv = spec.layers.filter((l) => l.kind === 'conv2d');
    assert.deepEqual(
      conv.map((l) => [l.filters, l.kernel, l.stride, l.padding]),
      [
        [96, 11, 4, 'valid'],
        [256, 5, 1, 2],
        [384, 3, 1, 1],
        [256, 3, 1, 1],
      ],
    );
    assert.ok(
      spec.layers.every((l) => l.source.length > 10),
      'every layer names its source',
    );
    assert.ok(Math.abs(forwardMacs(spec) - 484e6) < 5e6, `forward MACs ${forwardMacs(spec)}`);
  });

  test('signet-linear differs from signet only in its embedding layer: linear, no L2 (as the PyTorch reference)', () => {
    const lin = getSpec('signet-linear');
    const code = getSpec('signet');
    assert.deepEqual(countParams(lin), countParams(code));
    assert.deepEqual(
      lin.layers.slice(0, -1).map((l) => JSON.stringify({ ...l, source: '' })),
      code.layers.slice(0, -1).map((l) => JSON.stringify({ ...l, source: '' })),
    );
    const [a, b] = [lin.layers.at(-1)!, code.layers.at(-1)!];
    assert.ok(a.kind === 'dense' && b.kind === 'dense');
    if (a.kind === 'dense' && b.kind === 'dense') {
      assert.deepEqual([a.activation, a.l2, a.units], ['linear', 0, 128]);
      assert.deepEqual([b.activation, b.l2], ['relu', 5e-4]);
    }
  });

  test('signet-tiny has the same structure, far smaller', () => {
    const tiny = getSpec('signet-tiny');
    const big = getSpec('signet');
    assert.deepEqual(
      tiny.layers.map((l) => l.kind),
      big.layers.map((l) => l.kind),
    );
    assert.equal(tiny.embeddingSize, 32);
    assert.ok(forwardMacs(tiny) * 50 < forwardMacs(big));
    assert.ok(architectureNames().includes('signet-tiny'));
  });

  test('an unknown architecture and a too-small input are refused with clear errors', () => {
    assert.throws(
      () => getSpec('alexnet'),
      (e: unknown) => e instanceof AppError && e.code === 'NOT_FOUND' && /signet/.test(e.message),
    );
    const small = signetArchitecture({ name: 'x', description: '', inputShape: [40, 40, 1], filters: [2, 2, 2, 2], dense: 4, embeddingSize: 3 });
    assert.throws(() => layerShapes(small), /too small/);
  });

  test('parameters are named, ordered and Glorot-initialised from the seed', () => {
    const spec = getSpec('signet-tiny');
    const names = paramInfos(spec).map((p) => p.name);
    assert.deepEqual(names.slice(0, 6), ['conv1/kernel', 'conv1/bias', 'bn1/gamma', 'bn1/beta', 'bn1/moving_mean', 'bn1/moving_variance']);
    assert.equal(names.at(-1), 'fc2/bias');
    const a = initParams(spec, 7);
    const b = initParams(spec, 7);
    const c = initParams(spec, 8);
    try {
      const ka = a.tensors.get('conv2/kernel')!.dataSync();
      assert.deepEqual(ka, b.tensors.get('conv2/kernel')!.dataSync());
      assert.notDeepEqual(ka, c.tensors.get('conv2/kernel')!.dataSync());
      const limit = Math.sqrt(6 / (25 * 8 + 25 * 16));
      assert.ok(ka.every((v) => Math.abs(v) <= limit) && ka.some((v) => Math.abs(v) > 0.9 * limit));
      assert.ok(
        a.tensors
          .get('bn1/gamma')!
          .dataSync()
          .every((v) => v === 1),
      );
      assert.ok(
        a.tensors
          .get('fc1/bias')!
          .dataSync()
          .every((v) => v === 0),
      );
    } finally {
      [a, b, c].forEach(disposeParams);
    }
  });
});

describe('forward pass', () => {
  test('embeds a batch to [N, embeddingSize], deterministically, and checks the input shape', () => {
    const spec = getSpec('signet-tiny');
    const params = initParams(spec, 1);
    const x = images(3, 1);
    try {
      const e1 = embed(params, spec, x);
      const e2 = embed(params, spec, x);
      assert.deepEqual(e1.shape, [3, 32]);
      assert.deepEqual(e1.dataSync(), e2.dataSync());
      // Each image's embedding does not depend on the rest of the batch in inference.
      const single = tf.tidy(() => embed(params, spec, x.slice([1, 0, 0, 0], [1, 155, 220, 1])).dataSync());
      const row = e1.dataSync().slice(32, 64);
      single.forEach((v, i) => assert.ok(Math.abs(v - row[i]!) < 1e-5));
      tf.dispose([e1, e2]);
      const wrong = images(1, 2, [150, 220, 1]);
      assert.throws(
        () => embed(params, spec, wrong),
        (e: unknown) => e instanceof AppError && /155, 220, 1/.test(e.message),
      );
      wrong.dispose();
    } finally {
      x.dispose();
      disposeParams(params);
    }
  });

  test('signet itself embeds to 128 dimensions', () => {
    const spec = getSpec('signet');
    const params = initParams(spec, 1);
    const x = images(1, 3);
    const e = embed(params, spec, x);
    assert.deepEqual(e.shape, [1, 128]);
    assert.ok(e.dataSync().every(Number.isFinite));
    tf.dispose([e, x]);
    disposeParams(params);
  });

  test('inference uses the moving statistics; training uses batch statistics and seeded dropout', () => {
    const spec = getSpec('signet-tiny');
    const params = initParams(spec, 2);
    const x = images(4, 4);
    const run = (o: Parameters<typeof embed>[3]) => tf.tidy(() => embed(params, spec, x, o).dataSync());
    const infer0 = run({});
    const train0 = run({ training: true, seed: 5 });
    assert.deepEqual(run({ training: true, seed: 5 }), train0, 'same seed, same dropout');
    assert.notDeepEqual(run({ training: true, seed: 6 }), train0, 'another seed, other dropout');
    const old = params.tensors.get('bn1/moving_mean')!;
    params.tensors.set('bn1/moving_mean', tf.fill(old.shape, 0.5));
    old.dispose();
    assert.notDeepEqual(run({}), infer0, 'inference reads bn1/moving_mean');
    assert.deepEqual(run({ training: true, seed: 5 }), train0, 'training ignores it');
    x.dispose();
    disposeParams(params);
  });

  test('training mode reports batch statistics; updateMovingStats applies the Keras momentum rule', () => {
    const spec = getSpec('signet-tiny');
    const params = initParams(spec, 3);
    const x = images(2, 5);
    const stats: BatchStats[] = [];
    tf.tidy(() => embed(params, spec, x, { training: true, seed: 1, batchStats: stats }));
    assert.deepEqual(
      stats.map((s) => s.layer),
      ['bn1', 'bn2'],
    );
    const mean = stats[0]!.mean.dataSync();
    const variance = stats[0]!.variance.dataSync();
    // Check bn1's statistics against the conv1 + ReLU output computed directly.
    const direct = tf.tidy(() => {
      const y = tf.relu(tf.add(tf.conv2d(x, params.tensors.get('conv1/kernel') as tf.Tensor4D, 4, 'valid'), params.tensors.get('conv1/bias')!));
      const m = tf.moments(y, [0, 1, 2]);
      return [m.mean.dataSync(), m.variance.dataSync()];
    });
    mean.forEach((v, i) => assert.ok(Math.abs(v - direct[0]![i]!) < 1e-4 * (1 + Math.abs(v))));
    variance.forEach((v, i) => assert.ok(Math.abs(v - direct[1]![i]!) < 1e-3 * (1 + Math.abs(v))));
    updateMovingStats(params, spec, stats.slice(0, 1));
    const mm = params.tensors.get('bn1/moving_mean')!.dataSync();
    const mv = params.tensors.get('bn1/moving_variance')!.dataSync();
    mm.forEach((v, i) => assert.ok(Math.abs(v - 0.1 * mean[i]!) < 1e-6));
    mv.forEach((v, i) => assert.ok(Math.abs(v - (0.9 + 0.1 * variance[i]!)) < 1e-6));
    disposeBatchStats(stats);
    x.dispose();
    disposeParams(params);
  });
});

describe('weights format', () => {
  test('tf.io.encodeWeights / decodeWeights round trip gives identical embeddings', async () => {
    const spec = getSpec('signet-tiny');
    const params = initParams(spec, 9);
    const x = images(2, 6);
    const before = tf.tidy(() => embed(params, spec, x).dataSync());
    const { data, specs } = await tf.io.encodeWeights(paramsToNamedTensors(params, spec));
    assert.deepEqual(
      specs.map((s) => s.name),
      paramInfos(spec).map((p) => p.name),
    );
    assert.ok(specs.every((s) => s.dtype === 'float32'));
    const decoded = tf.io.decodeWeights(data, specs);
    const loaded = paramsFromNamedTensors(spec, decoded);
    assert.deepEqual(
      tf.tidy(() => embed(loaded, spec, x).dataSync()),
      before,
    );
    const arrays = paramsToArrays(loaded, spec);
    const again = paramsFromArrays(spec, arrays);
    assert.deepEqual(
      tf.tidy(() => embed(again, spec, x).dataSync()),
      before,
    );
    [params, loaded, again].forEach(disposeParams);
    x.dispose();
  });

  test('missing, misshapen or unexpected weights are refused', () => {
    const spec = getSpec('signet-tiny');
    const params = initParams(spec, 1);
    const named = paramsToNamedTensors(params, spec);
    const integrity = (re: RegExp) => (e: unknown) => e instanceof AppError && e.code === 'INTEGRITY' && re.test(e.message);
    assert.throws(() => paramsFromNamedTensors(spec, named.slice(1)), integrity(/missing 'conv1\/kernel'/));
    const wrong = tf.zeros([3, 3, 1, 8]);
    assert.throws(() => paramsFromNamedTensors(spec, [{ name: 'conv1/kernel', tensor: wrong }, ...named.slice(1)]), integrity(/shape \[3, 3, 1, 8\]/));
    const extra = tf.zeros([2]);
    assert.throws(() => paramsFromNamedTensors(spec, [...named, { name: 'fc3/bias', tensor: extra }]), integrity(/unexpected 'fc3\/bias'/));
    tf.dispose([wrong, extra]);
    assert.throws(() => embed(params, getSpec('signet'), tf.zeros([1, 155, 220, 1]) as tf.Tensor4D), /weights are for 'signet-tiny'/);
    disposeParams(params);
  });
});
