// Migration 004: identifications may record the HNSW search; existing records and their protection survive.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { migrate, schemaVersion } from '../../../src-main/core/store/migrate.ts';
import { MIGRATIONS } from '../../../src-main/core/store/migrations/index.ts';
import { openStore } from '../../../src-main/core/store/index.ts';
import { tempDir, throwsCode } from '../../helpers/store.ts';

const now = '2026-12-05T00:00:00.000Z';
const insert = (method: string) =>
  `INSERT INTO identifications (scope, query_sha256, query_normalised_sha256, model_id, model_sha256, app_version, metric, writers_ranked, exemplars, method, outcome, top_k, results, created_at)
   VALUES ('library', '${'b'.repeat(64)}', '${'c'.repeat(64)}', 'm', '${'a'.repeat(64)}', '0', 'euclidean', 3, 9, '${method}', 'candidates', 5, '{"k":1}', '${now}')`;

test('004 keeps every identification, accepts method hnsw, refuses unknown methods, and the records stay append-only', () => {
  const dir = tempDir();
  const file = path.join(dir, 'countersign.db');
  const db = new Database(file);
  db.pragma('foreign_keys = ON');
  migrate(db, file, { migrations: MIGRATIONS.slice(0, 3) });
  db.prepare(`INSERT INTO models (id, name, version, architecture, weights_sha256, created_at) VALUES ('m', 'm', '1', 'x', ?, ?)`).run('a'.repeat(64), now);
  db.exec(insert('sqlite-vec'));
  db.exec(insert('exact'));
  assert.throws(() => db.exec(insert('hnsw')), /CHECK constraint/);
  assert.equal(schemaVersion(db), 3);
  db.close();

  const store = openStore(dir);
  try {
    assert.deepEqual([store.migration.from, store.migration.applied[0]], [3, '004_search_method']);
    const rows = () => store.db.prepare('SELECT id, method, results FROM identifications ORDER BY id').all();
    assert.deepEqual(rows(), [
      { id: 1, method: 'sqlite-vec', results: '{"k":1}' },
      { id: 2, method: 'exact', results: '{"k":1}' },
    ]);
    store.write(() => store.db.exec(insert('hnsw')));
    assert.deepEqual(
      (rows() as { id: number; method: string }[]).map((r) => [r.id, r.method]),
      [
        [1, 'sqlite-vec'],
        [2, 'exact'],
        [3, 'hnsw'],
      ],
    );
    assert.throws(() => store.write(() => store.db.exec(insert('faiss'))), /CHECK constraint/);
    throwsCode(() => store.write(() => store.db.prepare("UPDATE identifications SET method = 'exact' WHERE id = 3").run()), 'CONFLICT', 'never changed');
    throwsCode(() => store.write(() => store.db.prepare('DELETE FROM identifications WHERE id = 1').run()), 'CONFLICT', 'never deleted');
    const idx = store.db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'identifications' AND name NOT LIKE 'sqlite_%'")
      .pluck()
      .all();
    assert.deepEqual(idx, ['identifications_signature']);
    assert.deepEqual(store.integrityCheck(), { ok: true, problems: [] });
  } finally {
    store.close();
  }
});
