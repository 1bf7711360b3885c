/**
 * Plain camelCase row types for every table. These are what repositories return and what
 * the IPC contract and the UI see; raw SQL rows (snake_case, 0/1 flags, JSON text) never
 * leave the store. Timestamps are ISO 8601 UTC strings with milliseconds.
 */

/** Which program opened the store; recorded in every audit row's actor. */
export type Client = 'cli' | 'app' | 'bridge';

export type CaseStatus = 'open' | 'archived';

export interface CaseRow {
  id: number;
  name: string;
  examiner: string | null;
  notes: string | null;
  /** Decision threshold on the score; null = the model's default (where its LR is 1). */
  threshold: number | null;
  /** Half-width of the inconclusive zone around the threshold (same units as distances). */
  inconclusiveBand: number;
  /** Fewer known references than this raises a warning on every comparison. */
  minReferences: number;
  /** Model used for this case; null = the currently selected default model. */
  modelId: string | null;
  status: CaseStatus;
  createdAt: string;
  updatedAt: string;
}

export interface NewCase {
  name: string;
  examiner?: string | null;
  threshold?: number | null;
  notes?: string | null;
  inconclusiveBand?: number;
  minReferences?: number;
}

/** How much a case holds: its subjects, and its documents by role and failed imports. */
export interface CaseCounts {
  subjects: number;
  documents: number;
  known: number;
  questioned: number;
  /** Documents whose import failed (with a reason on the document). */
  failed: number;
}

export interface CaseListOptions {
  includeArchived?: boolean;
  /** Case-insensitive substring of the name or the examiner. */
  search?: string;
}

/** A subject belongs to one case, or (caseId null) to the institution-wide reference library. */
export type SubjectScope = 'case' | 'library';

export interface SubjectRow {
  id: number;
  caseId: number | null;
  scope: SubjectScope;
  name: string;
  /** For a case subject copied from the library: the library subject it came from. */
  librarySubjectId: number | null;
  notes: string | null;
  createdAt: string;
}

/** A case subject with how many documents name it. */
export interface SubjectSummary extends SubjectRow {
  /** Known documents of this writer. */
  known: number;
  /** Questioned documents claiming to be from this subject. */
  questioned: number;
}

export type DocumentRole = 'known' | 'questioned';
/** Where a document's resolution came from (schema 7). */
export type DpiSource = 'file' | 'entered';

export type DocumentStatus = 'pending' | 'ready' | 'failed' | 'excluded';

export interface DocumentRow {
  id: number;
  /** null for a document in the reference library (then role is 'known'). */
  caseId: number | null;
  role: DocumentRole;
  /** The writer of a known document. */
  subjectId: number | null;
  /** The subject a questioned document claims to be from. */
  claimedSubjectId: number | null;
  /** Path relative to the imported folder, with forward slashes. */
  originalPath: string;
  /** SHA-256 of the original file = its object in the object store. */
  sha256: string;
  size: number;
  format: string | null;
  width: number | null;
  height: number | null;
  dpi: number | null;
  /** Where dpi came from: the file, or entered by the examiner on import for a file without one; null when unknown. */
  dpiSource: DpiSource | null;
  /** Page of a multi-page TIFF (0 for single images). */
  pageIndex: number;
  status: DocumentStatus;
  failureReason: string | null;
  importedAt: string;
}

/** A questioned document with the name of the subject it claims to be from. */
export interface QuestionedDocumentRow extends DocumentRow {
  claimedSubjectName: string | null;
}

export type SignatureSource = 'auto' | 'manual';
export type SignatureStatus = 'proposed' | 'approved' | 'rejected';

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface SignatureRow {
  id: number;
  documentId: number;
  /** In pixels of the original page. */
  box: Box;
  /** Localisation confidence in 0..1 (null for manual boxes and ready-made crops). */
  confidence: number | null;
  lowConfidence: boolean;
  /** The document already was a signature crop (no localisation). */
  isCrop: boolean;
  source: SignatureSource;
  status: SignatureStatus;
  cropSha256: string | null;
  normalisedSha256: string | null;
  params: Record<string, unknown>;
  quality: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export interface ModelRow {
  id: string;
  name: string;
  version: string;
  architecture: string;
  weightsSha256: string;
  parentId: string | null;
  metadata: Record<string, unknown>;
  createdAt: string;
}

export interface EmbeddingRow {
  signatureId: number;
  modelId: string;
  dim: number;
  vector: Float32Array;
  createdAt: string;
}

export type Decision = 'genuine' | 'not_genuine' | 'inconclusive';

export type TrainingStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface TrainingRunRow {
  id: string;
  baseModelId: string | null;
  status: TrainingStatus;
  params: Record<string, unknown>;
  dataSummary: Record<string, unknown>;
  metrics: Record<string, unknown>;
  resultModelId: string | null;
  error: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface AuditRow {
  seq: number;
  at: string;
  actor: string;
  action: string;
  caseId: number | null;
  entity: string | null;
  details: Record<string, unknown>;
  /** SHA-256 of each row this entry recorded (`<table>:<id>`), over the columns of that schema version. */
  bound?: { schema: number; rows: Record<string, string> };
  prevHash: string;
  hash: string;
}

export interface AuditEntry {
  /** Dotted verb, e.g. 'case.create', 'case.threshold', 'document.import'. */
  action: string;
  caseId?: number | null;
  /** What was acted on, e.g. 'case:3', 'document:17'. */
  entity?: string | null;
  details?: Record<string, unknown>;
}

export interface AuditHead {
  seq: number;
  hash: string;
}

export type AuditVerifyResult =
  | {
      ok: true;
      /** Rows in the whole chain. */
      rows: number;
      /** Rows of the requested case (when verify was given a case). */
      caseRows?: number;
      caseId?: number;
      head: AuditHead | null;
    }
  | {
      ok: false;
      /** The first row that fails (for a deletion: the missing sequence number). */
      brokenAt: number;
      reason: string;
      /** The stored row at brokenAt, when there is one. */
      row?: AuditRow;
      rows: number;
      caseId?: number;
      /** Whether the break lies at or before the requested case's last row. */
      caseAffected?: boolean;
    };
