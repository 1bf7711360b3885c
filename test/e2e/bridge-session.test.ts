/**
 * The bridge session as a browser sees it (issue 15, items 4, 5 and 11): requests that used to
 * end `serve`, a hostile page on another port of 127.0.0.1 in the same browser, `serve --open`
 * without the token on a command line, and a malformed route.
 */
// page.evaluate callbacks run in the browser, so DOM types are in scope here:
/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { startServe, tempDir } from '../helpers/cli.ts';
import { killerRequests, rawRequest } from '../helpers/raw-http.ts';
import { assertNoPageErrors, startApp, type App } from './fixtures/app.ts';

describe('the bridge session in Chromium', () => {
  let app: App;
  let port: number;
  let token: string;

  before(async () => {
    app = await startApp();
    port = Number(new URL(app.url).port);
    token = new URL(app.url).searchParams.get('token')!;
  });
  after(async () => {
    await app?.close();
  });

  it('shows "does not name a case" for a malformed hash and throws nothing (item 11)', async () => {
    const page = await app.open('/cases/%E0%A4%A');
    await page.getByText('This address does not name a case').waitFor();
    await page.evaluate(() => (location.hash = '#/cases/12/documents/%'));
    await page.getByText('This address does not name a case').waitFor();
    await page.evaluate(() => (location.hash = '#/%'));
    await page.getByRole('heading', { level: 1, name: 'Cases' }).waitFor();
    await page.context().close();
    assertNoPageErrors(app);
  });

  it('answers 400 to the requests that used to end `serve`, and keeps serving the UI (item 4)', async () => {
    for (const request of killerRequests(`127.0.0.1:${port}`, token)) {
      const answer = await rawRequest(port, request);
      assert.ok(answer.status === 400 || answer.status === 401, `${JSON.stringify(request)} -> ${answer.head}`);
    }
    const page = await app.open();
    await page.getByRole('heading', { level: 1, name: 'Cases' }).waitFor();
    await page.context().close();
  });

  it('gives a page on another port of 127.0.0.1 neither a cookie nor the event socket (item 5)', async () => {
    // A hostile server on another port; it records the cookies the browser sends it.
    const cookies: string[] = [];
    const hostile = http.createServer((req, res) => {
      cookies.push(req.headers.cookie ?? '');
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>elsewhere</title>');
    });
    await new Promise<void>((r) => hostile.listen(0, '127.0.0.1', () => r()));
    const hostilePort = (hostile.address() as AddressInfo).port;
    try {
      const page = await app.open(); // the examiner's tab: the app, opened from the printed URL
      const evil = await page.context().newPage(); // another tab in the same browser
      await evil.goto(`http://127.0.0.1:${hostilePort}/`);
      assert.ok(cookies.length > 0 && cookies.every((c) => c === ''), `the browser sent the other port no cookie of ours: ${JSON.stringify(cookies)}`);
      const socket = await evil.evaluate(
        (p) =>
          new Promise<string>((resolve) => {
            const ws = new WebSocket(`ws://127.0.0.1:${p}/events`);
            ws.onopen = () => resolve('open');
            ws.onerror = () => resolve('refused');
          }),
        port,
      );
      assert.equal(socket, 'refused', 'the event stream does not open for another origin');
      // Even knowing the token, another origin does not get the socket.
      const withToken = await evil.evaluate(
        ({ p, t }) =>
          new Promise<string>((resolve) => {
            const ws = new WebSocket(`ws://127.0.0.1:${p}/events?token=${t}`);
            ws.onopen = () => resolve('open');
            ws.onerror = () => resolve('refused');
          }),
        { p: port, t: token },
      );
      assert.equal(withToken, 'refused');
      await page.context().close();
    } finally {
      await new Promise<void>((r) => hostile.close(() => r()));
    }
  });

  it('`serve --open` puts no token on a command line and still lands in the app (item 5)', async () => {
    const tmp = tempDir('countersign-open-');
    try {
      // A stand-in for the desktop's opener that records the command line it was given.
      const bin = path.join(tmp.dir, 'bin');
      const record = path.join(tmp.dir, 'argv.txt');
      mkdirSync(bin);
      writeFileSync(path.join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s\\n' "$@" > '${record}'\n`);
      chmodSync(path.join(bin, 'xdg-open'), 0o755);
      const dataDir = path.join(tmp.dir, 'data');
      const server = await startServe(dataDir, ['--open'], { PATH: `${bin}:${process.env.PATH}` });
      try {
        const serveToken = new URL(server.url).searchParams.get('token')!;
        for (let i = 0; i < 100 && !existsSync(record); i++) await delay(50);
        const argv = readFileSync(record, 'utf8').trim();
        assert.ok(!argv.includes(serveToken), `the opener's command line holds no token: ${argv}`);
        assert.match(argv, /^file:\/\//, 'the browser is opened on a local file');
        const file = fileURLToPath(argv);
        assert.equal(statSync(file).mode & 0o777, 0o600, 'the file that holds the token is owner-only');
        assert.equal(statSync(path.dirname(file)).mode & 0o777, 0o700, 'in an owner-only folder');

        const context = await app.browser.newContext();
        const page = await context.newPage();
        await page.goto(argv);
        await page.getByTestId('app-frame').waitFor();
        assert.equal(new URL(page.url()).port, String(server.port), 'the file forwarded the browser to the app');
        await context.close();
      } finally {
        await server.stop();
      }
      assert.ok(!existsSync(fileURLToPath(readFileSync(record, 'utf8').trim())), 'the file is removed when serve stops');
    } finally {
      tmp.cleanup();
    }
  });
});
