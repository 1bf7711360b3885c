import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { getSpec } from '../../../src-main/core/model/architectures.ts';
import { resolveBackend } from '../../../src-main/core/model/backend.ts';
import { EmbedPool } from '../../../src-main/core/model/embedding/embed-pool.ts';
import { loadInferenceModel } from '../../../src-main/core/model/embedding/inference.ts';
import { disposeParams, initParams, paramsToNamedTensors } from '../../../src-main/core/model/network.ts';
import { saveModel } from '../../../src-main/core/model/registry/registry.ts';
import { Rng } from '../../../src-main/core/util/random.ts';
import { tempDir } from '../../helpers/cli.ts';

describe('embedding worker pool', () => {
  const tmp = tempDir();
  const spec = getSpec('signet-tiny');
  const [h, w] = spec.inputShape;
  let modelId = '';

  before(async () => {
    await resolveBackend();
    const params = initParams(spec, 7);
    const meta = await saveModel(tmp.dir, {
      metadata: {
        name: 'pool-test',
        architecture: spec.name,
        inputShape: spec.inputShape,
        embeddingSize: spec.embeddingSize,
        preprocessing: { inputScale: 2 },
      },
      weights: paramsToNamedTensors(params, spec),
    });
    disposeParams(params);
    modelId = meta.id;
  });
  after(() => tmp.cleanup());

  const inputs = (n: number, seed: number) => {
    const rng = new Rng(seed);
    return Array.from({ length: n }, () => Float32Array.from({ length: h * w }, () => (rng.chance(0.1) ? rng.next() : 0)));
  };

  it('gives the same vectors as in-process embedding, in input order, across two workers', async () => {
    const xs = inputs(37, 1);
    const pool = await EmbedPool.create({ dataDir: tmp.dir, modelId, workers: 2, batchSize: 8 });
    const progress: number[] = [];
    const got = await pool.embed(xs, { onProgress: (d) => progress.push(d) });
    assert.deepEqual(await pool.close(), ['exited', 'exited'], 'each worker released its model and ended by itself');
    assert.equal(pool.size, 2);
    assert.equal(got.length, 37);
    assert.deepEqual(progress.at(-1), 37);

    const local = await loadInferenceModel(tmp.dir, modelId);
    const before = tf.memory().numTensors;
    for (const [i, x] of xs.entries()) {
      const v = await local.embedBatch(x, 1);
      assert.equal(got[i]!.length, spec.embeddingSize);
      for (let k = 0; k < v.length; k++) assert.ok(Math.abs(v[k]! - got[i]![k]!) < 1e-4, `input ${i} component ${k}`);
    }
    assert.equal(tf.memory().numTensors, before, 'embedBatch leaks no tensors');
    await local.dispose();
  });

  it('stops when cancelled', async () => {
    const pool = await EmbedPool.create({ dataDir: tmp.dir, modelId, workers: 1, batchSize: 4 });
    const controller = new AbortController();
    await assert.rejects(
      pool.embed(inputs(40, 2), { signal: controller.signal, onProgress: (d) => d >= 8 && controller.abort() }),
      (err: Error & { code?: string }) => err.code === 'CANCELLED',
    );
    assert.deepEqual(await pool.close(), ['exited'], 'a cancelled pool still closes without terminating its worker');
  });
});
