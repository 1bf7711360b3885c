// Model registry on temporary data directories with small seeded tensors.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import {
  exportModel,
  getModel,
  importModel,
  listModels,
  loadWeights,
  saveModel,
  scanModels,
  type ModelDraft,
  type NamedTensor,
} from '../../../src-main/core/model/registry/registry.ts';
import { getSpec } from '../../../src-main/core/model/architectures.ts';
import { initParams } from '../../../src-main/core/model/network.ts';
import { fitCalibration } from '../../../src-main/core/scoring/calibration.ts';

const tmpRoot = mkdtempSync(path.join(os.tmpdir(), 'countersign-registry-'));
after(() => rmSync(tmpRoot, { recursive: true, force: true }));
let dirCount = 0;
const freshDir = () => {
  const dir = path.join(tmpRoot, `d${dirCount++}`);
  mkdirSync(dir);
  return dir;
};
const noResources = { resourcesDir: path.join(tmpRoot, 'no-resources') };

function tinyWeights(seed: number): NamedTensor[] {
  return [
    { name: 'conv1/kernel', tensor: tf.randomNormal([3, 3, 1, 4], 0, 1, 'float32', seed) },
    { name: 'conv1/bias', tensor: tf.randomUniform([4], -1, 1, 'float32', seed + 1) },
    { name: 'bn1/moving_mean', tensor: tf.tensor1d([0.5, -0.25, 1e-8, 3.4e38]) },
    { name: 'steps', tensor: tf.tensor1d([7, -3], 'int32') },
    { name: 'dense/kernel', tensor: tf.randomNormal([16, 8], 0, 1, 'float32', seed + 2) },
  ];
}

/** Weights of the real signet-tiny architecture: bundles are checked against it on import. */
function architectureWeights(seed: number): NamedTensor[] {
  const params = initParams(getSpec('signet-tiny'), seed);
  return [...params.tensors.entries()].map(([name, tensor]) => ({ name, tensor }));
}

function draft(extra: Partial<ModelDraft> = {}): ModelDraft {
  return {
    name: 'Tiny Test',
    architecture: 'signet-tiny',
    inputShape: [155, 220, 1],
    preprocessing: { canvas: [155, 220], invert: true, scale: 1 / 255 },
    hyperparameters: { margin: 1, optimizer: 'rmsprop', learningRate: 1e-4 },
    trainingData: { source: 'synthetic', writers: 3, seed: 1 },
    metrics: { eer: 0.1, auc: 0.95 },
    ...extra,
  };
}

async function assertSameTensors(actual: NamedTensor[], expected: NamedTensor[]) {
  assert.deepEqual(
    actual.map((w) => [w.name, w.tensor.shape, w.tensor.dtype]),
    expected.map((w) => [w.name, w.tensor.shape, w.tensor.dtype]),
  );
  for (let i = 0; i < expected.length; i++) {
    assert.deepEqual(Array.from(await actual[i]!.tensor.data()), Array.from(await expected[i]!.tensor.data()), expected[i]!.name);
  }
}

const dispose = (ws: NamedTensor[]) => ws.forEach((w) => w.tensor.dispose());

describe('save and load', () => {
  test('round trip gives identical tensors in the same order; metadata records the hash', async () => {
    const dataDir = freshDir();
    const weights = tinyWeights(1);
    const cal = fitCalibration([0.2, 0.4, 0.7, 0.3], [0.3, 0.6, 0.8, 0.9]);
    const meta = await saveModel(dataDir, { metadata: draft({ calibration: cal, parentId: 'signet-base-v1' }), weights }, noResources);
    assert.equal(meta.id, 'tiny-test-v1');
    assert.equal(meta.version, 1);
    const bin = readFileSync(path.join(dataDir, 'models', meta.id, 'weights.bin'));
    const { createHash } = await import('node:crypto');
    assert.equal(meta.sha256, createHash('sha256').update(bin).digest('hex'));
    assert.deepEqual(meta.weightsManifest[3], { name: 'steps', shape: [2], dtype: 'int32' });
    assert.deepEqual(getModel(dataDir, meta.id, noResources), meta);
    assert.deepEqual(getModel(dataDir, meta.id, noResources).calibration, cal);

    const loaded = await loadWeights(dataDir, meta.id, noResources);
    await assertSameTensors(loaded, weights);
    dispose(loaded);
    dispose(weights);
  });

  test("keeps the model's scoring (a kk-ratio model must not silently become a mean-distance one)", async () => {
    const dataDir = freshDir();
    const w = tinyWeights(5);
    const scoring = { method: 'kk-ratio' as const, prior: 0.21, priorWeight: 3 };
    const meta = await saveModel(dataDir, { metadata: draft({ scoring }), weights: w }, noResources);
    assert.deepEqual(meta.scoring, scoring);
    assert.deepEqual(getModel(dataDir, meta.id, noResources).scoring, scoring);
    await assert.rejects(
      saveModel(dataDir, { metadata: draft({ scoring: { method: 'kk-ratio', prior: -1, priorWeight: 3 } }), weights: w }, noResources),
      /positive prior/,
    );
    dispose(w);
  });

  test('versions count up per name and nothing leaks', async () => {
    const dataDir = freshDir();
    const before = tf.memory().numTensors;
    const w = tinyWeights(2);
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await saveModel(dataDir, { metadata: draft(), weights: w }, noResources)).id);
    ids.push((await saveModel(dataDir, { metadata: draft({ name: 'Other!' }), weights: w }, noResources)).id);
    assert.deepEqual(ids, ['tiny-test-v1', 'tiny-test-v2', 'tiny-test-v3', 'other-v1']);
    dispose(await loadWeights(dataDir, 'tiny-test-v2', noResources));
    dispose(w);
    assert.equal(tf.memory().numTensors, before);
    assert.deepEqual(readdirSync(path.join(dataDir, 'models')).sort(), [...ids].sort(), 'no temporary folders left behind');
  });

  test('never overwrites an existing id', async () => {
    const dataDir = freshDir();
    const w = tinyWeights(3);
    const first = await saveModel(dataDir, { metadata: draft({ id: 'casework-model' }), weights: w }, noResources);
    const file = path.join(dataDir, 'models', first.id, 'metadata.json');
    const original = readFileSync(file, 'utf8');
    await assert.rejects(saveModel(dataDir, { metadata: draft({ id: 'casework-model', name: 'changed' }), weights: w }, noResources), {
      code: 'CONFLICT',
      message: /casework-model' already exists/,
    });
    assert.equal((await saveModel(dataDir, { metadata: draft({ version: 1 }), weights: w }, noResources)).id, 'tiny-test-v1');
    await assert.rejects(saveModel(dataDir, { metadata: draft({ version: 1 }), weights: w }, noResources), { code: 'CONFLICT' });
    assert.equal(readFileSync(file, 'utf8'), original);
    dispose(w);
  });

  test('refuses bad input with the field named', async () => {
    const dataDir = freshDir();
    const w = tinyWeights(4);
    await assert.rejects(saveModel(dataDir, { metadata: draft(), weights: [] }, noResources), /weights: expected a non-empty list/);
    await assert.rejects(
      saveModel(dataDir, { metadata: draft(), weights: [w[0]!, { ...w[1]!, name: 'conv1/kernel' }] }, noResources),
      /duplicate tensor name 'conv1\/kernel'/,
    );
    await assert.rejects(
      saveModel(dataDir, { metadata: draft({ inputShape: [155, 220, 0] as unknown as [number, number, number] }), weights: w }, noResources),
      { code: 'INVALID_ARGUMENT', message: /metadata.inputShape/ },
    );
    await assert.rejects(saveModel(dataDir, { metadata: draft({ id: '../escape' }), weights: w }, noResources), { code: 'INVALID_ARGUMENT' });
    assert.equal(existsSync(path.join(dataDir, 'models', 'tiny-test-v1')), false);
    dispose(w);
  });
});

describe('integrity', () => {
  test('a corrupted weights file is refused, naming the file and both hashes', async () => {
    const dataDir = freshDir();
    const w = tinyWeights(5);
    const meta = await saveModel(dataDir, { metadata: draft(), weights: w }, noResources);
    const file = path.join(dataDir, 'models', meta.id, 'weights.bin');
    const bin = readFileSync(file);
    bin[10] = bin[10]! ^ 0x01;
    writeFileSync(file, bin);
    const { createHash } = await import('node:crypto');
    const actual = createHash('sha256').update(bin).digest('hex');
    await assert.rejects(loadWeights(dataDir, meta.id, noResources), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'INTEGRITY');
      assert.ok(err.message.includes(file), err.message);
      assert.ok(err.message.includes(meta.sha256) && err.message.includes(actual), err.message);
      return true;
    });
    await assert.rejects(exportModel(dataDir, meta.id, path.join(dataDir, 'x.tar'), noResources), { code: 'INTEGRITY' });
    dispose(w);
  });

  test('broken metadata shows up as a problem, not as a model', async () => {
    const dataDir = freshDir();
    const w = tinyWeights(6);
    await saveModel(dataDir, { metadata: draft(), weights: w }, noResources);
    mkdirSync(path.join(dataDir, 'models', 'broken'));
    writeFileSync(path.join(dataDir, 'models', 'broken', 'metadata.json'), '{"id": "broken"');
    const scan = scanModels(dataDir, noResources);
    assert.deepEqual(
      scan.models.map((m) => m.id),
      ['tiny-test-v1'],
    );
    assert.equal(scan.problems.length, 1);
    assert.match(scan.problems[0]!.message, /broken\/metadata.json: not valid JSON/);
    assert.throws(() => getModel(dataDir, 'broken', noResources), { code: 'INTEGRITY' });
    assert.throws(() => getModel(dataDir, 'missing', noResources), { code: 'NOT_FOUND', message: /available: tiny-test-v1/ });
    dispose(w);
  });

  test('metadata from a newer format is refused with VERSION', async () => {
    const dataDir = freshDir();
    const w = tinyWeights(7);
    const meta = await saveModel(dataDir, { metadata: draft(), weights: w }, noResources);
    const file = path.join(dataDir, 'models', meta.id, 'metadata.json');
    writeFileSync(file, JSON.stringify({ ...meta, formatVersion: 99 }));
    assert.throws(() => getModel(dataDir, meta.id, noResources), { code: 'VERSION' });
    dispose(w);
  });
});

describe('export and import', () => {
  test('round trip into another data directory gives identical tensors and metadata', async () => {
    const from = freshDir();
    const to = freshDir();
    const w = architectureWeights(8);
    const meta = await saveModel(from, { metadata: draft({ validationDistances: { same: [0.1, 0.2], diff: [0.9] } }), weights: w }, noResources);
    const bundle = path.join(tmpRoot, 'bundle-roundtrip.tar');
    const out = await exportModel(from, meta.id, bundle, noResources);
    assert.equal(out.sha256, meta.sha256);
    const imported = await importModel(to, bundle, noResources);
    assert.deepEqual(imported, meta);
    assert.deepEqual(getModel(to, meta.id, noResources), meta);
    assert.equal(
      readFileSync(path.join(to, 'models', meta.id, 'metadata.json'), 'utf8'),
      readFileSync(path.join(from, 'models', meta.id, 'metadata.json'), 'utf8'),
    );
    const loaded = await loadWeights(to, meta.id, noResources);
    await assertSameTensors(loaded, w);
    dispose(loaded);

    // Same bytes when exported again; importing twice is refused.
    const again = path.join(tmpRoot, 'bundle-again.tar');
    await exportModel(to, meta.id, again, noResources);
    assert.deepEqual(readFileSync(again), readFileSync(bundle));
    await assert.rejects(importModel(to, bundle, noResources), { code: 'CONFLICT', message: /already registered \(same weights\)/ });
    await assert.rejects(exportModel(from, meta.id, bundle, noResources), { code: 'CONFLICT' });
    await exportModel(from, meta.id, bundle, { ...noResources, overwrite: true });
    dispose(w);
  });

  test('the bundle is an ordinary tar file', { skip: !existsSync('/usr/bin/tar') && 'no tar here' }, async () => {
    const dataDir = freshDir();
    const w = architectureWeights(9);
    const meta = await saveModel(dataDir, { metadata: draft(), weights: w }, noResources);
    const bundle = path.join(tmpRoot, 'bundle-tar.tar');
    await exportModel(dataDir, meta.id, bundle, noResources);
    const listing = execFileSync('tar', ['-tf', bundle], { encoding: 'utf8' }).trim().split('\n');
    assert.deepEqual(listing, [`${meta.id}/metadata.json`, `${meta.id}/weights.bin`]);
    // ... and a tar made by tar imports.
    const unpacked = freshDir();
    execFileSync('tar', ['-xf', bundle, '-C', unpacked]);
    const repacked = path.join(tmpRoot, 'repacked.tar');
    execFileSync('tar', ['-cf', repacked, '-C', unpacked, meta.id]);
    const other = freshDir();
    assert.equal((await importModel(other, repacked, noResources)).sha256, meta.sha256);
    dispose(w);
  });

  test('a bundle with altered weights is refused and nothing is registered', async () => {
    const dataDir = freshDir();
    const w = architectureWeights(10);
    const meta = await saveModel(dataDir, { metadata: draft(), weights: w }, noResources);
    const bundle = path.join(tmpRoot, 'bundle-corrupt.tar');
    await exportModel(dataDir, meta.id, bundle, noResources);
    const bytes = readFileSync(bundle);
    // The weights are the second entry: flip the last data byte before the end-of-archive blocks.
    const weightsEnd = bytes.length - 1024 - ((512 - (meta.weightsBytes % 512)) % 512) - 1;
    bytes[weightsEnd] = bytes[weightsEnd]! ^ 0xff;
    writeFileSync(bundle, bytes);
    const other = freshDir();
    await assert.rejects(importModel(other, bundle, noResources), { code: 'INTEGRITY', message: /weights.bin: SHA-256 mismatch/ });
    assert.deepEqual(listModels(other, noResources), []);
    await assert.rejects(importModel(other, path.join(tmpRoot, 'nope.tar'), noResources), { code: 'NOT_FOUND' });
    writeFileSync(path.join(tmpRoot, 'junk.tar'), Buffer.alloc(2048, 7));
    await assert.rejects(importModel(other, path.join(tmpRoot, 'junk.tar'), noResources), /not a model bundle|damaged/);
    dispose(w);
  });
});
