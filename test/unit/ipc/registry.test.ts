import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AppContext } from '../../../src-main/core/app-context.ts';
import { AppError } from '../../../src-main/core/errors.ts';
import { JobManager } from '../../../src-main/core/jobs/manager.ts';
import type { JobKinds } from '../../../src-main/ipc/contract.ts';
import { createHandlers } from '../../../src-main/ipc/handlers.ts';
import { createDispatcher, type Handlers } from '../../../src-main/ipc/registry.ts';

const fakeApp = { dataDir: '/tmp/countersign-fake', close() {} } as unknown as AppContext;

describe('contract dispatcher', () => {
  const jobs = new JobManager<JobKinds>();
  const dispatch = createDispatcher(createHandlers({ app: fakeApp, jobs, transport: 'bridge' }));

  it('answers app.info with the backend and data directory', async () => {
    const r = await dispatch('app.info', {});
    assert.equal(r.ok, true);
    if (!r.ok) return;
    const info = r.value as { backend: string; dataDir: string; transport: string; backendsTried: { name: string; reason?: string }[] };
    assert.equal(info.dataDir, '/tmp/countersign-fake');
    assert.equal(info.transport, 'bridge');
    assert.ok(['wasm', 'cpu', 'tensorflow', 'tensorflow-gpu'].includes(info.backend));
    assert.ok(info.backendsTried.length >= 1);
  });

  it('returns an error value for an unknown method', async () => {
    const r = await dispatch('no.such.method', {});
    assert.deepEqual(r, { ok: false, error: { code: 'NOT_FOUND', message: "unknown method 'no.such.method'" } });
  });

  it('validates arguments before the handler runs and names the field', async () => {
    let ran = false;
    const handlers = { ...createHandlers({ app: fakeApp, jobs, transport: 'bridge' }), 'jobs.get': () => ((ran = true), jobs.list()[0]!) } as Handlers;
    const d = createDispatcher(handlers);
    const r = await d('jobs.get', { jobId: 42 });
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.error.code, 'INVALID_ARGUMENT');
    assert.match(r.error.message, /jobId/);
    assert.equal(ran, false, 'handler must not run on invalid arguments');
    const extra = await d('app.info', { unexpected: true });
    assert.equal(extra.ok, false);
  });

  it('turns thrown AppErrors into error values and hides nothing', async () => {
    const handlers = {
      ...createHandlers({ app: fakeApp, jobs, transport: 'bridge' }),
      'jobs.list': () => {
        throw new AppError('BUSY', 'the case database is busy');
      },
    } as Handlers;
    const internal: string[] = [];
    const d = createDispatcher(handlers, (m) => internal.push(m));
    assert.deepEqual(await d('jobs.list', {}), { ok: false, error: { code: 'BUSY', message: 'the case database is busy' } });
    const boom = createDispatcher(
      {
        ...handlers,
        'jobs.list': () => {
          throw new TypeError('x is undefined');
        },
      } as Handlers,
      (m) => internal.push(m),
    );
    const r = await boom('jobs.list', {});
    assert.deepEqual(r, { ok: false, error: { code: 'INTERNAL', message: 'x is undefined' } });
    assert.deepEqual(internal, ['jobs.list']);
  });

  it('reports job progress as events and cancels at the next safe point', async () => {
    const events: string[] = [];
    const off = jobs.on('job.progress', (p) => events.push(`${p.done}/${p.total}`));
    // A stand-in training job: it counts 'prepare' events, the shape its kind declares.
    const job = jobs.start('training', 'counting', async (ctl) => {
      const ended = (i: number) => ({
        status: ctl.signal.aborted ? ('cancelled' as const) : ('done' as const),
        runId: `count-${i}`,
        modelId: null,
        resumeHint: null,
      });
      for (let i = 1; i <= 1000; i++) {
        if (ctl.signal.aborted) return ended(i);
        ctl.progress(i, 1000, undefined, { type: 'prepare', done: i, total: 1000 });
        await new Promise((r) => setImmediate(r));
      }
      return ended(1000);
    });
    while (events.length < 3) await new Promise((r) => setImmediate(r));
    const cancelled = await dispatch('jobs.cancel', { jobId: job.jobId });
    assert.equal(cancelled.ok, true);
    const done = await jobs.wait(job);
    off();
    assert.equal(done.status, 'cancelled');
    assert.equal(done.result?.status, 'cancelled');
    assert.ok(Number(done.result.runId.slice('count-'.length)) < 1000, 'stopped before the end');
    assert.equal(events[0], '1/1000');
  });
});
