/**
 * images.*: stored images for display, through core/app/objects.ts's cache. The answer is the
 * image's size and the URL the front-end serves its bytes at (ipc/object-requests.ts), not
 * the bytes.
 */
import { StoredObjects } from '../../core/app/objects.ts';
import type { imagesMethods } from '../methods/images.ts';
import { objectUrl } from '../object-requests.ts';
import type { HandlersFor, Services } from './types.ts';

export function imagesHandlers(s: Services): HandlersFor<typeof imagesMethods> {
  const objects = s.objects ?? new StoredObjects(() => s.app.store);
  return {
    'images.get': async (args) => {
      // Rendered (and cached) here: the size is known, and the URL's request is a cache hit.
      const { bytes: _bytes, ...info } = await objects.images.get(args);
      return { ...info, url: objectUrl(s.transport, args) };
    },
  };
}
