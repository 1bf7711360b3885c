import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { migrate, schemaVersion } from '../../../src-main/core/store/migrate.ts';
import { MIGRATIONS } from '../../../src-main/core/store/migrations/index.ts';
import { LATEST_SCHEMA_VERSION, openStore } from '../../../src-main/core/store/index.ts';
import { tempDir, throwsCode } from '../../helpers/store.ts';

const TABLES = [
  'audit_log',
  'audit_signatures',
  'bench_alignments',
  'bench_annotations',
  'bench_measurements',
  'cases',
  'comparisons',
  'documents',
  'embedding_log',
  'embeddings',
  'identifications',
  'library_enrolments',
  'models',
  'row_bindings',
  'schema_migrations',
  'signatures',
  'subjects',
  'training_runs',
];
const APPLIED = ['001_initial', '002_library', '003_score_method', '004_search_method', '005_integrity', '006_bench', '007_dpi_source'];

test('migration from an empty data directory creates the schema, WAL, foreign keys and a first audit row', () => {
  const dir = path.join(tempDir(), 'data');
  const store = openStore(dir);
  try {
    assert.equal(store.schemaVersion(), LATEST_SCHEMA_VERSION);
    assert.deepEqual(store.migration, { from: 0, to: LATEST_SCHEMA_VERSION, applied: APPLIED });
    const tables = store.db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).pluck().all();
    assert.deepEqual(tables, TABLES);
    assert.equal(store.db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(store.db.pragma('foreign_keys', { simple: true }), 1);
    assert.equal(store.db.pragma('busy_timeout', { simple: true }), 5000);
    const rows = store.audit.list();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.action, 'store.create');
    assert.deepEqual(rows[0]?.details.migrations, APPLIED);
    assert.ok(fs.existsSync(path.join(dir, 'objects', 'tmp')));
    assert.deepEqual(store.integrityCheck(), { ok: true, problems: [] });
  } finally {
    store.close();
  }
  // Reopening applies nothing and logs nothing.
  const again = openStore(dir);
  try {
    assert.deepEqual(again.migration.applied, []);
    assert.equal(again.audit.list().length, 1);
  } finally {
    again.close();
  }
});

test('a database from a newer version is refused, naming both versions, and left untouched', () => {
  const dir = tempDir();
  openStore(dir).close();
  const raw = new Database(path.join(dir, 'countersign.db'));
  raw.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 41}`);
  raw.close();
  throwsCode(() => openStore(dir), 'VERSION', `schema version ${LATEST_SCHEMA_VERSION + 41}`, `up to ${LATEST_SCHEMA_VERSION}`);
  const check = new Database(path.join(dir, 'countersign.db'), { readonly: true });
  assert.equal(schemaVersion(check), LATEST_SCHEMA_VERSION + 41);
  check.close();
});

test('all pending migrations run in one transaction: a failing one leaves the database as it was', () => {
  const db = new Database(':memory:');
  const broken = [
    ...MIGRATIONS,
    { version: LATEST_SCHEMA_VERSION + 1, name: 'adds_a_table', up: (d: typeof db) => d.exec('CREATE TABLE extra (x INTEGER)') },
    {
      version: LATEST_SCHEMA_VERSION + 2,
      name: 'fails',
      up: () => {
        throw new Error('boom');
      },
    },
  ];
  assert.throws(() => migrate(db, ':memory:', { migrations: broken }), /boom/);
  assert.equal(schemaVersion(db), 0);
  assert.equal(db.prepare(`SELECT count(*) FROM sqlite_master WHERE type = 'table'`).pluck().get(), 0);

  migrate(db, ':memory:');
  assert.equal(schemaVersion(db), LATEST_SCHEMA_VERSION);
  const ok = [...MIGRATIONS, { version: LATEST_SCHEMA_VERSION + 1, name: 'adds_a_table', up: (d: typeof db) => d.exec('CREATE TABLE extra (x INTEGER)') }];
  const r = migrate(db, ':memory:', { migrations: ok });
  assert.deepEqual(r, {
    from: LATEST_SCHEMA_VERSION,
    to: LATEST_SCHEMA_VERSION + 1,
    applied: [`${String(LATEST_SCHEMA_VERSION + 1).padStart(3, '0')}_adds_a_table`],
  });
  assert.equal(db.prepare('SELECT count(*) FROM schema_migrations').pluck().get(), MIGRATIONS.length + 1);
  db.close();
});

test('migration files are numbered 1..n without gaps', () => {
  const versions = MIGRATIONS.map((m) => m.version);
  assert.deepEqual(
    versions,
    Array.from({ length: versions.length }, (_, i) => i + 1),
  );
});
