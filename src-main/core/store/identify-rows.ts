/** What an identification's result names of an exemplar (identify/identify.ts): its document, file and crop. */
import { statement } from './statements.ts';
import type { Store } from './store.ts';

export interface RawExemplarFile {
  id: number;
  document_id: number;
  original_path: string;
  crop_sha256: string | null;
}

/** The signature with its document's id and file name and its crop (undefined when there is no such signature). */
export function exemplarFile(store: Pick<Store, 'db'>, signatureId: number): RawExemplarFile | undefined {
  return statement(
    store.db,
    'SELECT s.id, s.document_id, d.original_path, s.crop_sha256 FROM signatures s JOIN documents d ON d.id = s.document_id WHERE s.id = ?',
  ).get(signatureId) as RawExemplarFile | undefined;
}
