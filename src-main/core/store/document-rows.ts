/**
 * Raw SQL rows of subjects, documents, signatures and comparisons and their mapping to the
 * camelCase rows of types.ts (0/1 flags to booleans, JSON text parsed, boxes as objects).
 */
import type { DocumentRole, DocumentRow, DocumentStatus, DpiSource, SignatureRow, SignatureSource, SignatureStatus, SubjectRow } from './types.ts';

export interface RawSubject {
  id: number;
  case_id: number | null;
  scope: SubjectRow['scope'];
  name: string;
  library_subject_id: number | null;
  notes: string | null;
  created_at: string;
}

export interface RawDocument {
  id: number;
  case_id: number | null;
  role: DocumentRole;
  subject_id: number | null;
  claimed_subject_id: number | null;
  original_path: string;
  sha256: string;
  size: number;
  format: string | null;
  width: number | null;
  height: number | null;
  dpi: number | null;
  dpi_source: DpiSource | null;
  page_index: number;
  status: DocumentStatus;
  failure_reason: string | null;
  imported_at: string;
}

export interface RawSignature {
  id: number;
  document_id: number;
  box_x: number;
  box_y: number;
  box_w: number;
  box_h: number;
  confidence: number | null;
  low_confidence: number;
  is_crop: number;
  source: SignatureSource;
  status: SignatureStatus;
  crop_sha256: string | null;
  normalised_sha256: string | null;
  params: string;
  quality: string;
  created_at: string;
  updated_at: string;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function parseObject(text: string): Record<string, unknown> {
  const v = parseJson(text);
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

export function toSubjectRow(r: RawSubject): SubjectRow {
  return {
    id: r.id,
    caseId: r.case_id,
    scope: r.scope,
    name: r.name,
    librarySubjectId: r.library_subject_id,
    notes: r.notes,
    createdAt: r.created_at,
  };
}

export function toDocumentRow(r: RawDocument): DocumentRow {
  return {
    id: r.id,
    caseId: r.case_id,
    role: r.role,
    subjectId: r.subject_id,
    claimedSubjectId: r.claimed_subject_id,
    originalPath: r.original_path,
    sha256: r.sha256,
    size: r.size,
    format: r.format,
    width: r.width,
    height: r.height,
    dpi: r.dpi,
    dpiSource: r.dpi_source ?? null,
    pageIndex: r.page_index,
    status: r.status,
    failureReason: r.failure_reason,
    importedAt: r.imported_at,
  };
}

export function toSignatureRow(r: RawSignature): SignatureRow {
  return {
    id: r.id,
    documentId: r.document_id,
    box: { x: r.box_x, y: r.box_y, w: r.box_w, h: r.box_h },
    confidence: r.confidence,
    lowConfidence: r.low_confidence === 1,
    isCrop: r.is_crop === 1,
    source: r.source,
    status: r.status,
    cropSha256: r.crop_sha256,
    normalisedSha256: r.normalised_sha256,
    params: parseObject(r.params),
    quality: parseObject(r.quality),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
