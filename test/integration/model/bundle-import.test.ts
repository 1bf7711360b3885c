// Model bundles are hostile input: sizes come from the tar headers before anything is read,
// the manifest must be the architecture's, and an import is all or nothing.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { importModelIntoStore } from '../../../src-main/core/model/registry/import-bundle.ts';
import { modelIdentity } from '../../../src-main/core/model/registry/identity.ts';
import { exportModel, importModel, listModels } from '../../../src-main/core/model/registry/registry.ts';
import { openStore } from '../../../src-main/core/store/index.ts';
import { saveTinyModel } from '../../helpers/verify-fixture.ts';
import { sparseTar } from '../../helpers/sparse-tar.ts';
import { rejectsCode, tempDir } from '../../helpers/store.ts';

async function exported(dir: string) {
  const m = await saveTinyModel(dir);
  const file = (await exportModel(dir, m.id, path.join(dir, 'model.tar'))).file;
  const metadata = readFileSync(path.join(dir, 'models', m.id, 'metadata.json'));
  return { m, file, metadata };
}

describe('hostile bundles', () => {
  it('a sparse bundle claiming 2.5 GB of weights is refused from its header, at once and in bounded memory', async () => {
    const dir = tempDir();
    const { m, metadata } = await exported(dir);
    const file = sparseTar(path.join(dir, 'sparse.tar'), [
      { name: `${m.id}/metadata.json`, data: metadata },
      { name: `${m.id}/weights.bin`, size: 2.5e9 },
    ]);
    const rss = process.memoryUsage().rss;
    const t0 = performance.now();
    await rejectsCode(importModel(tempDir(), file), 'INVALID_ARGUMENT', 'weights.bin is 2384.2 MiB; model weights are at most 1024.0 MiB; nothing was read');
    assert.ok(performance.now() - t0 < 2000, 'refused quickly');
    assert.ok(process.memoryUsage().rss - rss < 64 * 1024 * 1024, 'nothing near the claimed size was allocated');
  });

  it('a 700 MB metadata.json is refused from its header with a clear error, not a V8 string error', async () => {
    const dir = tempDir();
    const file = sparseTar(path.join(dir, 'huge-manifest.tar'), [
      { name: 'x/metadata.json', size: 700 * 1024 * 1024 },
      { name: 'x/weights.bin', data: Buffer.alloc(8) },
    ]);
    await rejectsCode(
      importModel(tempDir(), file),
      'INVALID_ARGUMENT',
      "x/metadata.json is 700.0 MiB; a model's metadata is at most 16.0 MiB; nothing was read",
    );
  });

  it('weights whose size in the header is not what the metadata records are refused before they are read', async () => {
    const dir = tempDir();
    const { m, metadata } = await exported(dir);
    const file = sparseTar(path.join(dir, 'short.tar'), [
      { name: `${m.id}/metadata.json`, data: metadata },
      { name: `${m.id}/weights.bin`, size: 4096 },
    ]);
    await rejectsCode(importModel(tempDir(), file), 'INTEGRITY', 'weights.bin is 4096 bytes, the metadata records');
  });

  it('a weights manifest that is not the architecture\u2019s is refused, naming the tensor', async () => {
    const dir = tempDir();
    const { m } = await exported(dir);
    const meta = JSON.parse(readFileSync(path.join(dir, 'models', m.id, 'metadata.json'), 'utf8'));
    const [a, b] = [meta.weightsManifest[0], meta.weightsManifest[1]];
    meta.weightsManifest[0] = b;
    meta.weightsManifest[1] = a;
    meta.identitySha256 = modelIdentity(meta);
    const file = sparseTar(path.join(dir, 'swapped.tar'), [
      { name: `${m.id}/metadata.json`, data: Buffer.from(JSON.stringify(meta)) },
      { name: `${m.id}/weights.bin`, data: readFileSync(path.join(dir, 'models', m.id, 'weights.bin')) },
    ]);
    await rejectsCode(importModel(tempDir(), file), 'INTEGRITY', `weightsManifest[0]: '${b.name}', signet-tiny expects '${a.name}' there`);
  });
});

describe('bundle layout', () => {
  it('weights.bin before metadata.json imports (tar -cf follows the folder order); altered weights in that order are still refused', async () => {
    const dir = tempDir();
    const { m, metadata } = await exported(dir);
    const weights = readFileSync(path.join(dir, 'models', m.id, 'weights.bin'));
    const file = sparseTar(path.join(dir, 'reversed.tar'), [
      { name: `${m.id}/weights.bin`, data: weights },
      { name: `${m.id}/metadata.json`, data: metadata },
    ]);
    assert.equal((await importModel(tempDir(), file)).sha256, m.sha256);
    const altered = Buffer.from(weights);
    altered[0] = altered[0]! ^ 1;
    const bad = sparseTar(path.join(dir, 'reversed-bad.tar'), [
      { name: `${m.id}/weights.bin`, data: altered },
      { name: `${m.id}/metadata.json`, data: metadata },
    ]);
    const target = tempDir();
    await rejectsCode(importModel(target, bad), 'INTEGRITY', 'weights.bin: SHA-256 mismatch');
    assert.deepEqual(existsSync(path.join(target, 'models')) ? readdirSync(path.join(target, 'models')) : [], [], 'no temporary folder left');
  });

  it('two metadata.json, a missing weights.bin, an extra file, a path that escapes: refused naming the entry', async () => {
    const dir = tempDir();
    const { m, metadata } = await exported(dir);
    const cases: [{ name: string; data: Buffer }[], string, string][] = [
      [
        [
          { name: 'a/metadata.json', data: metadata },
          { name: 'b/metadata.json', data: metadata },
        ],
        'INVALID_ARGUMENT',
        'expected one metadata.json, found a/metadata.json and b/metadata.json',
      ],
      [[{ name: `${m.id}/metadata.json`, data: metadata }], 'INVALID_ARGUMENT', 'expected one weights.bin, found none'],
      [[{ name: `${m.id}/notes.txt`, data: Buffer.from('x') }], 'INVALID_ARGUMENT', `unexpected file in model bundle: ${m.id}/notes.txt`],
      [
        [{ name: `../${m.id}/metadata.json`, data: metadata }],
        'INVALID_ARGUMENT',
        `entry "../${m.id}/metadata.json" contains '..'; refused: a model bundle holds relative paths only`,
      ],
    ];
    for (const [i, [entries, code, message]] of cases.entries()) {
      await rejectsCode(importModel(tempDir(), sparseTar(path.join(dir, `c${i}.tar`), entries)), code, message);
    }
  });
});

describe('models import into a data directory', () => {
  it('records the model, its identity and an audit row; the same file again is refused', async () => {
    const src = tempDir();
    const { m, file } = await exported(src);
    const dir = tempDir();
    const store = openStore(dir);
    try {
      const r = await importModelIntoStore(store, file);
      assert.equal(r.identity, m.identitySha256);
      const row = store.db.prepare('SELECT identity_sha256 FROM models WHERE id = ?').pluck().get(m.id);
      assert.equal(row, m.identitySha256);
      assert.deepEqual(
        store.audit
          .list()
          .slice(-2)
          .map((a) => a.action),
        ['model.register', 'model.import'],
      );
      await rejectsCode(importModelIntoStore(store, file), 'CONFLICT', `model '${m.id}' is already registered (same weights)`);
    } finally {
      store.close();
    }
  });

  it('a clash of name and version with another id leaves nothing behind: no folder, no row, no audit row, a clear error', async () => {
    const src = tempDir();
    const { m } = await exported(src);
    const dir = tempDir();
    const store = openStore(dir);
    try {
      await importModelIntoStore(store, path.join(src, 'model.tar'));
      // The same name and version under another id, as another installation might have made it.
      const other = tempDir();
      const again = await saveTinyModel(other, { seed: 9 });
      assert.equal(again.id, m.id);
      const meta = JSON.parse(readFileSync(path.join(other, 'models', again.id, 'metadata.json'), 'utf8'));
      meta.id = 'renamed-v1';
      meta.identitySha256 = modelIdentity(meta);
      writeFileSync(path.join(other, 'renamed.json'), JSON.stringify(meta));
      const file = sparseTar(path.join(other, 'renamed.tar'), [
        { name: 'renamed-v1/metadata.json', data: readFileSync(path.join(other, 'renamed.json')) },
        { name: 'renamed-v1/weights.bin', data: readFileSync(path.join(other, 'models', again.id, 'weights.bin')) },
      ]);
      const before = { models: listModels(dir).map((x) => x.id), audit: store.audit.list().length };
      await rejectsCode(
        importModelIntoStore(store, file),
        'CONFLICT',
        `'${meta.name}' version ${meta.version} is already registered as '${m.id}'`,
        'Nothing was imported',
      );
      assert.deepEqual(
        listModels(dir).map((x) => x.id),
        before.models,
      );
      assert.equal(store.audit.list().length, before.audit);
      assert.equal(store.db.prepare(`SELECT count(*) FROM models WHERE id = 'renamed-v1'`).pluck().get(), 0);
      assert.equal(existsSync(path.join(dir, 'models', 'renamed-v1')), false);
      assert.deepEqual(
        readdirSync(path.join(dir, 'models')).filter((n) => n.startsWith('.')),
        [],
        'no temporary folder left',
      );
    } finally {
      store.close();
    }
  });
});
