// Enrolling many writers at once (enrolWriters, used by `library enrol --writers/--case` and by the
// app's library.enrolFolder/enrolCase): real SQLite file, real synthetic images, a tiny model.
// The folder layouts and the manifest, a bad file named in the report, a writer that fails on
// its own, refusals that store nothing, cancellation part way leaving the library consistent
// (and a second run finishing the job), and a case's subjects.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { withdrawLibrarySubject } from '../../../src-main/core/library/copy.ts';
import { enrolWriters, planEnrolWriters, type EnrolWritersProgress } from '../../../src-main/core/library/enrol-writers.ts';
import { LibraryRepository } from '../../../src-main/core/store/library.ts';
import { setActiveModel } from '../../../src-main/core/model/registry/registry.ts';
import { openStore, type Store } from '../../../src-main/core/store/index.ts';
import { generateDataset } from '../../../src-main/core/synth/index.ts';
import { saveTinyModel, seedVerifiableCase } from '../../helpers/verify-fixture.ts';
import { tempDir } from '../../helpers/store.ts';

const root = tempDir('cs-enrol-writers-');
const data = path.join(root, 'data');
const images = path.join(root, 'images');
let store: Store;
let modelId: string;
const count = (sql: string, ...p: unknown[]) =>
  store.db
    .prepare(sql)
    .pluck()
    .get(...p) as number;
const libraryDocs = () => count('SELECT count(*) FROM documents WHERE case_id IS NULL');
const names = () =>
  new LibraryRepository(store)
    .list({ includeWithdrawn: true })
    .map((s) => s.name)
    .sort();
/** Library rows and audit rows, to show a refusal or a failed writer stored nothing. */
const snapshot = () => [
  count('SELECT count(*) FROM subjects WHERE case_id IS NULL'),
  libraryDocs(),
  count('SELECT count(*) FROM signatures'),
  count('SELECT count(*) FROM library_enrolments'),
  store.audit.list().length,
];

before(async () => {
  await generateDataset(images, { writers: 3, genuine: 3, forged: 1, seed: 11 });
  modelId = (await saveTinyModel(data)).id;
  setActiveModel(data, modelId);
  store = openStore(data);
});
after(() => store.close());

/** A copy of the generated data without its manifest: the `<writer>/{genuine,forged}/` layout. */
function labelledCopy(name: string): string {
  const dir = path.join(root, name);
  cpSync(images, dir, { recursive: true });
  rmSync(path.join(dir, 'manifest.csv'));
  return dir;
}

describe('enrolWriters from a folder', () => {
  it('enrols every writer of the labelled layout (genuine only), names the bad file and reports progress', async () => {
    const dir = labelledCopy('labelled');
    writeFileSync(path.join(dir, 'w0002', 'genuine', 'broken.png'), 'this is not a PNG');
    const progress: EnrolWritersProgress[] = [];
    const r = await enrolWriters(store, { kind: 'folder', path: dir }, { onProgress: (p) => progress.push(p) });
    assert.deepEqual(r.source, { kind: 'folder', path: dir, layout: 'labelled' });
    assert.equal(r.cancelled, false);
    assert.deepEqual(
      r.writers.map((w) => [w.name, w.status, w.files]),
      [
        ['w0001', 'enrolled', 3],
        ['w0002', 'enrolled', 4],
        ['w0003', 'enrolled', 3],
      ],
    );
    assert.deepEqual(r.totals, {
      writers: 3,
      writersEnrolled: 3,
      writersFailed: 0,
      writersNotDone: 0,
      files: 10,
      enrolled: 9,
      skipped: 0,
      failed: 1,
      forgedLeftOut: 3,
    });
    assert.equal(r.failures.length, 1);
    assert.equal(r.failures[0]!.writer, 'w0002');
    assert.equal(r.failures[0]!.path, 'w0002/genuine/broken.png');
    assert.match(r.failures[0]!.reason, /broken\.png/);
    assert.deepEqual(r.embeddingProblems, []);
    const listed = new LibraryRepository(store).list({ modelId });
    assert.deepEqual(
      listed.map((s) => [s.name, s.exemplars, s.embedded]),
      [
        ['w0001', 3, 3],
        ['w0002', 3, 3],
        ['w0003', 3, 3],
      ],
    );
    // Progress: never backwards, writer by writer, ending at the total.
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i]!.done >= progress[i - 1]!.done, 'progress never goes back');
    assert.deepEqual([progress.at(-1)!.done, progress.at(-1)!.total, progress.at(-1)!.writersDone], [10, 10, 3]);
    assert.ok(
      progress.some((p) => p.message === 'w0002: broken.png'),
      'the file being read is named',
    );
    assert.equal(store.audit.list().filter((a) => a.action === 'library.enrol').length, 3, 'one audit row per writer');
  });

  it('enrolling the same folder again adds nothing: every signature is already in the library', async () => {
    const before = libraryDocs();
    const r = await enrolWriters(store, { kind: 'folder', path: path.join(root, 'labelled') });
    assert.deepEqual([r.totals.writersEnrolled, r.totals.enrolled, r.totals.skipped], [3, 0, 9]);
    assert.equal(libraryDocs(), before);
  });

  it('a folder per writer and a manifest: a writer whose files all fail gets nothing, named with its file; the others are enrolled', async () => {
    const dir = path.join(root, 'per-writer');
    mkdirSync(path.join(dir, 'Dora Quill'), { recursive: true });
    mkdirSync(path.join(dir, 'Eve Stone'), { recursive: true });
    const src = path.join(root, 'more');
    await generateDataset(src, { writers: 1, genuine: 2, forged: 0, seed: 12 });
    for (const f of readdirSync(path.join(src, 'w0001', 'genuine'))) cpSync(path.join(src, 'w0001', 'genuine', f), path.join(dir, 'Dora Quill', f));
    writeFileSync(path.join(dir, 'Eve Stone', 'scan.png'), 'garbage');
    const before = snapshot();
    const r = await enrolWriters(store, { kind: 'folder', path: dir });
    assert.equal(r.source.kind === 'folder' && r.source.layout, 'writer-folders');
    assert.deepEqual(
      r.writers.map((w) => [w.name, w.status]),
      [
        ['Dora Quill', 'enrolled'],
        ['Eve Stone', 'failed'],
      ],
    );
    const eve = r.writers[1]!;
    assert.equal(eve.error?.code, 'INVALID_ARGUMENT');
    assert.match(eve.error!.message, /nothing to enrol for 'Eve Stone'.*scan\.png/);
    assert.deepEqual([r.totals.writersEnrolled, r.totals.writersFailed, r.totals.enrolled], [1, 1, 2]);
    assert.ok(!names().includes('Eve Stone'), 'the failed writer is not in the library');
    const after = snapshot();
    assert.deepEqual([after[0]! - before[0]!, after[1]! - before[1]!, after[3]! - before[3]!], [1, 2, 1], 'one writer, its two documents and one enrolment');

    // The generated manifest: the same writers by name, already enrolled; forged rows left out.
    const m = await enrolWriters(store, { kind: 'folder', path: path.join(images, 'manifest.csv') });
    assert.equal(m.source.kind === 'folder' && m.source.layout, 'manifest');
    assert.deepEqual([m.totals.writers, m.totals.enrolled, m.totals.skipped, m.totals.forgedLeftOut], [3, 0, 9, 3]);
  });

  it('refuses before storing anything: a missing folder, loose images without a name, a damaged manifest (file and line named), a bad model', async () => {
    const before = snapshot();
    assert.throws(
      () => planEnrolWriters(store, { kind: 'folder', path: path.join(root, 'nowhere') }),
      (e: Error & { code?: string }) => e.code === 'INVALID_ARGUMENT' && /^folder: .*nowhere: no such folder/.test(e.message),
    );
    const loose = path.join(root, 'loose');
    cpSync(path.join(images, 'w0001', 'genuine'), loose, { recursive: true });
    assert.throws(() => planEnrolWriters(store, { kind: 'folder', path: loose }), /holds images but no writer folders: give the writer's name/);
    const bad = path.join(root, 'bad-manifest');
    mkdirSync(bad);
    writeFileSync(path.join(bad, 'manifest.csv'), 'path,writer,label\nw0001/genuine/a.png,w0001,genuine\nb.png,,genuine\n');
    assert.throws(() => planEnrolWriters(store, { kind: 'folder', path: bad }), /manifest\.csv: line 2: w0001\/genuine\/a\.png: no such file/);
    await assert.rejects(
      enrolWriters(store, { kind: 'folder', path: loose }, { modelId: 'no-such-model' }),
      (e: Error & { code?: string }) => e.code === 'NOT_FOUND',
    );
    assert.deepEqual(snapshot(), before);

    // With a name, the loose folder is one writer's signatures.
    const one = await enrolWriters(store, { kind: 'folder', path: loose, name: 'Loose Writer' });
    assert.equal(one.source.kind === 'folder' && one.source.layout, 'one-writer');
    // ... whose bytes are all in the library already (as w0001): a new writer with nothing new is not created.
    assert.deepEqual([one.writers[0]!.name, one.writers[0]!.status, one.totals.enrolled], ['Loose Writer', 'failed', 0]);
    assert.match(one.writers[0]!.error!.message, /nothing to enrol for 'Loose Writer'.*already in the library as w0001-g01\.png/);
    assert.ok(!names().includes('Loose Writer'));
  });

  it('a withdrawn writer name fails on its own; the other writers are enrolled', async () => {
    withdrawLibrarySubject(store, 'Dora Quill', 'enrolled by mistake');
    const dir = path.join(root, 'per-writer-2');
    cpSync(path.join(root, 'per-writer', 'Dora Quill'), path.join(dir, 'Dora Quill'), { recursive: true });
    const src = path.join(root, 'fresh');
    await generateDataset(src, { writers: 1, genuine: 2, forged: 0, seed: 13 });
    cpSync(path.join(src, 'w0001', 'genuine'), path.join(dir, 'Finn Rowe'), { recursive: true });
    const r = await enrolWriters(store, { kind: 'folder', path: dir });
    assert.deepEqual(
      r.writers.map((w) => [w.name, w.status, w.error?.code ?? null]),
      [
        ['Dora Quill', 'failed', 'CONFLICT'],
        ['Finn Rowe', 'enrolled', null],
      ],
    );
    assert.match(r.writers[0]!.error!.message, /withdrawn/);
  });
});

describe('enrolWriters cancelled part way', () => {
  it('keeps the writers enrolled before, stores nothing of the writer being read, and a second run enrols the rest', async () => {
    const dir = path.join(root, 'to-cancel');
    const src = path.join(root, 'cancel-src');
    await generateDataset(src, { writers: 3, genuine: 3, forged: 0, seed: 21 });
    for (const [i, w] of ['Gil Amber', 'Hana Birch', 'Ivo Cedar'].entries())
      cpSync(path.join(src, `w000${i + 1}`, 'genuine'), path.join(dir, w), { recursive: true });
    const before = snapshot();
    const ctl = new AbortController();
    const r = await enrolWriters(
      store,
      { kind: 'folder', path: dir },
      {
        signal: ctl.signal,
        // Stop while the second writer's second file is being read.
        onProgress: (p) => {
          if (p.writer === 'Hana Birch' && p.message.endsWith('-g02.png')) ctl.abort();
        },
      },
    );
    assert.equal(r.cancelled, true);
    assert.deepEqual(
      r.writers.map((w) => [w.name, w.status]),
      [
        ['Gil Amber', 'enrolled'],
        ['Hana Birch', 'cancelled'],
        ['Ivo Cedar', 'not-reached'],
      ],
    );
    assert.equal(r.writers[1]!.error?.code, 'CANCELLED');
    assert.deepEqual([r.totals.writersEnrolled, r.totals.writersNotDone, r.totals.enrolled], [1, 2, 3]);
    const after = snapshot();
    assert.deepEqual(
      after.map((n, i) => n - before[i]!),
      [1, 3, 3, 1, 2],
      'exactly one writer: its subject, 3 documents and signatures, 1 enrolment, 2 audit rows (subject.create, library.enrol)',
    );
    assert.ok(!names().includes('Hana Birch') && !names().includes('Ivo Cedar'));
    assert.equal(store.audit.verify().ok, true, 'the audit chain is intact');
    // Every library document has its signature and the enrolment that lists it.
    assert.equal(count('SELECT count(*) FROM documents d WHERE d.case_id IS NULL AND NOT EXISTS (SELECT 1 FROM signatures s WHERE s.document_id = d.id)'), 0);

    const again = await enrolWriters(store, { kind: 'folder', path: dir });
    assert.deepEqual(
      again.writers.map((w) => [w.name, w.status, w.report?.totals.enrolled, w.report?.totals.skipped]),
      [
        ['Gil Amber', 'enrolled', 0, 3],
        ['Hana Birch', 'enrolled', 3, 0],
        ['Ivo Cedar', 'enrolled', 3, 0],
      ],
    );
  });

  it('an enrolment cancelled before it starts stores nothing and says no writer was reached', async () => {
    const before = snapshot();
    const ctl = new AbortController();
    ctl.abort();
    const r = await enrolWriters(store, { kind: 'folder', path: path.join(root, 'to-cancel') }, { signal: ctl.signal });
    assert.equal(r.cancelled, true);
    assert.ok(r.writers.every((w) => w.status === 'not-reached'));
    assert.deepEqual(snapshot(), before);
  });
});

describe("enrolWriters from a case's subjects", () => {
  it('enrols every subject with known signatures, links them, leaves out subjects with none; named subjects must exist', async () => {
    const fx = await seedVerifiableCase(store, { name: 'Enrolment case', subjects: 2, known: 2, questioned: 1, seed: 31 });
    store.write(() => store.documents.insertSubject(fx.caseId, 'Claimed Only'));
    const progress: EnrolWritersProgress[] = [];
    const r = await enrolWriters(store, { kind: 'case', caseRef: fx.caseId }, { onProgress: (p) => progress.push(p) });
    assert.deepEqual(r.source, { kind: 'case', caseId: fx.caseId, caseName: 'Enrolment case' });
    assert.deepEqual(r.writers.map((w) => [w.name, w.status]).sort(), fx.subjects.map((s) => [s.name, 'enrolled']).sort());
    assert.deepEqual([r.totals.enrolled, r.totals.files], [4, 4]);
    for (const s of fx.subjects) assert.notEqual(store.documents.subject(s.id)!.librarySubjectId, null, `${s.name} is linked`);
    assert.deepEqual([progress.at(-1)!.done, progress.at(-1)!.total], [4, 4]);

    assert.throws(
      () => planEnrolWriters(store, { kind: 'case', caseRef: fx.caseId, subjects: ['Nobody'] }),
      /subjects: case 'Enrolment case' has no subject 'Nobody'/,
    );
    const named = await enrolWriters(store, { kind: 'case', caseRef: fx.caseId, subjects: ['Claimed Only', fx.subjects[0]!.name] });
    assert.deepEqual(
      named.writers.map((w) => [w.name, w.status]),
      [
        ['Claimed Only', 'failed'],
        [fx.subjects[0]!.name, 'enrolled'],
      ],
    );
    assert.match(named.writers[0]!.error!.message, /no ready known signature/);
    assert.equal(named.totals.skipped, 2, 'already in the library');

    const empty = store.cases.create({ name: 'Empty case' });
    assert.throws(() => planEnrolWriters(store, { kind: 'case', caseRef: empty.id }), /caseId: case 'Empty case' has no subject with a ready known signature/);
  });
});
