/**
 * The loopback bridge under hostile requests (issue 15, items 4 and 5): requests that Node's
 * parser accepts but that are not ours, requests it cannot parse, a few thousand fuzzed ones,
 * and a page of another origin (another port of 127.0.0.1) trying to use the session.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { ROOT, tempDir } from '../../helpers/cli.ts';
import { killerRequests, rawRequest as raw } from '../../helpers/raw-http.ts';

const TOKEN = 'a'.repeat(48);

/** A small deterministic generator (mulberry32), so a failing case can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('the bridge under malformed and foreign requests', () => {
  const tmp = tempDir('countersign-bridge-');
  let child: ChildProcess;
  let stderr = '';
  let port: number;
  const host = () => `127.0.0.1:${port}`;

  // The bridge runs in its own process, as in `serve`: an exception a request provokes ends it.
  before(async () => {
    writeFileSync(path.join(tmp.dir, 'index.html'), '<!doctype html><title>countersign test page</title>');
    writeFileSync(path.join(tmp.dir, 'app.js'), 'export {};');
    child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'fixtures', 'bridge-process.ts'), tmp.dir, TOKEN], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const [first] = (await once(child.stdout!, 'data')) as [Buffer];
    port = (JSON.parse(first.toString()) as { port: number }).port;
  });
  after(async () => {
    if (child?.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    tmp.cleanup();
  });

  /** The server is alive and still answers the page and the API with the token. */
  async function assertServing(): Promise<void> {
    assert.equal(child.exitCode, null, `the bridge is still running; its stderr: ${stderr.slice(0, 2000)}`);
    const page = await fetch(`http://${host()}/?token=${TOKEN}`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /countersign test page/);
    const api = await fetch(`http://${host()}/api/app.info`, { method: 'POST', body: '{}', headers: { 'x-countersign-token': TOKEN } });
    assert.equal(api.status, 200);
    assert.deepEqual(await api.json(), { ok: true, value: { name: 'app.info' } });
  }

  it('answers 400 to the requests that used to kill `serve`, and keeps serving', async () => {
    const cases = killerRequests(host(), TOKEN);
    for (const request of cases) {
      const answer = await raw(port, request);
      assert.ok(answer.status !== null && answer.status >= 400 && answer.status < 500, `${JSON.stringify(request)} -> ${answer.head}`);
    }
    const decoded = await raw(port, `POST /api/%E0%A4%A HTTP/1.1\r\nHost: ${host()}\r\nx-countersign-token: ${TOKEN}\r\nContent-Length: 2\r\n\r\n{}`);
    assert.equal(decoded.status, 400, 'a malformed method name is a bad request');
    await assertServing();
  });

  it('survives a few thousand fuzzed request lines, methods, headers and paths (bounded in time)', { timeout: 120_000 }, async () => {
    const random = rng(15);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const junk = (n: number) => Array.from({ length: n }, () => String.fromCharCode(Math.floor(random() * 256))).join('');
    const methods = ['GET', 'POST', 'HEAD', 'PUT', 'OPTIONS', 'get', 'G ET', 'PRI', 'CONNECT', '', 'X'.repeat(300), junk(5)];
    const paths = [
      '/',
      '/%',
      '/%%',
      '/%E0%A4%A',
      '/api/%E0%A4%A',
      '/api/',
      '/api/%00',
      '/api/..%2F..%2Fetc',
      '/events',
      '/events?token=%',
      '/../../etc/passwd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '//evil.example/x',
      'http://[',
      'http://[::1',
      'http://127.0.0.1/',
      '*',
      '/?token=' + TOKEN,
      '/?token=%ZZ',
      '/\u00e9',
      '/a b',
      '/' + 'a'.repeat(9000),
      '',
      '/\t',
      '/\0',
      'https://[/events',
    ];
    const versions = ['HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/9.9', 'HTTP/1.1 extra', 'HTTX/1.1', ''];
    const headerLines = [
      `Host: ${host()}`,
      'Host: evil.example',
      'Host: [',
      `Host: ${host()}\r\nHost: other`,
      `Origin: http://${host()}`,
      'Origin: http://127.0.0.1:1',
      'Origin: null',
      'Origin: %',
      `x-countersign-token: ${TOKEN}`,
      'x-countersign-token: %E0',
      'Content-Length: 5',
      'Content-Length: -1',
      'Content-Length: 99999999999999999999',
      'Content-Length: x',
      'Content-Length: 1\r\nContent-Length: 2',
      'Transfer-Encoding: chunked',
      'Transfer-Encoding: gzip, chunked',
      'Transfer-Encoding: x',
      'Connection: Upgrade\r\nUpgrade: websocket',
      'Sec-WebSocket-Version: 13',
      'Sec-WebSocket-Key: %%%',
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
      'Upgrade: h2c',
      'Expect: 100-continue',
      'Cookie: cs_token=' + TOKEN,
      'Bad Header: x',
      ': empty',
      'X: \u0001\u007f',
      'X-Long: ' + 'x'.repeat(20000),
    ];
    const bodies = ['', '{}', '{not json', junk(16), '0\r\n\r\n', 'zz\r\n', '\0\0\0'];

    const build = (): string => {
      const kind = random();
      if (kind < 0.05) return junk(1 + Math.floor(random() * 200)); // not HTTP at all
      const line =
        kind < 0.15 ? `${pick(methods)} ${junk(1 + Math.floor(random() * 12))} ${pick(versions)}` : `${pick(methods)} ${pick(paths)} ${pick(versions)}`;
      const headers = Array.from({ length: Math.floor(random() * 6) }, () => pick(headerLines));
      if (random() < 0.7) headers.unshift(`Host: ${host()}`);
      const eol = random() < 0.9 ? '\r\n' : pick(['\n', '\r', '\n\r']);
      return `${line}${eol}${headers.join(eol)}${eol}${eol}${pick(bodies)}`;
    };

    const total = 3000;
    const deadline = Date.now() + 90_000;
    const statuses = new Map<string, number>();
    let next = 0;
    const worker = async () => {
      while (next < total && Date.now() < deadline) {
        const request = build();
        next++;
        const answer = await raw(port, Buffer.from(request, 'latin1'), 2000);
        const key = String(answer.status ?? 'closed');
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
        assert.ok(answer.status === null || answer.status < 500, `a server error for ${JSON.stringify(request.slice(0, 300))}: ${answer.head}`);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    assert.equal(next, total, `all ${total} requests were sent in time (${next} were)`);
    assert.ok((statuses.get('400') ?? 0) > total / 10, `many answered 400: ${JSON.stringify([...statuses])}`);
    await assertServing();
  });

  it('sets no cookie, and a cookie does not authorise anything', async () => {
    const page = await fetch(`http://${host()}/?token=${TOKEN}`);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('set-cookie'), null, 'the token never becomes a cookie (other ports of 127.0.0.1 would receive it)');
    const cookie = { cookie: `cs_token=${TOKEN}` };
    assert.equal((await fetch(`http://${host()}/`, { headers: cookie })).status, 401);
    assert.equal((await fetch(`http://${host()}/api/app.info`, { method: 'POST', body: '{}', headers: cookie })).status, 401);
  });

  it('serves the page only with the token, the built assets without it, and nothing else', async () => {
    assert.equal((await fetch(`http://${host()}/`)).status, 401);
    assert.equal((await fetch(`http://${host()}/index.html`)).status, 401);
    assert.equal((await fetch(`http://${host()}/app.js`)).status, 200);
    assert.equal((await fetch(`http://${host()}/favicon.ico`)).status, 404);
    assert.equal((await fetch(`http://${host()}/cases/12?token=${TOKEN}`)).status, 404, 'routes live in the hash');
    assert.equal((await fetch(`http://${host()}/..%2f..%2fetc%2fpasswd`)).status, 403);
  });

  it('refuses every request from another origin, another port of 127.0.0.1 included', async () => {
    for (const origin of [`http://127.0.0.1:${port + 1}`, 'http://localhost:1', 'null', 'http://evil.example']) {
      const page = await fetch(`http://${host()}/?token=${TOKEN}`, { headers: { origin } });
      assert.equal(page.status, 403, `the page, from ${origin}`);
      const api = await fetch(`http://${host()}/api/app.info`, { method: 'POST', body: '{}', headers: { origin, 'x-countersign-token': TOKEN } });
      assert.equal(api.status, 403, `the API, from ${origin}`);
    }
    const own = await fetch(`http://${host()}/api/app.info`, {
      method: 'POST',
      body: '{}',
      headers: { origin: `http://${host()}`, 'x-countersign-token': TOKEN },
    });
    assert.equal(own.status, 200, 'its own origin is served');
  });

  /** Opens the event socket; resolves with 'open' or the refusal's HTTP status. */
  function upgrade(query: string, headers: Record<string, string>): Promise<'open' | number> {
    return new Promise((resolve) => {
      const ws = new WebSocket(`ws://${host()}/events${query}`, { headers });
      ws.on('open', () => {
        ws.close();
        resolve('open');
      });
      ws.on('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        ws.terminate();
      });
      ws.on('error', () => resolve(0));
    });
  }

  it('accepts the event socket only from its own origin with the token', async () => {
    const token = `?token=${TOKEN}`;
    assert.equal(await upgrade(token, { origin: `http://${host()}` }), 'open');
    assert.equal(await upgrade(token, { origin: `http://127.0.0.1:${port + 1}` }), 403, 'another port of 127.0.0.1');
    assert.equal(await upgrade(token, { origin: 'http://evil.example' }), 403);
    assert.equal(await upgrade(token, {}), 403, 'no Origin: browsers always send one on an upgrade');
    assert.equal(await upgrade('', { origin: `http://${host()}`, cookie: `cs_token=${TOKEN}` }), 401, 'a cookie is not a token');
    assert.equal(await upgrade('?token=wrong', { origin: `http://${host()}` }), 401);
  });
});
