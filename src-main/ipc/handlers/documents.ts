/** documents.*: adapters over core/app/documents.ts and the manual crop (core/imaging/crop.ts). */
import { documentDetail } from '../../core/app/documents.ts';
import { approveSignature, cropDocument } from '../../core/imaging/crop.ts';
import type { documentsMethods } from '../methods/documents.ts';
import type { HandlersFor, Services } from './types.ts';

export function documentsHandlers(s: Services): HandlersFor<typeof documentsMethods> {
  return {
    'documents.get': ({ documentId }) => documentDetail(s.app.store, documentId),
    'documents.crop': async ({ documentId, box }) => {
      await cropDocument(s.app.store, documentId, box);
      return documentDetail(s.app.store, documentId);
    },
    'documents.approveBox': ({ documentId }) => {
      approveSignature(s.app.store, documentId);
      return documentDetail(s.app.store, documentId);
    },
  };
}
