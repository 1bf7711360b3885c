/**
 * Contract handlers over core/. Plain Node: unit-tested with a fake service set,
 * no Electron. Each domain's handlers live in ipc/handlers/<domain>.ts.
 */
import { appHandlers } from './handlers/app.ts';
import type { Services } from './handlers/types.ts';
import type { Handlers } from './registry.ts';

export type { Services } from './handlers/types.ts';

export function createHandlers(s: Services): Handlers {
  return {
    ...appHandlers(s),
  };
}
