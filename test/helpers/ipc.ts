/**
 * Contract handlers over a real store in a temporary data directory, through the same
 * dispatcher the transports use (argument validation, errors as values), with fake services.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { createContext } from '../../src-main/core/app-context.ts';
import { StoredObjects } from '../../src-main/core/app/objects.ts';
import { JobManager } from '../../src-main/core/jobs/manager.ts';
import type { Client } from '../../src-main/core/store/index.ts';
import type { JobKinds, MethodName, MethodResult } from '../../src-main/ipc/contract.ts';
import { createHandlers, type Dialogs } from '../../src-main/ipc/handlers.ts';
import { createDispatcher } from '../../src-main/ipc/registry.ts';

export interface HarnessOptions {
  /** Data directory inside the temporary folder (default: the folder itself). */
  dataSubdir?: string;
  client?: Client;
  transport?: 'bridge' | 'electron';
  dialogs?: Dialogs;
}

export function contractHarness(prefix: string, opts: HarnessOptions = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  const dataDir = opts.dataSubdir ? path.join(dir, opts.dataSubdir) : dir;
  const app = createContext(dataDir, { client: opts.client ?? 'cli' });
  const jobs = new JobManager<JobKinds>();
  after(() => {
    app.close();
    rmSync(dir, { recursive: true, force: true });
  });
  // What the front-end would serve at the object URLs images.get and report.get return.
  const objects = new StoredObjects(() => app.store);
  const dispatch = createDispatcher(
    createHandlers({ app, jobs, objects, transport: opts.transport ?? 'bridge', ...(opts.dialogs ? { dialogs: opts.dialogs } : {}) }),
  );

  /** The method's value; fails the test with the error value otherwise. */
  async function ok<M extends MethodName>(name: M, args: unknown, via = dispatch) {
    const r = (await via(name, args)) as MethodResult<M>;
    if (!r.ok) assert.fail(`${name} failed: ${r.error.code} ${r.error.message}`);
    return r.value;
  }

  /** The method must fail with this code and a message matching the pattern. */
  async function fails(name: MethodName, args: unknown, code: string, pattern: RegExp, via = dispatch) {
    const r = await via(name, args);
    assert.equal(r.ok, false, `${name} should fail`);
    if (r.ok) return;
    assert.equal(r.error.code, code, r.error.message);
    assert.match(r.error.message, pattern);
  }

  return { dir, dataDir, app, jobs, objects, dispatch, ok, fails };
}
