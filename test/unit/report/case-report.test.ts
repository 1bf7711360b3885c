// A case's report built from what verification recorded: content, storage, audit, refusals.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setActiveModel, type ModelMetadata } from '../../../src-main/core/model/registry.ts';
import { createCaseReport } from '../../../src-main/core/report/case-report.ts';
import { buildCaseReport } from '../../../src-main/core/report/from-case.ts';
import { openStore, type Store } from '../../../src-main/core/store/index.ts';
import { verifyCase } from '../../../src-main/core/verify/verify-case.ts';
import { saveTinyModel, seedVerifiableCase, type VerifiableCase } from '../../helpers/verify-fixture.ts';
import { pdfPages } from './poppler.ts';

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
    const anchor = store.audit.list().filter((a) => a.entity === `comparison:${Math.max(...comparisons.map((c) => c.id))}`).at(-1)!;
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
    const row = store.audit.list({ caseId: fx.caseId }).filter((a) => a.action === 'report.create').at(-1)!;
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
});
