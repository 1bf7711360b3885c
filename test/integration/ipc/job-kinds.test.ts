// Every kind of job the contract declares (ipc/contract/jobs.ts), started through the
// dispatcher over a real store: each progress event's data and the result have the shape
// JobKinds declares for the kind (the type-level side is job-kinds.types.ts).
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setActiveModel } from '../../../src-main/core/model/registry/registry.ts';
import { createWriter, generateDataset, renderSignature } from '../../../src-main/core/synth/index.ts';
import type { JobInfo, JobKind, JobProgress } from '../../../src-main/ipc/contract.ts';
import { contractHarness } from '../../helpers/ipc.ts';
import { saveTinyModel, seedVerifiableCase } from '../../helpers/verify-fixture.ts';

const { dir, dataDir, app, ok, jobs } = contractHarness('cs-ipc-job-kinds-', { dataSubdir: 'data' });
const images = path.join(dir, 'images');
const caseFolder = path.join(dir, 'case');

/** The object's own keys, sorted (for exact key sets). */
const keys = (v: unknown) => Object.keys(v as object).sort();
function isObject(v: unknown, what: string): asserts v is Record<string, unknown> {
  assert.ok(v !== null && typeof v === 'object' && !Array.isArray(v), `${what}: expected an object, got ${JSON.stringify(v)}`);
}
function numbers(v: Record<string, unknown>, names: string[], what: string): void {
  for (const n of names) assert.equal(typeof v[n], 'number', `${what}.${n}: expected a number, got ${JSON.stringify(v[n])}`);
}

const TRAIN_EVENTS = ['start', 'prepare', 'baseline', 'batch', 'epoch', 'checkpoint', 'early-stop', 'not-better'];

/** Per kind (every kind: a new one fails to compile here), what its progress data and result must look like. */
const shapes: { [K in JobKind]: { progress(data: unknown): void; result(r: unknown): void } } = {
  import: {
    progress(d) {
      isObject(d, 'import progress');
      assert.deepEqual(keys(d), ['failed', 'imported', 'skipped', 'started']);
      numbers(d, ['imported', 'skipped', 'failed'], 'import progress');
      assert.equal(typeof d.started, 'boolean');
    },
    result(r) {
      isObject(r, 'import result');
      assert.ok(Array.isArray(r.files) && Array.isArray(r.notProcessed) && typeof r.cancelled === 'boolean');
      isObject(r.totals, 'import result.totals');
      numbers(r.totals, ['imported', 'failed'], 'import result.totals');
    },
  },
  verify: {
    progress(d) {
      isObject(d, 'verify progress');
      assert.deepEqual(keys(d), ['stage']);
      assert.ok(d.stage === 'embed' || d.stage === 'compare', `verify progress.stage: ${String(d.stage)}`);
    },
    result(r) {
      isObject(r, 'verify result');
      assert.ok(Array.isArray(r.items) && Array.isArray(r.warnings) && Array.isArray(r.skipped));
      isObject(r.totals, 'verify result.totals');
      assert.deepEqual(keys(r.totals), ['compared', 'genuine', 'inconclusive', 'notGenuine', 'skipped']);
      numbers(r.totals, ['compared', 'genuine', 'inconclusive', 'notGenuine', 'skipped'], 'verify result.totals');
    },
  },
  'library.enrol': {
    progress(d) {
      assert.equal(d, undefined, 'library.enrol progress carries no data');
    },
    result(r) {
      isObject(r, 'library.enrol result');
      isObject(r.subject, 'library.enrol result.subject');
      assert.ok(Array.isArray(r.files));
      isObject(r.totals, 'library.enrol result.totals');
      assert.deepEqual(keys(r.totals), ['enrolled', 'failed', 'files', 'skipped']);
    },
  },
  'library.enrolWriters': {
    progress(d) {
      isObject(d, 'library.enrolWriters progress');
      assert.deepEqual(keys(d), ['done', 'enrolled', 'failed', 'message', 'total', 'writer', 'writersDone', 'writersTotal']);
      numbers(d, ['done', 'total', 'writersDone', 'writersTotal', 'enrolled', 'failed'], 'library.enrolWriters progress');
      assert.equal(typeof d.writer, 'string');
    },
    result(r) {
      isObject(r, 'library.enrolWriters result');
      assert.ok(Array.isArray(r.writers) && Array.isArray(r.failures) && typeof r.cancelled === 'boolean');
      isObject(r.totals, 'library.enrolWriters result.totals');
    },
  },
  training: {
    progress(d) {
      isObject(d, 'training progress');
      assert.ok(TRAIN_EVENTS.includes(String(d.type)), `training progress.type: ${String(d.type)}`);
      if (d.type === 'batch') numbers(d, ['epoch', 'epochs', 'batch', 'batches', 'step', 'loss'], 'training batch event');
    },
    result(r) {
      isObject(r, 'training result');
      assert.deepEqual(keys(r), ['modelId', 'resumeHint', 'runId', 'status']);
      assert.ok(r.status === 'done' || r.status === 'cancelled');
      assert.equal(typeof r.runId, 'string');
    },
  },
};

const progress = new Map<string, JobProgress[]>();
const off = jobs.on('job.progress', (p) => progress.set(p.jobId, [...(progress.get(p.jobId) ?? []), p]));
after(off);

/** Waits for the job, then checks its kind, its progress events and its result against `shapes`. */
async function checked(job: JobInfo, kind: JobKind): Promise<void> {
  assert.equal(job.kind, kind);
  const done = await jobs.wait(job.jobId);
  assert.equal(done.status, 'done', JSON.stringify(done.error));
  const events = progress.get(job.jobId) ?? [];
  assert.ok(events.length > 0, `${kind}: no progress event`);
  for (const p of events) {
    assert.equal(p.kind, kind);
    shapes[kind].progress(p.data);
  }
  shapes[kind].result(done.result);
}

describe('job kinds: progress data and results as JobKinds declares them', () => {
  let caseId = 0;
  let verifyCase = 0;
  before(async () => {
    setActiveModel(dataDir, (await saveTinyModel(dataDir)).id);
    await generateDataset(images, { writers: 6, genuine: 3, forged: 1, seed: 'job-kinds', dpi: 120 });
    const w = createWriter(5, 'w0005');
    mkdirSync(path.join(caseFolder, 'known', 'a-smith'), { recursive: true });
    mkdirSync(path.join(caseFolder, 'questioned', 'a-smith'), { recursive: true });
    writeFileSync(path.join(caseFolder, 'known', 'a-smith', 'k1.png'), (await renderSignature(w, { sampleIndex: 0 })).data);
    writeFileSync(path.join(caseFolder, 'questioned', 'a-smith', 'q1.png'), (await renderSignature(w, { sampleIndex: 1 })).data);
    caseId = (await ok('cases.create', { name: 'Job kinds' })).id;
    verifyCase = (await seedVerifiableCase(app.store, { subjects: 1, known: 3, questioned: 1 })).caseId;
  });

  it('import', async () => checked(await ok('import.start', { caseId, folder: caseFolder }), 'import'));
  it('verify', async () => checked(await ok('verify.batch', { caseId: verifyCase }), 'verify'));
  it('library.enrol', async () => checked(await ok('library.enrol', { name: 'One writer', paths: [path.join(images, 'w0001', 'genuine')] }), 'library.enrol'));
  it('library.enrolWriters', async () => checked(await ok('library.enrolCase', { caseId: verifyCase }), 'library.enrolWriters'));
  it('training', async () => {
    const job = await ok('training.start', { data: images, architecture: 'signet-tiny', name: 'job kinds', epochs: 1, batchSize: 4, pairsPerEpoch: 8 });
    await checked(job, 'training');
  });
});
