import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import zlib from 'node:zlib';
import { backupStore, openStore, restoreBackup } from '../../../src-main/core/store/index.ts';
import { tempDir } from './helpers.ts';

async function makeBackup(root: string) {
  const store = openStore(path.join(root, 'data'));
  const c = store.cases.create({ name: 'Evidence', threshold: 0.4 });
  const blobs = [randomBytes(5000), randomBytes(70000), Buffer.from('small original')];
  const shas = blobs.map((b) => store.objects.put(b));
  store.write(() => {
    const subject = store.db
      .prepare(`INSERT INTO subjects (case_id, scope, name, name_key, created_at) VALUES (?, 'case', 'Ann', 'ann', 'now')`)
      .run(c.id).lastInsertRowid;
    shas.forEach((sha, i) =>
      store.db
        .prepare(`INSERT INTO documents (case_id, role, subject_id, original_path, sha256, size, imported_at) VALUES (?, 'known', ?, ?, ?, ?, 'now')`)
        .run(c.id, subject, `known/ann/${i}.png`, sha, blobs[i]?.length),
    );
  });
  const file = path.join(root, 'case.tar');
  const summary = await backupStore(store, file);
  return { store, file, summary, blobs, shas };
}

test('backup then restore gives the same cases, objects and audit chain; the backup is audited', async () => {
  const root = tempDir();
  const { store, file, summary, blobs, shas } = await makeBackup(root);
  assert.equal(summary.manifest.objects.count, 3);
  assert.equal(summary.manifest.audit.verified, true);
  assert.equal(store.audit.list().at(-1)?.action, 'backup.create');
  assert.equal(store.audit.list().at(-1)?.details.sha256, summary.sha256);
  await assert.rejects(backupStore(store, file), (e: { code?: string }) => e.code === 'CONFLICT', 'never replaces a file');
  store.close();

  const target = path.join(root, 'restored');
  fs.mkdirSync(target); // an existing empty directory is fine
  const r = await restoreBackup(file, target);
  assert.equal(r.objects, 3);
  assert.equal(r.auditVerified, true);
  const restored = openStore(target);
  try {
    assert.equal(restored.cases.get('Evidence').threshold, 0.4);
    shas.forEach((sha, i) => assert.ok(restored.objects.get(sha).equals(blobs[i] as Buffer)));
    const chain = restored.audit.verify({ anchor: summary.manifest.audit.head! });
    assert.equal(chain.ok, true);
    assert.equal(restored.audit.list().at(-1)?.action, 'backup.restore');
    assert.deepEqual(restored.integrityCheck(), { ok: true, problems: [] });
  } finally {
    restored.close();
  }
  assert.deepEqual(fs.readdirSync(root).sort(), ['case.tar', 'data', 'restored'], 'no staging directory left behind');
});

test('restore refuses a corrupt or truncated archive and leaves no data directory behind', async () => {
  const root = tempDir();
  const { store, file, blobs } = await makeBackup(root);
  store.close();
  const bytes = fs.readFileSync(file);

  const corrupt = path.join(root, 'corrupt.tar');
  const copy = Buffer.from(bytes);
  const at = copy.indexOf(blobs[2] as Buffer);
  assert.ok(at > 0);
  copy[at] = (copy[at] as number) ^ 0xff;
  fs.writeFileSync(corrupt, copy);
  await assert.rejects(
    restoreBackup(corrupt, path.join(root, 'r1')),
    (e: { code?: string; message?: string }) => e.code === 'INTEGRITY' && /object [0-9a-f]{64} in the backup is corrupt/.test(e.message ?? ''),
  );
  assert.equal(fs.existsSync(path.join(root, 'r1')), false);

  const truncated = path.join(root, 'truncated.tar');
  fs.writeFileSync(truncated, bytes.subarray(0, bytes.length - 3000));
  await assert.rejects(restoreBackup(truncated, path.join(root, 'r2')), (e: { code?: string }) => e.code === 'INTEGRITY');
  assert.equal(fs.existsSync(path.join(root, 'r2')), false);

  const notTar = path.join(root, 'notes.txt');
  fs.writeFileSync(notTar, 'x'.repeat(2048));
  await assert.rejects(restoreBackup(notTar, path.join(root, 'r3')), (e: { code?: string }) => e.code === 'INTEGRITY');
  assert.deepEqual(
    fs.readdirSync(root).filter((n) => n.startsWith('.') || n.startsWith('r')),
    [],
  );
});

test('restore refuses a non-empty data directory and touches nothing in it', async () => {
  const root = tempDir();
  const { store, file } = await makeBackup(root);
  store.close();
  const target = path.join(root, 'busy');
  fs.mkdirSync(target);
  fs.writeFileSync(path.join(target, 'keep.txt'), 'mine');
  await assert.rejects(restoreBackup(file, target), (e: { code?: string; message?: string }) => e.code === 'CONFLICT' && e.message!.includes(target));
  assert.deepEqual(fs.readdirSync(target), ['keep.txt']);
});

test('a backup written by the old hand-written tar writer (fixture, schema 7) still restores', async () => {
  const root = tempDir();
  const file = path.join(root, 'old.tar');
  fs.writeFileSync(file, zlib.gunzipSync(fs.readFileSync(path.resolve(import.meta.dirname, '../../fixtures/tar/old-backup-schema7.tar.gz'))));
  const r = await restoreBackup(file, path.join(root, 'restored'));
  assert.equal(r.manifest.schemaVersion, 7);
  assert.equal(r.objects, 1);
  assert.equal(r.auditVerified, true);
  const restored = openStore(r.dataDir);
  try {
    assert.equal(restored.cases.get('Old backup').threshold, 0.4);
    const sha = createHash('sha256').update('an object written by the old tar writer').digest('hex');
    assert.equal(restored.objects.get(sha).toString(), 'an object written by the old tar writer');
    assert.equal(restored.audit.verify().ok, true);
  } finally {
    restored.close();
  }
});
