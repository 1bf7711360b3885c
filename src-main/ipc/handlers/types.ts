import type { z } from 'zod';
import type { AppContext } from '../../core/app-context.ts';
import type { StoredObjects } from '../../core/app/objects.ts';
import type { JobManager } from '../../core/jobs/manager.ts';
import type { JobKinds } from '../contract/jobs.ts';
import type { AppInfo } from '../methods/app.ts';
import type { MethodDef } from '../methods/define.ts';

/** Native file dialogs: only the desktop app has them (the bridge's browser types a path or downloads). */
export interface Dialogs {
  /** A folder chosen by the user, or null when the dialog was cancelled. */
  chooseFolder(title: string): Promise<string | null>;
  /** Where to save a file, or null when cancelled. */
  chooseSavePath(title: string, defaultName: string): Promise<string | null>;
}

/** What every handler can use: the data directory's services, the job manager, the transport. */
export interface Services {
  app: AppContext;
  jobs: JobManager<JobKinds>;
  transport: AppInfo['transport'];
  dialogs?: Dialogs;
  /**
   * What the front-end serves at its object URLs (ipc/object-requests.ts); images.get renders
   * through the same cache, so the URL it returns is answered without rendering again. Made by
   * the handlers when absent (tests through the dispatcher alone).
   */
  objects?: StoredObjects;
}

/** Handler signatures for one domain's method table. */
export type HandlersFor<T extends Record<string, MethodDef>> = {
  [M in keyof T]: (args: z.output<T[M]['args']>) => Promise<NonNullable<T[M]['__result']>> | NonNullable<T[M]['__result']>;
};
