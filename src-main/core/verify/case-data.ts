/**
 * What verification reads from a case: questioned signatures with the subject each claims
 * to be from, and each subject's known signatures (the active signature of every ready
 * document: the newest one that is not rejected).
 */
import type { Store } from '../store/index.ts';
import type { QualityInfo } from './compare.ts';

export interface CaseSignature {
  signatureId: number;
  documentId: number;
  documentPath: string;
  documentSha256: string;
  /** The page: its size in pixels (null when unknown), resolution and where that came from, page of a multi-page file. */
  page: { width: number | null; height: number | null; dpi: number | null; dpiSource: 'file' | 'entered' | null; index: number };
  role: 'known' | 'questioned';
  subjectId: number | null;
  subjectName: string | null;
  box: { x: number; y: number; w: number; h: number };
  cropSha256: string | null;
  normalisedSha256: string | null;
  quality: QualityInfo;
  confidence: number | null;
}

interface Row {
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

const SQL = `
SELECT s.id AS signature_id, d.id AS document_id, d.original_path, d.sha256, d.width, d.height, d.dpi, d.dpi_source, d.page_index, d.role,
       COALESCE(d.subject_id, d.claimed_subject_id) AS subject_id, sub.name AS subject_name,
       s.box_x, s.box_y, s.box_w, s.box_h, s.crop_sha256, s.normalised_sha256, s.quality, s.confidence, s.low_confidence
FROM documents d
JOIN signatures s ON s.id = (SELECT MAX(id) FROM signatures WHERE document_id = d.id AND status <> 'rejected')
LEFT JOIN subjects sub ON sub.id = COALESCE(d.subject_id, d.claimed_subject_id)
WHERE d.case_id = ? AND d.status = 'ready'
ORDER BY d.role DESC, d.original_path, d.page_index`;

/** The figures of a signature's stored quality record (imaging/derive.ts StoredQuality) that the warnings use. */
export function qualityInfo(raw: Record<string, unknown>, lowConfidence: boolean): QualityInfo {
  const q: QualityInfo = { lowConfidence };
  const num = (k: string) => (typeof raw[k] === 'number' ? (raw[k] as number) : undefined);
  const fields = { inkRatio: num('inkRatio'), contrast: num('contrast'), inkBoxWidth: num('inkBoxWidth'), inkBoxHeight: num('inkBoxHeight') };
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) q[k as keyof typeof fields] = v;
  return q;
}

export function caseSignatures(store: Store, caseId: number): CaseSignature[] {
  return (store.db.prepare(SQL).all(caseId) as Row[]).map((r) => ({
    signatureId: r.signature_id,
    documentId: r.document_id,
    documentPath: r.original_path,
    documentSha256: r.sha256,
    page: { width: r.width, height: r.height, dpi: r.dpi, dpiSource: r.dpi_source, index: r.page_index },
    role: r.role,
    subjectId: r.subject_id,
    subjectName: r.subject_name,
    box: { x: r.box_x, y: r.box_y, w: r.box_w, h: r.box_h },
    cropSha256: r.crop_sha256,
    normalisedSha256: r.normalised_sha256,
    quality: qualityInfo(JSON.parse(r.quality) as Record<string, unknown>, r.low_confidence === 1),
    confidence: r.confidence,
  }));
}
