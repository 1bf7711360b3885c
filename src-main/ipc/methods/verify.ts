import { z } from 'zod';
import type { CompareView, VerifyResults, VerifySettingsView } from '../../core/app/verify.ts';
import type { JobInfo } from '../contract/jobs.ts';
import type { SeriesResult } from '../../core/verify/series.ts';
import { method, type MethodDef } from './define.ts';

// The views are defined where they are assembled (core/app/verify.ts) and named here for the contract.
export type { CompareView, ResultRow, SignatureRef, VerifyResults, VerifySettingsView } from '../../core/app/verify.ts';

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
  'verify.batch': method<JobInfo<'verify'>>()({
    summary: 'Start batch verification of every (or the given) questioned document of a case; progress as job events',
    args: z.object({ caseId, documentIds: z.array(z.number().int().positive()).max(100000).optional() }).strict(),
    errors: ['NOT_FOUND', 'INVALID_ARGUMENT', 'CONFLICT'],
  }),
  'verify.series': method<SeriesResult>()({
    summary:
      "The case's questioned signatures grouped by hand (average linkage on writer-normalised distances, cut at the decision threshold unless given); nothing stored",
    args: z.object({ caseId, cut: z.number().positive().finite().optional() }).strict(),
    errors: ['NOT_FOUND', 'INVALID_ARGUMENT', 'INTEGRITY', 'CANCELLED'],
  }),
  'verify.results': method<VerifyResults>()({
    summary: 'Every questioned document of a case with its newest comparison (or why it has none)',
    args: z.object({ caseId }).strict(),
    errors: ['NOT_FOUND', 'INVALID_ARGUMENT'],
  }),
} satisfies Record<string, MethodDef>;
