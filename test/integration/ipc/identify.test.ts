// identify.* and library.* through the dispatcher, over a real store, model and job manager.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createContext } from '../../../src-main/core/app-context.ts';
import { JobManager } from '../../../src-main/core/jobs/manager.ts';
import type { JobKinds } from '../../../src-main/ipc/contract.ts';
import { setActiveModel } from '../../../src-main/core/model/registry/registry.ts';
import { generateDataset } from '../../../src-main/core/synth/index.ts';
import type { MethodName, MethodResult } from '../../../src-main/ipc/contract.ts';
import { createHandlers } from '../../../src-main/ipc/handlers.ts';
import { createDispatcher } from '../../../src-main/ipc/registry.ts';
import { saveTinyModel, seedVerifiableCase, type VerifiableCase } from '../../helpers/verify-fixture.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cs-ipc-identify-'));
const data = path.join(dir, 'data');
const images = path.join(dir, 'images');
const app = createContext(data, { client: 'bridge' });
const jobs = new JobManager<JobKinds>();
const dispatch = createDispatcher(createHandlers({ app, jobs, transport: 'bridge' }));
after(() => {
  app.close();
  rmSync(dir, { recursive: true, force: true });
});

async function ok<M extends MethodName>(name: M, args: unknown) {
  const r = (await dispatch(name, args)) as MethodResult<M>;
  if (!r.ok) assert.fail(`${name} failed: ${r.error.code} ${r.error.message}`);
  return r.value;
}
async function fails(name: MethodName, args: unknown, code: string, pattern: RegExp) {
  const r = await dispatch(name, args);
  assert.equal(r.ok, false, `${name} should fail`);
  if (r.ok) return;
  assert.equal(r.error.code, code, r.error.message);
  assert.match(r.error.message, pattern);
}

describe('library.* and identify.*', () => {
  let fx: VerifiableCase;
  before(async () => {
    setActiveModel(data, (await saveTinyModel(data)).id);
    await generateDataset(images, { writers: 2, genuine: 3, forged: 0, seed: 4 });
    fx = await seedVerifiableCase(app.store, { subjects: 2, known: 3, questioned: 1 });
  });

  it('library.enrol runs as a job whose result is the enrolment report; library.list shows the writer', async () => {
    await fails('library.enrol', { name: 'X', paths: [] }, 'INVALID_ARGUMENT', /paths/);
    const job = await ok('library.enrol', { name: 'Writer One', paths: [path.join(images, 'w0001', 'genuine')] });
    const done = await jobs.wait(job);
    assert.equal(done.status, 'done', JSON.stringify(done));
    assert.ok(done.result, 'the job has its report');
    assert.equal(done.kind, 'library.enrol');
    assert.deepEqual(done.result.totals, { files: 3, enrolled: 3, skipped: 0, failed: 0 });
    const list = await ok('library.list', {});
    assert.deepEqual(
      list.subjects.map((s) => [s.name, s.exemplars, s.embedded]),
      [['Writer One', 3, 3]],
    );
    assert.equal(list.vectorSearch.available, true);
  });

  it('library.enrolFromCase copies a case subject and links it; library.draw brings a library writer into a case', async () => {
    const r = await ok('library.enrolFromCase', { caseId: fx.caseId, subject: fx.subjects[1]!.name });
    assert.equal(r.totals.enrolled, 3);
    assert.equal(r.linked?.linked, true);
    await fails('library.enrolFromCase', { caseId: fx.caseId, subject: 'nobody' }, 'NOT_FOUND', /no subject 'nobody'/);
    const lib = (await ok('library.list', {})).subjects.find((s) => s.name === 'Writer One')!;
    const d = await ok('library.draw', { caseId: fx.caseId, subjectId: lib.id });
    assert.equal(d.totals.enrolled, 3);
    assert.equal(d.caseSubject.name, 'Writer One');
  });

  it('identify.query on a questioned document: library or its case; results recorded, listed by identify.history', async () => {
    const q = fx.questioned[0]!;
    const lib = await ok('identify.query', { documentId: q.documentId });
    assert.equal(lib.scope.kind, 'library');
    assert.equal(lib.writersSearched, 2);
    assert.equal(lib.query.kind, 'signature');
    assert.ok(lib.candidates.every((c) => c.exemplars.every((e) => typeof e.cropSha256 === 'string')));
    const inCase = await ok('identify.query', { documentId: q.documentId, scope: 'case', top: 2 });
    assert.deepEqual(inCase.scope, { kind: 'case', caseId: fx.caseId, caseName: 'Verification fixture' });
    // The case now has its two subjects plus the drawn library writer.
    assert.equal(inCase.writersSearched, 3);
    assert.equal(inCase.candidates.length, 2);
    const history = await ok('identify.history', { documentId: q.documentId });
    assert.deepEqual(
      history.map((h) => h.id),
      [inCase.id, lib.id],
    );
    const audit = app.store.audit.list({ caseId: fx.caseId }).filter((a) => a.action === 'identify.query');
    assert.deepEqual(
      audit.map((a) => a.entity),
      [`identification:${lib.id}`, `identification:${inCase.id}`],
    );
  });

  it('refuses bad arguments before a handler runs, and a library document as a case query', async () => {
    await fails('identify.query', {}, 'INVALID_ARGUMENT', /documentId or signatureId/);
    await fails('identify.query', { documentId: 1, signatureId: 1 }, 'INVALID_ARGUMENT', /one of them/);
    await fails('identify.query', { documentId: 'x' }, 'INVALID_ARGUMENT', /documentId/);
    await fails('identify.query', { documentId: 1, top: 1000 }, 'INVALID_ARGUMENT', /top/);
    await fails('identify.query', { documentId: 999999 }, 'NOT_FOUND', /no document 999999/);
    const libDoc = app.store.db.prepare('SELECT id FROM documents WHERE case_id IS NULL LIMIT 1').pluck().get() as number;
    await fails('identify.query', { documentId: libDoc, scope: 'case' }, 'INVALID_ARGUMENT', /reference library, not in a case/);
  });

  it('library.remove withdraws with a reason; the writer is then not ranked', async () => {
    const lib = (await ok('library.list', {})).subjects.find((s) => s.name === 'Writer One')!;
    await fails('library.remove', { subjectId: lib.id, reason: '' }, 'INVALID_ARGUMENT', /reason/);
    const s = await ok('library.remove', { subjectId: lib.id, reason: 'enrolled under the wrong name' });
    assert.equal(s.status, 'withdrawn');
    await fails('library.remove', { subjectId: lib.id, reason: 'again' }, 'CONFLICT', /already withdrawn/);
    assert.deepEqual(
      (await ok('library.list', {})).subjects.map((x) => x.name),
      [fx.subjects[1]!.name],
    );
    assert.equal((await ok('library.list', { includeWithdrawn: true })).subjects.length, 2);
    const r = await ok('identify.query', { documentId: fx.questioned[0]!.documentId });
    assert.deepEqual(
      r.candidates.map((c) => c.name),
      [fx.subjects[1]!.name],
    );
    assert.equal(app.store.audit.list().filter((a) => a.action === 'library.remove').length, 1);
  });
  it('library.enrolFolder and library.enrolCase: refused at once when the folder or case is wrong, else a job whose result is the EnrolWritersReport; one at a time', async () => {
    await fails('library.enrolFolder', { folder: path.join(dir, 'nowhere') }, 'INVALID_ARGUMENT', /^folder: .*nowhere: no such folder/);
    await fails('library.enrolCase', { caseId: 99999 }, 'NOT_FOUND', /99999/);
    const job = await ok('library.enrolCase', { caseId: fx.caseId });
    assert.equal(job.kind, 'library.enrolWriters');
    await fails('library.enrolFolder', { folder: images }, 'BUSY', /already being enrolled/);
    const done = await jobs.wait(job);
    assert.equal(done.status, 'done', JSON.stringify(done.error));
    assert.ok(done.result, 'the job has its report');
    // Subject 1 is new; subject 2 was enrolled earlier (all its signatures skipped); the drawn library writer's are in the library already.
    const byName = new Map(done.result.writers.map((w) => [w.name, w]));
    assert.equal(byName.get(fx.subjects[0]!.name)?.report?.totals.enrolled, 3);
    assert.equal(byName.get(fx.subjects[1]!.name)?.report?.totals.skipped, 3);
    const folder = await ok('library.enrolFolder', { folder: images });
    const f = await jobs.wait(folder);
    assert.equal(f.status, 'done', JSON.stringify(f.error));
    assert.ok(f.result, 'the job has its report');
    assert.deepEqual([f.result.source.kind === 'folder' && f.result.source.layout, f.result.totals.writers], ['manifest', 2]);
    assert.ok((await ok('library.list', {})).subjects.some((x) => x.name === 'w0002'));
  });
});
