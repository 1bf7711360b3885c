/**
 * The loopback bridge: serves the built renderer and the whole IPC contract to a
 * browser on this machine (end-to-end tests; machines without a display server).
 * 127.0.0.1 only; a random per-run token, carried in the printed URL, guards every
 * request (it becomes an HttpOnly cookie on first load). Not a network service.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { AppError } from '../core/errors.ts';
import { eventNames, type Events } from '../ipc/contract.ts';
import type { Dispatch } from '../ipc/registry.ts';

export interface BridgeOptions {
  dispatch: Dispatch;
  /** Subscribe to a core event; returns an unsubscribe. */
  subscribe<E extends keyof Events>(event: E, listener: (payload: Events[E]) => void): () => void;
  /** Folder with the built renderer (index.html). */
  staticDir: string;
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

function cookieToken(req: http.IncomingMessage): string | undefined {
  const m = /(?:^|;\s*)cs_token=([a-f0-9]+)/.exec(req.headers.cookie ?? '');
  return m?.[1];
}

function same(a: string | undefined, b: string): boolean {
  if (!a || a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

export async function startBridge(opts: BridgeOptions): Promise<Bridge> {
  const host = opts.host ?? '127.0.0.1';
  assertLoopback(host);
  const token = opts.token ?? randomBytes(24).toString('hex');
  const maxBody = opts.maxBodyBytes ?? 8 * 1024 * 1024;
  let port = 0;

  const authorised = (req: http.IncomingMessage, url: URL): boolean =>
    same(url.searchParams.get('token') ?? undefined, token) ||
    same(req.headers['x-countersign-token'] as string | undefined, token) ||
    same(cookieToken(req), token);

  // DNS-rebinding guard: only our own loopback origin may talk to us.
  const hostAllowed = (req: http.IncomingMessage): boolean => {
    const h = req.headers.host ?? '';
    return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(h);
  };

  const send = (res: http.ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8') => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    res.end(body);
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    if (!hostAllowed(req)) return send(res, 403, 'forbidden host');
    if (!authorised(req, url)) return send(res, 401, 'unauthorised: open the URL printed by `countersign serve` (it carries the token)');

    if (url.pathname.startsWith('/api/')) {
      if (req.method !== 'POST') return send(res, 405, 'POST only');
      const origin = req.headers.origin;
      if (origin && origin !== `http://127.0.0.1:${port}` && origin !== `http://localhost:${port}`) return send(res, 403, 'forbidden origin');
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > maxBody) {
          send(res, 413, 'request too large');
          req.destroy();
        } else chunks.push(c);
      });
      req.on('end', () => {
        if (res.headersSent) return;
        let args: unknown;
        try {
          const text = Buffer.concat(chunks).toString('utf8');
          args = text ? JSON.parse(text) : {};
        } catch {
          return send(res, 200, JSON.stringify({ ok: false, error: { code: 'INVALID_ARGUMENT', message: 'request body is not valid JSON' } }), 'application/json');
        }
        const name = decodeURIComponent(url.pathname.slice('/api/'.length));
        opts.dispatch(name, args).then(
          (result) => send(res, 200, JSON.stringify(result), 'application/json'),
          (err: unknown) => send(res, 500, JSON.stringify({ ok: false, error: { code: 'INTERNAL', message: String(err) } }), 'application/json'),
        );
      });
      return;
    }

    // Static renderer. The token moves into an HttpOnly cookie so assets and the socket carry it.
    const rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname).replace(/^\/+/, '');
    const file = path.resolve(opts.staticDir, rel);
    if (!file.startsWith(path.resolve(opts.staticDir) + path.sep)) return send(res, 403, 'forbidden path');
    const target = existsSync(file) && statSync(file).isFile() ? file : path.join(opts.staticDir, 'index.html');
    if (!existsSync(target)) return send(res, 503, 'the UI is not built: run `npm run build`');
    const headers: Record<string, string> = {
      'content-type': TYPES[path.extname(target)] ?? 'application/octet-stream',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
    };
    if (url.searchParams.has('token')) headers['set-cookie'] = `cs_token=${token}; HttpOnly; SameSite=Strict; Path=/`;
    res.writeHead(200, headers);
    createReadStream(target).pipe(res);
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
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    if (url.pathname !== '/events' || !hostAllowed(req) || !authorised(req, url)) {
      socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      clients.add(ws);
      ws.on('close', () => clients.delete(ws));
    });
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
