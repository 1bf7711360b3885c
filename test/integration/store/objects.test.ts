import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { mock, test } from 'node:test';
import { ObjectStore } from '../../../src-main/core/store/objects.ts';
import { tempDir, throwsCode } from '../../helpers/store.ts';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

test('put stores bytes under objects/ab/cdef..., read-only, and get returns them', () => {
  const store = new ObjectStore(path.join(tempDir(), 'objects'));
  const data = Buffer.from('a scanned cheque');
  const h = store.put(data);
  assert.equal(h, sha(data));
  assert.equal(store.path(h), path.join(store.root, h.slice(0, 2), h.slice(2)));
  assert.ok(store.has(h));
  assert.deepEqual(store.get(h), data);
  assert.equal(fs.statSync(store.path(h)).mode & 0o222, 0, 'objects are read-only');
  assert.deepEqual([...store.list()], [h]);
  assert.deepEqual(fs.readdirSync(store.tmpDir), []);
});

test('put of the same content is a no-op and never rewrites the object', () => {
  const store = new ObjectStore(path.join(tempDir(), 'objects'));
  const h = store.put(Buffer.from('same'));
  const before = fs.statSync(store.path(h));
  assert.equal(store.put(Buffer.from('same')), h);
  const after = fs.statSync(store.path(h));
  assert.equal(after.ino, before.ino);
  assert.equal(after.mtimeMs, before.mtimeMs);
});

test('put of a file path streams it (larger than one chunk) and leaves the original untouched', () => {
  const dir = tempDir();
  const store = new ObjectStore(path.join(dir, 'objects'));
  const original = path.join(dir, 'scan.tif');
  const data = Buffer.alloc(3 * 1024 * 1024 + 123);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7919) & 0xff;
  fs.writeFileSync(original, data);
  const mtime = fs.statSync(original).mtimeMs;
  const h = store.put(original);
  assert.equal(h, sha(data));
  assert.ok(store.get(h).equals(data));
  assert.equal(fs.statSync(original).mtimeMs, mtime);
  throwsCode(() => store.put(path.join(dir, 'missing.png')), 'IO', 'missing.png');
});

test('get and verify detect a modified object, naming it; a missing one is NOT_FOUND', () => {
  const store = new ObjectStore(path.join(tempDir(), 'objects'));
  const h = store.put(Buffer.from('original bytes'));
  const file = store.path(h);
  fs.chmodSync(file, 0o644);
  fs.writeFileSync(file, 'tampered bytes');
  throwsCode(() => store.get(h), 'INTEGRITY', h, 'corrupt');
  throwsCode(() => store.verify(h), 'INTEGRITY', h);
  const other = sha(Buffer.from('never stored'));
  throwsCode(() => store.get(other), 'NOT_FOUND', other);
  throwsCode(() => store.path('../../etc/passwd'), 'INVALID_ARGUMENT', 'object');
  throwsCode(() => store.get('ABC'), 'INVALID_ARGUMENT');
});

test('opening cleans temp files of dead processes and keeps those of live ones', () => {
  const root = path.join(tempDir(), 'objects');
  new ObjectStore(root);
  const dead = path.join(root, 'tmp', '999999999-0-deadbeef.tmp');
  const live = path.join(root, 'tmp', `${process.pid}-0-cafe.tmp`);
  const stray = path.join(root, 'tmp', 'garbage');
  for (const f of [dead, live, stray]) fs.writeFileSync(f, 'partial');
  const store = new ObjectStore(root);
  assert.deepEqual(fs.readdirSync(store.tmpDir), [path.basename(live)]);
  assert.deepEqual([...store.list()], []);
});

test('a full disk gives IO naming the object store, and leaves no object or temp file', (t) => {
  const store = new ObjectStore(path.join(tempDir(), 'objects'));
  const full = mock.method(fs, 'writeSync', () => {
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  });
  t.after(() => full.mock.restore());
  const data = Buffer.from('will not fit');
  throwsCode(() => store.put(data), 'IO', store.root, 'no space left');
  full.mock.restore();
  assert.equal(store.has(sha(data)), false);
  assert.deepEqual(fs.readdirSync(store.tmpDir), []);
  assert.deepEqual([...store.list()], []);
});
