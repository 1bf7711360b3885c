// The core host as a real child process (child_process.fork through tsx, as Electron's
// utilityProcess would run the built entry): calls, job events and dialogs through the protocol,
// malformed messages refused, and a host killed mid-call answering the call and being restarted.
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { createWriter, renderCheque, renderSignature } from '../../../src-main/core/synth/index.ts';
import type { EventName, Events, MethodName, MethodResult } from '../../../src-main/ipc/contract.ts';
import type { Dialogs } from '../../../src-main/ipc/handlers.ts';
import { CoreHostClient, type CoreHostClientOptions } from '../../../src-main/host/host-client.ts';
import { forkNodeHost } from '../../../src-main/host/node-host.ts';
import type { FromHostMessage } from '../../../src-main/host/protocol.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cs-core-host-'));
const dataDir = path.join(dir, 'data');
const folder = path.join(dir, 'case');
after(() => rmSync(dir, { recursive: true, force: true }));

before(async () => {
  const w = createWriter(5, 'w0005');
  mkdirSync(path.join(folder, 'known', 'b-jones'), { recursive: true });
  mkdirSync(path.join(folder, 'questioned', 'b-jones'), { recursive: true });
  writeFileSync(path.join(folder, 'known', 'b-jones', 'k1.png'), (await renderSignature(w, { sampleIndex: 0 })).data);
  writeFileSync(path.join(folder, 'questioned', 'b-jones', 'q1.png'), (await renderCheque(w, { sampleIndex: 0 })).data);
});

type Seen = { name: EventName; payload: Events[EventName] };

/** A client on a real host process; dialogs answered by `answer`, events and log lines recorded. */
function startClient(answer: (kind: string, title: string, defaultName?: string) => Promise<string | null>, extra: Partial<CoreHostClientOptions> = {}) {
  const events: Seen[] = [];
  const logs: string[] = [];
  const dialogs: Dialogs = {
    chooseFolder: (title) => answer('chooseFolder', title),
    chooseSavePath: (title, defaultName) => answer('chooseSavePath', title, defaultName),
  };
  const client = new CoreHostClient({
    spawn: () => forkNodeHost({ dataDir }),
    dialogs,
    onEvent: (name, payload) => events.push({ name, payload }),
    log: (line) => logs.push(line),
    ...extra,
  });
  after(() => client.stop());
  async function ok<M extends MethodName>(name: M, args: unknown) {
    const r = (await client.invoke(name, args)) as MethodResult<M>;
    if (!r.ok) assert.fail(`${name} failed: ${r.error.code} ${r.error.message}`);
    return r.value;
  }
  return { client, events, logs, ok };
}

async function until(cond: () => boolean, ms = 30_000) {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const noDialog = () => Promise.reject(new Error('no dialog expected'));

describe('core host over child_process.fork', () => {
  it('answers contract calls from its own process: app.info, cases.create, cases.list', async () => {
    const { client, ok } = startClient(noDialog);
    await client.start();
    assert.ok(client.pid && client.pid !== process.pid, 'the host runs in another process');
    const info = await ok('app.info', {});
    assert.equal(info.transport, 'electron');
    const c = await ok('cases.create', { name: 'Host case' });
    const list = await ok('cases.list', {});
    assert.deepEqual(
      list.map((x) => x.name),
      ['Host case'],
    );
    assert.equal(list[0]!.id, c.id);
    // Validation still happens in the dispatcher inside the host.
    const bad = await client.invoke('cases.create', { name: 42 });
    assert.equal(bad.ok, false);
    if (!bad.ok) assert.match(bad.error.message, /^cases\.create: name: /);
    const unknown = await client.invoke('cases.nothing', {});
    assert.deepEqual(unknown, { ok: false, error: { code: 'NOT_FOUND', message: "unknown method 'cases.nothing'" } });
    await client.stop();
    const closed = await client.invoke('cases.list', {});
    assert.equal(closed.ok, false);
    if (!closed.ok) assert.match(closed.error.message, /Countersign is closing/);
  });

  it('runs a job in the host and passes its progress and finished events to the main side', async () => {
    const { client, events, ok } = startClient(noDialog);
    await client.start();
    const c = (await ok('cases.list', {})).find((x) => x.name === 'Host case')!;
    const job = await ok('import.start', { caseId: c.id, folder });
    assert.deepEqual([job.kind, job.status], ['import', 'running']);
    await until(() => events.some((e) => e.name === 'job.finished'), 60_000);
    const finished = events.find((e) => e.name === 'job.finished')?.payload as Events['job.finished'] | undefined;
    assert.ok(finished, 'job.finished arrived');
    assert.equal(finished.jobId, job.jobId);
    assert.equal(finished.status, 'done', JSON.stringify(finished.error));
    assert.ok(finished.kind === 'import' && finished.result, 'the import report came across');
    if (finished.kind === 'import') assert.deepEqual([finished.result!.totals.imported, finished.result!.totals.failed], [2, 0]);
    const progress = events.filter((e) => e.name === 'job.progress').map((e) => e.payload as Events['job.progress']);
    assert.ok(progress.length >= 2 && progress.every((p) => p.jobId === job.jobId), `progress events: ${progress.length}`);
    const detail = await ok('cases.get', { caseId: c.id });
    assert.equal(detail.documents.length, 2);
  });

  it('answers cs-object:// requests from the host: the stored bytes, 400 naming a bad part, 503 once closing', async () => {
    const { client, ok } = startClient(noDialog);
    await client.start();
    const c = (await ok('cases.list', {})).find((x) => x.name === 'Host case')!;
    const doc = (await ok('cases.get', { caseId: c.id })).documents[0]!;
    const image = await ok('images.get', { sha256: doc.sha256, maxWidth: 120 });
    assert.match(image.url, new RegExp(`^cs-object://${doc.sha256}`));
    const got = await client.fetchObject({ url: image.url, method: 'GET', ifNoneMatch: null });
    assert.equal(got.status, 200);
    assert.equal(got.headers['content-type'], image.mime);
    assert.ok(Buffer.isBuffer(got.body) && got.body.length === Number(got.headers['content-length']));
    assert.deepEqual([...got.body.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], 'PNG bytes');
    const cached = await client.fetchObject({ url: image.url, method: 'GET', ifNoneMatch: got.headers.etag! });
    assert.equal(cached.status, 304);
    const bad = await client.fetchObject({ url: 'cs-object://nothex?w=10', method: 'GET', ifNoneMatch: null });
    assert.equal(bad.status, 400);
    assert.match(bad.body.toString(), /sha256/);
    const notUrl = await client.fetchObject({ url: 'not a url', method: 'GET', ifNoneMatch: null });
    assert.equal(notUrl.status, 400);
    assert.match(notUrl.body.toString(), /not a URL/);
    await client.stop();
    const closed = await client.fetchObject({ url: image.url, method: 'GET', ifNoneMatch: null });
    assert.equal(closed.status, 503);
    assert.match(closed.body.toString(), /Countersign is closing/);
  });

  it('asks the main side for dialogs and waits for the answer', async () => {
    const asked: string[] = [];
    const { client, ok } = startClient(async (kind, title) => {
      asked.push(`${kind}: ${title}`);
      await new Promise((r) => setTimeout(r, 100));
      return kind === 'chooseFolder' ? '/chosen/by/the/test' : null;
    });
    await client.start();
    assert.deepEqual(await ok('dialogs.chooseFolder', { title: 'Pick the case folder' }), { path: '/chosen/by/the/test' });
    assert.deepEqual(asked, ['chooseFolder: Pick the case folder']);
  });

  it('reports a data directory it cannot open as fatal, without restarting', async () => {
    const file = path.join(dir, 'not-a-dir');
    writeFileSync(file, 'x');
    let spawned = 0;
    const client = new CoreHostClient({
      spawn: () => (spawned++, forkNodeHost({ dataDir: file })),
      dialogs: { chooseFolder: noDialog, chooseSavePath: noDialog },
      onEvent: () => {},
      log: () => {},
    });
    after(() => client.stop());
    await assert.rejects(client.start(), /not-a-dir/);
    const r = await client.invoke('cases.list', {});
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.error.message, /^cases\.list: .*not-a-dir/);
    assert.equal(spawned, 1);
  });
});

describe('a host that dies', () => {
  it('answers the pending call with a clear error, reports its running job failed, and is restarted', async () => {
    let kill: (() => void) | undefined;
    const { client, events, logs, ok } = startClient(async () => {
      kill?.();
      return new Promise<string | null>(() => {}); // the dialog stays open: the host dies first
    });
    await client.start();
    const firstPid = client.pid!;
    kill = () => process.kill(firstPid, 'SIGKILL');
    const c = (await ok('cases.list', {})).find((x) => x.name === 'Host case')!;
    // A job the host is running when it dies (blocked on nothing: we kill right after it starts).
    const job = await ok('import.start', { caseId: c.id, folder });
    const r = await client.invoke('dialogs.chooseFolder', { title: 'x' });
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.error.code, 'UNAVAILABLE');
      assert.match(r.error.message, /^dialogs\.chooseFolder: the core process stopped \(killed by SIGKILL\) before answering; it has been started again/);
    }
    const lost = events.find((e) => e.name === 'job.finished' && e.payload.jobId === job.jobId)?.payload as Events['job.finished'] | undefined;
    if (lost && lost.status === 'failed') assert.match(lost.error!.message, /core process stopped/);
    else assert.ok(lost && lost.status === 'done', 'the job either finished before the kill or is reported failed');
    assert.ok(
      logs.some((l) => /core process stopped \(killed by SIGKILL\)/.test(l)),
      logs.join('\n'),
    );
    // The restarted host serves calls on the same data.
    kill = undefined;
    const list = await ok('cases.list', {});
    assert.ok(list.some((x) => x.name === 'Host case'));
    assert.notEqual(client.pid, firstPid);
  });

  it('a host that stops answering (frozen with SIGSTOP) is found by the liveness check, killed, its call answered, and restarted', async () => {
    const { client, logs, ok } = startClient(noDialog, { livenessIntervalMs: 100, hangTimeoutMs: 1_500 });
    await client.start();
    await ok('app.info', {});
    const frozen = client.pid!;
    await new Promise((r) => setTimeout(r, 2_500)); // longer than the timeout: a host that answers is left alone
    assert.equal(client.pid, frozen);
    process.kill(frozen, 'SIGSTOP');
    const r = await client.invoke('cases.list', {});
    assert.equal(r.ok, false);
    if (!r.ok)
      assert.match(
        r.error.message,
        /^cases\.list: the core process stopped \(it did not answer for [12] s and was killed\) before answering; it has been started again/,
      );
    assert.ok(
      logs.some((l) => /^the core process did not answer for \d+ s; killing it$/.test(l)),
      logs.join('\n'),
    );
    await ok('cases.list', {});
    assert.notEqual(client.pid, frozen);
  });

  it('gives up after too many crashes: calls fail at once, saying so', async () => {
    const { client, ok } = startClient(noDialog, { maxRestarts: 1, restartWindowMs: 60_000 });
    await client.start();
    const first = client.pid!;
    process.kill(first, 'SIGKILL');
    await until(() => client.pid !== undefined && client.pid !== first);
    await ok('app.info', {}); // restarted once
    process.kill(client.pid!, 'SIGKILL');
    await until(() => client.pid === undefined);
    const r = await client.invoke('cases.list', {});
    assert.equal(r.ok, false);
    if (!r.ok)
      assert.match(
        r.error.message,
        /^cases\.list: the core process stopped \(killed by SIGKILL\); it has stopped 2 times within 60 s and is not started again; restart Countersign$/,
      );
    await assert.rejects(client.start(), /restart Countersign/);
  });
});

describe('the protocol refuses malformed messages', () => {
  it('the host answers a malformed call with an error naming the field, and refuses unknown messages', async () => {
    const entry = fileURLToPath(new URL('../../../src-main/host/core-host-main.ts', import.meta.url));
    const child = fork(entry, [`--data-dir=${dataDir}`], {
      execArgv: ['--import', 'tsx'],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    });
    after(() => child.kill('SIGKILL'));
    const received: FromHostMessage[] = [];
    const next = (pred: (m: FromHostMessage) => boolean) =>
      new Promise<FromHostMessage>((resolve) => {
        const found = received.find(pred);
        if (found) return resolve(found);
        const on = (m: FromHostMessage) => {
          if (pred(m)) {
            child.off('message', on);
            resolve(m);
          }
        };
        child.on('message', on);
      });
    child.on('message', (m: FromHostMessage) => received.push(m));
    await next((m) => m.type === 'ready');

    child.send({ type: 'invoke', id: 7, name: '', args: {} });
    assert.deepEqual(await next((m) => m.type === 'result' && m.id === 7), {
      type: 'result',
      id: 7,
      response: {
        ok: false,
        error: {
          code: 'INVALID_ARGUMENT',
          message: "malformed 'invoke' message from the main process: name: Too small: expected string to have >=1 characters",
        },
      },
    });
    child.send({ type: 'explode', id: 3 });
    const refused = await next((m) => m.type === 'rejected' && /explode/.test(m.message));
    assert.match((refused as { message: string }).message, /^malformed 'explode' message from the main process: type: /);
    child.send({ type: 'dialog-reply', id: 99, path: '/x' });
    await next((m) => m.type === 'rejected' && m.message === 'dialog-reply 99: no dialog 99 is open');
    child.send({ type: 'invoke', id: 8, name: 'app.info', args: {}, extra: true });
    const strict = await next((m) => m.type === 'result' && m.id === 8);
    assert.match(JSON.stringify(strict), /Unrecognized key.*extra/);
    // Still serving after all that.
    child.send({ type: 'invoke', id: 9, name: 'app.info', args: {} });
    const good = await next((m) => m.type === 'result' && m.id === 9);
    assert.equal((good as { response: { ok: boolean } }).response.ok, true);
  });

  it('the main side refuses a malformed result from the host and answers that call with an error', async () => {
    const script = path.join(dir, 'bad-host.mjs');
    writeFileSync(
      script,
      `process.send({ type: 'ready', pid: process.pid });
       process.on('message', (m) => {
         if (m.type === 'invoke') process.send({ type: 'result', id: m.id, response: { ok: 'maybe' } });
       });
       process.on('disconnect', () => process.exit(0));`,
    );
    const logs: string[] = [];
    const client = new CoreHostClient({
      spawn: () => forkNodeHost({ dataDir, entry: script }),
      dialogs: { chooseFolder: noDialog, chooseSavePath: noDialog },
      onEvent: () => {},
      log: (l) => logs.push(l),
      stopTimeoutMs: 200,
    });
    after(() => client.stop());
    await client.start();
    const r = await client.invoke('cases.list', {});
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.error.code, 'INTERNAL');
      assert.match(r.error.message, /^cases\.list: malformed 'result' message from the core host: response/);
    }
    assert.ok(
      logs.some((l) => l.startsWith("malformed 'result' message from the core host")),
      logs.join('\n'),
    );
  });
});
