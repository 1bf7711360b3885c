// images.get and documents.get over a real store: formats, downscaling, orientation, errors;
// the image's bytes from the URL images.get returns (ipc/object-requests.ts, as the front-ends serve it).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { addDocument, addSignature, addSubject } from '../../e2e/fixtures/seed.ts';
import { answerObjectRequest } from '../../../src-main/ipc/object-requests.ts';
import { contractHarness } from '../../helpers/ipc.ts';

const { app, objects, dispatch, ok } = contractHarness('cs-ipc-docs-');

/** A 400 x 100 test card: white with a dark bar in the top-left corner (to check orientation). */
function card() {
  return sharp({ create: { width: 400, height: 100, channels: 3, background: '#ffffff' } }).composite([
    { input: { create: { width: 40, height: 20, channels: 3, background: '#000000' } }, left: 0, top: 0 },
  ]);
}
/** What the bridge answers at images.get's URL (a relative /objects/<sha256>?... on the bridge). */
async function served(url: string) {
  assert.match(url, /^\/objects\/[0-9a-f]{64}(\?|$)/);
  const a = await answerObjectRequest(objects, { url: new URL(url, 'http://127.0.0.1'), method: 'GET' });
  assert.equal(a.status, 200, a.body.toString());
  return { bytes: a.body, type: a.headers['content-type'] };
}
async function decodeServed(url: string) {
  return sharp((await served(url)).bytes)
    .raw()
    .toBuffer({ resolveWithObject: true });
}

describe('images.get', () => {
  it('returns PNG and JPEG as they are, with their size', async () => {
    const png = await card().png().toBuffer();
    const sha = app.store.objects.put(png);
    const img = await ok('images.get', { sha256: sha });
    assert.equal(img.mime, 'image/png');
    assert.deepEqual([img.width, img.height, img.originalWidth, img.originalHeight], [400, 100, 400, 100]);
    assert.equal(img.url, `/objects/${sha}`);
    assert.equal((await served(img.url)).bytes.equals(png), true, 'passed through unchanged');
    const jpg = await card().jpeg().toBuffer();
    const j = await ok('images.get', { sha256: app.store.objects.put(jpg) });
    assert.equal(j.mime, 'image/jpeg');
    assert.equal((await served(j.url)).type, 'image/jpeg');
  });

  it('downscales to maxWidth for thumbnails, keeping the aspect ratio', async () => {
    const sha = app.store.objects.put(await card().png().toBuffer());
    const img = await ok('images.get', { sha256: sha, maxWidth: 100 });
    assert.deepEqual([img.width, img.height, img.originalWidth], [100, 25, 400]);
    assert.equal(img.url, `/objects/${sha}?w=100`);
    const raw = await decodeServed(img.url);
    assert.deepEqual([raw.info.width, raw.info.height], [100, 25]);
    const again = await ok('images.get', { sha256: sha, maxWidth: 100 });
    assert.equal(again.url, img.url);
    const small = await ok('images.get', { sha256: sha, maxWidth: 1000 });
    assert.equal(small.width, 400, 'never enlarged');
  });

  it('converts TIFF to PNG and applies EXIF orientation as the importer does', async () => {
    const tiff = await card().tiff().toBuffer();
    const t = await ok('images.get', { sha256: app.store.objects.put(tiff) });
    assert.equal(t.mime, 'image/png');
    assert.equal((await served(t.url)).bytes.subarray(1, 4).toString(), 'PNG');
    // Orientation 6: stored landscape, displayed rotated 90 degrees clockwise (portrait).
    const rotated = await card().jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const r = await ok('images.get', { sha256: app.store.objects.put(rotated) });
    assert.deepEqual([r.width, r.height], [100, 400]);
    const raw = await decodeServed(r.url);
    // The black bar was top-left; after a clockwise turn it is top-right.
    const px = (x: number, y: number) => raw.data[(y * raw.info.width + x) * raw.info.channels]!;
    assert.ok(px(95, 5) < 80 && px(5, 5) > 180, 'rotated upright');
  });

  it('names what is wrong: unknown object, not an image, bad hash', async () => {
    const missing = await dispatch('images.get', { sha256: 'b'.repeat(64) });
    assert.deepEqual(missing.ok ? null : missing.error.code, 'NOT_FOUND');
    const junk = await dispatch('images.get', { sha256: app.store.objects.put(Buffer.from('hello, not an image')) });
    assert.equal(junk.ok ? null : junk.error.code, 'UNSUPPORTED');
    // A page past the end is not there (libvips calls it a corrupt file, which it is not).
    const tiff = app.store.objects.put(await card().tiff().toBuffer());
    const page = await dispatch('images.get', { sha256: tiff, page: 3 });
    assert.deepEqual(page.ok ? null : [page.error.code, page.error.message], ['NOT_FOUND', 'page: the image has 1 page, there is no page 3']);
    assert.equal((await dispatch('images.get', { sha256: tiff, page: 0 })).ok, true);
    const bad = await dispatch('images.get', { sha256: 'XYZ' });
    assert.equal(bad.ok, false);
    if (!bad.ok) assert.match(bad.error.message, /sha256: expected a SHA-256/);
  });
});

describe('documents.get', () => {
  it('returns the document, its active signature, every signature and the original size', async () => {
    const c = app.store.cases.create({ name: 'Docs' });
    const s = addSubject(app.store, c.id, 'Bea');
    const png = await card().png().toBuffer();
    // Width and height not recorded: read from the image.
    const d = addDocument(app.store, { caseId: c.id, role: 'questioned', claimedSubjectId: s, path: 'q/1.png', bytes: png });
    const first = addSignature(app.store, { documentId: d, box: { x: 1, y: 1, w: 50, h: 20 }, confidence: 0.4, lowConfidence: true });
    const second = addSignature(app.store, { documentId: d, box: { x: 2, y: 2, w: 60, h: 30 }, confidence: 0.95 });
    const detail = await ok('documents.get', { documentId: d });
    assert.deepEqual(detail.original, { width: 400, height: 100 });
    assert.equal(detail.originalProblem, null);
    assert.equal(detail.signature?.id, second);
    assert.deepEqual(
      detail.signatures.map((x) => x.id),
      [first, second],
    );
    assert.deepEqual(detail.subject, { id: s, name: 'Bea' });
    const none = await dispatch('documents.get', { documentId: 99999 });
    assert.equal(none.ok ? null : none.error.message, 'documentId: no document 99999');
  });
});
