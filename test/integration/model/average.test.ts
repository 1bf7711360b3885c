// A model version whose weights are the mean of several models' (models average): the weights are
// the element-wise mean, the members and their training data are recorded, threshold and prior are
// measured on the calibration data, and models that cannot be averaged are refused by name.
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { deriveVersion } from '../../../src-main/core/model/derive-version.ts';
import { VIEW_SETS } from '../../../src-main/core/model/embedding/views.ts';
import { getModel, loadWeights, saveModel } from '../../../src-main/core/model/registry/registry.ts';
import { generateDataset } from '../../../src-main/core/synth/index.ts';
import { cli, lastJson } from '../../helpers/cli.ts';
import { saveTinyModel } from '../../helpers/verify-fixture.ts';
import { tempDir } from '../../helpers/store.ts';

const root = tempDir('cs-average-');
const data = path.join(root, 'data');
const labelled = path.join(root, 'labelled');
const scoring = { method: 'kk-ratio' as const, prior: 0.5, priorWeight: 3 };
let a: string;
let b: string;
let c: string;

before(async () => {
  await generateDataset(labelled, { writers: 4, genuine: 4, forged: 2, seed: 22 });
  a = (await saveTinyModel(data, { seed: 3, name: 'member a', scoring })).id;
  b = (await saveTinyModel(data, { seed: 4, name: 'member b', scoring })).id;
  c = (await saveTinyModel(data, { seed: 5, name: 'member c', scoring })).id;
});

const scratchFolders = () =>
  readdirSync(os.tmpdir())
    .filter((f) => f.startsWith('countersign-derive-'))
    .sort();

describe('models average', () => {
  it('registers the element-wise mean of the weights, with its members, a new SHA-256 and its own threshold and prior', async () => {
    const before = scratchFolders();
    const m = await deriveVersion(data, a, { average: [b, c] }, { data: labelled, references: 2 });
    const [wa, wb, wc, wm] = await Promise.all([a, b, c, m.id].map((id) => loadWeights(data, id)));
    assert.deepEqual(
      wm!.map((w) => w.name),
      wa!.map((w) => w.name),
    );
    let worst = 0;
    wm!.forEach((w, k) => {
      const [x, y, z, got] = [wa![k]!, wb![k]!, wc![k]!, w].map((t) => t.tensor.dataSync());
      for (let i = 0; i < got!.length; i++) worst = Math.max(worst, Math.abs(got![i]! - (x![i]! + y![i]! + z![i]!) / 3));
    });
    assert.ok(worst < 1e-6, `the mean of the three, within float rounding (worst ${worst})`);
    for (const ws of [wa, wb, wc, wm]) for (const w of ws!) w.tensor.dispose();
    const pa = getModel(data, a);
    assert.notEqual(m.sha256, pa.sha256);
    assert.equal(m.parentId, a);
    assert.deepEqual(m.hyperparameters.averageOf, [a, b, c]);
    const members = (m.trainingData as { averagedWith: { id: string; sha256: string }[] }).averagedWith;
    assert.deepEqual(
      members.map((x) => [x.id, x.sha256]),
      [b, c].map((id) => [id, getModel(data, id).sha256]),
    );
    assert.ok(m.calibration && Number.isFinite(m.metrics.eerThreshold), 'threshold and calibration measured on the data');
    assert.notEqual(m.scoring?.method === 'kk-ratio' ? m.scoring.prior : null, 0.5, 'the prior is measured again');
    assert.equal(m.preprocessing.testTimeViews, undefined);
    assert.deepEqual(scratchFolders(), before, 'the scratch registry is removed');
  });

  it('with --views: averaged weights and test-time views in one version', async () => {
    const m = await deriveVersion(data, a, { average: [b], views: 'grid9' }, { data: labelled, references: 2 });
    assert.deepEqual(m.preprocessing.testTimeViews, VIEW_SETS.grid9);
    assert.deepEqual(m.hyperparameters.averageOf, [a, b]);
  });

  it('refuses what cannot be averaged, naming the model and the reason', async () => {
    const fails = (change: Parameters<typeof deriveVersion>[2], re: RegExp) =>
      assert.rejects(deriveVersion(data, a, change, { data: labelled }), (e: Error & { code?: string }) => e.code === 'INVALID_ARGUMENT' && re.test(e.message));
    await fails({ average: [] }, /^average: give at least one other model/);
    await fails({ average: [a] }, /^average: each model once, the parent .* included/);
    await fails({ average: [b, b] }, /^average: each model once/);
    // Same architecture, other input normalisation: the inputs differ.
    const p = getModel(data, b);
    const weights = await loadWeights(data, b);
    const other = await saveModel(data, {
      metadata: {
        name: 'other inputs',
        architecture: p.architecture,
        inputShape: p.inputShape,
        preprocessing: { ...p.preprocessing, normaliseVersion: 2 },
        metrics: {},
        calibration: null,
      },
      weights,
    });
    for (const w of weights) w.tensor.dispose();
    await fails({ average: [other.id] }, new RegExp(`^average: ${other.id} takes other inputs than ${a}`));
    await assert.rejects(deriveVersion(data, a, { average: ['no-such-model'] }, { data: labelled }), /no-such-model/);
  });

  it('countersign models average: the new version in JSON, audit-logged; usage errors exit 2', () => {
    const r = cli(['--data-dir', data, '--json', 'models', 'average', b, c, '--data', labelled, '--references', '2', '--id', 'soup-bc']);
    assert.equal(r.status, 0, r.stderr);
    const out = lastJson<{ ok: boolean; id: string; parentId: string; averageOf: string[] }>(r);
    assert.deepEqual([out.ok, out.id, out.parentId, out.averageOf], [true, 'soup-bc', b, [b, c]]);
    const db = new Database(path.join(data, 'countersign.db'), { readonly: true });
    const row = db.prepare("SELECT details FROM audit_log WHERE action = 'model.derive' AND entity = 'model:soup-bc'").get() as { details: string } | undefined;
    db.close();
    assert.ok(row, 'audit-logged');
    assert.deepEqual((JSON.parse(row.details) as { averageOf: string[] }).averageOf, [b, c]);
    const alone = cli(['--data-dir', data, 'models', 'average', b, '--data', labelled]);
    assert.equal(alone.status, 2);
    assert.match(alone.stderr, /give the model ids to average/);
  });
});
