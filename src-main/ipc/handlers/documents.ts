import type { documentsMethods } from '../methods/documents.ts';
import type { HandlersFor, Services } from './types.ts';

export function documentsHandlers(_s: Services): HandlersFor<typeof documentsMethods> {
  return {};
}
