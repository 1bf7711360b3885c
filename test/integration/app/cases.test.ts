// core/app/cases.ts: what the desktop app, the bridge and the CLI all show of a case.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { caseAudit, caseById, caseDetail, createCase, listCases } from '../../../src-main/core/app/cases.ts';
import { createContext } from '../../../src-main/core/app-context.ts';
import { tempDir, throwsCode } from '../../helpers/store.ts';

describe('core/app/cases', () => {
  const dataDir = tempDir('cs-app-cases-');
  const app = createContext(dataDir, { client: 'cli' });
  after(() => app.close());
  const store = app.store;

  test('createCase takes minimum references and the band from the settings, the rest from the input', () => {
    const plain = createCase(app, { name: ' Plain ', examiner: 'A. Examiner' });
    assert.deepEqual(
      [plain.name, plain.examiner, plain.threshold, plain.notes, plain.minReferences, plain.inconclusiveBand],
      ['Plain', 'A. Examiner', null, null, 4, 0.05],
    );
    writeFileSync(path.join(dataDir, 'settings.json'), JSON.stringify({ minReferences: 6, inconclusiveBand: 0.02 }));
    const set = createCase(app, { name: 'With settings', threshold: 0.4, notes: 'n' });
    assert.deepEqual([set.threshold, set.notes, set.minReferences, set.inconclusiveBand], [0.4, 'n', 6, 0.02]);
    throwsCode(() => createCase(app, { name: 'plain' }), 'CONFLICT', "name: a case named 'Plain' already exists");
  });

  test('listCases gives every case its counts (zeros for an empty one), filtered as the repository filters', () => {
    const c = store.cases.find('Plain')!;
    const alice = store.documents.insertSubject(c.id, 'Alice');
    store.documents.insertDocument({
      caseId: c.id,
      role: 'known',
      subjectId: alice.id,
      claimedSubjectId: null,
      originalPath: 'known/alice/1.png',
      sha256: 'a'.repeat(64),
      size: 1,
      format: 'png',
      width: 1,
      height: 1,
      dpi: null,
      pageIndex: 0,
      status: 'ready',
      failureReason: null,
    });
    const list = listCases(store);
    assert.deepEqual(
      list.map((x) => [x.name, x.subjects, x.documents, x.known, x.questioned, x.failed]),
      [
        ['Plain', 1, 1, 1, 0, 0],
        ['With settings', 0, 0, 0, 0, 0],
      ],
    );
    const { subjects: _s, documents: _d, known: _k, questioned: _q, failed: _f, ...row } = list[0]!;
    assert.deepEqual(row, store.cases.find(c.id), 'the case row as it is, beside the counts');
    assert.deepEqual(
      listCases(store, { search: 'EXAMINER' }).map((x) => x.name),
      ['Plain'],
    );
    store.cases.archive(c.id);
    assert.deepEqual(
      listCases(store).map((x) => x.name),
      ['With settings'],
    );
    assert.equal(listCases(store, { includeArchived: true }).find((x) => x.id === c.id)?.subjects, 1);
  });

  test('caseDetail: the case with its counts, subjects with theirs, documents; NOT_FOUND names caseId', () => {
    const c = store.cases.find('Plain')!;
    const d = caseDetail(store, c.id);
    assert.deepEqual([d.case.id, d.case.known, d.case.status], [c.id, 1, 'archived']);
    assert.deepEqual(
      d.subjects.map((s) => [s.name, s.known, s.questioned]),
      [['Alice', 1, 0]],
    );
    assert.deepEqual(
      d.documents.map((x) => [x.originalPath, x.signature, x.signatureCount, x.latestComparison]),
      [['known/alice/1.png', null, 0, null]],
    );
    throwsCode(() => caseDetail(store, 999), 'NOT_FOUND', 'caseId: no case 999');
    assert.equal(caseById(store, c.id).name, 'Plain');
  });

  test("caseAudit: the case's rows and the whole chain verified", () => {
    const c = store.cases.find('Plain')!;
    const a = caseAudit(store, c.id);
    assert.deepEqual(
      a.rows.map((r) => r.action),
      ['case.create', 'case.archive'],
    );
    assert.equal(a.chain.ok, true);
    throwsCode(() => caseAudit(store, 999), 'NOT_FOUND', 'caseId: no case 999');
  });
});
