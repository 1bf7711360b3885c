/**
 * The rows verification reads from a case (verify/case-data.ts maps them): every ready
 * document's active signature (the newest one that is not rejected) with its page and the
 * subject it is from or claims to be from, known documents first.
 */
import type { Store } from './store.ts';

export interface RawCaseSignature {
  signature_id: number;
  document_id: number;
  original_path: string;
  sha256: string;
  width: number | null;
  height: number | null;
  dpi: number | null;
  dpi_source: 'file' | 'entered' | null;
  page_index: number;
  role: 'known' | 'questioned';
  subject_id: number | null;
  subject_name: string | null;
  box_x: number;
  box_y: number;
  box_w: number;
  box_h: number;
  crop_sha256: string | null;
  normalised_sha256: string | null;
  quality: string;
  confidence: number | null;
  low_confidence: number;
}

const CASE_SIGNATURES = `
SELECT s.id AS signature_id, d.id AS document_id, d.original_path, d.sha256, d.width, d.height, d.dpi, d.dpi_source, d.page_index, d.role,
       COALESCE(d.subject_id, d.claimed_subject_id) AS subject_id, sub.name AS subject_name,
       s.box_x, s.box_y, s.box_w, s.box_h, s.crop_sha256, s.normalised_sha256, s.quality, s.confidence, s.low_confidence
FROM documents d
JOIN signatures s ON s.id = (SELECT MAX(id) FROM signatures WHERE document_id = d.id AND status <> 'rejected')
LEFT JOIN subjects sub ON sub.id = COALESCE(d.subject_id, d.claimed_subject_id)
WHERE d.case_id = ? AND d.status = 'ready'
ORDER BY d.role DESC, d.original_path, d.page_index`;

export function caseSignatureRows(store: Pick<Store, 'db'>, caseId: number): RawCaseSignature[] {
  return store.db.prepare(CASE_SIGNATURES).all(caseId) as RawCaseSignature[];
}
