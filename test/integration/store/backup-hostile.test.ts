// Hostile backup archives: sizes are checked from the tar headers before anything is read.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { restoreBackup } from '../../../src-main/core/store/index.ts';
import { sparseTar } from '../../helpers/sparse-tar.ts';
import { tempDir } from '../../helpers/store.ts';

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const manifestValue = (dbSize: number) => ({
  format: 'countersign-backup',
  formatVersion: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
  appVersion: '0.1.0',
  actor: 'x',
  schemaVersion: 3,
  database: { file: 'countersign.db', size: dbSize, sha256: dbSize === 0 ? EMPTY_SHA256 : '0'.repeat(64) },
  objects: { count: 0, bytes: 0 },
  audit: { rows: 1, head: null as { seq: number; hash: string } | null, verified: true },
});
const manifest = (dbSize: number) => Buffer.from(JSON.stringify(manifestValue(dbSize)));

async function refused(file: string, message: RegExp): Promise<void> {
  const target = path.join(path.dirname(file), 'restored');
  const rss = process.memoryUsage().rss;
  const t0 = performance.now();
  await assert.rejects(restoreBackup(file, target), (e: { code?: string; message?: string }) => e.code === 'INTEGRITY' && message.test(e.message ?? ''));
  assert.ok(performance.now() - t0 < 2000, 'refused at once');
  assert.ok(process.memoryUsage().rss - rss < 64 * 1024 * 1024, 'bounded memory');
  assert.equal(existsSync(target), false);
}

test('a backup whose manifest claims 700 MB is refused from its header', async () => {
  const dir = tempDir();
  await refused(
    sparseTar(path.join(dir, 'b.tar'), [{ name: 'manifest.json', size: 700 * 1024 * 1024 }]),
    /manifest\.json is 734003200 bytes; a backup manifest is at most 1048576; nothing was read/,
  );
});

test('a sparse backup whose database entry claims 2.5 GB that the manifest does not record is refused before reading it', async () => {
  const dir = tempDir();
  const file = sparseTar(path.join(dir, 'b.tar'), [
    { name: 'manifest.json', data: manifest(4096) },
    { name: 'countersign.db', size: 2.5e9 },
  ]);
  await refused(file, /the database entry is 2500000000 bytes, the manifest records 4096; nothing was read/);
});

test('more object bytes than the manifest records are refused before they are read', async () => {
  const dir = tempDir();
  const file = sparseTar(path.join(dir, 'b.tar'), [
    { name: 'manifest.json', data: manifest(0) },
    { name: 'countersign.db', data: Buffer.alloc(0) },
    { name: `objects/ab/${'c'.repeat(62)}`, size: 2.5e9 },
  ]);
  await refused(file, /more objects than its manifest records/);
});

test('a malformed manifest is refused naming the archive, manifest.json and the field, before anything else is read', async () => {
  const dir = tempDir();
  const good = manifestValue(0);
  const cases: [unknown, string][] = [
    [{ ...good, database: { ...good.database, size: '0' } }, 'database.size'],
    [{ ...good, database: { ...good.database, sha256: 'not a hash' } }, 'database.sha256'],
    [{ ...good, objects: { count: -1, bytes: 0 } }, 'objects.count'],
    [{ ...good, audit: { ...good.audit, head: { seq: 1 } } }, 'audit.head.hash'],
    [{ ...good, audit: { ...good.audit, verified: 'yes' } }, 'audit.verified'],
    [{ ...good, createdAt: undefined }, 'createdAt'],
  ];
  for (const [i, [value, field]] of cases.entries()) {
    const file = sparseTar(path.join(dir, `b${i}.tar`), [
      { name: 'manifest.json', data: Buffer.from(JSON.stringify(value)) },
      { name: 'countersign.db', data: Buffer.alloc(0) },
    ]);
    await refused(file, new RegExp(`^${file}: manifest\\.json: ${field.replace(/\./g, '\\.')}: `));
  }
  const notJson = sparseTar(path.join(dir, 'not-json.tar'), [{ name: 'manifest.json', data: Buffer.from('{"format": ') }]);
  await refused(notJson, new RegExp(`^${notJson}: manifest\\.json: not valid JSON`));
  const other = sparseTar(path.join(dir, 'other.tar'), [{ name: 'manifest.json', data: Buffer.from('[1, 2]') }]);
  await refused(other, new RegExp(`^${other}: not a Countersign backup$`));
});
