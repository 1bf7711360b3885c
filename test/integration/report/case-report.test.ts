// A case's report built from what verification recorded: content, storage, audit, refusals.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setActiveModel, type ModelMetadata } from '../../../src-main/core/model/registry/registry.ts';
import { createCaseReport } from '../../../src-main/core/report/case-report.ts';
import { buildCaseReport } from '../../../src-main/core/report/from-case.ts';
import { openStore, type Store } from '../../../src-main/core/store/index.ts';
import { verifyCase } from '../../../src-main/core/verify/verify-case.ts';
import { saveTinyModel, seedVerifiableCase, type VerifiableCase } from '../../helpers/verify-fixture.ts';
import { pdfPages } from '../../helpers/poppler.ts';
import { cropDocument } from '../../../src-main/core/imaging/crop.ts';
import { addDocument } from '../../e2e/fixtures/seed.ts';

const root = mkdtempSync(path.join(os.tmpdir(), 'cs-case-report-'));
after(() => rmSync(root, { recursive: true, force: true }));

describe('case report', () => {
  let store: Store;
  let fx: VerifiableCase;
  let model: ModelMetadata;

  before(async () => {
    const dir = path.join(root, 'data');
    model = await saveTinyModel(dir);
    setActiveModel(dir, model.id);
    store = openStore(dir, { client: 'cli' });
    fx = await seedVerifiableCase(store, { name: 'Ταυτότητα v. Кузнецов', subjects: 2, known: 4, questioned: 2 });
  });
  after(() => store.close());

  it('refuses a case that has not been verified, saying what to do', async () => {
    await assert.rejects(createCaseReport(store, fx.caseId), /nothing has been verified yet; run `countersign verify/);
  });

  it('holds every item with its recorded figures, images and the inputs hashes', async () => {
    await verifyCase(store, fx.caseId, { workers: 1 });
    const { input, comparisons } = await buildCaseReport(store, fx.caseId, { generatedAt: '2026-01-02T03:04:05.000Z' });
    assert.equal(input.items.length, fx.questioned.length);
    assert.equal(input.model.sha256, model.sha256);
    assert.ok(input.model.calibration, 'calibrated model');
    assert.ok(input.model.det && input.model.det.far.length > 0, 'DET data from the validation distances');
    for (const it of input.items) {
      assert.equal(it.references.length, 4);
      assert.ok(it.contextPng, 'context image of the original');
      assert.equal(it.kkSpread.values.length, 6);
    }
    const paths = input.integrity.inputs.map((i) => i.path);
    for (const d of [...fx.known, ...fx.questioned]) assert.ok(paths.includes(d.path), `${d.path} listed with its hash`);
    assert.ok(input.integrity.inputs.some((i) => i.role === 'model' && i.sha256 === model.sha256));
    const anchor = store.audit
      .list()
      .filter((a) => a.entity === `comparison:${Math.max(...comparisons.map((c) => c.id))}`)
      .at(-1)!;
    assert.equal(input.integrity.auditHeadHash, anchor.hash, "anchored to the newest comparison's audit row");
    assert.equal(input.integrity.auditHeadSeq, anchor.seq);
  });

  it('writes the PDF, keeps it in the object store and audit-logs its SHA-256 and content hash', async () => {
    const out = path.join(root, 'out', 'report.pdf');
    const r = await createCaseReport(store, fx.caseId, { out, generatedAt: '2026-01-02T03:04:05.000Z' });
    assert.ok(existsSync(out));
    const pdf = readFileSync(out);
    assert.equal(createHash('sha256').update(pdf).digest('hex'), r.sha256);
    assert.deepEqual(store.objects.get(r.sha256), pdf);
    const row = store.audit
      .list({ caseId: fx.caseId })
      .filter((a) => a.action === 'report.create')
      .at(-1)!;
    assert.equal(row.details.sha256, r.sha256);
    assert.equal(row.details.contentHash, r.contentHash);
    const text = pdfPages(pdf).join('\n');
    assert.ok(text.includes('Ταυτότητα v. Кузнецов'), 'case name in Greek and Cyrillic');
    assert.ok(text.includes(model.sha256), 'model SHA-256');
    for (const q of fx.questioned) assert.ok(text.includes(q.path), `${q.path} in the report`);
    const again = await createCaseReport(store, fx.caseId, { generatedAt: '2026-01-02T03:04:05.000Z' });
    assert.equal(again.sha256, r.sha256, 'same case data and timestamp: the same PDF bytes');
  });

  it('refuses to mix decision rules in one report', async () => {
    store.cases.setThreshold(fx.caseId, 0.3, 'test');
    await verifyCase(store, fx.caseId, { workers: 1, documentIds: [fx.questioned[0]!.documentId] });
    await assert.rejects(createCaseReport(store, fx.caseId), /different thresholds or bands/);
    await verifyCase(store, fx.caseId, { workers: 1 });
    const r = await createCaseReport(store, fx.caseId);
    assert.equal(r.items, fx.questioned.length);
  });

  it('is complete: files not compared with the reason, box corrections, the threshold history with reasons, the model card; sections listed', async () => {
    const dir = path.join(root, 'complete');
    const kk = await saveTinyModel(dir, { eerThreshold: 1.2, scoring: { method: 'kk-ratio', prior: 0.05, priorWeight: 3 } });
    setActiveModel(dir, kk.id);
    const st = openStore(dir, { client: 'cli' });
    try {
      const c = await seedVerifiableCase(st, { name: 'Complete report', subjects: 1, known: 4, questioned: 2, seed: 4 });
      addDocument(st, {
        caseId: c.caseId,
        role: 'questioned',
        claimedSubjectId: c.subjects[0]!.id,
        path: 'questioned/broken_cheque.jpg',
        bytes: Buffer.from('not a jpeg'),
        status: 'failed',
        failureReason: 'truncated JPEG',
      });
      st.cases.setThreshold(c.caseId, 1.5, 'laboratory policy for cheques');
      await verifyCase(st, c.caseId, { workers: 1 });
      // A box correction after the results: a smaller box inside the crop.
      const q = c.questioned[0]!;
      const sig = st.documents.signature(q.signatureId)!;
      await cropDocument(st, q.documentId, { x: 2, y: 2, w: sig.box.w - 4, h: sig.box.h - 4 });
      st.cases.setThreshold(c.caseId, 1.6, 'second reviewer asked for a stricter threshold');
      await verifyCase(st, c.caseId, { workers: 1 });

      const out = path.join(root, 'complete.pdf');
      const r = await createCaseReport(st, c.caseId, { out, generatedAt: '2026-01-02T03:04:05.000Z' });
      assert.equal(r.pdf, out);
      for (const id of ['excluded', 'corrections', 'threshold-history', 'series', 'model'] as const) assert.ok(r.sections.includes(id), id);
      const text = pdfPages(readFileSync(out)).join('\n');
      assert.match(text, /Series: questioned signatures grouped by hand/);
      assert.match(text, /average-linkage\s+agglomerative\s+clustering/);
      assert.match(text, /a lead\s+for\s+examination, not a finding/);
      assert.match(text, /Files not compared/);
      assert.match(text, /broken_cheque\.jpg[\s\S]*import failed: truncated JPEG/);
      assert.match(text, /Signature box corrections/);
      assert.ok(text.includes(q.path), 'the corrected document is named');
      assert.match(text, /before: 0, 0, \d+ × \d+ px\s+after: 2, 2, \d+ × \d+ px/);
      assert.match(text, /Threshold history/);
      assert.match(text, /model default → 1\.5[\s\S]*laboratory policy for cheques/);
      assert.match(text, /1\.5 → 1\.6[\s\S]*second reviewer asked for a\s+stricter\s+threshold[\s\S]*set after \d+ results had\s+been seen/);
      assert.match(text, /Model card[\s\S]*Validation writers/);
      // The score named for what it is, and the chart in score units.
      assert.match(text, /Score \(Q-K ÷ K-K\)/);
      assert.match(text, /Q is [\d.]+ times as far\s+from\s+the\s+references\s+as\s+they\s+are\s+from\s+each\s+other/);
      assert.match(text, /score units/);
      assert.match(text, /Decision at the threshold 1\.60 \(set for this case; score \(Q-K ÷ K-K\) \d+\.\d\d\)/);
      assert.ok(!/inputScale\s+\d+\.\d{5,}/.test(text), 'parameters rounded to what they can claim');
    } finally {
      st.close();
    }
  });
});
