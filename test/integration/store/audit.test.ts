import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { auditRowHash, GENESIS_HASH } from '../../../src-main/core/store/audit.ts';
import { CaseRepository } from '../../../src-main/core/store/cases.ts';
import { toStoreError } from '../../../src-main/core/store/database.ts';
import { memoryDb } from '../../helpers/store.ts';

function seeded(n = 5) {
  const m = memoryDb();
  for (let i = 1; i <= n; i++) m.audit.append({ action: 'test.step', entity: `step:${i}`, details: { i, z: 'last', a: [1, { b: 2 }] } });
  return m;
}

test('an untouched chain verifies; each row names its predecessor; details are canonical JSON', () => {
  const { db, audit } = seeded(4);
  const r = audit.verify();
  assert.equal(r.ok, true);
  assert.equal(r.rows, 4);
  const rows = audit.list();
  assert.equal(rows[0]?.prevHash, GENESIS_HASH);
  for (let i = 1; i < rows.length; i++) assert.equal(rows[i]?.prevHash, rows[i - 1]?.hash);
  assert.deepEqual(r.ok && r.head, { seq: 4, hash: rows[3]?.hash });
  assert.equal(db.prepare('SELECT details FROM audit_log WHERE seq = 1').pluck().get(), '{"a":[1,{"b":2}],"i":1,"z":"last"}');
});

test('the hash is SHA-256 over the documented JSON tuple', () => {
  const { db } = seeded(1);
  const row = db.prepare('SELECT * FROM audit_log WHERE seq = 1').get() as Record<string, unknown>;
  const tuple = ['countersign-audit-v1', row.seq, row.at, row.actor, row.action, row.case_id, row.entity, row.details, row.prev_hash];
  assert.equal(createHash('sha256').update(JSON.stringify(tuple)).digest('hex'), row.hash);
  assert.equal(auditRowHash(row as never), row.hash);
});

test('triggers refuse UPDATE and DELETE on audit_log', () => {
  const { db } = seeded(2);
  for (const sql of ["UPDATE audit_log SET actor = 'mallory' WHERE seq = 1", 'DELETE FROM audit_log WHERE seq = 2']) {
    let err: unknown;
    try {
      db.prepare(sql).run();
    } catch (e) {
      err = e;
    }
    assert.ok(err, sql);
    const mapped = toStoreError(err, 'db');
    assert.equal(mapped.code, 'INTEGRITY');
    assert.match(mapped.message, /append-only/);
  }
  assert.equal(seeded(2).audit.verify().ok, true);
});

test('verify detects a modified row', () => {
  const { db, audit } = seeded(5);
  db.exec('DROP TRIGGER audit_log_no_update');
  db.prepare(`UPDATE audit_log SET details = '{"i":30}' WHERE seq = 3`).run();
  const r = audit.verify();
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.brokenAt, 3);
  assert.match(!r.ok ? r.reason : '', /modified/);
  assert.deepEqual(!r.ok && r.row?.details, { i: 30 });
});

test('verify detects a modified row whose hash was recomputed (the next row no longer follows)', () => {
  const { db, audit } = seeded(5);
  db.exec('DROP TRIGGER audit_log_no_update');
  const row = db.prepare('SELECT * FROM audit_log WHERE seq = 2').get() as Record<string, unknown>;
  const forged = { ...row, actor: 'mallory@elsewhere (cli)' };
  db.prepare('UPDATE audit_log SET actor = ?, hash = ? WHERE seq = 2').run(forged.actor, auditRowHash(forged as never));
  const r = audit.verify();
  assert.equal(!r.ok && r.brokenAt, 3);
  assert.match(!r.ok ? r.reason : '', /does not follow row 2/);
});

test('verify detects a deleted row', () => {
  const { db, audit } = seeded(5);
  db.exec('DROP TRIGGER audit_log_no_delete');
  db.prepare('DELETE FROM audit_log WHERE seq = 2').run();
  const r = audit.verify();
  assert.equal(!r.ok && r.brokenAt, 2);
  assert.match(!r.ok ? r.reason : '', /row 2 is missing/);
});

test('verify detects a row inserted in the middle (later rows renumbered) and one appended with a made-up hash', () => {
  const { db, audit } = seeded(5);
  db.exec('DROP TRIGGER audit_log_no_update');
  for (const seq of [5, 4, 3]) db.prepare('UPDATE audit_log SET seq = seq + 1 WHERE seq = ?').run(seq);
  const prev = db.prepare('SELECT hash FROM audit_log WHERE seq = 2').pluck().get() as string;
  const fake = {
    seq: 3,
    at: new Date().toISOString(),
    actor: 'mallory@host (cli)',
    action: 'case.threshold',
    case_id: null,
    entity: null,
    details: '{}',
    prev_hash: prev,
  };
  db.prepare('INSERT INTO audit_log VALUES (@seq, @at, @actor, @action, @case_id, @entity, @details, @prev_hash, @hash)').run({
    ...fake,
    hash: auditRowHash(fake),
  });
  const r = audit.verify();
  assert.equal(!r.ok && r.brokenAt, 4);
  assert.match(!r.ok ? r.reason : '', /does not follow row 3/);

  const m2 = seeded(3);
  m2.db
    .prepare(`INSERT INTO audit_log VALUES (4, '2020-01-01T00:00:00.000Z', 'x', 'case.create', NULL, NULL, '{}', ?, ?)`)
    .run(m2.db.prepare('SELECT hash FROM audit_log WHERE seq = 3').pluck().get(), 'f'.repeat(64));
  const r2 = m2.audit.verify();
  assert.equal(!r2.ok && r2.brokenAt, 4);
  assert.match(!r2.ok ? r2.reason : '', /modified/);
});

test('a recorded head catches rows removed from the end and a rewritten log', () => {
  const { db, audit } = seeded(5);
  const head = audit.head();
  assert.ok(head);
  assert.equal(audit.verify({ anchor: head }).ok, true);
  db.exec('DROP TRIGGER audit_log_no_delete');
  db.prepare('DELETE FROM audit_log WHERE seq = 5').run();
  assert.equal(audit.verify().ok, true, 'without an anchor a truncated tail is invisible');
  const r = audit.verify({ anchor: head });
  assert.equal(!r.ok && r.brokenAt, 5);
  assert.match(!r.ok ? r.reason : '', /removed from the end/);
});

test('append joins the caller transaction: a rolled-back write leaves no audit row', () => {
  const { audit, write } = seeded(1);
  assert.throws(() =>
    write(() => {
      audit.append({ action: 'case.create', details: { name: 'ghost' } });
      throw new Error('crash after the audit row');
    }),
  );
  assert.equal(audit.list().length, 1);
  assert.equal(audit.verify().ok, true);
});

test('append refuses details JSON cannot hold exactly and malformed actions', () => {
  const { audit } = memoryDb();
  assert.throws(() => audit.append({ action: 'x.y', details: { d: NaN } }), /not a finite number/);
  assert.throws(() => audit.append({ action: 'Not An Action' }), /audit action/);
  assert.equal(audit.list().length, 0);
});

test('verify with a case reports whether the break touches that case', () => {
  const { db, audit, write } = memoryDb();
  const cases = new CaseRepository(db, ':memory:', audit, write);
  const a = cases.create({ name: 'A' });
  const b = cases.create({ name: 'B' });
  cases.setThreshold(b.id, 0.5, 'test');
  const ok = audit.verify({ caseId: b.id });
  assert.equal(ok.ok && ok.caseRows, 2);
  db.exec('DROP TRIGGER audit_log_no_update');
  const bLast = db.prepare('SELECT max(seq) FROM audit_log').pluck().get() as number;
  db.prepare(`UPDATE audit_log SET actor = 'm' WHERE seq = ?`).run(bLast);
  const rb = audit.verify({ caseId: b.id });
  const ra = audit.verify({ caseId: a.id });
  assert.equal(rb.ok, false);
  assert.equal(!rb.ok && rb.caseAffected, true);
  assert.equal(ra.ok, false, 'any break makes the chain fail, whatever the case');
  assert.equal(!ra.ok && ra.caseAffected, false);
});
