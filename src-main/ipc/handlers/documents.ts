/** images.* and documents.get: adapters over core/app/documents.ts. */
import { DisplayImages, documentDetail } from '../../core/app/documents.ts';
import type { documentsMethods } from '../methods/documents.ts';
import type { HandlersFor, Services } from './types.ts';

export function documentsHandlers(s: Services): HandlersFor<typeof documentsMethods> {
  const images = new DisplayImages(() => s.app.store);
  return {
    'images.get': (args) => images.get(args),
    'documents.get': ({ documentId }) => documentDetail(s.app.store, documentId),
  };
}
