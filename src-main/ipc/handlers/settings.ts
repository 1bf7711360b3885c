import { AppError } from '../../core/errors.ts';
import { MIN_REFERENCES_MAX, newCaseDefaults, readSettings, updateSettings, validBand, validMinReferences, type Settings } from '../../core/settings.ts';
import { DEFAULT_INCONCLUSIVE_BAND, DEFAULT_MIN_REFERENCES, THRESHOLD_MAX } from '../../core/store/index.ts';
import type { SettingsView, settingsMethods } from '../methods/settings.ts';
import type { HandlersFor, Services } from './types.ts';

/** The settings with defaults filled in; a hand-edited value out of range falls back to the default. */
export function settingsWithDefaults(dataDir: string, raw: Settings): SettingsView {
  return {
    dataDir,
    ...newCaseDefaults(raw),
    activeModel: typeof raw.activeModel === 'string' && raw.activeModel ? raw.activeModel : null,
    defaults: { minReferences: DEFAULT_MIN_REFERENCES, inconclusiveBand: DEFAULT_INCONCLUSIVE_BAND },
  };
}

export function settingsHandlers(s: Services): HandlersFor<typeof settingsMethods> {
  return {
    'settings.get': () => settingsWithDefaults(s.app.dataDir, readSettings(s.app.dataDir)),
    'settings.update': ({ minReferences, inconclusiveBand }) => {
      if (minReferences !== undefined && !validMinReferences(minReferences)) {
        throw new AppError('INVALID_ARGUMENT', `minReferences: expected a whole number from 1 to ${MIN_REFERENCES_MAX}, got ${minReferences}`, {
          field: 'minReferences',
        });
      }
      if (inconclusiveBand !== undefined && !validBand(inconclusiveBand)) {
        throw new AppError('INVALID_ARGUMENT', `inconclusiveBand: expected a distance from 0 to ${THRESHOLD_MAX}, got ${inconclusiveBand}`, {
          field: 'inconclusiveBand',
        });
      }
      const store = s.app.store;
      const before = settingsWithDefaults(s.app.dataDir, readSettings(s.app.dataDir));
      const patch: Partial<Settings> = {};
      if (minReferences !== undefined && minReferences !== before.minReferences) patch.minReferences = minReferences;
      if (inconclusiveBand !== undefined && inconclusiveBand !== before.inconclusiveBand) patch.inconclusiveBand = inconclusiveBand;
      if (!Object.keys(patch).length) return before;
      // The audit row and the file change together: if the file cannot be written, the row rolls back.
      const after = store.write(() => {
        store.audit.append({
          action: 'settings.update',
          details: Object.fromEntries(Object.entries(patch).map(([k, v]) => [k, { old: before[k as keyof SettingsView] ?? null, new: v }])),
        });
        return updateSettings(s.app.dataDir, patch);
      });
      return settingsWithDefaults(s.app.dataDir, after);
    },
  };
}
