// Rows that carry conclusions are bound to the audit chain by their content hash: an edit made
// with another program is named by verifyStore, refused by reports and by any later write.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { cropDocument } from '../../../src-main/core/imaging/crop.ts';
import { setActiveModel } from '../../../src-main/core/model/registry/registry.ts';
import { buildCaseReport } from '../../../src-main/core/report/from-case.ts';
import { AuditLog } from '../../../src-main/core/store/audit.ts';
import { migrate } from '../../../src-main/core/store/migrate.ts';
import { MIGRATIONS } from '../../../src-main/core/store/migrations/index.ts';
import { openStore, verifyStore } from '../../../src-main/core/store/index.ts';
import { verifyCase } from '../../../src-main/core/verify/verify-case.ts';
import { saveTinyModel, seedVerifiableCase, type VerifiableCase } from '../../helpers/verify-fixture.ts';
import { tempDir, throwsCode } from '../../helpers/store.ts';

const root = tempDir('cs-bindings-');
let template: string;
let fx: VerifiableCase;
let copies = 0;

/** A fresh copy of the verified data directory (the store closed), so each tamper starts clean. */
function copy(): string {
  const dir = path.join(root, `copy-${copies++}`);
  fs.cpSync(template, dir, { recursive: true });
  return dir;
}

/** Runs SQL on a data directory with a plain connection, as the sqlite3 shell would. */
function tamper(dir: string, sql: string, ...params: unknown[]): void {
  const raw = new Database(path.join(dir, 'countersign.db'));
  raw.prepare(sql).run(...params);
  raw.close();
}

function problems(dir: string, opts: { caseId?: number; objects?: boolean } = {}): string[] {
  const store = openStore(dir);
  try {
    return verifyStore(store, opts).problems;
  } finally {
    store.close();
  }
}

describe('rows bound to the audit chain', () => {
  before(async () => {
    template = path.join(root, 'template');
    const m = await saveTinyModel(template);
    setActiveModel(template, m.id);
    const store = openStore(template);
    fx = await seedVerifiableCase(store, { subjects: 1, known: 3, questioned: 2, threshold: 0.5 });
    await verifyCase(store, fx.caseId, { workers: 1 });
    await cropDocument(store, fx.known[0]!.documentId, { x: 0, y: 0, w: 40, h: 30 }).catch(() => undefined);
    store.close();
  });

  it('an untouched store verifies: every case, document, signature, comparison and model row matches its recorded hash', () => {
    const store = openStore(copy());
    try {
      const r = verifyStore(store);
      assert.deepEqual(r.problems, []);
      assert.equal(r.ok, true);
      assert.equal(r.rowBindings.checked.comparisons, 2);
      assert.equal(r.rowBindings.checked.cases, 1);
      assert.ok((r.rowBindings.checked.signatures ?? 0) >= 5);
      assert.equal(r.rowBindings.checked.models, 1);
      assert.ok((r.objects?.checked ?? 0) >= 10);
    } finally {
      store.close();
    }
  });

  it('a comparison edited to genuine with its trigger dropped is named, and the report refuses the case', async () => {
    const dir = copy();
    const raw = new Database(path.join(dir, 'countersign.db'));
    raw.exec('DROP TRIGGER comparisons_no_update');
    const id = raw.prepare('SELECT max(id) FROM comparisons').pluck().get() as number;
    raw.prepare(`UPDATE comparisons SET decision = CASE decision WHEN 'genuine' THEN 'not_genuine' ELSE 'genuine' END, llr = 3.0 WHERE id = ?`).run(id);
    raw.close();
    const found = problems(dir);
    assert.equal(found.length, 1, found.join('\n'));
    assert.match(found[0]!, new RegExp(`^comparison ${id} \\(case ${fx.caseId}\\): changed after audit row #\\d+ recorded it \\(llr, decision differ`));
    const store = openStore(dir);
    try {
      assert.equal(store.audit.list().at(-1)?.action, 'store.protect', 'the dropped trigger is back');
      await assert.rejects(
        buildCaseReport(store, fx.caseId),
        (e: { code?: string; message?: string }) => e.code === 'INTEGRITY' && e.message!.includes(`comparison ${id} (case ${fx.caseId})`),
      );
    } finally {
      store.close();
    }
  });

  it('a case threshold, a signature box and a model row edited in place are each named', () => {
    const dir = copy();
    tamper(dir, 'UPDATE cases SET threshold = 2.5 WHERE id = ?', fx.caseId);
    tamper(dir, 'UPDATE signatures SET box_w = box_w + 1 WHERE id = ?', fx.questioned[0]!.signatureId);
    tamper(dir, `UPDATE models SET metadata = json_set(metadata, '$.metrics.eerThreshold', 9)`);
    const found = problems(dir).join('\n');
    assert.match(found, new RegExp(`^case ${fx.caseId} \\(case ${fx.caseId}\\): changed after audit row`, 'm'));
    assert.match(found, new RegExp(`^signature ${fx.questioned[0]!.signatureId} \\(case ${fx.caseId}\\): changed after audit row`, 'm'));
    assert.match(found, /^model tiny-fixture-v1: changed after audit row/m);
  });

  it('a comparison inserted without an audit row is named', () => {
    const dir = copy();
    tamper(
      dir,
      `INSERT INTO comparisons (case_id, questioned_signature_id, subject_id, model_id, model_sha256, app_version, threshold, distances, aggregate, llr, decision, created_at)
      SELECT case_id, questioned_signature_id, subject_id, model_id, model_sha256, app_version, threshold, distances, aggregate, 4, 'genuine', created_at FROM comparisons LIMIT 1`,
    );
    assert.match(
      problems(dir, { caseId: fx.caseId }).join('\n'),
      /^comparison \d+ \(case \d+\): no audit row recorded it: it was written outside Countersign$/m,
    );
  });

  it('a write never launders an edit: changing the threshold of an edited case is refused and writes nothing', () => {
    const dir = copy();
    tamper(dir, 'UPDATE cases SET min_references = 1 WHERE id = ?', fx.caseId);
    const store = openStore(dir);
    try {
      const rows = store.audit.list().length;
      throwsCode(() => store.cases.setThreshold(fx.caseId, 0.7, 'test'), 'INTEGRITY', `cases row ${fx.caseId} was changed outside Countersign after audit row`);
      assert.equal(store.audit.list().length, rows);
      assert.equal(store.cases.get(fx.caseId).threshold, 0.5);
    } finally {
      store.close();
    }
  });

  it('every object is re-hashed: a changed original is named', () => {
    const dir = copy();
    const sha = fx.questioned[1]!;
    const store = openStore(dir);
    const doc = store.documents.requireDocument(sha.documentId);
    const file = store.objects.path(doc.sha256);
    store.close();
    fs.chmodSync(file, 0o600);
    fs.appendFileSync(file, 'x');
    assert.match(problems(dir).join('\n'), new RegExp(`object ${doc.sha256} .* is corrupt`));
  });

  it('a data directory at schema 4 (before row bindings) opens, upgrades and verifies clean', () => {
    const dir = tempDir();
    const file = path.join(dir, 'countersign.db');
    const db = new Database(file);
    db.pragma('foreign_keys = ON');
    migrate(db, file, { migrations: MIGRATIONS.slice(0, 4) });
    const write = <T>(fn: () => T): T => db.transaction(fn).immediate();
    const audit = new AuditLog(db, 'old@host (cli)', write, file);
    const now = new Date().toISOString();
    db.prepare(`INSERT INTO cases (name, name_key, threshold, created_at, updated_at) VALUES ('Old', 'old', 0.4, ?, ?)`).run(now, now);
    audit.append({
      action: 'case.create',
      caseId: 1,
      entity: 'case:1',
      details: { name: 'Old', examiner: null, notes: null, threshold: 0.4, inconclusiveBand: 0, minReferences: 3 },
    });
    db.close();
    assert.deepEqual(problems(dir, { objects: false }), []);
  });

  it('rows from before schema 5 are checked against the fields their audit rows recorded', () => {
    const dir = tempDir();
    const file = path.join(dir, 'countersign.db');
    const db = new Database(file);
    db.pragma('foreign_keys = ON');
    migrate(db, file, { migrations: MIGRATIONS.slice(0, 2) });
    const write = <T>(fn: () => T): T => db.transaction(fn).immediate();
    const audit = new AuditLog(db, 'old@host (cli)', write, file);
    const now = new Date().toISOString();
    db.prepare(`INSERT INTO models (id, name, version, architecture, weights_sha256, created_at) VALUES ('m1', 'm', '1', 'signet', ?, ?)`).run(
      'a'.repeat(64),
      now,
    );
    db.prepare(`INSERT INTO cases (name, name_key, threshold, created_at, updated_at) VALUES ('Old', 'old', 0.4, ?, ?)`).run(now, now);
    audit.append({
      action: 'case.create',
      caseId: 1,
      entity: 'case:1',
      details: { name: 'Old', examiner: null, notes: null, threshold: 0.4, inconclusiveBand: 0, minReferences: 3 },
    });
    db.prepare(`INSERT INTO subjects (case_id, scope, name, name_key, created_at) VALUES (1, 'case', 'S', 's', ?)`).run(now);
    db.prepare(
      `INSERT INTO documents (case_id, role, claimed_subject_id, original_path, sha256, size, imported_at) VALUES (1, 'questioned', 1, 'q.png', ?, 1, ?)`,
    ).run('b'.repeat(64), now);
    db.prepare(`INSERT INTO signatures (document_id, box_x, box_y, box_w, box_h, created_at, updated_at) VALUES (1, 0, 0, 1, 1, ?, ?)`).run(now, now);
    db.prepare(
      `INSERT INTO comparisons (case_id, questioned_signature_id, subject_id, model_id, model_sha256, app_version, threshold, distances, aggregate, llr, decision, created_at)
      VALUES (1, 1, 1, 'm1', ?, '0.1.0', 0.4, '{}', 0.9, -1.5, 'not_genuine', ?)`,
    ).run('a'.repeat(64), now);
    audit.append({
      action: 'verify.compare',
      caseId: 1,
      entity: 'comparison:1',
      details: { signature: 1, subject: 1, model: 'm1', threshold: 0.4, aggregate: 0.9, llr: -1.5, decision: 'not_genuine', warnings: [] },
    });
    db.prepare(`UPDATE cases SET threshold = 0.9`).run();
    db.exec('DROP TRIGGER comparisons_no_update');
    db.prepare(`UPDATE comparisons SET decision = 'genuine', llr = 3`).run();
    db.close();
    const found = problems(dir, { objects: false });
    assert.deepEqual(found, [
      'case 1 (case 1): threshold differ from what its audit rows recorded',
      'comparison 1 (case 1): llr, decision differ from what its audit row recorded',
    ]);
  });
});
