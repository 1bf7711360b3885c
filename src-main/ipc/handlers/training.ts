import type { trainingMethods } from '../methods/training.ts';
import type { HandlersFor, Services } from './types.ts';

export function trainingHandlers(_s: Services): HandlersFor<typeof trainingMethods> {
  return {};
}
