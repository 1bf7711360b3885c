import { AppError } from '../../core/errors.ts';
import { IdentificationRepository } from '../../core/store/identifications.ts';
import { identify } from '../../core/identify/identify.ts';
import { activeSignature, type Store } from '../../core/store/index.ts';
import type { identifyMethods } from '../methods/identify.ts';
import type { HandlersFor, Services } from './types.ts';

/** The signature a document stands for now (the newest not rejected), refusing one without. */
function documentSignature(store: Store, documentId: number) {
  const doc = store.documents.requireDocument(documentId);
  const sig = activeSignature(store.documents.signaturesOf(doc.id).filter((s) => s.status !== 'rejected'));
  if (!sig)
    throw new AppError('INVALID_ARGUMENT', `documentId: document ${doc.id} (${doc.originalPath}) has no signature to identify`, { field: 'documentId' });
  return { doc, sig };
}

export function identifyHandlers(s: Services): HandlersFor<typeof identifyMethods> {
  const store = () => s.app.store;
  return {
    'identify.query': async ({ documentId, signatureId, scope, top }) => {
      const st = store();
      const sig = documentId !== undefined ? documentSignature(st, documentId).sig : st.documents.signature(signatureId!);
      if (!sig) throw new AppError('NOT_FOUND', `signatureId: no signature ${signatureId}`, { field: 'signatureId' });
      const doc = st.documents.requireDocument(sig.documentId);
      if (scope === 'case' && doc.caseId === null)
        throw new AppError('INVALID_ARGUMENT', `scope: document ${doc.id} is in the reference library, not in a case`, { field: 'scope' });
      return identify(st, { signatureId: sig.id }, { top, ...(scope === 'case' ? { caseRef: doc.caseId! } : {}) });
    },
    'identify.history': ({ documentId }) => {
      const st = store();
      const { sig } = documentSignature(st, documentId);
      return new IdentificationRepository(st).ofSignature(sig.id);
    },
  };
}
