// The whole schema is compared with what the migrations create, at every open.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { migrate } from '../../../src-main/core/store/migrate.ts';
import { MIGRATIONS } from '../../../src-main/core/store/migrations/index.ts';
import { LATEST_SCHEMA_VERSION, openStore } from '../../../src-main/core/store/index.ts';
import { compareSchema, expectedSchema, readSchema, schemaDifference } from '../../../src-main/core/store/schema.ts';
import { tempDir, throwsCode } from '../../helpers/store.ts';

/** A data directory made by the store, then changed with another connection (as the sqlite3 shell would). */
function tampered(sql: string): string {
  const dir = tempDir();
  const store = openStore(dir);
  store.cases.create({ name: 'Case' });
  store.close();
  const raw = new Database(path.join(dir, 'countersign.db'));
  raw.exec(sql);
  raw.close();
  return dir;
}

test('a store made by the migrations has exactly the schema the migrations create', () => {
  const store = openStore(tempDir());
  try {
    assert.deepEqual(schemaDifference(store.db, LATEST_SCHEMA_VERSION), { foreign: [], changed: [], missing: [] });
    const names = readSchema(store.db).map((o) => `${o.type} ${o.name}`);
    for (const n of ['trigger comparisons_no_update', 'trigger audit_log_no_delete', 'table row_bindings', 'index comparisons_case'])
      assert.ok(names.includes(n), n);
  } finally {
    store.close();
  }
});

test('an added trigger that rewrites results is refused at open, named, and the database is left as it was', () => {
  const dir = tampered(
    `CREATE TRIGGER comparisons_genuine AFTER INSERT ON comparisons BEGIN UPDATE comparisons SET decision = 'genuine', llr = 4 WHERE id = NEW.id; END`,
  );
  throwsCode(
    () => openStore(dir),
    'INTEGRITY',
    'trigger comparisons_genuine (on comparisons) is not part of schema version',
    'restore the data directory from a backup',
  );
  const raw = new Database(path.join(dir, 'countersign.db'), { readonly: true });
  assert.equal(raw.prepare(`SELECT count(*) FROM sqlite_master WHERE name = 'comparisons_genuine'`).pluck().get(), 1);
  assert.equal(raw.prepare('SELECT count(*) FROM audit_log').pluck().get(), 2, 'nothing was written');
  raw.close();
});

test('an added view, index, table or column is refused, naming it', () => {
  throwsCode(() => openStore(tampered('CREATE VIEW v_cases AS SELECT * FROM cases')), 'INTEGRITY', 'view v_cases');
  throwsCode(() => openStore(tampered('CREATE INDEX cases_examiner ON cases(examiner)')), 'INTEGRITY', 'index cases_examiner (on cases)');
  throwsCode(() => openStore(tampered('CREATE TABLE notes (x TEXT)')), 'INTEGRITY', 'table notes');
  throwsCode(() => openStore(tampered('ALTER TABLE comparisons ADD COLUMN override TEXT')), 'INTEGRITY', 'column comparisons.override');
});

test('a protective trigger rewritten under its own name is refused as changed', () => {
  const dir = tampered(`DROP TRIGGER comparisons_no_update;
    CREATE TRIGGER comparisons_no_update BEFORE UPDATE ON comparisons WHEN 0 BEGIN SELECT RAISE(ABORT, 'CONFLICT: x'); END`);
  throwsCode(() => openStore(dir), 'INTEGRITY', 'trigger comparisons_no_update (on comparisons) (its definition differs');
});

test('every dropped protective trigger and index is re-created at open and logged, not only the audit log\u2019s', () => {
  const dir = tampered('DROP TRIGGER comparisons_no_update; DROP TRIGGER documents_no_delete; DROP TRIGGER audit_log_no_update; DROP INDEX comparisons_case');
  const store = openStore(dir);
  try {
    assert.deepEqual(schemaDifference(store.db, LATEST_SCHEMA_VERSION), { foreign: [], changed: [], missing: [] });
    assert.throws(() => store.db.prepare(`UPDATE audit_log SET actor = 'x' WHERE seq = 1`).run(), /append-only/);
    const last = store.audit.list().at(-1)!;
    assert.equal(last.action, 'store.protect');
    assert.deepEqual(last.details, {
      missingTriggers: ['audit_log_no_update', 'comparisons_no_update', 'documents_no_delete'],
      missingIndexes: ['comparisons_case'],
    });
    assert.equal(store.audit.verify().ok, true);
  } finally {
    store.close();
  }
});

test('an older database is compared with its own version before it is migrated', () => {
  const dir = tempDir();
  const file = path.join(dir, 'countersign.db');
  const raw = new Database(file);
  migrate(raw, file, { migrations: MIGRATIONS.slice(0, 2) });
  raw.exec('CREATE TRIGGER sneaky AFTER INSERT ON cases BEGIN SELECT 1; END');
  raw.close();
  throwsCode(() => openStore(dir), 'INTEGRITY', 'trigger sneaky (on cases) is not part of schema version 2');
  const check = new Database(file, { readonly: true });
  assert.equal(check.pragma('user_version', { simple: true }), 2, 'not migrated');
  check.close();
});

test('a file that is not an empty or Countersign database is refused rather than migrated', () => {
  const dir = tempDir();
  const raw = new Database(path.join(dir, 'countersign.db'));
  raw.exec('CREATE TABLE something_else (x INTEGER)');
  raw.close();
  throwsCode(() => openStore(dir), 'INTEGRITY', 'table something_else is not part of schema version 0');
});

test('compareSchema names foreign, changed and missing objects', () => {
  const expected = expectedSchema(2);
  const actual = expected.filter((o) => o.name !== 'cases_no_delete').map((o) => (o.name === 'subjects_withdrawn_final' ? { ...o, sql: o.sql + ' ' } : o));
  actual.push({ type: 'view', name: 'x', table: 'x', sql: 'CREATE VIEW x AS SELECT 1', rawSql: '' });
  const d = compareSchema(actual, expected);
  assert.deepEqual(d.foreign, ['view x']);
  assert.equal(d.changed.length, 1);
  assert.match(d.changed[0]!, /subjects_withdrawn_final/);
  assert.deepEqual(
    d.missing.map((m) => m.name),
    ['cases_no_delete'],
  );
});
