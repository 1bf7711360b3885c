import type { z } from 'zod';
import type { AppContext } from '../../core/context.ts';
import type { JobManager } from '../../core/jobs/manager.ts';
import type { AppInfo } from '../methods/app.ts';
import type { MethodDef } from '../methods/define.ts';

/** What every handler can use: the data directory's services, the job manager, the transport. */
export interface Services {
  app: AppContext;
  jobs: JobManager;
  transport: AppInfo['transport'];
}

/** Handler signatures for one domain's method table. */
export type HandlersFor<T extends Record<string, MethodDef>> = {
  [M in keyof T]: (args: z.output<T[M]['args']>) => Promise<NonNullable<T[M]['__result']>> | NonNullable<T[M]['__result']>;
};
