// models.list / models.setActive over a real registry and store in a temporary data directory.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { saveModel, WEIGHTS_FILE } from '../../../src-main/core/model/registry/registry.ts';
import { readSettings } from '../../../src-main/core/settings.ts';
import { contractHarness } from '../../helpers/ipc.ts';

const { dir, app, dispatch, ok } = contractHarness('cs-ipc-models-');

async function save(name: string, createdAt: string, extra: Record<string, unknown> = {}) {
  const w = tf.tensor1d([1, 2, 3]);
  const meta = await saveModel(dir, {
    metadata: { name, architecture: 'signet-tiny', inputShape: [155, 220, 1], preprocessing: {}, createdAt, ...extra },
    weights: [{ name: 'dense/kernel', tensor: w }],
  });
  w.dispose();
  return meta.id;
}

let parent = '';
let child = '';
before(async () => {
  parent = await save('Institution', '2025-01-01T00:00:00.000Z', { metrics: { eer: 0.08, auc: 0.97, cllr: 0.31 } });
  child = await save('Institution', '2025-02-01T00:00:00.000Z', {
    parentId: parent,
    metrics: { eer: 0.06, auc: 0.98, cllr: 0.25 },
    calibration: {
      method: 'logistic',
      score: 'distance',
      a: 3,
      b: -6,
      bounds: { lower: -3, upper: 3, method: 'laplace-pav' },
      fittedOn: { same: 10, diff: 10 },
      cllr: 0.25,
      cllrMin: 0.2,
      eer: 0.06,
      eerThreshold: 0.5,
      regularisation: 1e-6,
    },
  });
});

describe('models.*', () => {
  it('lists versions with metrics, lineage and calibration; nothing active when none is chosen and no base model exists', async () => {
    const list = await ok('models.list', {});
    assert.deepEqual(
      list.models.map((m) => [m.id, m.parentId, m.source]),
      [
        [parent, null, 'user'],
        [child, parent, 'user'],
      ],
    );
    assert.equal(list.models[1]!.metrics.eer, 0.06);
    // What the figures rest on: nothing recorded for the parent, 10 calibration pairs each way for the child.
    assert.deepEqual(list.models[0]!.validation, { writers: null, same: null, diff: null, enough: null });
    assert.deepEqual(list.models[1]!.validation, { writers: null, same: 10, diff: 10, enough: null });
    assert.deepEqual(
      list.models.map((m) => m.calibrated),
      [false, true],
    );
    assert.equal(list.active, null);
    assert.equal(
      list.models.some((m) => m.active),
      false,
    );
  });

  it('says when a model was validated on too few writers', async () => {
    const id = await save('Thin', '2025-03-01T00:00:00.000Z', { metrics: { eer: 0.25 }, trainingData: { validationWriters: ['a', 'b'], trainWriters: 4 } });
    const list = await ok('models.list', {});
    assert.deepEqual(list.models.find((m) => m.id === id)!.validation, { writers: 2, same: null, diff: null, enough: false });
  });

  it('makes a model active, audit-logs from and to, and reports it active', async () => {
    const list = await ok('models.setActive', { modelId: child });
    assert.deepEqual(list.active, { id: child, chosenBy: 'settings' });
    assert.deepEqual(
      list.models.filter((m) => m.active).map((m) => m.id),
      [child],
    );
    await ok('models.setActive', { modelId: parent });
    const rows = app.store.audit.list().filter((r) => r.action === 'model.activate');
    assert.deepEqual(
      rows.map((r) => r.details),
      [
        { from: null, to: child },
        { from: child, to: parent },
      ],
    );
    await ok('models.setActive', { modelId: parent });
    assert.equal(app.store.audit.list().filter((r) => r.action === 'model.activate').length, 2, 'no row when nothing changes');
  });

  it('refuses an unknown model and one whose weights were altered; nothing logged, nothing changed', async () => {
    const before = app.store.audit.list().length;
    const unknown = await dispatch('models.setActive', { modelId: 'nope-v1' });
    assert.equal(unknown.ok ? null : unknown.error.code, 'NOT_FOUND');
    writeFileSync(path.join(dir, 'models', child, WEIGHTS_FILE), Buffer.alloc(12, 7));
    const tampered = await dispatch('models.setActive', { modelId: child });
    assert.equal(tampered.ok ? null : tampered.error.code, 'INTEGRITY');
    assert.equal(app.store.audit.list().length, before);
    assert.equal(readSettings(dir).activeModel, parent);
  });
});
