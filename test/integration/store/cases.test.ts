import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CaseRepository } from '../../../src-main/core/store/cases.ts';
import { memoryDb, throwsCode } from '../../helpers/store.ts';

function setup() {
  const m = memoryDb();
  const cases = new CaseRepository(m.db, ':memory:', m.audit, m.write);
  const counts = () => ({
    cases: m.db.prepare('SELECT count(*) FROM cases').pluck().get(),
    audit: m.db.prepare('SELECT count(*) FROM audit_log').pluck().get(),
  });
  return { ...m, cases, counts };
}

test('create returns a clean camelCase row and audits it', () => {
  const { cases, audit } = setup();
  const c = cases.create({ name: '  Smith v. Jones ', examiner: 'A. Examiner', threshold: 0.42, notes: 'line 1\nline 2' });
  assert.equal(c.name, 'Smith v. Jones');
  assert.deepEqual(Object.keys(c).sort(), [
    'createdAt',
    'examiner',
    'id',
    'inconclusiveBand',
    'minReferences',
    'modelId',
    'name',
    'notes',
    'status',
    'threshold',
    'updatedAt',
  ]);
  assert.equal(c.threshold, 0.42);
  assert.equal(c.status, 'open');
  assert.equal(c.minReferences, 4);
  assert.equal(c.inconclusiveBand, 0.05);
  assert.match(c.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  const [row] = audit.list({ caseId: c.id });
  assert.equal(row?.action, 'case.create');
  assert.equal(row?.entity, `case:${c.id}`);
  assert.equal(row?.details.threshold, 0.42);
  assert.equal(row?.actor, 'tester@host (cli)');
  assert.equal(cases.create({ name: 'No threshold' }).threshold, null);
});

test('invalid input names the field and writes nothing', () => {
  const { cases, counts } = setup();
  cases.create({ name: 'École 7' });
  const before = counts();
  throwsCode(() => cases.create({ name: '' }), 'INVALID_ARGUMENT', 'name:');
  throwsCode(() => cases.create({ name: '   ' }), 'INVALID_ARGUMENT', 'name:');
  throwsCode(() => cases.create({ name: 'x'.repeat(201) }), 'INVALID_ARGUMENT', 'name:', '200');
  throwsCode(() => cases.create({ name: 'two\nlines' }), 'INVALID_ARGUMENT', 'name:', 'control');
  throwsCode(() => cases.create({ name: 'école 7' }), 'CONFLICT', 'name:', 'already exists');
  throwsCode(() => cases.create({ name: 'ÉCOLE 7' }), 'CONFLICT', 'name:');
  for (const t of [0, -0.1, 10.01, Number.NaN, Number.POSITIVE_INFINITY]) {
    throwsCode(() => cases.create({ name: `T ${t}`, threshold: t }), 'INVALID_ARGUMENT', 'threshold:');
  }
  throwsCode(() => cases.create({ name: 'T s', threshold: '0.4' as unknown as number }), 'INVALID_ARGUMENT', 'threshold:');
  throwsCode(() => cases.create({ name: 'E', examiner: 'e'.repeat(201) }), 'INVALID_ARGUMENT', 'examiner:');
  throwsCode(() => cases.create({ name: 'N', notes: 'n'.repeat(20001) }), 'INVALID_ARGUMENT', 'notes:');
  throwsCode(() => cases.create({ name: 'M', minReferences: 0 }), 'INVALID_ARGUMENT', 'minReferences:');
  throwsCode(() => cases.create({ name: 'B', inconclusiveBand: -1 }), 'INVALID_ARGUMENT', 'inconclusiveBand:');
  throwsCode(() => cases.get('nope'), 'NOT_FOUND', "'nope'");
  throwsCode(() => cases.setThreshold('nope', 0.5, 'test'), 'NOT_FOUND');
  throwsCode(() => cases.setThreshold('École 7', 11, 'test'), 'INVALID_ARGUMENT', 'threshold:');
  assert.equal(cases.create({ name: 'x'.repeat(200), threshold: 10 }).threshold, 10);
  assert.deepEqual(counts(), { cases: (before.cases as number) + 1, audit: (before.audit as number) + 1 });
});

test('find by name in any case, by #id, and by a bare number only when no case has that name', () => {
  const { cases } = setup();
  const a = cases.create({ name: 'Alpha' });
  const b = cases.create({ name: String(a.id) }); // a case literally named "1"
  assert.equal(cases.get('ALPHA').id, a.id);
  assert.equal(cases.get(`#${a.id}`).id, a.id);
  assert.equal(cases.get(a.id).id, a.id);
  assert.equal(cases.get(String(a.id)).id, b.id, 'an exact name wins over an id');
  assert.equal(cases.get(String(b.id)).id, b.id);
  assert.equal(cases.find('#999'), undefined);
});

test('list filters archived cases and searches name and examiner', () => {
  const { cases } = setup();
  cases.create({ name: 'Cheque fraud 2024-17', examiner: 'Dana Scully' });
  cases.create({ name: 'Will of J. Doe', examiner: 'Fox Mulder' });
  const old = cases.create({ name: 'Old matter' });
  cases.archive(old.id);
  assert.deepEqual(
    cases.list().map((c) => c.name),
    ['Cheque fraud 2024-17', 'Will of J. Doe'],
  );
  assert.equal(cases.list({ includeArchived: true }).length, 3);
  assert.deepEqual(
    cases.list({ search: 'CHEQUE' }).map((c) => c.name),
    ['Cheque fraud 2024-17'],
  );
  assert.deepEqual(
    cases.list({ search: 'mulder' }).map((c) => c.name),
    ['Will of J. Doe'],
  );
  assert.deepEqual(cases.list({ search: 'old' }), []);
  assert.deepEqual(
    cases.list({ search: 'old', includeArchived: true }).map((c) => c.id),
    [old.id],
  );
});

test('setThreshold needs a reason and audits it with the old and new value and the results seen; null returns to the model default', () => {
  const { cases, audit } = setup();
  const c = cases.create({ name: 'T', threshold: 0.42 });
  throwsCode(() => cases.setThreshold(c.id, 0.5, ''), 'INVALID_ARGUMENT', 'reason:');
  throwsCode(() => cases.setThreshold(c.id, 0.5, '   '), 'INVALID_ARGUMENT', 'reason:');
  assert.equal(cases.get(c.id).threshold, 0.42, 'refused without a reason: nothing changed');
  assert.equal(cases.setThreshold('t', 0.5, ' policy ').threshold, 0.5);
  assert.equal(cases.setThreshold(c.id, null, 'back to the model').threshold, null);
  const rows = audit.list({ caseId: c.id }).filter((r) => r.action === 'case.threshold');
  assert.deepEqual(
    rows.map((r) => r.details),
    [
      { old: 0.42, new: 0.5, reason: 'policy', resultsSeen: 0 },
      { old: 0.5, new: null, reason: 'back to the model', resultsSeen: 0 },
    ],
  );
  cases.setThreshold(c.id, null, 'test'); // no change: nothing logged
  assert.equal(audit.list({ caseId: c.id }).length, 3);
});

test('an archived case keeps its data and audit trail and refuses writes, also from raw SQL', () => {
  const { cases, audit, db, write, counts } = setup();
  const c = cases.create({ name: 'Closed', threshold: 0.3 });
  const archived = cases.archive('Closed');
  assert.equal(archived.status, 'archived');
  assert.equal(archived.threshold, 0.3);
  const before = counts();
  throwsCode(() => cases.setThreshold(c.id, 0.4, 'test'), 'CONFLICT', 'archived');
  throwsCode(() => cases.archive(c.id), 'CONFLICT', 'already archived');
  throwsCode(() => cases.requireWritable(c.id), 'CONFLICT', "'Closed' is archived");
  assert.throws(
    () => write(() => db.prepare(`INSERT INTO subjects (case_id, scope, name, name_key, created_at) VALUES (?, 'case', 'K', 'k', 'now')`).run(c.id)),
    /archived/,
  );
  assert.throws(() => db.prepare('UPDATE cases SET threshold = 0.9 WHERE id = ?').run(c.id), /archived/);
  assert.throws(() => db.prepare('DELETE FROM cases WHERE id = ?').run(c.id), /never deleted/);
  assert.deepEqual(counts(), before);
  assert.deepEqual(
    audit.list({ caseId: c.id }).map((r) => r.action),
    ['case.create', 'case.archive'],
  );
});
