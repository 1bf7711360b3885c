// core/app/verify.ts over a seeded case and a tiny registered model: the settings, one
// comparison recorded, and every questioned document with its newest result or why it has none.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { compareView, verificationResults, verifySettings } from '../../../src-main/core/app/verify.ts';
import { setActiveModel } from '../../../src-main/core/model/registry/registry.ts';
import { openStore } from '../../../src-main/core/store/index.ts';
import { addDocument } from '../../e2e/fixtures/seed.ts';
import { saveTinyModel, seedVerifiableCase, type VerifiableCase } from '../../helpers/verify-fixture.ts';
import { tempDir } from '../../helpers/store.ts';

describe('core/app/verify', () => {
  const dataDir = path.join(tempDir('cs-app-verify-'), 'data');
  const store = openStore(dataDir, { client: 'cli' });
  after(() => store.close());
  let fx: VerifiableCase;
  before(async () => {
    setActiveModel(dataDir, (await saveTinyModel(dataDir)).id);
    fx = await seedVerifiableCase(store, { subjects: 1, known: 4, questioned: 2 });
  });

  test('verifySettings: the model default threshold, nothing pinned', () => {
    const s = verifySettings(store, fx.caseId);
    assert.deepEqual(
      [s.caseId, s.thresholdSource, s.threshold, s.band, s.minReferences, s.model.calibrated],
      [fx.caseId, 'model', s.modelThreshold, 0.05, 4, true],
    );
    assert.equal(store.cases.find(fx.caseId)?.modelId, null, 'reading the settings does not pin the model');
  });

  test('compareView then verificationResults: the compared document has its result, the others say why not', async () => {
    const [q1, q2] = fx.questioned as [VerifiableCase['questioned'][0], VerifiableCase['questioned'][0]];
    const unclaimed = addDocument(store, { caseId: fx.caseId, role: 'questioned', path: 'questioned/0-unclaimed.png', bytes: Buffer.from('unclaimed') });
    const failed = addDocument(store, {
      caseId: fx.caseId,
      role: 'questioned',
      path: 'questioned/1-torn.jpg',
      bytes: Buffer.from('torn'),
      status: 'failed',
      failureReason: 'truncated JPEG',
      claimedSubjectId: fx.subjects[0]!.id,
    });

    const view = await compareView(store, fx.caseId, q1.documentId);
    assert.equal(view.questioned.signatureId, q1.signatureId);
    assert.deepEqual(view.subject, fx.subjects[0]);
    assert.deepEqual(view.references.map((r) => r.signatureId).sort(), fx.known.map((k) => k.signatureId).sort());
    assert.ok(view.references.every((r) => Number.isFinite(r.distance)));
    assert.equal(typeof view.support.short, 'string');

    const r = verificationResults(store, fx.caseId);
    assert.equal(r.settings.caseId, fx.caseId);
    const byDoc = new Map(r.rows.map((row) => [row.documentId, row]));
    assert.deepEqual(
      r.rows.map((row) => row.path),
      [...r.rows.map((row) => row.path)].sort(),
      'by path',
    );
    assert.deepEqual([byDoc.get(q1.documentId)?.comparison?.id, byDoc.get(q1.documentId)?.pending], [view.comparison.id, null]);
    assert.equal(byDoc.get(q2.documentId)?.pending, 'not verified yet');
    assert.deepEqual([byDoc.get(unclaimed)?.pending, byDoc.get(unclaimed)?.subject], ['no signature found on the document', null]);
    assert.deepEqual([byDoc.get(failed)?.pending, byDoc.get(failed)?.subject], ['import failed: truncated JPEG', fx.subjects[0]]);
  });
});
