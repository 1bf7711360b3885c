import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser, screenshot } from '../helpers/browser.ts';
import { startServe, tempDir } from '../helpers/cli.ts';

describe('the UI through `countersign serve` in Chromium', () => {
  const tmp = tempDir();
  let server: Awaited<ReturnType<typeof startServe>>;
  let browser: Browser;

  before(async () => {
    server = await startServe(tmp.dir);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    tmp.cleanup();
  });

  it('refuses requests without the token', async () => {
    const base = `http://127.0.0.1:${server.port}`;
    assert.equal((await fetch(`${base}/`)).status, 401);
    assert.equal((await fetch(`${base}/api/app.info`, { method: 'POST', body: '{}' })).status, 401);
    assert.equal((await fetch(`${base}/api/app.info?token=wrong`, { method: 'POST', body: '{}' })).status, 401);
  });

  it('returns malformed arguments as error values and keeps serving', async () => {
    const token = new URL(server.url).searchParams.get('token')!;
    const post = (method: string, body: string) =>
      fetch(`http://127.0.0.1:${server.port}/api/${method}`, { method: 'POST', body, headers: { 'x-countersign-token': token } }).then((r) => r.json());
    assert.deepEqual(await post('jobs.get', '{"jobId": 7}'), {
      ok: false,
      error: { code: 'INVALID_ARGUMENT', message: 'jobs.get: jobId: Invalid input: expected string, received number' },
    });
    const notJson = (await post('app.info', '{not json')) as { ok: boolean; error: { code: string } };
    assert.equal(notJson.error.code, 'INVALID_ARGUMENT');
    const info = (await post('app.info', '{}')) as { ok: boolean; value: { backend: string } };
    assert.equal(info.ok, true, 'still serving after bad requests');
  });

  it('shows the app frame and the backend in the status bar', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(server.url);
    await page.getByTestId('app-frame').waitFor();
    const status = page.getByTestId('status-backend');
    await status.waitFor();
    assert.match((await status.textContent()) ?? '', /Backend: (wasm|cpu|tensorflow)/);
    assert.match((await page.getByTestId('status-datadir').textContent()) ?? '', new RegExp(tmp.dir.replace(/[/\\^$.*+?()[\]{}|]/g, '\\$&')));
    for (const label of ['Cases', 'Compare', 'Batch', 'Training', 'Models', 'Settings']) {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label, exact: true }).click();
      await page.getByRole('heading', { level: 1, name: label }).waitFor();
    }
    const file = await screenshot(page, 'shell');
    assert.ok(existsSync(file));
    await page.close();
  });
});
