// Evidence is readable by its owner only: data directory, database, objects, key and backups.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { backupStore, openStore, restoreBackup } from '../../../src-main/core/store/index.ts';
import { checkPermissions } from '../../../src-main/core/store/permissions.ts';
import { tempDir } from '../../helpers/store.ts';

const mode = (p: string) => fs.statSync(p).mode & 0o777;

test('a new data directory, its database, journal, objects, key and backups are owner-only', { skip: process.platform === 'win32' }, async () => {
  const root = tempDir();
  const dir = path.join(root, 'data');
  const store = openStore(dir);
  const sha = store.objects.put(Buffer.from('evidence'));
  store.cases.create({ name: 'Case' });
  assert.equal(mode(dir), 0o700);
  for (const f of ['countersign.db', 'countersign.db-wal', 'countersign.db-shm', 'installation-key.pem']) assert.equal(mode(path.join(dir, f)), 0o600, f);
  assert.equal(mode(path.join(dir, 'objects')), 0o700);
  assert.equal(mode(path.dirname(store.objects.path(sha))), 0o700);
  assert.equal(mode(store.objects.path(sha)), 0o400);
  const b = await backupStore(store, path.join(root, 'backup.tar'));
  store.close();
  assert.equal(mode(b.file), 0o600);
  assert.deepEqual(checkPermissions(dir).problems, []);

  const restored = path.join(root, 'restored');
  await restoreBackup(b.file, restored);
  assert.equal(mode(restored), 0o700);
  assert.equal(mode(path.join(restored, 'countersign.db')), 0o600);
  assert.equal(mode(path.join(restored, 'objects', sha.slice(0, 2), sha.slice(2))), 0o400);
});

test(
  'a data directory an older version left readable by others is reported, then tightened when the store opens',
  { skip: process.platform === 'win32' },
  () => {
    const dir = tempDir();
    openStore(dir).close();
    fs.chmodSync(dir, 0o755);
    fs.chmodSync(path.join(dir, 'countersign.db'), 0o644);
    const before = checkPermissions(dir);
    assert.equal(before.ownerOnly, false);
    assert.match(before.problems.join('\n'), /countersign\.db is 0644: other users on this machine can read it/);
    openStore(dir).close();
    assert.equal(mode(dir), 0o700);
    assert.equal(mode(path.join(dir, 'countersign.db')), 0o600);
    assert.equal(checkPermissions(dir).ownerOnly, true);
  },
);
