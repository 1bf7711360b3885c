/**
 * Contract handlers over core/. Plain Node: unit-tested with a fake service set,
 * no Electron. Each domain's handlers live in ipc/handlers/<domain>.ts.
 */
import { appHandlers } from './handlers/app.ts';
import { dialogsHandlers } from './handlers/dialogs.ts';
import { jobsHandlers } from './handlers/jobs.ts';
import { imagesHandlers } from './handlers/images.ts';
import { libraryHandlers } from './handlers/library.ts';
import { casesHandlers } from './handlers/cases.ts';
import { documentsHandlers } from './handlers/documents.ts';
import { modelsHandlers } from './handlers/models.ts';
import { settingsHandlers } from './handlers/settings.ts';
import { importHandlers } from './handlers/import.ts';
import { verifyHandlers } from './handlers/verify.ts';
import { reportHandlers } from './handlers/report.ts';
import { trainingHandlers } from './handlers/training.ts';
import { identifyHandlers } from './handlers/identify.ts';
import { benchHandlers } from './handlers/bench.ts';
import type { Services } from './handlers/types.ts';
import type { Handlers } from './registry.ts';

export type { Dialogs, Services } from './handlers/types.ts';

export function createHandlers(s: Services): Handlers {
  return {
    ...appHandlers(s),
    ...dialogsHandlers(s),
    ...jobsHandlers(s),
    ...imagesHandlers(s),
    ...casesHandlers(s),
    ...documentsHandlers(s),
    ...modelsHandlers(s),
    ...settingsHandlers(s),
    ...importHandlers(s),
    ...verifyHandlers(s),
    ...reportHandlers(s),
    ...trainingHandlers(s),
    ...identifyHandlers(s),
    ...libraryHandlers(s),
    ...benchHandlers(s),
  };
}
