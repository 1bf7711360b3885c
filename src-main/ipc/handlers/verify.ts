import type { verifyMethods } from '../methods/verify.ts';
import type { HandlersFor, Services } from './types.ts';

export function verifyHandlers(_s: Services): HandlersFor<typeof verifyMethods> {
  return {};
}
