import type { modelsMethods } from '../methods/models.ts';
import type { HandlersFor, Services } from './types.ts';

export function modelsHandlers(_s: Services): HandlersFor<typeof modelsMethods> {
  return {};
}
