/**
 * What verification reads from a case: questioned signatures with the subject each claims
 * to be from, and each subject's known signatures (the active signature of every ready
 * document: the newest one that is not rejected).
 */
import { caseSignatureRows } from '../store/case-signature-rows.ts';
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

/** The figures of a signature's stored quality record (imaging/derive.ts StoredQuality) that the warnings use. */
export function qualityInfo(raw: Record<string, unknown>, lowConfidence: boolean): QualityInfo {
  const q: QualityInfo = { lowConfidence };
  const num = (k: string) => (typeof raw[k] === 'number' ? (raw[k] as number) : undefined);
  const fields = { inkRatio: num('inkRatio'), contrast: num('contrast'), inkBoxWidth: num('inkBoxWidth'), inkBoxHeight: num('inkBoxHeight') };
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) q[k as keyof typeof fields] = v;
  return q;
}

export function caseSignatures(store: Store, caseId: number): CaseSignature[] {
  return caseSignatureRows(store, caseId).map((r) => ({
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
