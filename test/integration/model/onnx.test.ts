// The ONNX export against TensorFlow.js: for every architecture the registry can hold, random
// weights (biases and batch-norm statistics randomised too) and real-ish inputs (synthetic
// signatures through the normaliser, random images, a blank), onnxruntime's embeddings equal
// tfjs's within 1e-4 (max abs); likewise for the shipped base model. Skipped, saying why, only
// where onnxruntime-node cannot load.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { architectureNames, getSpec, signetArchitecture, type ArchitectureSpec } from '../../../src-main/core/model/architectures.ts';
import { resolveBackend } from '../../../src-main/core/model/backend.ts';
import { EmbedPool } from '../../../src-main/core/model/embedding/embed-pool.ts';
import { loadEmbeddingModel, type InferenceModel } from '../../../src-main/core/model/embedding-model.ts';
import { describeOrtLoadError, loadOrt } from '../../../src-main/core/model/embedding/inference-engine.ts';
import { embedSync } from '../../../src-main/core/model/embedding/inference.ts';
import { ortSession } from '../../../src-main/core/model/embedding/inference-ort.ts';
import { initParams, disposeParams, paramsToNamedTensors, type Params } from '../../../src-main/core/model/network.ts';
import { convKernelToOnnx, denseRowsToChannelsFirst, exportOnnx, onnxSupport } from '../../../src-main/core/model/embedding/onnx/export.ts';
import { ProtoWriter } from '../../../src-main/core/model/embedding/onnx/protobuf.ts';
import { saveModel } from '../../../src-main/core/model/registry/registry.ts';
import { normaliseSignature, quantise } from '../../../src-main/core/imaging/normalise.ts';
import { renderSignature } from '../../../src-main/core/synth/signature.ts';
import { createWriter } from '../../../src-main/core/synth/writer.ts';
import { Rng } from '../../../src-main/core/util/random.ts';
import { tempDir } from '../../helpers/cli.ts';

const ortProblem = await loadOrt().then(
  () => null,
  (err: unknown) => describeOrtLoadError(err),
);
const skip = ortProblem ? `onnxruntime-node cannot load on this machine: ${ortProblem}` : false;
const TOLERANCE = 1e-4;

describe('protobuf encoding', () => {
  it('writes varints, floats, strings and packed int64 as protobuf does', () => {
    assert.deepEqual([...new ProtoWriter().int(1, 300).finish()], [0x08, 0xac, 0x02]);
    assert.deepEqual([...new ProtoWriter().float(2, 1).finish()], [0x15, 0x00, 0x00, 0x80, 0x3f]);
    assert.deepEqual([...new ProtoWriter().string(4, 'Relu').finish()], [0x22, 4, 0x52, 0x65, 0x6c, 0x75]);
    assert.deepEqual([...new ProtoWriter().ints(8, [3, 270]).finish()], [0x42, 3, 3, 0x8e, 0x02]);
    assert.throws(() => new ProtoWriter().int(1, -1), /non-negative/);
  });
});

describe('layout conversions', () => {
  it('convolution kernels go from [KH, KW, Cin, Cout] to [Cout, Cin, KH, KW]', () => {
    const kh = 2;
    const kw = 3;
    const cin = 2;
    const cout = 4;
    const k = Float32Array.from({ length: kh * kw * cin * cout }, (_, i) => i);
    const out = convKernelToOnnx(k, kh, kw, cin, cout);
    for (let y = 0; y < kh; y++)
      for (let x = 0; x < kw; x++)
        for (let ci = 0; ci < cin; ci++)
          for (let co = 0; co < cout; co++) assert.equal(out[((co * cin + ci) * kh + y) * kw + x], k[((y * kw + x) * cin + ci) * cout + co]);
  });

  it("the first dense kernel's rows follow the flatten of NCHW (channel, row, column), not tfjs's (row, column, channel)", () => {
    // H=1, W=2, C=3, one unit: tfjs rows are x0c0 x0c1 x0c2 x1c0 x1c1 x1c2.
    assert.deepEqual([...denseRowsToChannelsFirst(Float32Array.from([0, 1, 2, 3, 4, 5]), 1, 2, 3, 1)], [0, 3, 1, 4, 2, 5]);
    // Two units: each row moves whole.
    assert.deepEqual([...denseRowsToChannelsFirst(Float32Array.from([0, 10, 1, 11, 2, 12, 3, 13]), 2, 1, 2, 2)], [0, 10, 2, 12, 1, 11, 3, 13]);
  });
});

describe('onnxSupport', () => {
  it('exports every architecture this build knows', () => {
    for (const name of architectureNames()) assert.equal(onnxSupport(getSpec(name)), true, name);
  });
  it('names what it cannot export', () => {
    const spec = getSpec('signet-tiny');
    const bnAfterFlatten: ArchitectureSpec = {
      ...spec,
      layers: [...spec.layers.slice(0, -1), { kind: 'batchNorm', name: 'bnx', epsilon: 1e-3, momentum: 0.9, source: 'test' }, spec.layers.at(-1)!],
    };
    assert.match(String(onnxSupport(bnAfterFlatten)), /batch norm after the flatten/);
    const noFlatten: ArchitectureSpec = { ...spec, layers: spec.layers.filter((l) => l.kind !== 'flatten') };
    assert.match(String(onnxSupport(noFlatten)), /before a flatten/);
  });
});

/** Synthetic signatures through the normaliser, two random images and a blank: 155 x 220 each. */
async function testInputs(): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (let i = 0; i < 4; i++) {
    const img = await renderSignature(createWriter(100 + i), { sampleIndex: i, dpi: 200 });
    out.push(quantise((await normaliseSignature({ data: img.data, name: `synthetic-${i}.png` })).input));
  }
  const rng = new Rng(9);
  out.push(Float32Array.from({ length: 155 * 220 }, () => rng.next()));
  out.push(Float32Array.from({ length: 155 * 220 }, () => (rng.chance(0.08) ? 1 : 0)));
  out.push(new Float32Array(155 * 220));
  return out;
}

/** Glorot kernels, and random biases and batch-norm parameters (initParams leaves them 0 and 1). */
function randomParams(spec: ArchitectureSpec, seed: number): Params {
  const params = initParams(spec, seed);
  const rng = new Rng(seed).fork('non-trivial');
  for (const [name, t] of params.tensors) {
    const n = t.size;
    let data: Float32Array | null = null;
    if (name.endsWith('/bias') || name.endsWith('/beta')) data = Float32Array.from({ length: n }, () => rng.uniform(-0.1, 0.1));
    if (name.endsWith('/gamma')) data = Float32Array.from({ length: n }, () => rng.uniform(0.5, 1.5));
    if (name.endsWith('/moving_mean')) data = Float32Array.from({ length: n }, () => rng.uniform(0, 0.3));
    if (name.endsWith('/moving_variance')) data = Float32Array.from({ length: n }, () => rng.uniform(0.05, 0.5));
    if (data) {
      params.tensors.set(name, tf.tensor(data, t.shape, 'float32'));
      t.dispose();
    }
  }
  return params;
}

/** Registers the architecture with random weights (randomParams). */
async function randomModel(dir: string, spec: ArchitectureSpec, seed: number, inputScale: number | undefined): Promise<string> {
  const params = randomParams(spec, seed);
  const meta = await saveModel(dir, {
    metadata: {
      name: `onnx-${spec.name}-${seed}`,
      architecture: spec.name,
      inputShape: spec.inputShape,
      embeddingSize: spec.embeddingSize,
      preprocessing: inputScale === undefined ? {} : { inputScale },
    },
    weights: paramsToNamedTensors(params, spec),
  });
  disposeParams(params);
  return meta.id;
}

function batchOf(inputs: Float32Array[]): Float32Array {
  const size = inputs[0]!.length;
  const x = new Float32Array(inputs.length * size);
  inputs.forEach((v, i) => x.set(v, i * size));
  return x;
}

/** Max abs difference of the two engines' embeddings of the inputs (one batch), and the largest |value|. */
async function compareEngines(
  dir: string,
  modelId: string,
  inputs: Float32Array[],
  resourcesDir?: string,
): Promise<{ maxDiff: number; maxAbs: number; tfjs: InferenceModel; ort: InferenceModel }> {
  const opts = resourcesDir ? { resourcesDir } : {};
  const tfjs = await loadEmbeddingModel(dir, modelId, { ...opts, engine: 'tfjs' });
  const ort = await loadEmbeddingModel(dir, modelId, { ...opts, engine: 'onnxruntime' });
  assert.equal(tfjs.engine, 'tfjs');
  assert.equal(ort.engine, 'onnxruntime');
  const a = await tfjs.embedBatch(batchOf(inputs), inputs.length);
  const b = await ort.embedBatch(batchOf(inputs), inputs.length);
  assert.equal(a.length, inputs.length * tfjs.spec.embeddingSize);
  assert.equal(b.length, a.length);
  let maxDiff = 0;
  let maxAbs = 0;
  for (let i = 0; i < a.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
    maxAbs = Math.max(maxAbs, Math.abs(a[i]!));
  }
  return { maxDiff, maxAbs, tfjs, ort };
}

describe('onnxruntime embeddings equal tfjs embeddings within 1e-4', { skip }, () => {
  const tmp = tempDir();
  let inputs: Float32Array[] = [];
  before(async () => {
    await resolveBackend();
    inputs = await testInputs();
  });
  after(() => tmp.cleanup());

  for (const [i, name] of architectureNames().entries()) {
    it(`${name}, random weights, input scale 5.089`, async () => {
      const id = await randomModel(tmp.dir, getSpec(name), 11 + i, 5.0891295699247365);
      const { maxDiff, maxAbs, tfjs, ort } = await compareEngines(tmp.dir, id, inputs);
      try {
        assert.ok(maxAbs > 1e-2, `the embeddings are not all near zero (max |v| ${maxAbs})`);
        assert.ok(maxDiff <= TOLERANCE, `${name}: max abs difference ${maxDiff} (values up to ${maxAbs})`);
        // One image alone gives its row of the batch.
        const one = await ort.embedBatch(inputs[2]!, 1);
        const all = await ort.embedBatch(batchOf(inputs), inputs.length);
        const d = ort.spec.embeddingSize;
        for (let k = 0; k < d; k++) assert.ok(Math.abs(one[k]! - all[2 * d + k]!) <= TOLERANCE);
      } finally {
        await tfjs.dispose();
        await ort.dispose();
      }
    });
  }

  it('a network off the registry: 3 input channels (the Transpose path), odd sizes, linear embedding, no input scale', async () => {
    const spec = signetArchitecture({
      name: 'signet-micro',
      description: 'test',
      inputShape: [67, 71, 3],
      filters: [3, 4, 4, 3],
      dense: 6,
      embeddingSize: 5,
      embedding: 'linear',
    });
    assert.equal(onnxSupport(spec), true);
    const params = randomParams(spec, 60);
    const arrays = new Map([...params.tensors].map(([k, t]) => [k, t.dataSync() as Float32Array]));
    const rng = new Rng(61);
    const n = 3;
    const x = Float32Array.from({ length: n * 67 * 71 * 3 }, () => rng.next());
    const want = embedSync(params, spec, 1, x, n);
    disposeParams(params);
    const ort = await loadOrt();
    const session = await ortSession(ort, exportOnnx(spec, arrays, { inputScale: 1 }));
    const got = (await session.run({ x: new ort.Tensor('float32', x, [n, 67, 71, 3]) })).embedding!.data as Float32Array;
    await session.release();
    assert.equal(got.length, n * 5);
    let maxDiff = 0;
    for (let i = 0; i < got.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i]! - want[i]!));
    assert.ok(Math.max(...want.map(Math.abs)) > 1e-2, 'non-trivial embeddings');
    assert.ok(maxDiff <= TOLERANCE, `max abs difference ${maxDiff}`);
  });

  it('the shipped base model (real weights) on both engines', async () => {
    const shipped = process.env.COUNTERSIGN_SHIPPED_RESOURCES ?? path.resolve(import.meta.dirname, '../../../resources');
    const { maxDiff, maxAbs, tfjs, ort } = await compareEngines(tmp.dir, 'signet-sigcomp11-v1', inputs, shipped);
    await tfjs.dispose();
    await ort.dispose();
    assert.ok(maxAbs > 1e-2 && maxDiff <= TOLERANCE, `max abs difference ${maxDiff} (values up to ${maxAbs})`);
  });

  it('the embedding pool on either engine gives the same vectors and says which embedded', async () => {
    const id = await randomModel(tmp.dir, getSpec('signet-tiny'), 50, 2);
    const run = async (engine: 'onnxruntime' | 'tfjs') => {
      const pool = await EmbedPool.create({ dataDir: tmp.dir, modelId: id, engine, workers: 2, batchSize: 3 });
      const vectors = await pool.embed(inputs);
      // Each worker releases its session and ends by itself: terminating a thread that holds an
      // onnxruntime session can abort the process.
      assert.deepEqual(await pool.close(), ['exited', 'exited'], engine);
      return { vectors, backend: pool.backend, engine: pool.engine, size: pool.size };
    };
    const o = await run('onnxruntime');
    const t = await run('tfjs');
    assert.equal(o.backend, 'onnxruntime-cpu');
    assert.equal(o.engine, 'onnxruntime');
    assert.equal(t.backend, (await resolveBackend()).backend);
    assert.equal(o.size, 2);
    assert.equal(o.vectors.length, inputs.length);
    for (const [i, v] of o.vectors.entries()) {
      for (let k = 0; k < v.length; k++) assert.ok(Math.abs(v[k]! - t.vectors[i]![k]!) <= TOLERANCE, `input ${i} component ${k}`);
    }
  });
});
