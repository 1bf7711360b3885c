import { doctor } from '../../core/doctor.ts';
import { AppError } from '../../core/errors.ts';
import type { HandlersFor, Services } from './types.ts';
import type { appMethods } from '../methods/app.ts';

export function appHandlers(s: Services): HandlersFor<typeof appMethods> {
  return {
    'app.info': async () => ({ ...(await doctor(s.app.dataDir)), transport: s.transport }),
    'dialogs.chooseFolder': async ({ title }) => {
      if (!s.dialogs) throw new AppError('UNSUPPORTED', 'folder dialogs exist only in the desktop app; type the folder path instead');
      return { path: await s.dialogs.chooseFolder(title ?? 'Choose a folder') };
    },
    'jobs.list': () => s.jobs.list(),
    'jobs.get': ({ jobId }) => s.jobs.get(jobId),
    'jobs.cancel': ({ jobId }) => s.jobs.cancel(jobId),
  };
}
