import { z } from 'zod';
import type { JobInfo } from '../../core/jobs/manager.ts';
import type { Box, CaseStatus } from '../../core/store/types.ts';
import type { StoredComparison } from '../../core/verify/comparisons.ts';
import type { SeriesResult } from '../../core/verify/series.ts';
import type { VerbalEquivalent } from '../../core/verify/verbal.ts';
import { method, type MethodDef } from './define.ts';

/** The figures a case is verified with now (the case's threshold, else the model's EER point). */
export interface VerifySettingsView {
  caseId: number;
  caseName: string;
  /** An archived case accepts no threshold change and no new comparison. */
  caseStatus: CaseStatus;
  threshold: number;
  thresholdSource: 'case' | 'model';
  /** The model's validation EER threshold (what "model default" means), when it has one. */
  modelThreshold: number | null;
  band: number;
  minReferences: number;
  model: { id: string; name: string; sha256: string; architecture: string; calibrated: boolean; eer: number | null };
}

export interface SignatureRef {
  signatureId: number;
  documentId: number;
  /** Original file, relative to the imported folder. */
  path: string;
  cropSha256: string | null;
  normalisedSha256: string | null;
  /** The signature box, pixels of the original page. */
  box: Box;
  /** The original file (the whole document, for context). */
  originalSha256: string;
  /**
   * The page the signature is on: size in pixels (null when unknown), its resolution in dpi
   * (null: unknown) and where that came from ('file', or 'entered' by the examiner on import),
   * and the page of a multi-page file.
   */
  page: { width: number | null; height: number | null; dpi: number | null; dpiSource: 'file' | 'entered' | null; index: number };
}

export interface CompareView {
  settings: VerifySettingsView;
  questioned: SignatureRef;
  subject: { id: number; name: string };
  /** The subject's known signatures, each with its distance to the questioned one. */
  references: (SignatureRef & { distance: number })[];
  /** The recorded comparison (reused when nothing it depends on changed). */
  comparison: StoredComparison;
  /** The ENFSI band of the recorded log10 LR (null when the model is uncalibrated), and a few words for it. */
  support: { short: string; scale: Pick<VerbalEquivalent, 'level' | 'favours' | 'phrase' | 'lrRange'> | null };
}

/** One questioned document in the batch table: its newest comparison, or why there is none. */
export interface ResultRow {
  documentId: number;
  path: string;
  signatureId: number | null;
  cropSha256: string | null;
  subject: { id: number; name: string } | null;
  comparison: StoredComparison | null;
  /** A few words for the recorded LR ('moderate support for genuine'), null without a comparison. */
  support: string | null;
  /** Why the document has no comparison yet (not verified, failed import, no claimed subject...). */
  pending: string | null;
}

export interface VerifyResults {
  settings: VerifySettingsView;
  rows: ResultRow[];
}

const caseId = z.number().int().positive();

export const verifyMethods = {
  'verify.settings': method<VerifySettingsView>()({
    summary: 'The model, threshold (and where it comes from), band and minimum references a case is verified with',
    args: z.object({ caseId }).strict(),
    errors: ['NOT_FOUND', 'INVALID_ARGUMENT', 'INTEGRITY'],
  }),
  'verify.compare': method<CompareView>()({
    summary: "One questioned document against its claimed subject's known signatures; recorded and audit-logged",
    args: z.object({ caseId, documentId: z.number().int().positive() }).strict(),
    errors: ['NOT_FOUND', 'INVALID_ARGUMENT', 'INTEGRITY', 'CONFLICT', 'CANCELLED'],
  }),
  'verify.batch': method<JobInfo>()({
    summary: 'Start batch verification of every (or the given) questioned document of a case; progress as job events',
    args: z.object({ caseId, documentIds: z.array(z.number().int().positive()).max(100000).optional() }).strict(),
    errors: ['NOT_FOUND', 'INVALID_ARGUMENT', 'CONFLICT'],
  }),
  'verify.series': method<SeriesResult>()({
    summary: "The case's questioned signatures grouped by hand (average linkage on writer-normalised distances, cut at the decision threshold unless given); nothing stored",
    args: z.object({ caseId, cut: z.number().positive().finite().optional() }).strict(),
    errors: ['NOT_FOUND', 'INVALID_ARGUMENT', 'INTEGRITY', 'CANCELLED'],
  }),
  'verify.results': method<VerifyResults>()({
    summary: 'Every questioned document of a case with its newest comparison (or why it has none)',
    args: z.object({ caseId }).strict(),
    errors: ['NOT_FOUND', 'INVALID_ARGUMENT'],
  }),
} satisfies Record<string, MethodDef>;
