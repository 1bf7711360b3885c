import { doctor } from '../../core/doctor.ts';
import type { HandlersFor, Services } from './types.ts';
import type { appMethods } from '../methods/app.ts';

export function appHandlers(s: Services): HandlersFor<typeof appMethods> {
  return {
    'app.info': async () => ({ ...(await doctor(s.app.dataDir)), transport: s.transport }),
  };
}
