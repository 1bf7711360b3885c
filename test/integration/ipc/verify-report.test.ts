// verify.*, report.*, training.runs and dialogs through the dispatcher, with fake services.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createContext } from '../../../src-main/core/app-context.ts';
import { JobManager } from '../../../src-main/core/jobs/manager.ts';
import type { JobKinds } from '../../../src-main/ipc/contract.ts';
import { setActiveModel } from '../../../src-main/core/model/registry/registry.ts';
import type { MethodName, MethodResult } from '../../../src-main/ipc/contract.ts';
import { StoredObjects } from '../../../src-main/core/app/objects.ts';
import { createHandlers, type Dialogs } from '../../../src-main/ipc/handlers.ts';
import { answerObjectRequest } from '../../../src-main/ipc/object-requests.ts';
import { createDispatcher } from '../../../src-main/ipc/registry.ts';
import { saveTinyModel, seedVerifiableCase, type VerifiableCase } from '../../helpers/verify-fixture.ts';
import { addDocument } from '../../e2e/fixtures/seed.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cs-ipc-verify-'));
const app = createContext(dir, { client: 'bridge' });
const jobs = new JobManager<JobKinds>();
const saved: string[] = [];
const dialogs: Dialogs = {
  chooseFolder: async () => '/chosen/folder',
  chooseSavePath: async (_t, name) => {
    const p = path.join(dir, 'saved', name);
    saved.push(p);
    return p;
  },
};
const desktop = createDispatcher(createHandlers({ app, jobs, transport: 'electron', dialogs }));
const objects = new StoredObjects(() => app.store);
const bridge = createDispatcher(createHandlers({ app, jobs, transport: 'bridge', objects }));
after(() => {
  app.close();
  rmSync(dir, { recursive: true, force: true });
});

async function ok<M extends MethodName>(name: M, args: unknown, dispatch = bridge) {
  const r = (await dispatch(name, args)) as MethodResult<M>;
  if (!r.ok) assert.fail(`${name} failed: ${r.error.code} ${r.error.message}`);
  return r.value;
}

describe('verify.* and report.*', () => {
  let fx: VerifiableCase;
  before(async () => {
    setActiveModel(dir, (await saveTinyModel(dir)).id);
    fx = await seedVerifiableCase(app.store, { subjects: 1, known: 4, questioned: 2 });
  });

  it('verify.settings says where the threshold comes from', async () => {
    const s = await ok('verify.settings', { caseId: fx.caseId });
    // A calibrated model proposes the score where its LR is 1 (the fixture's EER point is 0.5).
    assert.deepEqual([s.thresholdSource, s.modelThreshold, s.band, s.minReferences], ['model', s.threshold, 0.05, 4]);
    assert.ok(Math.abs(s.threshold - 0.5) < 0.05, `${s.threshold}`);
    assert.equal(s.model.calibrated, true);
    assert.equal(s.caseStatus, 'open');
  });

  it('verify.results lists every questioned document as not verified yet', async () => {
    const r = await ok('verify.results', { caseId: fx.caseId });
    assert.equal(r.rows.length, 2);
    assert.ok(r.rows.every((row) => row.comparison === null && row.support === null && row.pending === 'not verified yet'));
  });

  it('verify.compare returns Q, the references with their distances, and the recorded comparison', async () => {
    const v = await ok('verify.compare', { caseId: fx.caseId, documentId: fx.questioned[0]!.documentId });
    assert.equal(v.questioned.documentId, fx.questioned[0]!.documentId);
    assert.equal(v.references.length, 4);
    for (const r of v.references) {
      assert.equal(r.distance, v.comparison.distances.perReference.find((d) => d.signatureId === r.signatureId)!.distance);
    }
    assert.equal(v.subject.name, fx.subjects[0]!.name);
    // The ENFSI band of the recorded LR comes from the core's scale (docs/evaluation.md section 3).
    const llr = v.comparison.llr!;
    assert.equal(typeof llr, 'number');
    const band =
      Math.abs(llr) < Math.log10(2) ? 'none' : Math.abs(llr) <= 1 ? 'weak' : Math.abs(llr) <= 2 ? 'moderate' : Math.abs(llr) <= 3 ? 'moderately strong' : null;
    if (band) assert.equal(v.support.scale?.level, band);
    assert.equal(v.support.scale?.favours, band === 'none' ? 'neither' : llr > 0 ? 'same' : 'different');
    assert.match(v.support.short, band === 'none' ? /^no support either way$/ : new RegExp(`for ${llr > 0 ? 'genuine' : 'not genuine'}$`));
  });

  it('verify.batch runs as a job with progress and a result per item', async () => {
    const progress: number[] = [];
    const off = jobs.on('job.progress', (p) => progress.push(p.done));
    const job = await ok('verify.batch', { caseId: fx.caseId });
    const done = await jobs.wait(job);
    off();
    assert.equal(done.status, 'done');
    assert.ok(done.result, 'the job has its result');
    assert.equal(done.result.totals.compared, 2);
    assert.ok(progress.length > 0);
    const r = await ok('verify.results', { caseId: fx.caseId });
    assert.ok(r.rows.every((row) => row.comparison !== null && row.pending === null));
    assert.ok(r.rows.every((row) => typeof row.support === 'string' && row.support.length > 0));
  });

  it('report.create, then report.get as the URL of the PDF; other objects are not handed out', async () => {
    const rep = await ok('report.create', { caseId: fx.caseId });
    const got = await ok('report.get', { sha256: rep.sha256, fileName: rep.fileName });
    assert.equal(got.url, `/objects/${rep.sha256}`);
    const pdf = await answerObjectRequest(objects, { url: new URL(got.url, 'http://127.0.0.1'), method: 'GET' });
    assert.deepEqual(
      [pdf.status, pdf.headers['content-type'], pdf.body.subarray(0, 5).toString(), pdf.body.length],
      [200, 'application/pdf', '%PDF-', got.bytes],
    );
    const onDesktop = await ok('report.get', { sha256: rep.sha256, fileName: rep.fileName }, desktop);
    assert.equal(onDesktop.url, `cs-object://${rep.sha256}`);
    const sig = app.store.db.prepare('SELECT crop_sha256 AS sha FROM signatures LIMIT 1').get() as { sha: string };
    const refused = await bridge('report.get', { sha256: sig.sha, fileName: 'x.pdf' });
    assert.equal(refused.ok, false);
    if (!refused.ok) assert.equal(refused.error.code, 'NOT_FOUND');
  });

  it('report.saveAs writes where the desktop dialog says and logs it; the bridge has no dialogs', async () => {
    const rep = await ok('report.create', { caseId: fx.caseId });
    const r = await ok('report.saveAs', { sha256: rep.sha256, fileName: rep.fileName }, desktop);
    assert.equal(r.path, saved.at(-1));
    assert.ok(existsSync(r.path!) && readFileSync(r.path!).subarray(0, 4).toString() === '%PDF');
    assert.ok(app.store.audit.list().some((a) => a.action === 'report.save' && a.details.path === r.path));
    const b = await bridge('report.saveAs', { sha256: rep.sha256, fileName: rep.fileName });
    assert.equal(b.ok, false);
    if (!b.ok) assert.equal(b.error.code, 'UNSUPPORTED');
    assert.deepEqual(await ok('dialogs.chooseFolder', {}, desktop), { path: '/chosen/folder' });
    const f = await bridge('dialogs.chooseFolder', {});
    assert.equal(f.ok ? 'ok' : f.error.code, 'UNSUPPORTED');
  });

  it('refuses bad arguments before a handler runs', async () => {
    const r = await bridge('verify.compare', { caseId: fx.caseId, documentId: 'seven' });
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.error.message, /documentId/);
  });

  it('training.runs is empty before any training', async () => {
    assert.deepEqual(await ok('training.runs', {}), []);
  });

  it('training.options gives the defaults training.start applies and the known architectures', async () => {
    const o = await ok('training.options', {});
    assert.deepEqual([o.defaults.epochs, o.defaults.batchSize, o.defaults.learningRate, o.defaults.margin, o.defaults.optimizer], [5, 32, 1e-4, 1, 'rmsprop']);
    const names = o.architectures.map((a) => a.name);
    assert.ok(names.includes('signet') && names.includes('signet-tiny'));
    const tiny = o.architectures.find((a) => a.name === 'signet-tiny')!;
    const full = o.architectures.find((a) => a.name === 'signet')!;
    assert.deepEqual(tiny.inputShape, [155, 220, 1]);
    assert.ok(tiny.parameters > 0 && full.parameters > 10 * tiny.parameters, 'parameter counts are real and signet is the larger');
  });

  it('verify.results names the claimed subject of a failed import instead of "none claimed"', async () => {
    addDocument(app.store, {
      caseId: fx.caseId,
      role: 'questioned',
      claimedSubjectId: fx.subjects[0]!.id,
      path: 'questioned/torn.jpg',
      bytes: Buffer.from('torn'),
      status: 'failed',
      failureReason: 'truncated JPEG',
    });
    const r = await ok('verify.results', { caseId: fx.caseId });
    const row = r.rows.find((x) => x.path === 'questioned/torn.jpg')!;
    assert.equal(row.pending, 'import failed: truncated JPEG');
    assert.deepEqual(row.subject, { id: fx.subjects[0]!.id, name: fx.subjects[0]!.name });
    assert.equal(row.signatureId, null);
  });
});
