// Migration 007: documents.dpi_source; rows with a resolution got it from the file; dpi and its source go together.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { migrate, schemaVersion } from '../../../src-main/core/store/migrate.ts';
import { MIGRATIONS } from '../../../src-main/core/store/migrations/index.ts';
import { openStore } from '../../../src-main/core/store/index.ts';
import { tempDir } from '../../helpers/store.ts';

const now = '2026-12-05T00:00:00.000Z';
const doc = (name: string, sha: string, dpi: string, source?: string) =>
  `INSERT INTO documents (case_id, role, subject_id, original_path, sha256, size, dpi${source !== undefined ? ', dpi_source' : ''}, status, imported_at)
   VALUES (NULL, 'known', 1, '${name}', '${sha.repeat(64)}', 1, ${dpi}${source !== undefined ? `, ${source}` : ''}, 'ready', '${now}')`;

test('007 marks existing resolutions as read from the file, leaves unknown ones unknown, and keeps dpi and dpi_source together', () => {
  const dir = tempDir();
  const file = path.join(dir, 'countersign.db');
  const db = new Database(file);
  db.pragma('foreign_keys = ON');
  migrate(db, file, { migrations: MIGRATIONS.filter((m) => m.version <= 5) });
  db.prepare(`INSERT INTO subjects (scope, name, name_key, created_at) VALUES ('library', 'A', 'a', ?)`).run(now);
  db.exec(doc('a.png', 'a', '300'));
  db.exec(doc('b.png', 'b', 'NULL'));
  assert.equal(schemaVersion(db), 5);
  db.close();

  const store = openStore(dir);
  try {
    assert.ok(store.migration.applied.includes('007_dpi_source'), store.migration.applied.join(','));
    const rows = () => store.db.prepare('SELECT original_path AS p, dpi, dpi_source AS s FROM documents ORDER BY id').all();
    assert.deepEqual(rows(), [
      { p: 'a.png', dpi: 300, s: 'file' },
      { p: 'b.png', dpi: null, s: null },
    ]);
    assert.throws(() => store.write(() => store.db.exec(doc('c.png', 'c', '600'))), /both set or both unset/);
    assert.throws(() => store.write(() => store.db.exec(doc('d.png', 'd', 'NULL', "'entered'"))), /both set or both unset/);
    assert.throws(() => store.write(() => store.db.exec(doc('e.png', 'e', '600', "'guessed'"))), /CHECK constraint/);
    store.write(() => store.db.exec(doc('f.png', 'f', '600', "'entered'")));
    assert.throws(() => store.write(() => store.db.prepare("UPDATE documents SET dpi = NULL WHERE original_path = 'a.png'").run()), /both set or both unset/);
    assert.equal(store.documents.requireDocument(1).dpiSource, 'file');
    assert.deepEqual(store.integrityCheck(), { ok: true, problems: [] });
  } finally {
    store.close();
  }
});
