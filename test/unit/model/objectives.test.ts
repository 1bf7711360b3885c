// The triplet and writer-classification objectives, partial fine-tuning (frozen layers) and
// the data-parallel split of image batches: hand-computed mining, gradients against finite
// differences, frozen weights that do not move, and two replicas agreeing with their shards.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { freezeBelow, paramInfos, parameterLayers, signetArchitecture, withClassifierHead } from '../../../src-main/core/model/architectures.ts';
import { resolveBackend } from '../../../src-main/core/model/backend.ts';
import { cloneParams, disposeParams, embed, initParams, type Params } from '../../../src-main/core/model/network.ts';
import { mineSemiHard, pairwiseDistances, softmaxCrossEntropy, tripletLoss } from '../../../src-main/core/model/training/engine/loss.ts';
import { branchSeed, computeGradients } from '../../../src-main/core/model/training/engine/step.ts';
import { createTrainer, type ImageBatch } from '../../../src-main/core/model/training/engine/trainer.ts';
import { Rng } from '../../../src-main/core/util/random.ts';

const MICRO = signetArchitecture({ name: 'signet-micro', description: 'test', inputShape: [67, 71, 1], filters: [3, 4, 4, 3], dense: 6, embeddingSize: 5 });

before(async () => {
  await resolveBackend();
});

function images(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n * 67 * 71 }, () => Math.max(0, rng.normal()));
}

describe('semi-hard mining', () => {
  test('takes the closest negative beyond the positive, else the farthest closer one; forgeries never anchor', () => {
    // 0,1: writer 0; 2: writer 1; 3: a forgery (negative only). Distances from 0: p=1 at 2; negatives 2 at 3, 3 at 2.5.
    const d = [
      [0, 2, 3, 2.5],
      [2, 0, 1, 5],
      [3, 1, 0, 4],
      [2.5, 5, 4, 0],
    ].flat();
    const t = mineSemiHard(d, 4, Int32Array.of(0, 0, 1, -1));
    // anchor 0, positive 1 (d=2): negatives farther than 2 are 2 (3) and 3 (2.5): the closest is 3.
    // anchor 1, positive 0 (d=2): negative 2 at 1 and 3 at 5: semi-hard 3 (5).
    assert.deepEqual(t, [
      [0, 1, 3],
      [1, 0, 3],
    ]);
    // No negative beyond the positive: the farthest of the closer ones.
    assert.deepEqual(mineSemiHard([0, 5, 1, 5, 0, 2, 1, 2, 0], 3, Int32Array.of(0, 0, 1)), [
      [0, 1, 2],
      [1, 0, 2],
    ]);
  });

  test('the triplet loss equals the hand-computed mean hinge', () => {
    tf.tidy(() => {
      const e = tf.tensor2d([
        [0, 0],
        [2, 0],
        [0, 3],
        [2.5, 0],
      ]);
      // anchor 0: positive 1 at 2, negatives 2 at 3 and 3 at 2.5 -> 3 (2.5): max(0, 2 - 2.5 + 1) = 0.5
      // anchor 1: positive 0 at 2, negatives 2 at sqrt(13), 3 at 0.5 -> 2 (sqrt 13): max(0, 2 - 3.606 + 1) = 0
      // (2 has no positive, 3 is a forgery: neither anchors)
      const loss = tripletLoss(e, Int32Array.of(0, 0, 1, -1), 1).dataSync()[0]!;
      assert.ok(Math.abs(loss - 0.25) < 1e-5, String(loss));
      const d = pairwiseDistances(e).arraySync();
      assert.ok(Math.abs(d[1]![2]! - Math.sqrt(13)) < 1e-5);
    });
  });

  test('softmax cross-entropy matches log-sum-exp by hand', () => {
    tf.tidy(() => {
      const ce = softmaxCrossEntropy(
        tf.tensor2d([
          [1, 2, 3],
          [0, 0, 0],
        ]),
        Int32Array.of(2, 0),
      ).dataSync()[0]!;
      const want = (-(3 - Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3))) + Math.log(3)) / 2;
      assert.ok(Math.abs(ce - want) < 1e-5);
    });
  });
});

describe('gradients of the image objectives (cpu backend, finite differences)', () => {
  for (const objective of ['triplet', 'writers'] as const) {
    test(objective, async () => {
      const previous = tf.getBackend();
      await tf.setBackend('cpu');
      try {
        const spec = objective === 'writers' ? withClassifierHead(MICRO, 3) : MICRO;
        const params = initParams(spec, 3);
        const x = tf.tensor4d(images(6, 4), [6, 67, 71, 1]);
        const labels = objective === 'writers' ? Int32Array.of(0, 1, 2, 0, 1, 2) : Int32Array.of(0, 0, 1, 1, -1, -2);
        const opts = { objective, margin: 1, seed: 5 };
        const lossAt = (p: Params) =>
          tf.tidy(() => {
            const e = embed(p, spec, x, { training: true, seed: branchSeed(5, 'a') });
            return (objective === 'writers' ? softmaxCrossEntropy(e, labels) : tripletLoss(e, labels, 1)).dataSync()[0]!;
          });
        const analytic = computeGradients(params, spec, { kind: 'images', x, labels }, opts);
        const rng = new Rng(7);
        const failures: string[] = [];
        for (const info of paramInfos(spec).filter((p) => p.trainable && p.name.includes('kernel'))) {
          const g = analytic.grads.get(info.name)!.dataSync() as Float32Array;
          const v = Float32Array.from(g, () => rng.normal());
          const norm = Math.sqrt(v.reduce((s, q) => s + q * q, 0));
          v.forEach((q, i) => (v[i] = q / norm));
          const want = g.reduce((s, gi, i) => s + gi * v[i]!, 0);
          const shifted = (sign: number) => {
            const p = cloneParams(params);
            const old = p.tensors.get(info.name)!;
            p.tensors.set(
              info.name,
              tf.tidy(() => tf.add(old, tf.mul(tf.tensor(v, old.shape), sign * 1e-3))),
            );
            old.dispose();
            const l = lossAt(p);
            disposeParams(p);
            return l;
          };
          const numeric = (shifted(1) - shifted(-1)) / 2e-3;
          if (Math.abs(numeric - want) > 0.03 * Math.abs(want) + 3e-3) failures.push(`${info.name}: ${want} vs ${numeric}`);
        }
        tf.dispose([...analytic.grads.values(), ...analytic.batchStats.flatMap((s) => [s.mean, s.variance]), x]);
        disposeParams(params);
        assert.deepEqual(failures, []);
      } finally {
        await tf.setBackend(previous);
      }
    });
  }
});

describe('partial fine-tuning', () => {
  test('freezeBelow marks the lower layers frozen and refuses an unknown layer', () => {
    const spec = freezeBelow(MICRO, 'fc1');
    assert.deepEqual(parameterLayers(MICRO), ['conv1', 'bn1', 'conv2', 'bn2', 'conv3', 'conv4', 'fc1', 'fc2']);
    assert.deepEqual(
      paramInfos(spec)
        .filter((p) => p.trainable)
        .map((p) => p.name),
      ['fc1/kernel', 'fc1/bias', 'fc2/kernel', 'fc2/bias'],
    );
    assert.throws(() => freezeBelow(MICRO, 'conv9'), /'conv9' is not a layer of signet-micro; its layers are conv1, bn1/);
  });

  test('frozen layers keep their weights and moving statistics; the others train', async () => {
    const params = initParams(MICRO, 2);
    const spec = freezeBelow(MICRO, 'conv3');
    const t = await createTrainer({ spec, params, workers: 1, objective: 'triplet', learningRate: 1e-2, optimizer: 'adam' });
    const batch = (): ImageBatch => ({ kind: 'images', x: images(8, 9), labels: Int32Array.of(0, 0, 0, -1, 1, 1, 1, -2), n: 8, blockSize: 4 });
    for (let i = 0; i < 3; i++) await t.step(batch());
    const after = new Map((await t.getParamArrays()).map((a) => [a.name, a.data]));
    for (const name of ['conv1/kernel', 'bn1/gamma', 'bn1/moving_mean', 'bn2/moving_variance', 'conv2/bias']) {
      assert.deepEqual(after.get(name), params.tensors.get(name)!.dataSync(), `${name} must not change`);
    }
    assert.notDeepEqual(after.get('conv3/kernel'), params.tensors.get('conv3/kernel')!.dataSync());
    await t.dispose();
    disposeParams(params);
  });
});

describe('data-parallel image batches', () => {
  test('two replicas keep whole blocks together and stay in sync; malformed batches are refused', async () => {
    const params = initParams(MICRO, 5);
    const t = await createTrainer({ spec: MICRO, params, workers: 2, objective: 'triplet', seed: 3 });
    const b: ImageBatch = { kind: 'images', x: images(12, 1), labels: Int32Array.of(0, 0, -1, 1, 1, -2, 2, 2, -3, 3, 3, -4), n: 12, blockSize: 3 };
    const r = await t.step(b);
    assert.ok(Number.isFinite(r.loss) && r.items === 12);
    assert.ok(await t.replicasInSync());
    await assert.rejects(t.step({ ...b, x: images(12, 2), labels: b.labels.slice(), blockSize: 5 }), /blockSize 5 must divide n=12/);
    await assert.rejects(
      t.step({ a: new Float32Array(67 * 71), b: new Float32Array(67 * 71), y: Float32Array.of(1), n: 1 }),
      /the triplet objective takes images/,
    );
    await t.dispose();
    disposeParams(params);
  });
});
