/**
 * Stored objects by URL: the one request -> response function both front-ends serve, so the
 * bytes of images and reports never cross IPC as base64. The desktop app answers its
 * privileged `cs-object://<sha256>?w=..&page=..` scheme with it (index.ts), the loopback
 * bridge `GET /objects/<sha256>?w=..&page=..` (server/bridge.ts, after its token check).
 * images.get and report.get hand the UI these URLs (objectUrl).
 *
 * Only a SHA-256 in lower-case hex names an object, so no request reaches a path outside the
 * object store; what may be served at all is core/app/objects.ts's decision. The answers are
 * content-addressed (one sha + w + page is always the same bytes), so they carry an ETag and
 * may be kept by the browser's private cache.
 */
import { AppError } from '../core/errors.ts';
import type { ServedObject } from '../core/app/objects.ts';
import type { DisplayRequest } from '../core/app/documents.ts';
import { DISPLAY_PAGE, DISPLAY_WIDTH } from './methods/images.ts';

export const OBJECT_SCHEME = 'cs-object';
/** Where the bridge serves objects. */
export const OBJECTS_PATH = '/objects/';
/** A year: an object URL names its bytes for good. */
export const OBJECT_MAX_AGE_S = 31_536_000;

const SHA256_HEX = /^[0-9a-f]{64}$/;
/** Query parameters an object URL may carry; `token` is the bridge's session (checked there). */
const QUERY_KEYS = new Set(['w', 'page', 'token']);

export type ParsedObjectRequest = { ok: true; request: DisplayRequest } | { ok: false; message: string };

export interface ObjectAnswer {
  status: number;
  headers: Record<string, string>;
  /** Empty for 304 and HEAD. */
  body: Buffer;
}

/** A value from a URL shown in a message: quoted, control characters escaped, at most 70 characters. */
function shown(value: string): string {
  const s = JSON.stringify(value.length > 70 ? `${value.slice(0, 70)}…` : value);
  return s.replace(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A decimal whole number in [min, max] (no sign, no exponent, no leading '+'), else null. */
function wholeNumber(text: string, min: number, max: number): number | null {
  if (!/^\d{1,6}$/.test(text)) return null;
  const n = Number(text);
  return n >= min && n <= max ? n : null;
}

/**
 * Which object, width and page a URL asks for: `cs-object://<sha256>[/]?...` or
 * `<origin>/objects/<sha256>?...`. Never throws; a malformed part is named in the message.
 */
export function parseObjectRequest(url: URL): ParsedObjectRequest {
  let sha: string;
  if (url.protocol === `${OBJECT_SCHEME}:`) {
    if (url.pathname !== '' && url.pathname !== '/')
      return { ok: false, message: `${OBJECT_SCHEME}: expected ${OBJECT_SCHEME}://<sha256>, with no path after it` };
    sha = url.hostname;
  } else {
    if (!url.pathname.startsWith(OBJECTS_PATH)) return { ok: false, message: `path: expected ${OBJECTS_PATH}<sha256>` };
    sha = url.pathname.slice(OBJECTS_PATH.length);
  }
  if (!SHA256_HEX.test(sha)) return { ok: false, message: `sha256: expected a SHA-256 in lower-case hex (64 characters), got ${shown(sha)}` };

  const request: DisplayRequest = { sha256: sha };
  const seen = new Set<string>();
  for (const [key, value] of url.searchParams) {
    if (!QUERY_KEYS.has(key)) return { ok: false, message: `query: unknown parameter ${shown(key)} (an object URL takes w and page)` };
    if (seen.has(key)) return { ok: false, message: `${key}: given more than once` };
    seen.add(key);
    if (key === 'w') {
      const w = wholeNumber(value, DISPLAY_WIDTH.min, DISPLAY_WIDTH.max);
      if (w === null)
        return { ok: false, message: `w: expected a width in pixels, a whole number in ${DISPLAY_WIDTH.min}..${DISPLAY_WIDTH.max}, got ${shown(value)}` };
      request.maxWidth = w;
    } else if (key === 'page') {
      const p = wholeNumber(value, DISPLAY_PAGE.min, DISPLAY_PAGE.max);
      if (p === null)
        return { ok: false, message: `page: expected a page number, a whole number in ${DISPLAY_PAGE.min}..${DISPLAY_PAGE.max}, got ${shown(value)}` };
      request.page = p;
    }
  }
  return { ok: true, request };
}

/** The URL a front-end serves an object at (the bridge's is relative: the renderer adds its token). */
export function objectUrl(transport: 'electron' | 'bridge', req: DisplayRequest): string {
  const q = new URLSearchParams();
  if (req.maxWidth !== undefined) q.set('w', String(req.maxWidth));
  if (req.page !== undefined) q.set('page', String(req.page));
  const query = q.size ? `?${q.toString()}` : '';
  return transport === 'electron' ? `${OBJECT_SCHEME}://${req.sha256}${query}` : `${OBJECTS_PATH}${req.sha256}${query}`;
}

/** The strong validator of an answer: the object, the width and the page name its bytes. */
export function objectEtag(req: DisplayRequest): string {
  return `"${req.sha256}-w${req.maxWidth ?? ''}-p${req.page ?? ''}"`;
}

function etagMatches(ifNoneMatch: string | null | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .some((t) => t === '*' || t === etag);
}

const STATUS: Partial<Record<string, number>> = { INVALID_ARGUMENT: 400, NOT_FOUND: 404, UNSUPPORTED: 415 };

/** An answer that is only a message (every refusal and error): plain text, never cached. */
export function textAnswer(status: number, message: string): ObjectAnswer {
  const body = Buffer.from(message + '\n', 'utf8');
  return {
    status,
    headers: {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': String(body.length),
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
    body,
  };
}

export interface ObjectRequestInfo {
  url: URL;
  method: string;
  /** The request's If-None-Match header, if any. */
  ifNoneMatch?: string | null | undefined;
}

/**
 * The answer to one object request: 400 (malformed sha256, w, page or query; a width asked of
 * a report), 405 (not GET or HEAD), 404 (no such object, or no such page), 415 (an object that
 * is neither an image nor a report), 304 (If-None-Match holds this answer's ETag), else 200 with
 * the bytes, their Content-Type and Content-Length, a private cache lifetime and the ETag.
 * Never throws: anything unforeseen is a 500 naming it.
 */
export async function answerObjectRequest(objects: { get(req: DisplayRequest): Promise<ServedObject> }, info: ObjectRequestInfo): Promise<ObjectAnswer> {
  if (info.method !== 'GET' && info.method !== 'HEAD') {
    const refused = textAnswer(405, 'objects: GET or HEAD only');
    return { ...refused, headers: { ...refused.headers, allow: 'GET, HEAD' } };
  }
  const parsed = parseObjectRequest(info.url);
  if (!parsed.ok) return textAnswer(400, parsed.message);
  const req = parsed.request;
  const etag = objectEtag(req);
  const cacheControl = `private, max-age=${OBJECT_MAX_AGE_S}, immutable`;
  if (etagMatches(info.ifNoneMatch, etag)) return { status: 304, headers: { etag, 'cache-control': cacheControl }, body: Buffer.alloc(0) };
  let served: ServedObject;
  try {
    served = await objects.get(req);
  } catch (err) {
    if (err instanceof AppError) return textAnswer(STATUS[err.code] ?? 500, err.message);
    return textAnswer(500, `object ${req.sha256}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return {
    status: 200,
    headers: {
      'content-type': served.mime,
      'content-length': String(served.bytes.length),
      'cache-control': cacheControl,
      etag,
      'x-content-type-options': 'nosniff',
    },
    body: info.method === 'HEAD' ? Buffer.alloc(0) : served.bytes,
  };
}
