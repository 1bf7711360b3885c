import type { importMethods } from '../methods/import.ts';
import type { HandlersFor, Services } from './types.ts';

export function importHandlers(_s: Services): HandlersFor<typeof importMethods> {
  return {};
}
