import { AppError } from '../../core/errors.ts';
import type { HandlersFor, Services } from './types.ts';
import type { dialogsMethods } from '../methods/dialogs.ts';

export function dialogsHandlers(s: Services): HandlersFor<typeof dialogsMethods> {
  return {
    'dialogs.chooseFolder': async ({ title }) => {
      if (!s.dialogs) throw new AppError('UNSUPPORTED', 'folder dialogs exist only in the desktop app; type the folder path instead');
      return { path: await s.dialogs.chooseFolder(title ?? 'Choose a folder') };
    },
  };
}
