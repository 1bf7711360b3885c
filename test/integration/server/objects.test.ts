// GET /objects/<sha256> on the loopback bridge over a real data directory: images as stored or
// rendered by sharp, report PDFs, the token, what is malformed or unknown, caching (ETag, 304).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { createContext, type AppContext } from '../../../src-main/core/app-context.ts';
import { StoredObjects } from '../../../src-main/core/app/objects.ts';
import { startBridge, type Bridge } from '../../../src-main/server/bridge.ts';
import { tempDir } from '../../helpers/store.ts';

const TOKEN = 'c'.repeat(48);

/** A 400 x 100 PNG: white with a dark bar in the top-left corner. */
function card() {
  return sharp({ create: { width: 400, height: 100, channels: 3, background: '#ffffff' } }).composite([
    { input: { create: { width: 40, height: 20, channels: 3, background: '#000000' } }, left: 0, top: 0 },
  ]);
}

describe('GET /objects/<sha256> on the bridge', () => {
  let app: AppContext;
  let bridge: Bridge;
  let png: Buffer;
  let pngSha: string;
  let tiffSha: string;
  let textSha: string;
  const pdf = Buffer.from('%PDF-1.4\n% a stand-in for a report\n%%EOF\n');
  let pdfSha: string;
  let unrecordedPdfSha: string;
  let rendered = 0;

  const dir = tempDir('cs-bridge-objects-');

  before(async () => {
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>test</title>');
    app = createContext(path.join(dir, 'data'), { client: 'bridge' });
    const store = app.store;
    png = await card().png().toBuffer();
    pngSha = store.objects.put(png);
    tiffSha = store.objects.put(await card().tiff().toBuffer());
    textSha = store.objects.put(Buffer.from('hello, not an image'));
    pdfSha = store.objects.put(pdf);
    // As report.create records the reports it makes (core/report/case-report.ts).
    store.write(() => store.audit.append({ action: 'report.create', entity: 'case:1', details: { sha256: pdfSha } }));
    unrecordedPdfSha = store.objects.put(Buffer.from('%PDF-1.4\n% not a report of this data directory\n'));
    const objects = new StoredObjects(() => app.store);
    // Counts the renders that reach the display cache's renderer (a 304 must not).
    const get = objects.images.get.bind(objects.images);
    objects.images.get = (req) => (rendered++, get(req));
    bridge = await startBridge({
      dispatch: async () => ({ ok: true, value: null }) as never,
      subscribe: () => () => {},
      staticDir: dir,
      token: TOKEN,
      objects,
    });
  });
  after(async () => {
    await bridge?.close();
    app?.close();
  });

  const base = () => `http://127.0.0.1:${bridge.port}`;
  const get = (target: string, init: RequestInit = {}) => fetch(`${base()}${target}`, init);
  const withToken = (target: string) => `${target}${target.includes('?') ? '&' : '?'}token=${TOKEN}`;

  it('answers a stored PNG byte for byte, with its type, length, private caching and an ETag', async () => {
    const res = await get(withToken(`/objects/${pngSha}`));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/png');
    assert.equal(res.headers.get('content-length'), String(png.length));
    assert.match(res.headers.get('cache-control') ?? '', /^private, max-age=\d+/);
    assert.equal(res.headers.get('etag'), `"${pngSha}-w-p"`);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('cross-origin-resource-policy'), 'same-origin');
    assert.ok(Buffer.from(await res.arrayBuffer()).equals(png));
  });

  it('takes the token from the header as well, and refuses a request without it or with another (401)', async () => {
    assert.equal((await get(`/objects/${pngSha}`, { headers: { 'x-countersign-token': TOKEN } })).status, 200);
    const none = await get(`/objects/${pngSha}`);
    assert.equal(none.status, 401);
    assert.match(await none.text(), /^unauthorised/);
    assert.equal((await get(`/objects/${pngSha}?token=${'d'.repeat(48)}`)).status, 401);
    // The token is checked before anything about the object is told.
    assert.equal((await get(`/objects/nope`)).status, 401);
    assert.equal((await get(`/objects/${'0'.repeat(64)}`)).status, 401);
  });

  it('downscales to w (as images.get does) and converts TIFF to PNG', async () => {
    const res = await get(withToken(`/objects/${pngSha}?w=100`));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('etag'), `"${pngSha}-w100-p"`);
    const bytes = Buffer.from(await res.arrayBuffer());
    assert.equal(res.headers.get('content-length'), String(bytes.length));
    const meta = await sharp(bytes).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['png', 100, 25]);
    const tiff = await get(withToken(`/objects/${tiffSha}`));
    assert.equal(tiff.headers.get('content-type'), 'image/png');
    assert.equal((await sharp(Buffer.from(await tiff.arrayBuffer())).metadata()).format, 'png');
  });

  it('answers If-None-Match with the ETag by 304 without rendering again, and HEAD without a body', async () => {
    const first = await get(withToken(`/objects/${pngSha}?w=50`));
    const etag = first.headers.get('etag')!;
    await first.arrayBuffer();
    const before = rendered;
    const again = await get(withToken(`/objects/${pngSha}?w=50`), { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
    assert.equal(again.headers.get('etag'), etag);
    assert.equal((await again.arrayBuffer()).byteLength, 0);
    assert.equal(rendered, before, 'nothing rendered for a 304');
    const head = await get(withToken(`/objects/${pngSha}?w=50`), { method: 'HEAD' });
    assert.deepEqual([head.status, head.headers.get('content-type')], [200, 'image/png']);
    assert.ok(Number(head.headers.get('content-length')) > 0);
    assert.equal((await get(withToken(`/objects/${pngSha}`), { method: 'POST' })).status, 405);
  });

  it('answers 400 naming a malformed sha256, w or page; never a path outside the object store', async () => {
    const cases: [string, RegExp][] = [
      ['/objects/XYZ', /^sha256: expected a SHA-256 in lower-case hex \(64 characters\), got "XYZ"/],
      [`/objects/${pngSha.toUpperCase()}`, /^sha256: expected a SHA-256/],
      ['/objects/..%2F..%2Fetc%2Fpasswd', /^sha256: expected a SHA-256/],
      ['/objects/%E0%A4%A', /^sha256: expected a SHA-256 in lower-case hex \(64 characters\), got "%E0%A4%A"/],
      [`/objects/${'a'.repeat(5000)}`, /^sha256: expected a SHA-256 in lower-case hex \(64 characters\), got "a{70}…"\n$/],
      [`/objects/${pngSha.slice(0, 2)}%2F${pngSha.slice(2)}`, /^sha256: expected a SHA-256/],
      [`/objects/${pngSha}?w=8`, /^w: expected a width in pixels, a whole number in 16\.\.8192, got "8"/],
      [`/objects/${pngSha}?w=wide`, /^w: expected a width in pixels/],
      [`/objects/${pngSha}?page=-1`, /^page: expected a page number, a whole number in 0\.\.9999, got "-1"/],
      [`/objects/${pngSha}?size=10`, /^query: unknown parameter "size"/],
    ];
    for (const [target, message] of cases) {
      const res = await get(withToken(target));
      assert.equal(res.status, 400, target);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      assert.match(await res.text(), message, target);
    }
    // `..` segments are resolved by the URL parser before routing: no longer under /objects/, not found.
    const dotted = await get(withToken('/objects/../../../etc/passwd'));
    assert.equal(dotted.status, 404);
  });

  it('answers 404 for an unknown object or a page the image does not have, 415 for an object that is no image', async () => {
    const unknown = await get(withToken(`/objects/${'0'.repeat(64)}`));
    assert.equal(unknown.status, 404);
    assert.equal(await unknown.text(), `sha256: no object ${'0'.repeat(64)} in the object store\n`);
    const page = await get(withToken(`/objects/${tiffSha}?page=3`));
    assert.equal(page.status, 404);
    assert.match(await page.text(), /^page: the image has 1 page, there is no page 3/);
    const text = await get(withToken(`/objects/${textSha}`));
    assert.equal(text.status, 415);
    assert.match(await text.text(), /not an image this build can show/);
  });

  it('serves a report this data directory recorded as application/pdf, no other PDF, and no width of it', async () => {
    const res = await get(withToken(`/objects/${pdfSha}`));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/pdf');
    assert.equal(res.headers.get('content-length'), String(pdf.length));
    assert.ok(Buffer.from(await res.arrayBuffer()).equals(pdf));
    const sized = await get(withToken(`/objects/${pdfSha}?w=100`));
    assert.equal(sized.status, 400);
    assert.match(await sized.text(), /^w: object [0-9a-f]{12} is a report PDF; only images take a width or a page/);
    assert.equal((await get(withToken(`/objects/${unrecordedPdfSha}`))).status, 415, 'a PDF that is not a recorded report is not handed out');
  });
});
