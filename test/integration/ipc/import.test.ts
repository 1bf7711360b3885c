// import.start and documents.crop through the dispatcher, over a real store and job manager.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import type { ImportReport } from '../../../src-main/core/imaging/import.ts';
import type { JobProgress } from '../../../src-main/ipc/contract.ts';
import { createWriter, renderCheque, renderSignature } from '../../../src-main/core/synth/index.ts';
import { contractHarness } from '../../helpers/ipc.ts';

const { dir, app, ok, fails, jobs } = contractHarness('cs-ipc-import-', { dataSubdir: 'data' });

const folder = path.join(dir, 'case');
before(async () => {
  const w = createWriter(3, 'w0003');
  mkdirSync(path.join(folder, 'known', 'a-smith'), { recursive: true });
  mkdirSync(path.join(folder, 'questioned', 'a-smith'), { recursive: true });
  writeFileSync(path.join(folder, 'known', 'a-smith', 'k1.png'), (await renderSignature(w, { sampleIndex: 0 })).data);
  writeFileSync(path.join(folder, 'questioned', 'a-smith', 'q1.png'), (await renderCheque(w, { sampleIndex: 0 })).data);
  writeFileSync(path.join(folder, 'questioned', 'a-smith', 'q2.pdf'), '%PDF-1.4\n%%EOF\n');
});

describe('import.start', () => {
  let report: ImportReport;

  it('refuses bad arguments, unknown cases and folders that are not case folders before starting a job', async () => {
    const c = await ok('cases.create', { name: 'IPC import' });
    await fails('import.start', { caseId: c.id }, 'INVALID_ARGUMENT', /^import\.start: folder: /);
    await fails('import.start', { caseId: 999, folder }, 'NOT_FOUND', /^caseId: no case 999$/);
    await fails(
      'import.start',
      { caseId: c.id, folder: path.join(folder, 'known') },
      'INVALID_ARGUMENT',
      /has neither a known\/ nor a questioned\/ folder; expected a case folder laid out as/,
    );
    assert.equal(jobs.list().length, 0, 'no job was started');
  });

  it('runs the import as a job: progress with done/total and the current file, the report as the result', async () => {
    const c = (await ok('cases.list', {})).find((x) => x.name === 'IPC import')!;
    const progress: JobProgress<'import'>[] = [];
    const off = jobs.on('job.progress', (p) => {
      if (p.kind === 'import') progress.push(p);
    });
    const job = await ok('import.start', { caseId: c.id, folder });
    assert.deepEqual([job.kind, job.status], ['import', 'running']);
    await fails('import.start', { caseId: c.id, folder }, 'BUSY', /is already being imported/);
    const done = await jobs.wait(job);
    off();
    assert.equal(done.status, 'done', JSON.stringify(done.error));
    assert.ok(done.result, 'the job has its report');
    report = done.result;
    assert.deepEqual([report.totals.imported, report.totals.failed], [2, 1]);
    assert.equal(report.files.find((f) => f.path.endsWith('q2.pdf'))?.reasonCode, 'pdf');
    const finished = progress.filter((p) => p.jobId === job.jobId && !p.data.started);
    assert.deepEqual(
      finished.map((p) => [p.done, p.total]),
      [
        [1, 3],
        [2, 3],
        [3, 3],
      ],
    );
    assert.deepEqual(
      finished.map((p) => p.message),
      report.files.map((f) => f.path),
    );
    const detail = await ok('cases.get', { caseId: c.id });
    assert.deepEqual(detail.documents.map((d) => d.status).sort(), ['failed', 'ready', 'ready']);
    assert.equal(detail.case.failed, 1);
  });

  it('documents.crop re-derives the signature and returns the document with the manual one active', async () => {
    const q = report.files.find((f) => f.path.endsWith('q1.png'))!;
    const [x, y, w, h] = q.box!;
    const detail = await ok('documents.crop', { documentId: q.documentId, box: { x, y: y - 10, w, h: h + 20 } });
    assert.deepEqual([detail.signature?.source, detail.signature?.status, detail.signature?.box], ['manual', 'approved', { x, y: y - 10, w, h: h + 20 }]);
    assert.deepEqual(
      detail.signatures.map((s) => s.status),
      ['rejected', 'approved'],
    );
    await fails('documents.crop', { documentId: q.documentId, box: { x: 0, y: 0, w: 0, h: 10 } }, 'INVALID_ARGUMENT', /^documents\.crop: box\.w: /);
    await fails(
      'documents.crop',
      { documentId: q.documentId, box: { x: 1790, y: 0, w: 50, h: 10 } },
      'INVALID_ARGUMENT',
      /^box: \[1790, 0, 50, 10\] reaches beyond the 1800 x 800 page/,
    );
    await fails('documents.crop', { documentId: 4242, box: { x: 0, y: 0, w: 5, h: 5 } }, 'NOT_FOUND', /^documentId: no document 4242$/);
  });

  it('documents.approveBox approves a proposed automatic box as it is, once, audit-logged with the box', async () => {
    const q = report.files.find((f) => f.path.endsWith('.png') && !f.path.endsWith('q1.png') && f.box)!;
    const before = await ok('documents.get', { documentId: q.documentId });
    assert.equal(before.signature?.status, 'proposed');
    const detail = await ok('documents.approveBox', { documentId: q.documentId });
    assert.equal(detail.signature?.status, 'approved');
    assert.equal(detail.signature?.id, before.signature?.id, 'the same signature: nothing derived again');
    assert.deepEqual(detail.signature?.box, before.signature?.box);
    await ok('documents.approveBox', { documentId: q.documentId });
    const rows = app.store.audit.list().filter((r) => r.action === 'signature.approve');
    assert.equal(rows.length, 1, 'approving an approved box logs nothing');
    assert.deepEqual(rows[0]!.details.box, [q.box![0], q.box![1], q.box![2], q.box![3]]);
    await fails('documents.approveBox', { documentId: 4242 }, 'NOT_FOUND', /no document 4242/);
  });
});
