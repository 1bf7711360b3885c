// The reference library: enrolment from image files (the import's own path, real images, real
// embeddings), from a case's subject, drawing into a case, withdrawal; all audit-logged.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { drawFromLibrary, enrolFromCase, withdrawLibrarySubject } from '../../../src-main/core/library/copy.ts';
import { enrolFiles } from '../../../src-main/core/library/enrol.ts';
import { LibraryRepository } from '../../../src-main/core/store/library.ts';
import { setActiveModel } from '../../../src-main/core/model/registry/registry.ts';
import { openStore, type Store } from '../../../src-main/core/store/index.ts';
import { generateDataset } from '../../../src-main/core/synth/index.ts';
import { saveTinyModel, seedVerifiableCase } from '../../helpers/verify-fixture.ts';
import { tempDir } from '../../helpers/store.ts';

const root = tempDir('cs-library-');
const data = path.join(root, 'data');
let store: Store;
let modelId: string;
const images = path.join(root, 'images');
const writerDir = (w: string) => path.join(images, w, 'genuine');
const count = (sql: string, ...p: unknown[]) =>
  store.db
    .prepare(sql)
    .pluck()
    .get(...p) as number;

before(async () => {
  await generateDataset(images, { writers: 2, genuine: 4, forged: 0, seed: 5 });
  modelId = (await saveTinyModel(data)).id;
  setActiveModel(data, modelId);
  store = openStore(data);
});
after(() => store.close());

describe('library enrolment', () => {
  it('enrols a folder through the import path: originals and derived images stored, rows, embeddings, one audit row; bad files reported by name', async () => {
    const dir = writerDir('w0001');
    writeFileSync(path.join(dir, 'notes.png'), 'not an image at all');
    writeFileSync(path.join(dir, 'empty.png'), '');
    const auditBefore = store.audit.list().length;
    const r = await enrolFiles(store, { name: 'Alice Marlow', paths: [dir] });
    assert.deepEqual(r.totals, { files: 6, enrolled: 4, skipped: 0, failed: 2 });
    assert.equal(r.subject.created, true);
    const failed = r.files.filter((f) => f.status === 'failed');
    assert.deepEqual(failed.map((f) => f.path).sort(), ['empty.png', 'notes.png']);
    for (const f of failed) assert.match(f.reason ?? '', new RegExp(f.path.replace('.', '\\.')));
    assert.equal(r.model?.id, modelId);
    assert.equal(r.model?.embedded, 4);
    for (const f of r.files.filter((x) => x.status === 'enrolled')) {
      const doc = store.documents.requireDocument(f.documentId!);
      assert.equal(doc.caseId, null);
      assert.equal(doc.role, 'known');
      assert.ok(store.objects.has(doc.sha256), 'the original is in the object store');
      const sig = store.documents.signature(f.signatureId!)!;
      assert.equal(sig.isCrop, true);
      assert.ok(store.objects.has(sig.normalisedSha256!) && store.objects.has(sig.cropSha256!));
      assert.equal(count('SELECT count(*) FROM embeddings WHERE signature_id = ? AND model_id = ?', sig.id, modelId), 1);
    }
    const audit = store.audit.list().slice(auditBefore);
    assert.deepEqual(
      audit.map((a) => a.action),
      ['subject.create', 'model.register', 'library.enrol'],
      'the model is registered (with its identity) at its first use',
    );
    const details = audit[2]!.details as { totals: unknown; files: { path: string; status: string }[]; enrolmentId: number };
    assert.deepEqual(details.totals, r.totals);
    assert.equal(details.files.length, 6);
    assert.equal(count('SELECT count(*) FROM library_enrolments WHERE id = ? AND subject_id = ?', details.enrolmentId, r.subject.id), 1);
    const listed = new LibraryRepository(store).list({ modelId });
    assert.deepEqual(
      listed.map((s) => [s.name, s.exemplars, s.embedded, s.status]),
      [['Alice Marlow', 4, 4, 'active']],
    );
  });

  it('enrolling the same files again adds nothing and says which document each already is', async () => {
    const docs = count('SELECT count(*) FROM documents');
    const r = await enrolFiles(store, { name: 'alice marlow', paths: [path.join(writerDir('w0001'), 'w0001-g01.png')] });
    assert.equal(r.subject.created, false);
    assert.deepEqual(r.totals, { files: 1, enrolled: 0, skipped: 1, failed: 0 });
    assert.match(r.files[0]!.reason!, /already in the library as w0001-g01\.png \(document \d+, subject 'Alice Marlow'\)/);
    assert.equal(count('SELECT count(*) FROM documents'), docs);
    assert.equal(store.audit.list().at(-1)!.action, 'library.enrol');
  });

  it('refuses, storing nothing: a missing path, and a new writer whose files give no signature', async () => {
    const rows = () => [count('SELECT count(*) FROM subjects'), count('SELECT count(*) FROM documents'), store.audit.list().length];
    const before = rows();
    await assert.rejects(
      enrolFiles(store, { name: 'Nobody', paths: [path.join(root, 'missing')] }),
      (e: Error & { code?: string }) => e.code === 'INVALID_ARGUMENT' && e.message.includes('missing: no such file'),
    );
    const bad = path.join(root, 'bad');
    mkdirSync(bad);
    writeFileSync(path.join(bad, 'a.png'), 'text');
    await assert.rejects(enrolFiles(store, { name: 'Nobody', paths: [bad] }), /nothing to enrol for 'Nobody'.*a\.png/);
    await assert.rejects(enrolFiles(store, { name: ' ', paths: [bad] }), /name: a subject name is required/);
    assert.deepEqual(rows(), before);
  });

  it('enrols a case subject by copying its exemplars (same objects, embeddings copied) and links the case subject', async () => {
    const fx = await seedVerifiableCase(store, { name: 'Source case', subjects: 1, known: 3, questioned: 1 });
    const caseSubject = fx.subjects[0]!;
    const r = await enrolFromCase(store, { caseRef: fx.caseId, subject: caseSubject.name, name: 'Bob Case' });
    assert.deepEqual(r.totals, { files: 3, enrolled: 3, skipped: 0, failed: 0 });
    assert.deepEqual(r.linked, { caseSubjectId: caseSubject.id, linked: true });
    assert.equal(store.documents.subject(caseSubject.id)!.librarySubjectId, r.subject.id);
    for (const [i, f] of r.files.entries()) {
      const from = store.documents.signature(fx.known[i]!.signatureId)!;
      const to = store.documents.signature(f.signatureId!)!;
      assert.equal(to.normalisedSha256, from.normalisedSha256);
      assert.deepEqual((to.params.copiedFrom as { signatureId: number }).signatureId, from.id);
      assert.equal(store.documents.requireDocument(f.documentId!).caseId, null);
      assert.equal(count('SELECT count(*) FROM embeddings WHERE signature_id = ?', to.id), 1);
    }
    assert.equal(store.audit.list({ caseId: fx.caseId }).at(-1)!.action, 'library.enrol');
  });

  it('draws a library writer into a case: a linked subject with the exemplars as known documents', () => {
    const target = store.cases.create({ name: 'Target case' });
    const r = drawFromLibrary(store, { caseRef: target.id, subject: 'Alice Marlow' });
    assert.equal(r.totals.enrolled, 4);
    const sub = store.documents.subject(r.caseSubject.id)!;
    assert.equal(sub.librarySubjectId, r.librarySubject.id);
    const docs = store.documents.documentsOfCase(target.id);
    assert.equal(docs.length, 4);
    assert.ok(docs.every((d) => d.role === 'known' && d.subjectId === sub.id && d.status === 'ready'));
    assert.equal(store.audit.list({ caseId: target.id }).at(-1)!.action, 'library.draw');
    const again = drawFromLibrary(store, { caseRef: target.id, subject: 'Alice Marlow' });
    assert.deepEqual([again.totals.enrolled, again.totals.skipped], [0, 4]);
  });

  it('withdraws with a reason: kept as evidence, listed only with --all, accepts no exemplars; audit-logged', async () => {
    assert.throws(() => withdrawLibrarySubject(store, 'Alice Marlow', '  '), /--reason/);
    const docs = count('SELECT count(*) FROM documents WHERE case_id IS NULL');
    const s = withdrawLibrarySubject(store, 'Alice Marlow', 'exemplars found to be traced');
    assert.equal(s.status, 'withdrawn');
    assert.equal(count('SELECT count(*) FROM documents WHERE case_id IS NULL'), docs);
    const a = store.audit.list().at(-1)!;
    assert.equal(a.action, 'library.remove');
    assert.equal(a.details.reason, 'exemplars found to be traced');
    const lib = new LibraryRepository(store);
    assert.ok(!lib.list().some((x) => x.name === 'Alice Marlow'));
    assert.ok(lib.list({ includeWithdrawn: true }).some((x) => x.name === 'Alice Marlow' && x.status === 'withdrawn'));
    assert.throws(() => withdrawLibrarySubject(store, 'Alice Marlow', 'again'), /already withdrawn/);
    await assert.rejects(enrolFiles(store, { name: 'Alice Marlow', paths: [writerDir('w0002')] }), /withdrawn/);
    assert.throws(() => drawFromLibrary(store, { caseRef: 'Target case', subject: 'Alice Marlow', name: 'Other' }), /withdrawn/);
  });
});
