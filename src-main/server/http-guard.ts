/**
 * What every request to the loopback bridge must pass, and parsing that never throws on
 * hostile input. The session is bound to this server's port and origin:
 *
 * - Host must name this port on a loopback address (DNS rebinding);
 * - an Origin header, when present, must be exactly this server's origin; the WebSocket
 *   upgrade must carry one (browsers always send it there), so a page from any other origin,
 *   another port of 127.0.0.1 included, cannot open the event stream;
 * - the token travels in a header (API) or the query (the page's own URL, the socket), never
 *   in a cookie: browsers send cookies to every port of a host, so a cookie would hand the
 *   token to any other server on 127.0.0.1.
 */
import { timingSafeEqual } from 'node:crypto';
import type http from 'node:http';

export const TOKEN_HEADER = 'x-countersign-token';

export function loopbackOrigins(port: number): string[] {
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`];
}

export function hostAllowed(req: http.IncomingMessage, port: number): boolean {
  return loopbackOrigins(port).includes(`http://${req.headers.host ?? ''}`);
}

/** No Origin (a non-browser client, a top-level navigation) or exactly ours. */
export function originAllowed(req: http.IncomingMessage, port: number, required = false): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return !required;
  return loopbackOrigins(port).includes(origin);
}

export function sameToken(candidate: unknown, token: string): boolean {
  if (typeof candidate !== 'string' || candidate.length !== token.length) return false;
  return timingSafeEqual(Buffer.from(candidate), Buffer.from(token));
}

/** The request's URL, or null when the request line holds no parsable target (`GET http://[`). */
export function requestUrl(req: http.IncomingMessage, port: number): URL | null {
  const raw = req.url ?? '/';
  if (!raw.startsWith('/')) return null; // absolute-form and asterisk-form targets are not ours
  try {
    // Appended, not resolved: `//elsewhere/x` stays a path on this server.
    return new URL(`http://127.0.0.1:${port}${raw}`);
  } catch {
    return null;
  }
}

/** decodeURIComponent that answers null for malformed percent-encoding instead of throwing. */
export function decodePath(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}
