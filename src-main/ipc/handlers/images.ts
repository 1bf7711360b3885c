/** images.*: stored images for display, through core/app/documents.ts's cache. */
import { DisplayImages } from '../../core/app/documents.ts';
import type { imagesMethods } from '../methods/images.ts';
import type { HandlersFor, Services } from './types.ts';

export function imagesHandlers(s: Services): HandlersFor<typeof imagesMethods> {
  const images = new DisplayImages(() => s.app.store);
  return {
    'images.get': (args) => images.get(args),
  };
}
