// ipc/object-requests.ts: which object, width and page a URL names (both front-ends' parser),
// the URLs the handlers hand out, and how an answer is shaped (status, headers, ETag, 304).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DisplayRequest } from '../../../src-main/core/app/documents.ts';
import type { ServedObject } from '../../../src-main/core/app/objects.ts';
import { AppError } from '../../../src-main/core/errors.ts';
import { answerObjectRequest, objectEtag, objectUrl, parseObjectRequest } from '../../../src-main/ipc/object-requests.ts';

const SHA = 'ab'.repeat(32);
const bridge = (target: string) => new URL(target, 'http://127.0.0.1:4000');

function refused(url: URL): string {
  const r = parseObjectRequest(url);
  assert.equal(r.ok, false, `${url.href} should be refused`);
  return r.ok ? '' : r.message;
}

describe('parseObjectRequest', () => {
  it('reads the bridge path and the desktop scheme alike, with w and page', () => {
    assert.deepEqual(parseObjectRequest(bridge(`/objects/${SHA}`)), { ok: true, request: { sha256: SHA } });
    assert.deepEqual(parseObjectRequest(bridge(`/objects/${SHA}?w=240&page=2&token=t`)), { ok: true, request: { sha256: SHA, maxWidth: 240, page: 2 } });
    assert.deepEqual(parseObjectRequest(new URL(`cs-object://${SHA}?w=16&page=0`)), { ok: true, request: { sha256: SHA, maxWidth: 16, page: 0 } });
    // Chromium hands a standard scheme's URL over with a '/' path.
    assert.deepEqual(parseObjectRequest(new URL(`cs-object://${SHA}/?w=8192`)), { ok: true, request: { sha256: SHA, maxWidth: 8192 } });
  });

  it('round-trips the URLs the handlers hand out', () => {
    for (const req of [
      { sha256: SHA },
      { sha256: SHA, maxWidth: 300 },
      { sha256: SHA, page: 3 },
      { sha256: SHA, maxWidth: 100, page: 0 },
    ] as DisplayRequest[]) {
      assert.deepEqual(parseObjectRequest(bridge(objectUrl('bridge', req))), { ok: true, request: req });
      assert.deepEqual(parseObjectRequest(new URL(objectUrl('electron', req))), { ok: true, request: req });
    }
    assert.equal(objectUrl('bridge', { sha256: SHA, maxWidth: 300, page: 1 }), `/objects/${SHA}?w=300&page=1`);
    assert.equal(objectUrl('electron', { sha256: SHA }), `cs-object://${SHA}`);
  });

  it('names a malformed SHA-256 and never takes a path', () => {
    for (const bad of ['abc', SHA.toUpperCase(), `${SHA}0`, `${SHA}/x`, `..%2F..%2Fetc%2Fpasswd`, `%61${SHA.slice(1)}`, '']) {
      assert.match(refused(bridge(`/objects/${bad}`)), /^sha256: expected a SHA-256 in lower-case hex \(64 characters\), got "/, bad);
    }
    assert.match(refused(new URL(`cs-object://${SHA}/etc/passwd`)), /^cs-object: expected cs-object:\/\/<sha256>, with no path after it/);
    assert.match(refused(bridge('/api/x')), /^path: expected \/objects\/<sha256>/);
  });

  it('validates w and page as images.get does (16..8192, 0..9999, whole numbers)', () => {
    for (const w of ['15', '8193', 'abc', '1e3', '+100', '-1', '100.5', '', ' 100', '0x10', '99999999']) {
      assert.match(refused(bridge(`/objects/${SHA}?w=${encodeURIComponent(w)}`)), /^w: expected a width in pixels, a whole number in 16\.\.8192, got "/, w);
    }
    for (const p of ['-1', '10000', 'one', '1.0', '']) {
      assert.match(refused(bridge(`/objects/${SHA}?page=${encodeURIComponent(p)}`)), /^page: expected a page number, a whole number in 0\.\.9999, got "/, p);
    }
    assert.equal(refused(bridge(`/objects/${SHA}?w=100&w=200`)), 'w: given more than once');
    assert.equal(refused(bridge(`/objects/${SHA}?width=100`)), 'query: unknown parameter "width" (an object URL takes w and page)');
    // What a request says is quoted and its control characters escaped.
    assert.equal(refused(bridge(`/objects/${SHA}?w=%1B%5B31m%C2%9B`)), 'w: expected a width in pixels, a whole number in 16..8192, got "\\u001b[31m\\u009b"');
  });
});

describe('answerObjectRequest', () => {
  const png = Buffer.from('\x89PNG fake bytes');
  const asked: DisplayRequest[] = [];
  const objects = {
    async get(req: DisplayRequest): Promise<ServedObject> {
      asked.push(req);
      if (req.sha256 === SHA) return { bytes: png, mime: 'image/png' };
      if (req.sha256 === 'cd'.repeat(32)) throw new AppError('UNSUPPORTED', 'object cdcd: not an image');
      if (req.sha256 === 'ef'.repeat(32)) throw new Error('disk on fire');
      throw new AppError('NOT_FOUND', `sha256: no object ${req.sha256} in the object store`);
    },
  };
  const answer = (target: string, method = 'GET', ifNoneMatch?: string) => answerObjectRequest(objects, { url: bridge(target), method, ifNoneMatch });

  it('answers the bytes with their type, length, a private cache lifetime and the ETag', async () => {
    const a = await answer(`/objects/${SHA}?w=64`);
    assert.equal(a.status, 200);
    assert.equal(a.body, png);
    assert.deepEqual(a.headers, {
      'content-type': 'image/png',
      'content-length': String(png.length),
      'cache-control': 'private, max-age=31536000, immutable',
      etag: objectEtag({ sha256: SHA, maxWidth: 64 }),
      'x-content-type-options': 'nosniff',
    });
    assert.deepEqual(asked.at(-1), { sha256: SHA, maxWidth: 64 });
    const head = await answer(`/objects/${SHA}?w=64`, 'HEAD');
    assert.deepEqual([head.status, head.body.length, head.headers['content-length']], [200, 0, String(png.length)]);
  });

  it('tells sizes and pages apart in the ETag, and answers a matching If-None-Match with 304 without rendering', async () => {
    const tags = new Set([
      objectEtag({ sha256: SHA }),
      objectEtag({ sha256: SHA, maxWidth: 64 }),
      objectEtag({ sha256: SHA, page: 64 }),
      objectEtag({ sha256: SHA, maxWidth: 64, page: 1 }),
    ]);
    assert.equal(tags.size, 4);
    const before = asked.length;
    const etag = objectEtag({ sha256: SHA, maxWidth: 64 });
    const a = await answer(`/objects/${SHA}?w=64`, 'GET', `"other", W/${etag}`);
    assert.deepEqual([a.status, a.body.length, a.headers.etag], [304, 0, etag]);
    assert.equal(asked.length, before, 'nothing rendered for a 304');
    assert.equal((await answer(`/objects/${SHA}?w=65`, 'GET', etag)).status, 200, 'another width is another answer');
  });

  it('maps what goes wrong to a status with the message as the body, never cached', async () => {
    const cases: [string, string, number, RegExp][] = [
      [`/objects/${'0'.repeat(64)}`, 'GET', 404, /^sha256: no object 0{64} in the object store\n$/],
      [`/objects/${'cd'.repeat(32)}`, 'GET', 415, /^object cdcd: not an image\n$/],
      [`/objects/${'ef'.repeat(32)}`, 'GET', 500, /^object (ef){32}: disk on fire\n$/],
      ['/objects/nope', 'GET', 400, /^sha256: expected a SHA-256/],
      [`/objects/${SHA}`, 'POST', 405, /^objects: GET or HEAD only\n$/],
    ];
    for (const [target, method, status, body] of cases) {
      const a = await answer(target, method);
      assert.equal(a.status, status, target);
      assert.match(a.body.toString(), body);
      assert.equal(a.headers['cache-control'], 'no-store');
      assert.equal(a.headers['content-type'], 'text/plain; charset=utf-8');
    }
  });
});
