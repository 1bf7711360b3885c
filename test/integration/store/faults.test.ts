import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { openStore } from '../../../src-main/core/store/index.ts';
import { tempDir } from './helpers.ts';

const isCode =
  (code: string, ...fragments: string[]) =>
  (err: { code?: string; message?: string }) =>
    err.code === code && fragments.every((f) => err.message?.includes(f));

test('a data directory that cannot be created gives IO naming it, and creates nothing', () => {
  const root = tempDir();
  const blocker = path.join(root, 'not-a-dir');
  fs.writeFileSync(blocker, 'a file where a directory should be');
  const dir = path.join(blocker, 'data');
  assert.throws(() => openStore(dir), isCode('IO', dir));
  assert.throws(() => openStore(blocker), isCode('IO', blocker));
  assert.deepEqual(fs.readdirSync(root), ['not-a-dir']);
});

test('a read-only data directory gives IO naming it', (t) => {
  if (process.getuid?.() === 0) return t.skip('root can write anywhere; covered by the test above');
  const dir = path.join(tempDir(), 'ro');
  fs.mkdirSync(dir, { mode: 0o500 });
  t.after(() => fs.chmodSync(dir, 0o700));
  assert.throws(() => openStore(dir), isCode('IO', dir));
  assert.deepEqual(fs.readdirSync(dir), []);
});

test('a full disk while writing gives IO naming the database; nothing is written and the store stays sound', () => {
  const dir = tempDir();
  const store = openStore(dir);
  try {
    store.cases.create({ name: 'Before' });
    const counts = () => [store.db.prepare('SELECT count(*) FROM cases').pluck().get(), store.db.prepare('SELECT count(*) FROM audit_log').pluck().get()];
    const before = counts();
    // The database may not grow by a single page: as good as a full disk for SQLite.
    store.db.pragma(`max_page_count = ${store.db.pragma('page_count', { simple: true })}`);
    assert.throws(() => store.cases.create({ name: 'Too big', notes: 'n'.repeat(19000) }), isCode('IO', store.dbPath, 'full'));
    assert.deepEqual(counts(), before);
    store.db.pragma('max_page_count = 1073741823');
    assert.equal(store.cases.create({ name: 'Too big', notes: 'n'.repeat(19000) }).name, 'Too big');
    assert.equal(store.audit.verify().ok, true);
    assert.deepEqual(store.integrityCheck(), { ok: true, problems: [] });
  } finally {
    store.close();
  }
});

test('a store whose append-only triggers were dropped gets them back on open, and says so in the log', () => {
  const dir = tempDir();
  const store = openStore(dir);
  store.db.exec('DROP TRIGGER audit_log_no_delete');
  store.close();
  const again = openStore(dir);
  try {
    assert.throws(() => again.db.prepare('DELETE FROM audit_log WHERE seq = 1').run(), /append-only/);
    const last = again.audit.list().at(-1);
    assert.equal(last?.action, 'store.protect');
    assert.deepEqual(last?.details, { missingTriggers: ['audit_log_no_delete'] });
  } finally {
    again.close();
  }
});
