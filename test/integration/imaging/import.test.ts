// The import job over real files, a real store and real worker threads: what it writes,
// re-import by hash, bad inputs, cancellation, retries of failed files.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { importCaseFolder, type ImportReport } from '../../../src-main/core/imaging/import.ts';
import { openStore, type Store } from '../../../src-main/core/store/index.ts';
import { createWriter, renderCheque } from '../../../src-main/core/synth/index.ts';
import { tempDir } from '../../helpers/store.ts';
import { addBadFiles, copyCase, iou, synthCase, twoPageTiff } from '../../helpers/import-fixtures.ts';

const stores: Store[] = [];
after(() => stores.forEach((s) => s.close()));
function newStore(): Store {
  const s = openStore(tempDir('cs-import-data-'), { client: 'cli' });
  stores.push(s);
  return s;
}

const caseRoot = tempDir('cs-import-case-');
let caseDir = '';
let truth: Awaited<ReturnType<typeof synthCase>>['truth'] = {};
before(async () => {
  ({ dir: caseDir, truth } = await synthCase(path.join(caseRoot, 'case'), 31, { subjects: 2, known: 3, questioned: 3 }));
});

const count = (s: Store, sql: string, ...args: unknown[]): number =>
  s.db
    .prepare(sql)
    .pluck()
    .get(...args) as number;
const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Everything a consistent store holds after an import, whatever happened to it. */
function assertConsistent(s: Store): void {
  assert.deepEqual(s.integrityCheck(), { ok: true, problems: [] });
  const chain = s.audit.verify();
  assert.equal(chain.ok, true, JSON.stringify(chain));
  // every ready document has exactly one signature, every failed one none, with its reason
  const rows = s.db
    .prepare('SELECT d.id, d.status, d.failure_reason AS reason, (SELECT count(*) FROM signatures g WHERE g.document_id = d.id) AS sigs FROM documents d')
    .all() as {
    id: number;
    status: string;
    reason: string | null;
    sigs: number;
  }[];
  for (const r of rows)
    assert.deepEqual([r.status, r.sigs, r.reason === null], r.status === 'ready' ? ['ready', 1, true] : ['failed', 0, false], `document ${r.id}`);
  // every document has its audit row; no original is there twice
  assert.equal(count(s, "SELECT count(*) FROM audit_log WHERE action = 'document.import'"), rows.length);
  assert.equal(count(s, 'SELECT count(*) FROM documents'), count(s, 'SELECT count(*) FROM (SELECT DISTINCT case_id, sha256, page_index FROM documents)'));
  for (const h of s.db
    .prepare('SELECT sha256 FROM documents UNION SELECT crop_sha256 FROM signatures UNION SELECT normalised_sha256 FROM signatures')
    .pluck()
    .all() as string[])
    s.objects.verify(h);
}

describe('import of a synthetic case', () => {
  const store = newStore();
  let first: ImportReport;

  test('every file imported: originals kept byte for byte, subjects created, crops told from documents, boxes on the signatures', async () => {
    const c = store.cases.create({ name: 'Synthetic' });
    const progress: number[] = [];
    first = await importCaseFolder(store, { caseRef: c.id, folder: caseDir, workers: 2, onProgress: (p) => p.started || progress.push(p.done) });
    const files = first.files;
    assert.equal(first.cancelled, false);
    assert.deepEqual(first.totals, {
      files: 12,
      imported: 12,
      skipped: 0,
      failed: 0,
      documents: 12,
      lowConfidence: first.totals.lowConfidence,
      notProcessed: 0,
    });
    assert.deepEqual(
      progress,
      Array.from({ length: 12 }, (_, i) => i + 1),
      'progress for every file, in order',
    );
    assert.deepEqual(first.ignored, [{ path: 'truth.json', reason: 'not part of the case layout (only known/, questioned/ and case.json are read)' }]);
    assert.deepEqual(
      first.subjectsCreated.sort(),
      store.documents
        .subjectsOfCase(c.id)
        .map((s) => s.name)
        .sort(),
    );
    for (const f of files) {
      const doc = store.documents.requireDocument(f.documentId!);
      assert.equal(f.sha256, sha(path.join(caseDir, f.path)), `${f.path}: hash of the file`);
      assert.ok(store.objects.get(doc.sha256).equals(readFileSync(path.join(caseDir, f.path))), `${f.path}: the original is stored unchanged`);
      assert.equal(doc.originalPath, f.path);
      const sig = store.documents.signaturesOf(doc.id)[0]!;
      assert.equal(sig.source, 'auto');
      assert.equal(sig.status, 'proposed');
      const norm = await sharp(store.objects.get(sig.normalisedSha256!)).metadata();
      assert.deepEqual([norm.width, norm.height], [220, 155], 'normalised to the SigNet canvas');
      const crop = await sharp(store.objects.get(sig.cropSha256!)).metadata();
      const region = (sig.params as { region: number[] }).region;
      assert.deepEqual([crop.width, crop.height], [region[2], region[3]], 'the crop is the recorded region');
      assert.equal(typeof sig.quality.inkRatio, 'number');
      const cheque = /cheque|questioned/.test(f.path);
      assert.equal(f.isCrop, !cheque, `${f.path}: ${cheque ? 'a whole document' : 'a ready-made crop'}`);
      if (f.isCrop) assert.deepEqual(f.box, [0, 0, doc.width, doc.height], 'a crop: the box is the image');
      if (f.role === 'questioned') {
        assert.ok(iou(f.box!, truth[f.path]!.box) >= 0.8, `${f.path}: box ${f.box} vs truth ${truth[f.path]!.box}`);
        assert.equal(doc.claimedSubjectId, store.documents.findSubject(c.id, f.subject!)!.id);
      } else assert.equal(doc.subjectId, store.documents.findSubject(c.id, f.subject!)!.id);
    }
    // rows are written in the folder's order, so the same folder always numbers its documents alike
    const ids = files.map((f) => f.documentId!);
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => a - b),
    );
    assertConsistent(store);
    const actions = store.audit.list({ caseId: c.id }).map((r) => r.action);
    assert.deepEqual(actions.slice(0, 5), ['case.create', 'subject.create', 'subject.create', 'import.start', 'document.import']);
    assert.equal(actions.at(-1), 'import.finish');
  });

  test('importing the same folder again adds nothing and reports every file as skipped', async () => {
    const before = {
      docs: count(store, 'SELECT count(*) FROM documents'),
      sigs: count(store, 'SELECT count(*) FROM signatures'),
      subjects: count(store, 'SELECT count(*) FROM subjects'),
      objects: [...store.objects.list()].length,
      audit: count(store, 'SELECT count(*) FROM audit_log'),
    };
    const again = await importCaseFolder(store, { caseRef: first.caseId, folder: caseDir, workers: 2 });
    assert.deepEqual([again.totals.imported, again.totals.skipped, again.totals.documents], [0, 12, 0]);
    for (const [i, f] of again.files.entries()) {
      assert.equal(f.status, 'skipped');
      assert.equal(f.reasonCode, 'duplicate');
      assert.equal(f.documentId, first.files[i]!.documentId, 'names the document it already is');
      assert.deepEqual(f.box, first.files[i]!.box, 'and its box');
    }
    assert.deepEqual(
      {
        docs: count(store, 'SELECT count(*) FROM documents'),
        sigs: count(store, 'SELECT count(*) FROM signatures'),
        subjects: count(store, 'SELECT count(*) FROM subjects'),
        objects: [...store.objects.list()].length,
        audit: count(store, 'SELECT count(*) FROM audit_log') - 2,
      },
      before,
      'only import.start and import.finish are added',
    );
    const finish = store.audit.list({ caseId: first.caseId }).at(-1)!;
    assert.equal((finish.details.files as unknown[]).length, 12, 'the skipped files are in the audit log');
    assertConsistent(store);
  });
});

describe('a folder mixing good and bad files', () => {
  test('imports every good file and reports every bad one with its reason; the rest of the store stays consistent', async () => {
    const dir = copyCase(caseDir, path.join(tempDir('cs-import-mixed-'), 'case'));
    const subject = Object.values(truth)[0]!.subject;
    const bad = await addBadFiles(dir, subject);
    const boxes = await twoPageTiff(path.join(dir, 'questioned', subject, 'two-cheques.tif'));
    const store = newStore();
    const c = store.cases.create({ name: 'Mixed' });
    const r = await importCaseFolder(store, { caseRef: c.id, folder: dir, workers: 2 });
    const by = new Map(r.files.map((f) => [f.path, f]));
    for (const b of bad) {
      const f = by.get(b.path);
      assert.ok(f, `${b.path} is reported`);
      assert.equal(f.status, 'failed', b.path);
      assert.equal(f.reasonCode, b.code, `${b.path}: ${f.reason}`);
      assert.ok(f.reason!.startsWith(b.path), `the reason names the file: ${f.reason}`);
      assert.equal(f.documentId !== null, b.stored, `${b.path}: ${b.stored ? 'kept as a failed document' : 'nothing to keep'}`);
      if (b.stored) {
        const doc = store.documents.requireDocument(f.documentId!);
        assert.deepEqual([doc.status, doc.failureReason], ['failed', f.reason]);
        assert.ok(store.objects.get(doc.sha256).equals(readFileSync(path.join(dir, b.path))));
      }
    }
    assert.match(by.get(`questioned/${subject}/statement.pdf`)!.reason!, /PDF files are not supported yet/);
    assert.match(by.get(`questioned/${subject}/huge.png`)!.reason!, /20000 x 20000 pixels .* above the 64 megapixel limit/);
    assert.match(by.get(`questioned/${subject}/blank.png`)!.reason!, /blank page: no ink found/);
    assert.match(by.get(`questioned/${subject}/loop-a.png`)!.reason!, /symbolic link loop/);
    for (const good of Object.keys(truth)) assert.equal(by.get(good)?.status, 'imported', good);
    const tif = by.get(`questioned/${subject}/two-cheques.tif`)!;
    assert.equal(tif.status, 'imported');
    assert.deepEqual(
      tif.pages!.map((p) => [p.page, p.status]),
      [
        [0, 'imported'],
        [1, 'imported'],
      ],
    );
    tif.pages!.forEach((p, i) => assert.ok(iou(p.box!, boxes[i]!) >= 0.8, `page ${i + 1} box`));
    assert.deepEqual(
      store.documents.documentsByObject(c.id, tif.sha256!).map((d) => d.pageIndex),
      [0, 1],
      'each page is a document',
    );
    assert.equal(r.totals.imported, 12 + 1);
    assert.equal(r.totals.failed, bad.length);
    assertConsistent(store);
  });
});

describe('cancelling an import', () => {
  test('stops after the files in flight, leaves a consistent store, and the same import completes the rest', async () => {
    const store = newStore();
    const c = store.cases.create({ name: 'Cancelled' });
    const ctl = new AbortController();
    const r = await importCaseFolder(store, { caseRef: c.id, folder: caseDir, workers: 2, signal: ctl.signal, onProgress: (p) => p.done >= 3 && ctl.abort() });
    assert.equal(r.cancelled, true);
    assert.ok(r.files.length >= 3 && r.files.length < 12, `stopped early (${r.files.length} files)`);
    assert.equal(r.totals.notProcessed, 12 - r.files.length);
    assert.equal(count(store, 'SELECT count(*) FROM documents'), r.files.length, 'what finished is recorded, nothing more');
    assertConsistent(store);
    const finish = store.audit.list({ caseId: c.id }).at(-1)!;
    assert.deepEqual(
      [finish.action, finish.details.cancelled, (finish.details.notProcessed as string[]).length],
      ['import.finish', true, r.totals.notProcessed],
    );
    const rest = await importCaseFolder(store, { caseRef: c.id, folder: caseDir, workers: 2 });
    assert.deepEqual([rest.totals.skipped, rest.totals.imported, rest.totals.failed], [r.files.length, 12 - r.files.length, 0]);
    assert.equal(count(store, 'SELECT count(*) FROM documents'), 12);
    assertConsistent(store);
  });
});

describe('retrying and claiming', () => {
  test('a file that failed is tried again on the next import and its row updated, not duplicated', async () => {
    const store = newStore();
    const c = store.cases.create({ name: 'Retry' });
    const tight = await importCaseFolder(store, { caseRef: c.id, folder: caseDir, workers: 0, maxPixels: 1_000_000 });
    const failed = tight.files.filter((f) => f.status === 'failed');
    assert.ok(failed.length >= 6, 'the 1800 x 800 cheques are above a 1 MP limit');
    for (const f of failed) assert.equal(f.reasonCode, 'too-large');
    const again = await importCaseFolder(store, { caseRef: c.id, folder: caseDir, workers: 0 });
    for (const f of failed) {
      const e = again.files.find((x) => x.path === f.path)!;
      assert.deepEqual([e.status, e.documentId], ['imported', f.documentId], `${f.path}: same document, now imported`);
    }
    assert.equal(again.totals.skipped, 12 - failed.length);
    assert.equal(count(store, 'SELECT count(*) FROM documents'), 12);
    const retried = store.audit.list({ caseId: c.id }).filter((a) => a.action === 'document.import' && a.details.retried === true);
    assert.equal(retried.length, failed.length);
  });

  test('a questioned file directly in questioned/ is imported with the subject case.json names', async () => {
    const dir = copyCase(caseDir, path.join(tempDir('cs-import-claim-'), 'case'));
    const subject = Object.values(truth)[0]!.subject;
    const cheque = await renderCheque(createWriter(5, 'w0005'), { sampleIndex: 3 });
    writeFileSync(path.join(dir, 'questioned', 'scan-0007.png'), cheque.data);
    writeFileSync(path.join(dir, 'case.json'), JSON.stringify({ questioned: { 'scan-0007.png': subject } }));
    const store = newStore();
    const c = store.cases.create({ name: 'Claimed' });
    const r = await importCaseFolder(store, { caseRef: c.id, folder: dir, workers: 0 });
    const e = r.files.find((f) => f.path === 'questioned/scan-0007.png')!;
    assert.deepEqual([e.status, e.subject], ['imported', subject]);
    assert.equal(store.documents.requireDocument(e.documentId!).claimedSubjectId, store.documents.findSubject(c.id, subject)!.id);
    assert.ok(iou(e.box!, cheque.box) >= 0.8);
    // the same bytes under another name: skipped, naming the document it already is
    writeFileSync(path.join(dir, 'questioned', subject, 'copy.png'), cheque.data);
    const again = await importCaseFolder(store, { caseRef: c.id, folder: dir, workers: 0 });
    const copy = again.files.find((f) => f.path === `questioned/${subject}/copy.png`)!;
    assert.equal(copy.status, 'skipped');
    assert.equal(
      copy.reason,
      `questioned/${subject}/copy.png: the same file was already imported as questioned/scan-0007.png (document ${e.documentId}); skipped`,
    );
  });
});
