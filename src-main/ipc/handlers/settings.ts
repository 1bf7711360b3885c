import type { settingsMethods } from '../methods/settings.ts';
import type { HandlersFor, Services } from './types.ts';

export function settingsHandlers(_s: Services): HandlersFor<typeof settingsMethods> {
  return {};
}
