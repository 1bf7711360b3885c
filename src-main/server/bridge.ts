/**
 * The loopback bridge: serves the built renderer and the whole IPC contract to a
 * browser on this machine (end-to-end tests; machines without a display server).
 * 127.0.0.1 only; a random per-run token, carried in the printed URL, guards the page, every
 * API call (a header), the event socket and the object URLs (their query), never a cookie;
 * stored images and reports load from `GET /objects/<sha256>` (ipc/object-requests.ts, the same
 * answers as the desktop app's `cs-object://` scheme); see http-guard.ts for
 * what binds the session to this port and origin. A malformed request gets 400 and the
 * server goes on. Not a network service.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { StoredObjects } from '../core/app/objects.ts';
import { AppError } from '../core/errors.ts';
import { eventNames, type Events } from '../ipc/contract.ts';
import { answerObjectRequest, OBJECTS_PATH } from '../ipc/object-requests.ts';
import type { Dispatch } from '../ipc/registry.ts';
import { decodePath, hostAllowed, originAllowed, requestUrl, sameToken, TOKEN_HEADER } from './http-guard.ts';

export interface BridgeOptions {
  dispatch: Dispatch;
  /** Subscribe to a core event; returns an unsubscribe. */
  subscribe<E extends keyof Events>(event: E, listener: (payload: Events[E]) => void): () => void;
  /** Folder with the built renderer (index.html). */
  staticDir: string;
  /** What `GET /objects/<sha256>` serves (the handlers' StoredObjects); without it that path is 404. */
  objects?: Pick<StoredObjects, 'get'>;
  host?: string;
  port?: number;
  /** Fixed token (tests); random by default. */
  token?: string;
  maxBodyBytes?: number;
}

export interface Bridge {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

export function assertLoopback(host: string): void {
  if (!LOOPBACK.has(host)) {
    throw new AppError('INVALID_ARGUMENT', `--host: the bridge binds to the loopback interface only (127.0.0.1 or ::1), not '${host}'`);
  }
}

const BAD_REQUEST = 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';

export async function startBridge(opts: BridgeOptions): Promise<Bridge> {
  const host = opts.host ?? '127.0.0.1';
  assertLoopback(host);
  const token = opts.token ?? randomBytes(24).toString('hex');
  const maxBody = opts.maxBodyBytes ?? 8 * 1024 * 1024;
  const staticRoot = path.resolve(opts.staticDir);
  let port = 0;

  const send = (res: http.ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8') => {
    if (res.headersSent) return void res.destroy();
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    res.end(body);
  };
  const queryToken = (url: URL) => url.searchParams.get('token') ?? undefined;
  const UNAUTHORISED = 'unauthorised: open the URL printed by `countersign serve` (it carries the token)';

  function handleApi(req: http.IncomingMessage, res: http.ServerResponse, url: URL): void {
    if (req.method !== 'POST') return send(res, 405, 'POST only');
    if (!sameToken(req.headers[TOKEN_HEADER], token)) return send(res, 401, UNAUTHORISED);
    const name = decodePath(url.pathname.slice('/api/'.length));
    if (name === null) return send(res, 400, 'bad request: malformed percent-encoding in the method name');
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBody) {
        send(res, 413, 'request too large');
        req.destroy();
      } else chunks.push(c);
    });
    req.on('error', () => res.destroy());
    req.on('end', () => {
      if (res.headersSent) return;
      let args: unknown;
      try {
        const text = Buffer.concat(chunks).toString('utf8');
        args = text ? JSON.parse(text) : {};
      } catch {
        return send(
          res,
          200,
          JSON.stringify({ ok: false, error: { code: 'INVALID_ARGUMENT', message: 'request body is not valid JSON' } }),
          'application/json',
        );
      }
      opts.dispatch(name, args).then(
        (result) => send(res, 200, JSON.stringify(result), 'application/json'),
        (err: unknown) => send(res, 500, JSON.stringify({ ok: false, error: { code: 'INTERNAL', message: String(err) } }), 'application/json'),
      );
    });
  }

  function handleObject(req: http.IncomingMessage, res: http.ServerResponse, url: URL): void {
    const objects = opts.objects;
    if (!objects) return send(res, 404, 'not found');
    // <img> cannot send a header, so the token may come in the query, as the page's own does.
    if (!sameToken(queryToken(url) ?? req.headers[TOKEN_HEADER], token)) return send(res, 401, UNAUTHORISED);
    void answerObjectRequest(objects, { url, method: req.method ?? 'GET', ifNoneMatch: req.headers['if-none-match'] }).then(
      (answer) => {
        if (res.headersSent) return;
        res.writeHead(answer.status, {
          ...answer.headers,
          'referrer-policy': 'no-referrer',
          'cross-origin-resource-policy': 'same-origin',
          'x-frame-options': 'DENY',
        });
        res.end(answer.body);
      },
      () => res.destroy(),
    );
  }

  function handleStatic(req: http.IncomingMessage, res: http.ServerResponse, url: URL): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'GET only');
    const decoded = decodePath(url.pathname);
    if (decoded === null || decoded.includes('\0')) return send(res, 400, 'bad request: malformed path');
    const rel = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
    const file = path.resolve(staticRoot, rel);
    if (!file.startsWith(staticRoot + path.sep)) return send(res, 403, 'forbidden path');
    const page = file === path.join(staticRoot, 'index.html');
    // The built UI's assets are the same for everyone and hold no data; the page itself, which
    // a browser only reaches through the printed URL, needs the token. Routes live in the hash,
    // so any other path is simply not found.
    if (page && !sameToken(queryToken(url) ?? req.headers[TOKEN_HEADER], token)) {
      return send(res, 401, UNAUTHORISED);
    }
    if (!existsSync(file) || !statSync(file).isFile()) return page ? send(res, 503, 'the UI is not built: run `npm run build`') : send(res, 404, 'not found');
    res.writeHead(200, {
      'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cross-origin-resource-policy': 'same-origin',
    });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
  }

  const server = http.createServer((req, res) => {
    try {
      const url = requestUrl(req, port);
      if (!url) return send(res, 400, 'bad request: the request target is not a path');
      if (!hostAllowed(req, port)) return send(res, 403, 'forbidden host');
      if (!originAllowed(req, port)) return send(res, 403, 'forbidden origin');
      if (url.pathname.startsWith('/api/')) return handleApi(req, res, url);
      if (url.pathname.startsWith(OBJECTS_PATH)) return handleObject(req, res, url);
      return handleStatic(req, res, url);
    } catch {
      // Nothing a request says may stop the server: whatever was not foreseen is a bad request.
      send(res, 400, 'bad request');
    }
  });
  // Requests Node's parser cannot read at all (bad request lines, methods, headers).
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end(BAD_REQUEST);
    else socket.destroy();
  });

  // Events over one WebSocket per page.
  const wss = new WebSocketServer({ noServer: true });
  const unsubscribers: (() => void)[] = [];
  const clients = new Set<WebSocket>();
  for (const name of eventNames) {
    unsubscribers.push(
      opts.subscribe(name, (payload) => {
        const msg = JSON.stringify({ event: name, payload });
        for (const ws of clients) if (ws.readyState === ws.OPEN) ws.send(msg);
      }),
    );
  }
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    try {
      const url = requestUrl(req, port);
      if (!url) return void socket.end(BAD_REQUEST);
      // Browsers always send Origin on a WebSocket upgrade: it must be this server's.
      if (url.pathname !== '/events' || !hostAllowed(req, port) || !originAllowed(req, port, true)) {
        return void socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      }
      if (!sameToken(queryToken(url) ?? req.headers[TOKEN_HEADER], token)) {
        return void socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        clients.add(ws);
        ws.on('error', () => ws.terminate());
        ws.on('close', () => clients.delete(ws));
      });
    } catch {
      socket.end(BAD_REQUEST);
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const shownHost = host === '::1' ? '[::1]' : '127.0.0.1';
  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    port,
    token,
    close: async () => {
      unsubscribers.forEach((u) => u());
      for (const ws of clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
