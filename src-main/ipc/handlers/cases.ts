import type { casesMethods } from '../methods/cases.ts';
import type { HandlersFor, Services } from './types.ts';

export function casesHandlers(_s: Services): HandlersFor<typeof casesMethods> {
  return {};
}
