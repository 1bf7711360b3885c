/**
 * Contract handlers over core/. Plain Node: unit-tested with a fake service set,
 * no Electron. Each domain's handlers live beside this file and are merged here.
 */
import type { AppContext } from '../core/context.ts';
import { doctor } from '../core/doctor.ts';
import type { JobManager } from '../core/jobs/manager.ts';
import type { AppInfo } from './contract.ts';
import type { Handlers } from './registry.ts';

export interface Services {
  app: AppContext;
  jobs: JobManager;
  transport: AppInfo['transport'];
}

export function createHandlers(s: Services): Handlers {
  return {
    'app.info': async () => ({ ...(await doctor(s.app.dataDir)), transport: s.transport }),
    'jobs.list': () => s.jobs.list(),
    'jobs.get': ({ jobId }) => s.jobs.get(jobId),
    'jobs.cancel': ({ jobId }) => s.jobs.cancel(jobId),
  };
}
