import { z } from 'zod';
import { method, type MethodDef } from './define.ts';

/** The examiner's defaults, stored in `<dataDir>/settings.json`; they apply to cases created afterwards. */
export interface SettingsView {
  dataDir: string;
  /** Fewer known signatures than this raises a warning on a comparison (integer, 1..1000). */
  minReferences: number;
  /** Half-width of the inconclusive zone around the threshold, in distance units (0..10). */
  inconclusiveBand: number;
  /** Model chosen for new cases (null: none chosen, the newest base model applies). */
  activeModel: string | null;
  /** The values a fresh installation starts with. */
  defaults: { minReferences: number; inconclusiveBand: number };
}

export const settingsMethods = {
  'settings.get': method<SettingsView>()({
    summary: 'The data directory and the defaults for new cases (minimum references, inconclusive band)',
    args: z.object({}).strict(),
    errors: ['IO'],
  }),
  'settings.update': method<SettingsView>()({
    summary: 'Change the defaults for new cases; ranges checked (minReferences 1..1000, inconclusiveBand 0..10); audit-logged',
    args: z.object({ minReferences: z.number().optional(), inconclusiveBand: z.number().optional() }).strict(),
    errors: ['INVALID_ARGUMENT', 'IO'],
  }),
} satisfies Record<string, MethodDef>;
