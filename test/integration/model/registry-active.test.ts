// Base models from resources/ and the active model in settings.json.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { getActiveModel, listModels, loadWeights, saveModel, setActiveModel, type ModelDraft } from '../../../src-main/core/model/registry/registry.ts';
import { readSettings, updateSettings } from '../../../src-main/core/settings.ts';

const tmpRoot = mkdtempSync(path.join(os.tmpdir(), 'countersign-active-'));
after(() => rmSync(tmpRoot, { recursive: true, force: true }));
const resources = { resourcesDir: path.join(tmpRoot, 'resources') };
let n = 0;
const freshDir = () => {
  const dir = path.join(tmpRoot, `d${n++}`);
  mkdirSync(dir);
  return dir;
};

const draft = (name: string, createdAt: string): ModelDraft => ({
  name,
  architecture: 'signet-tiny',
  inputShape: [155, 220, 1],
  preprocessing: {},
  createdAt,
});

/** Puts a saved model into resources/models/ the way the build ships the base model. */
async function shipBaseModel(name: string, createdAt: string): Promise<string> {
  const staging = freshDir();
  const w = tf.tensor2d([
    [1, 2],
    [3, 4],
  ]);
  const meta = await saveModel(staging, { metadata: draft(name, createdAt), weights: [{ name: 'dense/kernel', tensor: w }] }, resources);
  w.dispose();
  cpSync(path.join(staging, 'models', meta.id), path.join(resources.resourcesDir, 'models', meta.id), { recursive: true });
  return meta.id;
}

before(async () => {
  await shipBaseModel('Signet Base', '2025-01-01T00:00:00.000Z');
  await shipBaseModel('Signet Base', '2025-06-01T00:00:00.000Z');
});

describe('base models', () => {
  test('are listed first, marked base, and loadable', async () => {
    const dataDir = freshDir();
    const w = tf.tensor1d([5]);
    await saveModel(dataDir, { metadata: draft('Mine', '2024-01-01T00:00:00.000Z'), weights: [{ name: 'b', tensor: w }] }, resources);
    w.dispose();
    assert.deepEqual(
      listModels(dataDir, resources).map((m) => [m.id, m.source]),
      [
        ['signet-base-v1', 'base'],
        ['signet-base-v2', 'base'],
        ['mine-v1', 'user'],
      ],
    );
    const loaded = await loadWeights(dataDir, 'signet-base-v1', resources);
    assert.deepEqual(await loaded[0]!.tensor.array(), [
      [1, 2],
      [3, 4],
    ]);
    loaded.forEach((x) => x.tensor.dispose());
  });

  test('cannot be shadowed: their ids and versions are taken', async () => {
    const dataDir = freshDir();
    const w = tf.tensor1d([5]);
    await assert.rejects(
      saveModel(dataDir, { metadata: { ...draft('x', '2025-01-01'), id: 'signet-base-v1' }, weights: [{ name: 'b', tensor: w }] }, resources),
      { code: 'CONFLICT' },
    );
    const next = await saveModel(dataDir, { metadata: draft('Signet Base', '2025-07-01'), weights: [{ name: 'b', tensor: w }] }, resources);
    assert.equal(next.id, 'signet-base-v3');
    w.dispose();
  });
});

describe('active model', () => {
  test('defaults to the newest base model until one is chosen', async () => {
    const dataDir = freshDir();
    assert.deepEqual(getActiveModel(dataDir, resources), { id: 'signet-base-v2', chosenBy: 'default' });
    assert.equal(getActiveModel(freshDir(), { resourcesDir: path.join(tmpRoot, 'none') }), null);
  });

  test('is stored in settings.json, keeping other settings', async () => {
    const dataDir = freshDir();
    updateSettings(dataDir, { minimumReferences: 4 });
    const w = tf.tensor1d([5]);
    const mine = await saveModel(dataDir, { metadata: draft('Mine', '2025-08-01'), weights: [{ name: 'b', tensor: w }] }, resources);
    w.dispose();
    setActiveModel(dataDir, mine.id, resources);
    assert.deepEqual(getActiveModel(dataDir, resources), { id: mine.id, chosenBy: 'settings' });
    assert.deepEqual(JSON.parse(readFileSync(path.join(dataDir, 'settings.json'), 'utf8')), { minimumReferences: 4, activeModel: mine.id });
  });

  test('refuses unknown or damaged models, and a vanished choice is an error, not a silent switch', async () => {
    const dataDir = freshDir();
    assert.throws(() => setActiveModel(dataDir, 'nope', resources), { code: 'NOT_FOUND' });
    const w = tf.tensor1d([5]);
    const mine = await saveModel(dataDir, { metadata: draft('Mine', '2025-08-01'), weights: [{ name: 'b', tensor: w }] }, resources);
    w.dispose();
    writeFileSync(path.join(dataDir, 'models', mine.id, 'weights.bin'), Buffer.from([0, 0, 0, 0]));
    assert.throws(() => setActiveModel(dataDir, mine.id, resources), { code: 'INTEGRITY' });
    assert.equal(readSettings(dataDir).activeModel, undefined);
    updateSettings(dataDir, { activeModel: 'deleted-v1' });
    assert.throws(() => getActiveModel(dataDir, resources), { code: 'NOT_FOUND', message: /deleted-v1/ });
  });

  test('a damaged settings.json is reported with its path', () => {
    const dataDir = freshDir();
    writeFileSync(path.join(dataDir, 'settings.json'), '{ nope');
    assert.throws(() => getActiveModel(dataDir, resources), { code: 'IO', message: /settings.json: not valid JSON/ });
    // A choice of the wrong type is an error too, not a silent switch to the default model.
    writeFileSync(path.join(dataDir, 'settings.json'), '{ "activeModel": ["mine-v1"] }');
    assert.throws(() => getActiveModel(dataDir, resources), { code: 'IO', message: /settings\.json: activeModel: / });
  });
});
