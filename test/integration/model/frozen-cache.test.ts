// Cached partial fine-tuning (issue 19): the frozen layers run once per image variant, the upper
// layers train on their cached activations, and the saved model is the whole network.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { freezeBelow, getSpec, paramInfos, splitFrozen } from '../../../src-main/core/model/architectures.ts';
import { resolveBackend } from '../../../src-main/core/model/backend.ts';
import { embedSync, loadInferenceModel } from '../../../src-main/core/model/embedding/inference.ts';
import { disposeParams, initParams, paramsFromArrays, paramsToArrays } from '../../../src-main/core/model/network.ts';
import { loadWeights } from '../../../src-main/core/model/registry/registry.ts';
import { buildActivationCache, frozenForward } from '../../../src-main/core/model/training/frozen-cache.ts';
import { runTraining, type TrainEvent } from '../../../src-main/core/model/training/run.ts';
import { generateDataset } from '../../../src-main/core/synth/index.ts';
import { Rng } from '../../../src-main/core/util/random.ts';

const root = mkdtempSync(path.join(os.tmpdir(), 'cs-frozen-cache-'));
after(() => rmSync(root, { recursive: true, force: true }));
const data = path.join(root, 'data');
const hyper = {
  epochs: 2,
  batchSize: 16,
  pairsPerEpoch: 128,
  learningRate: 1e-3,
  optimizer: 'adam' as const,
  seed: 3,
  validationFraction: 0.3,
  references: 3,
  trainFrom: 'fc1',
  cacheVariants: 2,
  objective: 'triplet' as const,
};

before(async () => {
  await resolveBackend();
  await generateDataset(data, { writers: 8, genuine: 5, forged: 1, seed: 'frozen-cache', dpi: 120 });
});

const spec = freezeBelow(getSpec('signet-tiny'), 'fc1');

function images(n: number, seed: number): Float32Array {
  const r = new Rng(seed);
  const [h, w] = spec.inputShape;
  return Float32Array.from({ length: n * h * w }, () => (r.chance(0.1) ? 1 : 0));
}

describe('splitFrozen', () => {
  it('cuts at the first trainable layer: the dropout after the last frozen layer moves up, the flatten stays below', () => {
    const s = splitFrozen(spec)!;
    assert.equal(s.features, 3 * 5 * 16);
    assert.deepEqual(
      s.lower.layers.map((l) => l.kind),
      ['conv2d', 'batchNorm', 'maxPool', 'conv2d', 'batchNorm', 'maxPool', 'conv2d', 'conv2d', 'maxPool', 'flatten'],
    );
    assert.deepEqual(
      s.head.layers.map((l) => ('name' in l ? l.name : l.kind)),
      ['flatten', 'dropout', 'fc1', 'dropout', 'fc2'],
    );
    assert.deepEqual(s.head.inputShape, [1, 1, 240]);
    assert.equal(splitFrozen(getSpec('signet-tiny')), null, 'nothing frozen');
    const conv = splitFrozen(freezeBelow(getSpec('signet-tiny'), 'conv3'))!;
    assert.deepEqual(conv.head.inputShape, [8, 12, 16], 'a convolution trains on the activations in their shape');
  });

  it('lower then head gives the whole network, on tfjs and on onnxruntime (within 1e-4)', async () => {
    const s = splitFrozen(spec)!;
    const p = initParams(spec, 5);
    const arrays = paramsToArrays(p, spec);
    const n = 3;
    const x = images(n, 1);
    const whole = embedSync(p, spec, 0.7, x, n);
    const head = paramsFromArrays(
      s.head,
      arrays.filter((a) => paramInfos(s.head).some((q) => q.name === a.name)),
    );
    for (const engine of ['tfjs', 'onnxruntime'] as const) {
      const f = await frozenForward(s.lower, arrays, 0.7, engine);
      const act = await f.run(x, n);
      await f.dispose();
      assert.equal(act.length, n * s.features);
      const out = embedSync(head, s.head, 1, act, n);
      const diff = Math.max(...out.map((v, i) => Math.abs(v - whole[i]!)));
      assert.ok(diff < 1e-4, `${engine}: max difference ${diff}`);
    }
    disposeParams(head);
    disposeParams(p);
  });

  it('caches `variants` per training image (variant 0 the image as it is) and one per validation image', async () => {
    const s = splitFrozen(spec)!;
    const p = initParams(spec, 5);
    const arrays = paramsToArrays(p, spec);
    disposeParams(p);
    const [h, w] = spec.inputShape;
    const inputs = [0, 1, 2, 3].map((i) => images(1, 10 + i));
    const c = await buildActivationCache({
      split: s,
      arrays,
      inputs,
      inputScale: 1,
      trainIdx: [0, 1, 2],
      valIdx: [3],
      variants: 3,
      augment: 'scan',
      seed: 1,
      engine: 'tfjs',
    });
    assert.deepEqual(
      c.of.map((v) => v?.length),
      [3, 3, 3, 1],
    );
    const f = await frozenForward(s.lower, arrays, 1, 'tfjs');
    assert.deepEqual(c.of[1]![0], await f.run(inputs[1]!, 1), 'variant 0: not augmented');
    await f.dispose();
    assert.notDeepEqual(c.of[1]![1], c.of[1]![0], 'variant 1: augmented');
    assert.equal(inputs[0]!.length, h * w);
    const again = await buildActivationCache({
      split: s,
      arrays,
      inputs,
      inputScale: 1,
      trainIdx: [0, 1, 2],
      valIdx: [3],
      variants: 3,
      augment: 'scan',
      seed: 1,
      engine: 'tfjs',
    });
    assert.deepEqual(again.of, c.of, 'the seed fixes the variants');
  });
});

describe('a cached partial fine-tune (signet-tiny, synthetic data)', () => {
  it('trains the head on cached activations, keeps the frozen weights bit-identical, saves a model that embeds; cancel and resume work', async () => {
    const dir = path.join(root, 'run');
    const ctl = new AbortController();
    const events: TrainEvent[] = [];
    let batches = 0;
    const first = await runTraining({
      dataDir: dir,
      data,
      baseModel: null,
      architecture: 'signet-tiny',
      name: 'cached',
      hyper,
      workers: 1,
      signal: ctl.signal,
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'batch' && e.epoch === 2 && ++batches === 2) ctl.abort();
      },
    });
    assert.equal(first.status, 'cancelled');
    const start = events.find((e) => e.type === 'start');
    assert.ok(start && start.type === 'start' && start.cache, 'the run says it trains on cached activations');
    assert.deepEqual([start.cache.variants, start.cache.features], [2, 240]);
    const cacheEnd = events.filter((e) => e.type === 'cache').at(-1)!;
    assert.ok(cacheEnd.type === 'cache');
    // 8 writers x 6 images; 30 % validation: 2 writers (12 images) once, 6 writers (36 images) twice.
    assert.equal(cacheEnd.total, 36 * 2 + 12, 'the variant count is honoured');
    const losses = events.flatMap((e) => (e.type === 'batch' ? [e.loss] : []));
    assert.ok(losses.every(Number.isFinite) && losses.length === 8 + 2);

    const resumed: TrainEvent[] = [];
    const second = await runTraining({ dataDir: dir, data, baseModel: null, name: 'cached', resume: first.runId, workers: 1, onEvent: (e) => resumed.push(e) });
    assert.equal(second.status, 'done');
    assert.ok(
      resumed.some((e) => e.type === 'cache'),
      'a resumed run computes the cache again',
    );
    const rs = resumed.find((e) => e.type === 'start');
    assert.deepEqual(rs && rs.type === 'start' ? rs.resumedFrom : null, { epoch: 2, batch: 2 });
    assert.deepEqual(
      second.history.map((h) => h.epoch),
      [1, 2],
    );

    // Frozen layers exactly as they started (the untrained weights of the seed); the head moved.
    const init = initParams(spec, hyper.seed);
    const startArrays = new Map(paramsToArrays(init, spec).map((a) => [a.name, a.data]));
    disposeParams(init);
    const saved = await loadWeights(dir, second.modelId!);
    let headChanged = false;
    for (const { name, tensor } of saved) {
      const now = tensor.dataSync() as Float32Array;
      const was = startArrays.get(name)!;
      if (name.startsWith('fc')) headChanged ||= now.some((v, i) => v !== was[i]);
      else assert.deepEqual(now, was, `${name} is frozen`);
    }
    tf.dispose(saved.map((s) => s.tensor));
    assert.ok(headChanged, 'the dense layers trained');

    const model = await loadInferenceModel(dir, second.modelId!);
    const v = await model.embedBatch(images(2, 9), 2);
    await model.dispose();
    assert.equal(v.length, 2 * 32);
    assert.ok(v.every(Number.isFinite));
    assert.equal(second.model!.hyperparameters.cacheVariants, 2);
  });
});
