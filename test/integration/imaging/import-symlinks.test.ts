// Symbolic links in a case folder: resolved first; a link that leaves the folder is refused
// before a byte is read, and nothing of it is stored.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { readImageBytes } from '../../../src-main/core/imaging/decode.ts';
import { importCaseFolder } from '../../../src-main/core/imaging/import.ts';
import { openStore } from '../../../src-main/core/store/index.ts';
import { tempDir } from '../../helpers/store.ts';
import { signatureCrop } from '../../helpers/imaging-fixtures.ts';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

test('links leaving the case folder are refused unread, nothing of them stored; links within it are followed', async () => {
  const root = tempDir('cs-links-');
  const outside = path.join(root, 'outside');
  const folder = path.join(root, 'case');
  mkdirSync(outside);
  for (const d of ['known/ann', 'questioned/ann', 'shared']) mkdirSync(path.join(folder, d), { recursive: true });
  // Outside: a real signature image (it would import fine) and a file like /etc/shadow.
  const secretPng = await signatureCrop(5);
  writeFileSync(path.join(outside, 'secret.png'), secretPng);
  writeFileSync(path.join(outside, 'shadow'), 'root:$6$salt$hash:19000:0:99999:7:::\n');
  for (let i = 1; i <= 3; i++) writeFileSync(path.join(folder, `known/ann/k${i}.png`), await signatureCrop(10 + i));
  const inside = await signatureCrop(20);
  writeFileSync(path.join(folder, 'shared/q-inside.png'), inside);
  symlinkSync('../../shared/q-inside.png', path.join(folder, 'questioned/ann/q1.png'));
  symlinkSync(path.join(outside, 'secret.png'), path.join(folder, 'questioned/ann/q2.png'));
  symlinkSync('../../../outside/shadow', path.join(folder, 'known/ann/shadow.png'));

  const store = openStore(path.join(root, 'data'));
  try {
    const c = store.cases.create({ name: 'Links' });
    const report = await importCaseFolder(store, { caseRef: c.id, folder, workers: 0 });
    const by = Object.fromEntries(report.files.map((f) => [f.path, f]));
    assert.equal(by['questioned/ann/q1.png']!.status, 'imported', 'a link within the folder is followed');
    for (const p of ['questioned/ann/q2.png', 'known/ann/shadow.png']) {
      assert.equal(by[p]!.status, 'failed', p);
      assert.equal(by[p]!.reasonCode, 'outside-folder');
      assert.match(by[p]!.reason ?? '', new RegExp(`^${p}: a symbolic link to ${outside}/\\S+, outside the case folder: refused without reading it`));
      assert.equal(by[p]!.sha256, null, 'never read, so never hashed');
      assert.equal(by[p]!.documentId, null);
    }
    const stored = new Set(store.objects.list());
    assert.ok(!stored.has(sha(secretPng)), 'the outside image is not in the object store');
    assert.ok(!stored.has(sha(readFileSync(path.join(outside, 'shadow')))), 'nor the outside text');
    assert.ok(stored.has(sha(inside)));
    assert.equal(store.db.prepare("SELECT count(*) FROM documents WHERE original_path IN ('questioned/ann/q2.png', 'known/ann/shadow.png')").pluck().get(), 0);
    const finish = store.audit.list().at(-1)!;
    assert.equal(finish.action, 'import.finish');
    assert.match(JSON.stringify(finish.details), /questioned\/ann\/q2.png: a symbolic link to .*outside the case folder/, 'the audit log records the refusal');
  } finally {
    store.close();
  }
});

test('reading checks again: a path whose links lead outside the folder is refused without being read', async () => {
  const root = tempDir('cs-links-read-');
  mkdirSync(path.join(root, 'case'));
  writeFileSync(path.join(root, 'elsewhere.png'), await signatureCrop(3));
  symlinkSync(path.join(root, 'elsewhere.png'), path.join(root, 'case', 'late.png'));
  await assert.rejects(
    readImageBytes(path.join(root, 'case', 'late.png'), 'late.png', 1 << 20, { inside: path.join(root, 'case') }),
    (e: { details?: { reason?: string } }) => e.details?.reason === 'outside-folder',
  );
  assert.ok(
    (await readImageBytes(path.join(root, 'case', 'late.png'), 'late.png', 1 << 20)).length > 0,
    'without a folder to stay in, links are read as before',
  );
});

test('a case.json that links outside the folder refuses the import before anything is written', async () => {
  const root = tempDir('cs-links-json-');
  const folder = path.join(root, 'case');
  mkdirSync(path.join(folder, 'known/ann'), { recursive: true });
  writeFileSync(path.join(folder, 'known/ann/k1.png'), await signatureCrop(4));
  writeFileSync(path.join(root, 'case.json'), '{}');
  symlinkSync(path.join(root, 'case.json'), path.join(folder, 'case.json'));
  const store = openStore(path.join(root, 'data'));
  try {
    const c = store.cases.create({ name: 'Json' });
    const rows = store.audit.list().length;
    await assert.rejects(importCaseFolder(store, { caseRef: c.id, folder, workers: 0 }), /case\.json: a symbolic link to .*, outside the case folder/);
    assert.equal(store.audit.list().length, rows);
  } finally {
    store.close();
  }
});
