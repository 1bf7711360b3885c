// The read queries the front-ends used to hold themselves: case counts, subjects with counts,
// questioned documents with the subject they claim, reports recorded in the audit log, and
// training runs.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { NO_CASE_COUNTS, openStore, TrainingRunRepository, type NewDocument } from '../../../src-main/core/store/index.ts';
import { tempDir } from '../../helpers/store.ts';

describe('case queries', () => {
  const store = openStore(tempDir(), { client: 'cli' });
  after(() => store.close());
  const repo = store.documents;
  let n = 0;
  const doc = (d: Partial<NewDocument> & Pick<NewDocument, 'caseId' | 'role'>) =>
    repo.insertDocument({
      subjectId: null,
      claimedSubjectId: null,
      originalPath: `doc-${++n}.png`,
      sha256: n.toString(16).padStart(64, '0'),
      size: 10,
      format: 'png',
      width: 10,
      height: 10,
      dpi: null,
      pageIndex: 0,
      status: 'ready',
      failureReason: null,
      ...d,
    });

  const full = store.cases.create({ name: 'Full' });
  const empty = store.cases.create({ name: 'Empty' });
  const alice = repo.insertSubject(full.id, 'Alice');
  const bob = repo.insertSubject(full.id, 'bob');
  doc({ caseId: full.id, role: 'known', subjectId: alice.id, originalPath: 'known/alice/1.png' });
  doc({ caseId: full.id, role: 'known', subjectId: alice.id, originalPath: 'known/alice/2.png' });
  doc({
    caseId: full.id,
    role: 'known',
    subjectId: bob.id,
    originalPath: 'known/bob/1.png',
    status: 'failed',
    failureReason: 'truncated PNG',
    width: null,
    height: null,
  });
  const q2 = doc({ caseId: full.id, role: 'questioned', claimedSubjectId: alice.id, originalPath: 'questioned/b.tif', pageIndex: 1 });
  const q1 = doc({ caseId: full.id, role: 'questioned', claimedSubjectId: alice.id, originalPath: 'questioned/b.tif', pageIndex: 0, sha256: q2.sha256 });
  const q0 = doc({ caseId: full.id, role: 'questioned', originalPath: 'questioned/a.png', status: 'failed', failureReason: 'not an image' });

  test('countsByCase: subjects, documents by role and failed imports; an empty case is absent', () => {
    const counts = store.cases.countsByCase();
    assert.deepEqual(counts.get(full.id), { subjects: 2, documents: 6, known: 3, questioned: 3, failed: 2 });
    assert.equal(counts.has(empty.id), false);
    assert.deepEqual({ ...NO_CASE_COUNTS }, { subjects: 0, documents: 0, known: 0, questioned: 0, failed: 0 });
  });

  test('subjectSummariesOfCase: by name, known documents of the writer and questioned ones claiming it', () => {
    const subjects = repo.subjectSummariesOfCase(full.id);
    assert.deepEqual(
      subjects.map((s) => [s.name, s.known, s.questioned]),
      [
        ['Alice', 2, 2],
        ['bob', 1, 0],
      ],
    );
    assert.deepEqual(Object.keys(subjects[0]!).sort(), ['caseId', 'createdAt', 'id', 'known', 'librarySubjectId', 'name', 'notes', 'questioned', 'scope']);
    assert.deepEqual(repo.subjectSummariesOfCase(empty.id), []);
  });

  test('questionedDocumentsOfCase: failed ones too, by path and page, with the claimed subject by name', () => {
    const rows = repo.questionedDocumentsOfCase(full.id);
    assert.deepEqual(
      rows.map((d) => [d.id, d.originalPath, d.pageIndex, d.status, d.claimedSubjectName]),
      [
        [q0.id, 'questioned/a.png', 0, 'failed', null],
        [q1.id, 'questioned/b.tif', 0, 'ready', 'Alice'],
        [q2.id, 'questioned/b.tif', 1, 'ready', 'Alice'],
      ],
    );
    assert.equal(rows[0]!.failureReason, 'not an image');
    assert.equal(rows[1]!.claimedSubjectId, alice.id);
    assert.deepEqual(repo.questionedDocumentsOfCase(empty.id), []);
  });

  test('audit.recordsSha256: only rows of that action with that SHA-256 in their details', () => {
    const sha = 'e'.repeat(64);
    assert.equal(store.audit.recordsSha256('report.create', sha), false);
    store.write(() => store.audit.append({ action: 'report.save', details: { sha256: sha } }));
    assert.equal(store.audit.recordsSha256('report.create', sha), false, 'another action');
    store.write(() => store.audit.append({ action: 'report.create', caseId: full.id, details: { sha256: sha } }));
    assert.equal(store.audit.recordsSha256('report.create', sha), true);
    assert.equal(store.audit.recordsSha256('report.create', 'f'.repeat(64)), false);
  });

  test('TrainingRunRepository.listNewestFirst: camelCase rows with their JSON parsed, newest first', () => {
    const runs = new TrainingRunRepository(store);
    assert.deepEqual(runs.listNewestFirst(), []);
    const insert = store.db.prepare(
      `INSERT INTO training_runs (id, base_model_id, status, params, data_summary, metrics, result_model_id, error, created_at, started_at, finished_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    store.write(() => {
      insert.run(
        'run-old',
        null,
        'completed',
        '{"epochs":2}',
        '{"images":10}',
        '{"eer":0.1}',
        null,
        null,
        '2026-01-01T00:00:00.000Z',
        '2026-01-01T00:00:01.000Z',
        '2026-01-01T00:10:00.000Z',
      );
      insert.run('run-new', null, 'failed', '{}', '{}', '{}', null, 'out of memory', '2026-02-01T00:00:00.000Z', null, null);
    });
    const rows = runs.listNewestFirst();
    assert.deepEqual(
      rows.map((r) => r.id),
      ['run-new', 'run-old'],
    );
    assert.deepEqual(rows[1], {
      id: 'run-old',
      baseModelId: null,
      status: 'completed',
      params: { epochs: 2 },
      dataSummary: { images: 10 },
      metrics: { eer: 0.1 },
      resultModelId: null,
      error: null,
      startedAt: '2026-01-01T00:00:01.000Z',
      finishedAt: '2026-01-01T00:10:00.000Z',
    });
    assert.equal(rows[0]!.error, 'out of memory');
  });
});
