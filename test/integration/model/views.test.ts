// A model version with test-time views (models views): same weights, its own threshold and
// calibration; its pool embeds each signature as the mean of the parent's embeddings of the
// shifted inputs; the format and identity say what it is.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { prepareInputs, readLabelledData } from '../../../src-main/core/model/dataset.ts';
import { deriveVersion } from '../../../src-main/core/model/derive-version.ts';
import { EmbedPool } from '../../../src-main/core/model/embedding/embed-pool.ts';
import { VIEW_SETS, writeShifted } from '../../../src-main/core/model/embedding/views.ts';
import { getModel } from '../../../src-main/core/model/registry/registry.ts';
import { generateDataset } from '../../../src-main/core/synth/index.ts';
import { saveTinyModel } from '../../helpers/verify-fixture.ts';
import { tempDir } from '../../helpers/store.ts';

const root = tempDir('cs-views-');
const data = path.join(root, 'data');
const labelled = path.join(root, 'labelled');
let parent: string;

before(async () => {
  await generateDataset(labelled, { writers: 4, genuine: 4, forged: 2, seed: 21 });
  parent = (await saveTinyModel(data, { scoring: { method: 'kk-ratio', prior: 0.5, priorWeight: 3 } })).id;
});

async function embed(modelId: string, inputs: Float32Array[]): Promise<Float32Array[]> {
  const pool = await EmbedPool.create({ dataDir: data, modelId, workers: 1 });
  try {
    return await pool.embed(inputs);
  } finally {
    await pool.close();
  }
}

describe('test-time views', () => {
  let grid: string;

  it('derives a grid9 version: same weights, views and format 2 recorded, new identity, threshold and prior measured with the views', async () => {
    const p = getModel(data, parent);
    const m = await deriveVersion(data, parent, { views: 'grid9' }, { data: labelled, references: 2 });
    grid = m.id;
    assert.equal(m.parentId, parent);
    assert.equal(m.sha256, p.sha256);
    assert.deepEqual(m.preprocessing.testTimeViews, VIEW_SETS.grid9);
    assert.equal(m.distanceMetric, p.distanceMetric);
    assert.notEqual(m.identitySha256, p.identitySha256);
    assert.notEqual(m.scoring?.method === 'kk-ratio' ? m.scoring.prior : null, 0.5, 'the prior is measured again, with the views');
    const onDisk = JSON.parse(readFileSync(path.join(data, 'models', grid, 'metadata.json'), 'utf8')) as { formatVersion: number };
    assert.equal(onDisk.formatVersion, 2);
    assert.equal(p.formatVersion, 1, 'a model without views stays format 1');
    await assert.rejects(
      deriveVersion(data, grid, { views: 'grid9' }, { data: labelled }),
      (e: Error & { code?: string }) => e.code === 'CONFLICT' && /already embeds with the views 'grid9'/.test(e.message),
    );
    await assert.rejects(deriveVersion(data, parent, {}, { data: labelled }), /changes the metric, the views or the weights/);
    await assert.rejects(deriveVersion(data, parent, { views: 'grid4' as 'grid9' }, { data: labelled }), /views: expected one of none, grid9/);
  });

  it("embeds each signature as the mean of the parent's embeddings of its nine shifted inputs", async () => {
    const items = readLabelledData(labelled).items.slice(0, 5);
    const meta = getModel(data, parent);
    const shape = meta.inputShape;
    const inputs = await prepareInputs(items, { canvas: [shape[0], shape[1]] });
    const withViews = await embed(grid, inputs);
    const size = shape[0] * shape[1] * shape[2];
    const shifted = inputs.flatMap((x) =>
      VIEW_SETS.grid9.map((v) => {
        const d = new Float32Array(size);
        writeShifted(d, 0, x, shape, v);
        return d;
      }),
    );
    const each = await embed(parent, shifted);
    const once = await embed(parent, inputs);
    for (let i = 0; i < inputs.length; i++) {
      const want = each.slice(i * 9, i * 9 + 9).reduce((acc, v) => acc.map((a, k) => a + v[k]! / 9), new Float32Array(withViews[i]!.length));
      const diff = Math.max(...want.map((w, k) => Math.abs(w - withViews[i]![k]!)));
      assert.ok(diff < 1e-5, `signature ${i}: largest difference ${diff}`);
      assert.ok(Math.max(...once[i]!.map((w, k) => Math.abs(w - withViews[i]![k]!))) > 1e-4, 'the views change the embedding');
    }
  });

  it("'none' derives back a version that embeds once", async () => {
    const m = await deriveVersion(data, grid, { views: 'none' }, { data: labelled, references: 2 });
    assert.equal(m.preprocessing.testTimeViews, undefined);
    assert.equal(m.formatVersion, 1);
  });
});
