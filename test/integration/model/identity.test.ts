// A model's identity covers the metadata that affects scores as well as the weights; an edit of
// metadata.json is caught at load, also after the file's own identity field was rewritten.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { modelIdentity } from '../../../src-main/core/model/registry/identity.ts';
import { ensureModelRow } from '../../../src-main/core/model/registry/model-rows.ts';
import { getModel, listModels, scanModels } from '../../../src-main/core/model/registry/registry.ts';
import { openStore } from '../../../src-main/core/store/index.ts';
import { saveTinyModel } from '../../helpers/verify-fixture.ts';
import { tempDir, throwsCode } from '../../helpers/store.ts';

type Json = Record<string, unknown>;

function editMetadata(dataDir: string, id: string, edit: (m: Json) => void): void {
  const file = path.join(dataDir, 'models', id, 'metadata.json');
  const meta = JSON.parse(readFileSync(file, 'utf8')) as Json;
  edit(meta);
  writeFileSync(file, JSON.stringify(meta, null, 2));
}

/** An edit that also recomputes the file's own identity field, as a careful forger would. */
function forgeMetadata(dataDir: string, id: string, edit: (m: Json) => void): void {
  editMetadata(dataDir, id, (m) => {
    edit(m);
    m.identitySha256 = modelIdentity(m);
  });
}

function register(dataDir: string, id: string): void {
  const store = openStore(dataDir);
  try {
    store.write(() => ensureModelRow(store, dataDir, id));
  } finally {
    store.close();
  }
}

describe('model identity', () => {
  it('covers preprocessing, calibration, scoring, metric, architecture, input, embedding size and the EER threshold, each whole', () => {
    const base: Json = {
      architecture: 'signet',
      inputShape: [155, 220, 1],
      embeddingSize: 128,
      preprocessing: { canvas: [155, 220] },
      calibration: { a: 1, b: -2 },
      distanceMetric: 'euclidean',
      metrics: { eer: 0.1, auc: 0.9, eerThreshold: 0.5 },
      sha256: 'a'.repeat(64),
      weightsBytes: 4,
      weightsManifest: [{ name: 'w', shape: [1], dtype: 'float32' }],
      description: 'x',
    };
    const id = modelIdentity(base);
    const variants: [string, (m: Json) => void][] = [
      ['a new preprocessing field', (m) => ((m.preprocessing as Json).normaliseVersion = 2)],
      ['a scoring object', (m) => (m.scoring = { method: 'kk-ratio', prior: 0.5 })],
      ['a calibration parameter', (m) => ((m.calibration as Json).b = -2.5)],
      ['the EER threshold', (m) => ((m.metrics as Json).eerThreshold = 0.6)],
      ['the metric', (m) => (m.distanceMetric = 'cosine')],
      ['the weights', (m) => (m.sha256 = 'b'.repeat(64))],
      ['the manifest', (m) => (m.weightsManifest = [{ name: 'w', shape: [1], dtype: 'int32' }])],
      ['the embedding size', (m) => (m.embeddingSize = 64)],
    ];
    for (const [what, edit] of variants) {
      const m = structuredClone(base);
      edit(m);
      assert.notEqual(modelIdentity(m), id, what);
    }
    const descriptive = structuredClone(base);
    descriptive.description = 'another description';
    (descriptive.metrics as Json).auc = 0.95;
    descriptive.preprocessing = { canvas: [155, 220] }; // same content, new object
    // The validation figures' intervals came later: recording them leaves existing identities as they are.
    descriptive.metricIntervals = {
      method: 'bootstrap over writers',
      level: 0.95,
      rounds: 1000,
      seed: 1,
      eer: [0.05, 0.2],
      eerRandom: null,
      auc: [0.8, 0.95],
      cllr: null,
      cllrMin: null,
      pairEer: null,
    };
    assert.equal(modelIdentity(descriptive), id, 'descriptive fields are not part of what decides');
  });

  it('an edit of metadata.json after the model was saved is refused on every read, naming the file', async () => {
    const dir = tempDir();
    const m = await saveTinyModel(dir);
    assert.match(m.identitySha256 ?? '', /^[0-9a-f]{64}$/);
    editMetadata(dir, m.id, (j) => ((j.metrics as Json).eerThreshold = 9));
    throwsCode(() => getModel(dir, m.id), 'INTEGRITY', `${m.id}/metadata.json: the model's metadata was edited after it was saved`);
    assert.equal(listModels(dir).length, 0);
    assert.match(scanModels(dir).problems[0]?.message ?? '', /edited after it was saved/);
  });

  it('an edit that rewrites the file\u2019s own identity is caught against the identity the database recorded', async () => {
    const dir = tempDir();
    const m = await saveTinyModel(dir);
    register(dir, m.id);
    forgeMetadata(dir, m.id, (j) => ((j.calibration as Json).a = 5));
    assert.equal(getModel(dir, m.id).calibration?.a, 5, 'the file is consistent with itself');
    const store = openStore(dir);
    try {
      throwsCode(
        () => store.write(() => ensureModelRow(store, dir, m.id)),
        'INTEGRITY',
        `model '${m.id}': its identity`,
        'calibration differ',
        'changed since the model was registered',
      );
    } finally {
      store.close();
    }
  });

  it('a model from before identities loads; its identity is recorded at first use, and a later edit is caught', async () => {
    const dir = tempDir();
    const m = await saveTinyModel(dir);
    editMetadata(dir, m.id, (j) => delete j.identitySha256);
    assert.equal(getModel(dir, m.id).id, m.id, 'legacy metadata still loads');
    register(dir, m.id);
    const raw = new Database(path.join(dir, 'countersign.db'), { readonly: true });
    assert.equal(
      raw.prepare('SELECT identity_sha256 FROM models WHERE id = ?').pluck().get(m.id),
      modelIdentity(JSON.parse(readFileSync(path.join(dir, 'models', m.id, 'metadata.json'), 'utf8'))),
    );
    raw.close();
    editMetadata(dir, m.id, (j) => ((j.preprocessing as Json).inputScale = 2));
    const store = openStore(dir);
    try {
      throwsCode(() => store.write(() => ensureModelRow(store, dir, m.id)), 'INTEGRITY', 'preprocessing differ');
    } finally {
      store.close();
    }
  });

  it('a models row registered before identities is compared field by field with the files once, then holds its identity', async () => {
    const dir = tempDir();
    const m = await saveTinyModel(dir);
    editMetadata(dir, m.id, (j) => delete j.identitySha256);
    register(dir, m.id);
    // As a schema-2 database left it: no identity recorded.
    const raw = new Database(path.join(dir, 'countersign.db'));
    raw.exec('DROP TRIGGER models_identity_final');
    raw.prepare('UPDATE models SET identity_sha256 = NULL').run();
    raw.exec(`CREATE TRIGGER models_identity_final BEFORE UPDATE OF identity_sha256 ON models
WHEN OLD.identity_sha256 IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'CONFLICT: a model''s recorded identity never changes; register a new version'); END`);
    raw.close();
    editMetadata(dir, m.id, (j) => ((j.metrics as Json).eerThreshold = 0.9));
    const store = openStore(dir);
    try {
      throwsCode(() => store.write(() => ensureModelRow(store, dir, m.id)), 'INTEGRITY', 'eerThreshold');
    } finally {
      store.close();
    }
  });
});
