// The distance metric per model: a cosine version derived from a Euclidean model (same
// weights, own calibration), recorded in its metadata and in every identification made with it.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { identify } from '../../../src-main/core/identify/identify.ts';
import { enrolFiles } from '../../../src-main/core/library/enrol.ts';
import { deriveVersion } from '../../../src-main/core/model/derive-version.ts';
import { parseMetadata } from '../../../src-main/core/model/registry/registry-metadata.ts';
import { getModel } from '../../../src-main/core/model/registry/registry.ts';
import { openStore, type Store } from '../../../src-main/core/store/index.ts';
import { generateDataset } from '../../../src-main/core/synth/index.ts';
import { cosineDistance } from '../../../src-main/core/scoring/distance.ts';
import { saveTinyModel } from '../../helpers/verify-fixture.ts';
import { tempDir } from '../../helpers/store.ts';

const root = tempDir('cs-metric-');
const data = path.join(root, 'data');
const labelled = path.join(root, 'labelled');
let store: Store;
let euclidean: string;

before(async () => {
  await generateDataset(labelled, { writers: 4, genuine: 4, forged: 2, seed: 12 });
  euclidean = (await saveTinyModel(data)).id;
  store = openStore(data);
});
after(() => store.close());

describe('distance metric per model', () => {
  let cosine: string;

  it('derives a cosine version: same weights, parent recorded, metrics and threshold measured with cosine distances', async () => {
    const parent = getModel(data, euclidean);
    const m = await deriveVersion(data, euclidean, { metric: 'cosine' }, { data: labelled, references: 2 });
    cosine = m.id;
    assert.equal(m.distanceMetric, 'cosine');
    assert.equal(m.parentId, euclidean);
    assert.equal(m.sha256, parent.sha256);
    assert.equal(parent.distanceMetric, 'euclidean', 'the parent is not changed');
    assert.ok(m.metrics.eerThreshold! > 0 && m.metrics.eerThreshold! <= 2, `a cosine distance threshold: ${m.metrics.eerThreshold}`);
    assert.notEqual(m.metrics.eerThreshold, parent.metrics.eerThreshold);
    assert.ok(m.validationDistances!.same.every((d) => d >= 0 && d <= 2));
    await assert.rejects(deriveVersion(data, cosine, { metric: 'cosine' }, { data: labelled }), /already uses the cosine distance/);
    assert.throws(() => parseMetadata({ ...m, distanceMetric: 'manhattan' }, 'metadata.json'), /distanceMetric/);
  });

  it('identification with the cosine version ranks by mean cosine distance and records the metric', async () => {
    const g = (w: string, i: number) => path.join(labelled, w, 'genuine', `${w}-g${String(i).padStart(2, '0')}.png`);
    const a = await enrolFiles(store, { name: 'A', paths: [g('w0001', 1), g('w0001', 2)], modelId: cosine });
    await enrolFiles(store, { name: 'B', paths: [g('w0002', 1), g('w0002', 2)], modelId: cosine });
    const q = a.files[0]!.signatureId!;
    const r = await identify(store, { signatureId: q }, { modelId: cosine });
    assert.equal(r.metric, 'cosine');
    assert.equal(r.model.id, cosine);
    const vec = (id: number) => {
      const b = store.db.prepare('SELECT vector FROM embeddings WHERE signature_id = ? AND model_id = ?').pluck().get(id, cosine) as Buffer;
      return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
    };
    for (const c of r.candidates) for (const e of c.exemplars) assert.equal(e.distance, cosineDistance(vec(q), vec(e.signatureId)));
    const row = store.db.prepare('SELECT metric FROM identifications WHERE id = ?').pluck().get(r.id);
    assert.equal(row, 'cosine');
    assert.equal(store.audit.list().at(-1)!.details.metric, 'cosine');
  });
});
