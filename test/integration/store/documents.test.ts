// The documents repository: camelCase rows, updates that keep an original's identity, and
// evidence that cannot be deleted.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { activeSignature, openStore } from '../../../src-main/core/store/index.ts';
import { tempDir, throwsCode } from '../../helpers/store.ts';

describe('DocumentRepository', () => {
  const store = openStore(tempDir(), { client: 'cli' });
  after(() => store.close());
  const c = store.cases.create({ name: 'Repo' });
  const repo = store.documents;
  const base = {
    caseId: c.id,
    role: 'known' as const,
    claimedSubjectId: null,
    originalPath: 'known/alice/k1.png',
    sha256: 'a'.repeat(64),
    size: 10,
    format: 'png',
    width: 100,
    height: 50,
    dpi: 300,
    pageIndex: 0,
    status: 'ready' as const,
    failureReason: null,
  };

  test('subjects: created once per name whatever the letter case, found by name', () => {
    const s = repo.insertSubject(c.id, ' Alice ');
    assert.equal(s.name, 'Alice');
    assert.equal(repo.findSubject(c.id, 'ALICE')?.id, s.id);
    throwsCode(() => repo.insertSubject(c.id, 'alice'), 'CONFLICT', "already has a subject named 'Alice'");
    throwsCode(() => repo.insertSubject(c.id, 'a\tb'), 'INVALID_ARGUMENT', 'subject: must not contain control characters');
    assert.deepEqual(
      repo.subjectsOfCase(c.id).map((x) => x.name),
      ['Alice'],
    );
  });

  test('documents and signatures come back as camelCase rows; a failed row can be retried, its identity not changed', () => {
    const subjectId = repo.findSubject(c.id, 'alice')!.id;
    const failed = repo.insertDocument({
      ...base,
      subjectId,
      status: 'failed',
      failureReason: 'k1.png: truncated PNG',
      width: null,
      height: null,
      format: null,
    });
    assert.deepEqual(
      [failed.status, failed.failureReason, failed.width, failed.subjectId, failed.originalPath],
      ['failed', 'k1.png: truncated PNG', null, subjectId, 'known/alice/k1.png'],
    );
    const ready = repo.updateDocument(failed.id, { format: 'png', width: 100, height: 50, dpi: 300, status: 'ready', failureReason: 'ignored when ready' });
    assert.deepEqual([ready.status, ready.failureReason, ready.width, ready.importedAt], ['ready', null, 100, failed.importedAt]);
    throwsCode(
      () => store.write(() => store.db.prepare("UPDATE documents SET original_path = 'x' WHERE id = ?").run(failed.id)),
      'CONFLICT',
      'identity of an imported original never changes',
    );
    const sig = repo.insertSignature({
      documentId: ready.id,
      box: { x: 1, y: 2, w: 30, h: 40 },
      confidence: 0.9,
      lowConfidence: false,
      isCrop: true,
      source: 'auto',
      status: 'proposed',
      cropSha256: 'b'.repeat(64),
      normalisedSha256: 'c'.repeat(64),
      params: { region: [1, 2, 30, 40] },
      quality: { inkRatio: 0.1 },
    });
    assert.deepEqual(sig.box, { x: 1, y: 2, w: 30, h: 40 });
    assert.deepEqual([sig.isCrop, sig.lowConfidence, sig.params, sig.quality], [true, false, { region: [1, 2, 30, 40] }, { inkRatio: 0.1 }]);
    assert.deepEqual(
      repo.documentsByObject(c.id, 'a'.repeat(64)).map((d) => d.id),
      [ready.id],
    );
    assert.deepEqual(
      repo.signaturesOfCase(c.id).map((s) => s.id),
      [sig.id],
    );
    throwsCode(() => repo.insertSignature({ ...sig, box: { x: -1, y: 0, w: 5, h: 5 } }), 'INVALID_ARGUMENT', 'box: expected x, y >= 0');
    throwsCode(() => store.write(() => store.db.prepare('DELETE FROM signatures WHERE id = ?').run(sig.id)), 'CONFLICT', 'never deleted');
    throwsCode(() => store.write(() => store.db.prepare('DELETE FROM documents WHERE id = ?').run(ready.id)), 'CONFLICT', 'never deleted');
    throwsCode(() => repo.requireDocument(9999), 'NOT_FOUND', 'documentId: no document 9999');
  });

  test('activeSignature: the newest not rejected, else the newest', () => {
    const s = (id: number, status: string) => ({ id, status });
    assert.equal(activeSignature([s(1, 'approved'), s(2, 'proposed')])?.id, 2);
    assert.equal(activeSignature([s(1, 'approved'), s(2, 'rejected')])?.id, 1);
    assert.equal(activeSignature([s(1, 'rejected'), s(2, 'rejected')])?.id, 2);
    assert.equal(activeSignature([]), null);
  });
});
