// cases.* contract methods over a real store in a temporary data directory.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addComparison, addDocument, addModelRow, addSignature, addSubject } from '../../e2e/fixtures/seed.ts';
import { contractHarness } from '../../helpers/ipc.ts';

const { app, ok, fails } = contractHarness('cs-ipc-cases-');

describe('cases.*', () => {
  it('creates a case and lists it with counts, threshold and examiner', async () => {
    const c = await ok('cases.create', { name: '  Case 1 ', examiner: 'A. Examiner', threshold: 0.42, notes: 'n' });
    assert.equal(c.name, 'Case 1');
    assert.equal(c.threshold, 0.42);
    const list = await ok('cases.list', {});
    const row = list.find((x) => x.id === c.id)!;
    assert.deepEqual([row.name, row.threshold, row.examiner, row.subjects, row.documents], ['Case 1', 0.42, 'A. Examiner', 0, 0]);
  });

  it('names the field at fault: empty and duplicate names, threshold out of range; nothing written', async () => {
    const before = (await ok('cases.list', { includeArchived: true })).length;
    await fails('cases.create', { name: '   ' }, 'INVALID_ARGUMENT', /^name: a case name is required/);
    await fails('cases.create', { name: 'case 1' }, 'CONFLICT', /^name: a case named 'Case 1' already exists/);
    await fails('cases.create', { name: 'Case 2', threshold: 11 }, 'INVALID_ARGUMENT', /^threshold: expected a number greater than 0 and at most 10/);
    await fails('cases.create', { name: 'x'.repeat(201) }, 'INVALID_ARGUMENT', /^name: at most 200 characters/);
    await fails('cases.create', { name: 'Case 3', threshold: '0.4' }, 'INVALID_ARGUMENT', /threshold/);
    assert.equal((await ok('cases.list', { includeArchived: true })).length, before);
  });

  it('takes minimum references and the inconclusive band of new cases from the settings', async () => {
    await ok('settings.update', { minReferences: 5, inconclusiveBand: 0.03 });
    const c = await ok('cases.create', { name: 'With defaults' });
    assert.equal(c.minReferences, 5);
    assert.equal(c.inconclusiveBand, 0.03);
    assert.equal(c.threshold, null);
  });

  it('searches names and examiners, hides archived cases unless asked', async () => {
    const a = await ok('cases.create', { name: 'Müller estate', examiner: 'B. Wright' });
    assert.deepEqual(
      (await ok('cases.list', { search: 'MÜLLER' })).map((x) => x.id),
      [a.id],
    );
    assert.deepEqual(
      (await ok('cases.list', { search: 'wright' })).map((x) => x.id),
      [a.id],
    );
    const archived = await ok('cases.archive', { caseId: a.id });
    assert.equal(archived.status, 'archived');
    assert.equal((await ok('cases.list', { search: 'müller' })).length, 0);
    assert.equal((await ok('cases.list', { search: 'müller', includeArchived: true })).length, 1);
    await fails('cases.archive', { caseId: a.id }, 'CONFLICT', /already archived/);
    await fails('cases.setThreshold', { caseId: a.id, threshold: 0.5, reason: 'test' }, 'CONFLICT', /archived/);
  });

  it('sets and clears the threshold, audit-logged with old and new values', async () => {
    const c = await ok('cases.create', { name: 'Threshold case', threshold: 0.4 });
    assert.equal((await ok('cases.setThreshold', { caseId: c.id, threshold: 0.55, reason: 'test' })).threshold, 0.55);
    assert.equal((await ok('cases.setThreshold', { caseId: c.id, threshold: null, reason: 'test' })).threshold, null);
    await fails('cases.setThreshold', { caseId: c.id, threshold: 0, reason: 'test' }, 'INVALID_ARGUMENT', /^threshold:/);
    await fails('cases.setThreshold', { caseId: 9999, threshold: 0.3, reason: 'test' }, 'NOT_FOUND', /caseId: no case 9999/);
    await fails('cases.setThreshold', { caseId: c.id, threshold: 0.3, reason: '' }, 'INVALID_ARGUMENT', /reason/);
    await fails('cases.setThreshold', { caseId: c.id, threshold: 0.3 }, 'INVALID_ARGUMENT', /reason/);
    const audit = await ok('cases.audit', { caseId: c.id });
    assert.deepEqual(
      audit.rows.map((r) => [r.action, r.details.old ?? null, r.details.new ?? null]),
      [
        ['case.create', null, null],
        ['case.threshold', 0.4, 0.55],
        ['case.threshold', 0.55, null],
      ],
    );
    assert.equal(audit.chain.ok, true);
  });

  it('gets a case with subjects (counts), documents, active signatures, warnings and the latest decision', async () => {
    const c = await ok('cases.create', { name: 'Full case', threshold: 0.42 });
    const store = app.store;
    const alice = addSubject(store, c.id, 'Alice Able');
    const png = Buffer.from('89504e470d0a1a0a', 'hex');
    const k = addDocument(store, { caseId: c.id, role: 'known', subjectId: alice, path: 'known/alice/k1.png', bytes: Buffer.concat([png, Buffer.from('k')]) });
    addSignature(store, { documentId: k, box: { x: 0, y: 0, w: 10, h: 10 }, isCrop: true });
    const q = addDocument(store, {
      caseId: c.id,
      role: 'questioned',
      claimedSubjectId: alice,
      path: 'questioned/q1.png',
      bytes: Buffer.concat([png, Buffer.from('q')]),
    });
    const old = addSignature(store, { documentId: q, box: { x: 1, y: 2, w: 30, h: 40 }, confidence: 0.3, lowConfidence: true, quality: { contrast: 0.1 } });
    const newer = addSignature(store, { documentId: q, box: { x: 5, y: 6, w: 30, h: 40 }, confidence: 0.9 });
    addSignature(store, { documentId: q, box: { x: 9, y: 9, w: 9, h: 9 }, status: 'rejected' });
    const model = addModelRow(store);
    addComparison(store, { caseId: c.id, signatureId: old, subjectId: alice, modelId: model, aggregate: 0.9, threshold: 0.42, decision: 'not_genuine' });
    addComparison(store, { caseId: c.id, signatureId: newer, subjectId: alice, modelId: model, aggregate: 0.3, threshold: 0.42, decision: 'genuine' });
    addComparison(store, { caseId: c.id, signatureId: newer, subjectId: alice, modelId: model, aggregate: 0.45, threshold: 0.42, decision: 'inconclusive' });
    addDocument(store, {
      caseId: c.id,
      role: 'questioned',
      path: 'questioned/bad.jpg',
      bytes: Buffer.from('bad'),
      status: 'failed',
      failureReason: 'truncated JPEG',
    });

    const d = await ok('cases.get', { caseId: c.id });
    assert.deepEqual(
      d.subjects.map((x) => [x.name, x.known, x.questioned]),
      [['Alice Able', 1, 1]],
    );
    assert.deepEqual([d.case.subjects, d.case.documents, d.case.known, d.case.questioned, d.case.failed], [1, 3, 1, 2, 1]);
    assert.deepEqual(
      d.documents.map((x) => x.role),
      ['known', 'questioned', 'questioned'],
      'known first',
    );
    const qd = d.documents.find((x) => x.id === q)!;
    assert.equal(qd.signature?.id, newer, 'the newest signature that is not rejected is the active one');
    assert.equal(qd.signatureCount, 3);
    assert.deepEqual(qd.signature?.box, { x: 5, y: 6, w: 30, h: 40 });
    assert.equal(qd.latestComparison?.decision, 'inconclusive', 'the newest comparison of the active signature');
    assert.equal(qd.latestComparison?.aggregate, 0.45);
    const failed = d.documents.find((x) => x.status === 'failed')!;
    assert.equal(failed.failureReason, 'truncated JPEG');
    assert.equal(failed.signature, null);

    const detail = await ok('documents.get', { documentId: q });
    assert.equal(detail.original, null, 'the fake original cannot be decoded');
    assert.match(detail.originalProblem ?? '', /not an image/);
    const oldView = detail.signatures.find((x) => x.id === old)!;
    assert.equal(oldView.lowConfidence, true);
    assert.match(oldView.warnings[0]!, /low confidence \(0\.30\)/);
    assert.ok(oldView.warnings.some((w) => /low contrast \(0\.10\)/.test(w)));
    assert.equal(detail.subject?.name, 'Alice Able');
    assert.equal(detail.case?.name, 'Full case');
  });

  it('validates arguments before the handler: unknown fields and wrong types', async () => {
    await fails('cases.get', { caseId: 'one' }, 'INVALID_ARGUMENT', /caseId/);
    await fails('cases.get', { caseId: 1, extra: true }, 'INVALID_ARGUMENT', /extra|Unrecognized/i);
    await fails('cases.get', { caseId: 424242 }, 'NOT_FOUND', /caseId: no case 424242/);
    await fails('cases.audit', { caseId: 424242 }, 'NOT_FOUND', /caseId/);
  });
});
