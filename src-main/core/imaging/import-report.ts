/** What an import reports: one entry per file, totals, and what was left out and why. */
import type { DocumentRole } from '../store/types.ts';

export type ImportStatus = 'imported' | 'skipped' | 'failed';

/** [x, y, width, height] in pixels of the original (orientation applied). */
export type BoxArray = [number, number, number, number];

export interface ImportPageEntry {
  /** 0-based page of a multi-page TIFF. */
  page: number;
  documentId: number | null;
  status: ImportStatus;
  reason?: string;
  reasonCode?: string;
  box: BoxArray | null;
  confidence: number | null;
  lowConfidence: boolean;
  isCrop: boolean;
}

export interface ImportFileEntry {
  /** Relative to the imported folder, forward slashes. */
  path: string;
  /** SHA-256 of the file's bytes; null when it could not be read. */
  sha256: string | null;
  /** A file of several pages is 'failed' when any page failed (the others are still imported). */
  status: ImportStatus;
  /** Why it failed or was skipped, naming the file. */
  reason?: string;
  /** A stable word for the reason ('truncated', 'pdf', 'too-large', 'no-ink', 'duplicate' ...). */
  reasonCode?: string;
  role: DocumentRole;
  /** The writer of a known file, the claimed subject of a questioned one; null when the layout does not say. */
  subject: string | null;
  /** The document of the first page. */
  documentId: number | null;
  /** The signature of the first page. */
  box: BoxArray | null;
  confidence: number | null;
  /** Flagged for the examiner to check the box. */
  lowConfidence: boolean;
  /** A known exemplar that already was a signature crop (no localisation). */
  isCrop: boolean;
  /** Why the box is flagged, when it is. */
  flagReason?: string;
  /** Only for files of more than one page: each page's outcome. */
  pages?: ImportPageEntry[];
}

export interface ImportTotals {
  files: number;
  imported: number;
  skipped: number;
  failed: number;
  /** Document rows (pages) written by this run, failed ones included. */
  documents: number;
  /** Signatures flagged for the examiner among those imported. */
  lowConfidence: number;
  /** Files not reached because the import was cancelled. */
  notProcessed: number;
}

export interface ImportReport {
  caseId: number;
  caseName: string;
  folder: string;
  cancelled: boolean;
  files: ImportFileEntry[];
  totals: ImportTotals;
  /** Files left for a later run when cancelled (running the same import again does them). */
  notProcessed: string[];
  subjectsCreated: string[];
  /** Entries outside the layout (hidden files, loose files at the top). */
  ignored: { path: string; reason: string }[];
  warnings: string[];
  startedAt: string;
  finishedAt: string;
  seconds: number;
}

export interface ImportProgress {
  done: number;
  total: number;
  /** The file just finished, or (with `started`) the one just begun. */
  current: string;
  started?: boolean;
  imported: number;
  skipped: number;
  failed: number;
  entry?: ImportFileEntry;
}

/** The file's status from its pages': any failure fails it, else any import imports it. */
export function fileStatus(pages: readonly { status: ImportStatus }[]): ImportStatus {
  if (pages.some((p) => p.status === 'failed')) return 'failed';
  if (pages.some((p) => p.status === 'imported')) return 'imported';
  return 'skipped';
}
