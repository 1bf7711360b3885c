// Manual correction of a signature box: derived again from the original, recorded as a new
// manual signature with the old one kept, audit-logged with both boxes; bad boxes refused
// with nothing written.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { AppError } from '../../../src-main/core/errors.ts';
import { cropDocument } from '../../../src-main/core/imaging/crop.ts';
import { cropMargin, padBox } from '../../../src-main/core/imaging/derive.ts';
import { importCaseFolder, type ImportFileEntry } from '../../../src-main/core/imaging/import.ts';
import { openStore } from '../../../src-main/core/store/index.ts';
import { createWriter, renderCheque, renderSignature } from '../../../src-main/core/synth/index.ts';
import { tempDir } from '../../helpers/store.ts';

const store = openStore(tempDir('cs-crop-data-'), { client: 'cli' });
after(() => store.close());
const folder = path.join(tempDir('cs-crop-case-'), 'case');
let cheque: ImportFileEntry;
let crop: ImportFileEntry;
let blank: ImportFileEntry;
let caseId = 0;

before(async () => {
  const w = createWriter(8, 'w0008');
  mkdirSync(path.join(folder, 'questioned', 'j-doe'), { recursive: true });
  mkdirSync(path.join(folder, 'known', 'j-doe'), { recursive: true });
  writeFileSync(path.join(folder, 'questioned', 'j-doe', 'q1.png'), (await renderCheque(w, { sampleIndex: 4 })).data);
  writeFileSync(path.join(folder, 'known', 'j-doe', 'k1.png'), (await renderSignature(w, { sampleIndex: 1 })).data);
  writeFileSync(
    path.join(folder, 'questioned', 'j-doe', 'q2-blank.png'),
    await sharp({ create: { width: 900, height: 400, channels: 3, background: '#fafafa' } })
      .png()
      .toBuffer(),
  );
  caseId = store.cases.create({ name: 'Crops' }).id;
  const r = await importCaseFolder(store, { caseRef: caseId, folder, workers: 0 });
  cheque = r.files.find((f) => f.path.endsWith('q1.png'))!;
  blank = r.files.find((f) => f.path.endsWith('q2-blank.png'))!;
  crop = r.files.find((f) => f.role === 'known')!;
});

const counts = () => ({
  signatures: store.db.prepare('SELECT count(*) FROM signatures').pluck().get(),
  audit: store.db.prepare('SELECT count(*) FROM audit_log').pluck().get(),
});

async function refused(p: Promise<unknown>, code: string, re: RegExp): Promise<void> {
  const before = counts();
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof AppError, String(err));
    assert.equal(err.code, code, err.message);
    assert.match(err.message, re);
    return true;
  });
  assert.deepEqual(counts(), before, 'nothing written');
}

describe('cropDocument', () => {
  test('re-derives the signature from the original: a new approved manual signature, the old one kept as rejected history, both boxes in the audit log', async () => {
    const [x, y, w, h] = cheque.box!;
    const box = { x: x - 30, y: y - 20, w: w + 60, h: h + 40 };
    const r = await cropDocument(store, cheque.documentId!, box);
    assert.deepEqual(
      [r.signature.source, r.signature.status, r.signature.box, r.signature.confidence, r.signature.lowConfidence],
      ['manual', 'approved', box, null, false],
    );
    const sigs = store.documents.signaturesOf(cheque.documentId!);
    assert.deepEqual(
      sigs.map((s) => [s.source, s.status]),
      [
        ['auto', 'rejected'],
        ['manual', 'approved'],
      ],
    );
    assert.equal(r.previous?.id, sigs[0]!.id);
    // the crop is the original's pixels in the box with the import's margin, not a re-crop of the earlier crop
    const original = store.objects.get(store.documents.requireDocument(cheque.documentId!).sha256);
    const dpi = (await sharp(original).metadata()).density ?? null;
    const [px, py, pw, ph] = padBox([box.x, box.y, box.w, box.h], cropMargin(dpi), Infinity, Infinity);
    assert.deepEqual(r.signature.params.region, [px, py, pw, ph]);
    const expected = await sharp(original).extract({ left: px, top: py, width: pw, height: ph }).raw().toBuffer();
    const got = await sharp(store.objects.get(r.signature.cropSha256!)).raw().toBuffer();
    assert.ok(got.equals(expected), 'crop = the box of the original and its margin');
    const norm = await sharp(store.objects.get(r.signature.normalisedSha256!)).metadata();
    assert.deepEqual([norm.width, norm.height], [220, 155]);
    assert.equal(r.signature.params.clean, 'page-strokes', 'printed rules and captions in the box are left out');
    const audit = store.audit.list({ caseId }).at(-1)!;
    assert.equal(audit.action, 'signature.crop');
    assert.equal(audit.entity, `document:${cheque.documentId}`);
    assert.deepEqual((audit.details.old as { box: number[] }).box, cheque.box);
    assert.deepEqual((audit.details.new as { box: number[] }).box, [box.x, box.y, box.w, box.h]);
    assert.deepEqual(audit.details.superseded, [sigs[0]!.id]);
    assert.equal(store.audit.verify().ok, true);
  });

  test("'ink at box edge' names only the sides where the box cuts the signature, not the sides the correction left as they were", async () => {
    const [x, y, w, h] = cheque.box!;
    // The automatic box is drawn around the ink; moving only its left edge out leaves the other
    // three on the ink. They were all reported as ink cut off (the box was derived without the
    // margin an automatic box gets).
    const left = await cropDocument(store, cheque.documentId!, { x: x - 15, y, w: w + 15, h });
    assert.deepEqual(left.signature.quality.touches, [], 'no side cuts the signature');
    assert.ok(!(left.signature.quality.warnings as string[]).includes('clipped'));
    // Moving the right edge into the signature cuts it there, and only there.
    const right = await cropDocument(store, cheque.documentId!, { x, y, w: w - 120, h });
    assert.deepEqual(right.signature.quality.touches, ['right']);
    assert.ok((right.signature.quality.warnings as string[]).includes('clipped'));
  });

  test('a ready-made crop stays a crop, normalised as it is', async () => {
    const doc = store.documents.requireDocument(crop.documentId!);
    const r = await cropDocument(store, doc.id, { x: 5, y: 5, w: doc.width! - 10, h: doc.height! - 10 });
    assert.deepEqual([r.signature.isCrop, r.signature.params.clean], [true, 'none']);
  });

  test('refuses a box outside the page, an empty region, an unknown document and an archived case, writing nothing', async () => {
    const doc = store.documents.requireDocument(cheque.documentId!);
    await refused(
      cropDocument(store, doc.id, { x: doc.width! - 10, y: 0, w: 50, h: 50 }),
      'INVALID_ARGUMENT',
      /^box: \[1790, 0, 50, 50\] reaches beyond the 1800 x 800 page of document \d+ \(questioned\/j-doe\/q1\.png\)$/,
    );
    await refused(
      cropDocument(store, doc.id, { x: 0, y: 0, w: 0, h: 5 }),
      'INVALID_ARGUMENT',
      /^box: expected x and y of at least 0 and a width and height of at least 1/,
    );
    await refused(cropDocument(store, doc.id, { x: 1.5, y: 0, w: 5, h: 5 }), 'INVALID_ARGUMENT', /^box\.x: expected a whole number/);
    assert.equal(blank.reasonCode, 'blank');
    await refused(
      cropDocument(store, blank.documentId!, { x: 100, y: 100, w: 300, h: 100 }),
      'INVALID_ARGUMENT',
      /^document \d+ \(questioned\/j-doe\/q2-blank\.png\): no ink found/,
    );
    assert.equal(store.documents.requireDocument(blank.documentId!).status, 'failed');
    await refused(cropDocument(store, 99999, { x: 0, y: 0, w: 5, h: 5 }), 'NOT_FOUND', /^documentId: no document 99999$/);
    const other = store.cases.create({ name: 'Archived later' });
    const r = await importCaseFolder(store, { caseRef: other.id, folder, workers: 0 });
    store.cases.archive(other.id);
    await refused(cropDocument(store, r.files[0]!.documentId!, { x: 0, y: 0, w: 50, h: 50 }), 'CONFLICT', /is archived/);
  });

  test('a document that failed at import becomes ready once the examiner draws its box', async () => {
    const c = store.cases.create({ name: 'Failed first' });
    const r = await importCaseFolder(store, { caseRef: c.id, folder, workers: 0, maxPixels: 500_000 });
    const failed = r.files.find((f) => f.path.endsWith('q1.png'))!;
    assert.equal(failed.status, 'failed');
    const out = await cropDocument(store, failed.documentId!, { x: cheque.box![0], y: cheque.box![1], w: cheque.box![2], h: cheque.box![3] });
    assert.deepEqual([out.document.status, out.document.failureReason, out.previous], ['ready', null, null]);
    const audit = store.audit.list({ caseId: c.id }).at(-1)!;
    assert.deepEqual([audit.details.old, audit.details.documentStatus], [null, { from: 'failed', to: 'ready' }]);
  });
});
