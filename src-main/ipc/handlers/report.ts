import type { reportMethods } from '../methods/report.ts';
import type { HandlersFor, Services } from './types.ts';

export function reportHandlers(_s: Services): HandlersFor<typeof reportMethods> {
  return {};
}
