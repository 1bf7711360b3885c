// Migration 002 (library, embedding log, identifications) on a database that already holds data.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { migrate, schemaVersion } from '../../../src-main/core/store/migrate.ts';
import { MIGRATIONS } from '../../../src-main/core/store/migrations/index.ts';
import { LATEST_SCHEMA_VERSION, openStore } from '../../../src-main/core/store/index.ts';
import { tempDir, throwsCode } from '../../helpers/store.ts';

const now = '2026-12-01T00:00:00.000Z';

function version1WithData(file: string): void {
  const db = new Database(file);
  db.pragma('foreign_keys = ON');
  migrate(db, file, { migrations: MIGRATIONS.slice(0, 1) });
  db.prepare(`INSERT INTO models (id, name, version, architecture, weights_sha256, created_at) VALUES ('m', 'm', '1', 'x', ?, ?)`).run('a'.repeat(64), now);
  db.prepare(`INSERT INTO subjects (case_id, scope, name, name_key, created_at) VALUES (NULL, 'library', 'Lib', 'lib', ?)`).run(now);
  for (let i = 1; i <= 3; i++) {
    db.prepare(
      `INSERT INTO documents (case_id, role, subject_id, original_path, sha256, size, status, imported_at) VALUES (NULL, 'known', 1, ?, ?, 1, 'ready', ?)`,
    ).run(`k${i}.png`, String(i).repeat(64), now);
    db.prepare(`INSERT INTO signatures (document_id, box_x, box_y, box_w, box_h, created_at, updated_at) VALUES (?, 0, 0, 1, 1, ?, ?)`).run(i, now, now);
    db.prepare(`INSERT INTO embeddings (signature_id, model_id, dim, vector, created_at) VALUES (?, 'm', 2, ?, ?)`).run(i, Buffer.alloc(8), now);
  }
  assert.equal(schemaVersion(db), 1);
  db.close();
}

test('002 upgrades a version-1 database in place: existing embeddings are logged, later writes are logged by triggers', () => {
  const dir = tempDir();
  version1WithData(path.join(dir, 'countersign.db'));
  const store = openStore(dir);
  try {
    assert.deepEqual([store.migration.from, store.migration.to, store.migration.applied[0]], [1, LATEST_SCHEMA_VERSION, '002_library']);
    assert.equal(store.audit.list().at(-1)?.action, 'store.migrate');
    const log = () => store.db.prepare('SELECT signature_id AS s, op FROM embedding_log ORDER BY seq').all() as { s: number; op: string }[];
    assert.deepEqual(
      log(),
      [1, 2, 3].map((s) => ({ s, op: 'insert' })),
    );
    store.write(() => store.db.prepare('DELETE FROM embeddings WHERE signature_id = 2').run());
    store.write(() =>
      store.db.prepare(`INSERT INTO embeddings (signature_id, model_id, dim, vector, created_at) VALUES (2, 'm', 2, ?, ?)`).run(Buffer.alloc(8, 1), now),
    );
    store.write(() => store.db.prepare('UPDATE embeddings SET vector = ? WHERE signature_id = 3').run(Buffer.alloc(8, 2)));
    assert.deepEqual(log().slice(3), [
      { s: 2, op: 'delete' },
      { s: 2, op: 'insert' },
      { s: 3, op: 'delete' },
      { s: 3, op: 'insert' },
    ]);
    // A rolled-back write leaves no log row behind.
    assert.throws(
      () =>
        store.write(() => {
          store.db.prepare('DELETE FROM embeddings WHERE signature_id = 1').run();
          throw new Error('abandoned');
        }),
      /abandoned/,
    );
    assert.equal(log().length, 7);
    assert.deepEqual(store.integrityCheck(), { ok: true, problems: [] });
  } finally {
    store.close();
  }
});

test('library subjects are withdrawn with a reason, once, never deleted, and then take no exemplars', () => {
  const dir = tempDir();
  version1WithData(path.join(dir, 'countersign.db'));
  const store = openStore(dir);
  const run =
    (sql: string, ...p: unknown[]) =>
    () =>
      store.write(() => store.db.prepare(sql).run(...p));
  try {
    throwsCode(run('DELETE FROM subjects WHERE id = 1'), 'CONFLICT', 'withdrawn, never deleted');
    throwsCode(run('UPDATE subjects SET withdrawn_at = ? WHERE id = 1', now), 'INVALID_ARGUMENT', 'needs a reason');
    run("UPDATE subjects SET withdrawn_at = ?, withdrawn_reason = 'duplicate of #7' WHERE id = 1", now)();
    throwsCode(run("UPDATE subjects SET withdrawn_reason = 'changed' WHERE id = 1"), 'CONFLICT', 'stays withdrawn');
    throwsCode(run('UPDATE subjects SET withdrawn_at = NULL WHERE id = 1'), 'CONFLICT', 'stays withdrawn');
    throwsCode(
      run(
        `INSERT INTO documents (case_id, role, subject_id, original_path, sha256, size, status, imported_at) VALUES (NULL, 'known', 1, 'x.png', ?, 1, 'ready', ?)`,
        'f'.repeat(64),
        now,
      ),
      'CONFLICT',
      'withdrawn',
    );
    // Case subjects cannot be withdrawn, and may only link to a library subject.
    const c = store.cases.create({ name: 'C' });
    const sub = store.documents.insertSubject(c.id, 'Case writer');
    throwsCode(run("UPDATE subjects SET withdrawn_at = ?, withdrawn_reason = 'x' WHERE id = ?", now, sub.id), 'INVALID_ARGUMENT', 'only a library subject');
    throwsCode(run('UPDATE subjects SET library_subject_id = ? WHERE id = ?', sub.id, sub.id), 'INVALID_ARGUMENT', 'library subject');
    run('UPDATE subjects SET library_subject_id = 1 WHERE id = ?', sub.id)();
  } finally {
    store.close();
  }
});

test('identifications and enrolment records are never changed or deleted', () => {
  const dir = tempDir();
  const store = openStore(dir);
  try {
    store.write(() => {
      store.db
        .prepare(`INSERT INTO models (id, name, version, architecture, weights_sha256, created_at) VALUES ('m', 'm', '1', 'x', ?, ?)`)
        .run('a'.repeat(64), now);
      store.db
        .prepare(
          `INSERT INTO identifications (scope, query_sha256, query_normalised_sha256, model_id, model_sha256, app_version, metric, writers_ranked, exemplars, method, outcome, top_k, results, created_at)
           VALUES ('library', ?, ?, 'm', ?, '0', 'euclidean', 0, 0, 'exact', 'empty', 5, '{}', ?)`,
        )
        .run('b'.repeat(64), 'c'.repeat(64), 'a'.repeat(64), now);
    });
    throwsCode(() => store.write(() => store.db.prepare("UPDATE identifications SET outcome = 'no-match'").run()), 'CONFLICT', 'never changed');
    throwsCode(() => store.write(() => store.db.prepare('DELETE FROM identifications').run()), 'CONFLICT', 'never deleted');
    throwsCode(
      () =>
        store.write(() =>
          store.db
            .prepare(
              `INSERT INTO identifications (scope, query_normalised_sha256, model_id, model_sha256, app_version, metric, writers_ranked, exemplars, method, outcome, top_k, results, created_at)
        VALUES ('library', ?, 'm', ?, '0', 'euclidean', 0, 0, 'exact', 'empty', 5, '{}', ?)`,
            )
            .run('c'.repeat(64), 'a'.repeat(64), now),
        ),
      'INVALID_ARGUMENT',
    );
  } finally {
    store.close();
  }
});
