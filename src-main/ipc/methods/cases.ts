import { z } from 'zod';
import type { CaseAudit, CaseDetail, CaseSummary } from '../../core/app/cases.ts';
import type { CaseRow } from '../../core/store/types.ts';
import { method, type MethodDef } from './define.ts';

// The views are defined where they are assembled (core/app/cases.ts) and named here for the contract.
export type { CaseAudit, CaseDetail, CaseSummary } from '../../core/app/cases.ts';
export type { SubjectSummary } from '../../core/store/types.ts';

const caseId = z.number().int().positive();
/*
 * Types only: ranges and lengths are checked by the store, whose messages name the field
 * ('name: a case named ... already exists') so the UI can show them beside that field.
 */
const threshold = z.number().nullable();

export const casesMethods = {
  'cases.list': method<CaseSummary[]>()({
    summary: 'Cases (open ones unless includeArchived), filtered by a substring of the name or examiner, with counts',
    args: z.object({ search: z.string().max(500).optional(), includeArchived: z.boolean().optional() }).strict(),
    errors: ['IO', 'BUSY'],
  }),
  'cases.create': method<CaseRow>()({
    summary: 'Create a case; minimum references and inconclusive band come from the settings',
    args: z
      .object({
        name: z.string(),
        examiner: z.string().nullable().optional(),
        threshold: threshold.optional(),
        notes: z.string().nullable().optional(),
      })
      .strict(),
    errors: ['INVALID_ARGUMENT', 'CONFLICT', 'BUSY', 'IO'],
  }),
  'cases.get': method<CaseDetail>()({
    summary: 'A case with its subjects and documents (each with its active signature and latest verification)',
    args: z.object({ caseId }).strict(),
    errors: ['NOT_FOUND'],
  }),
  'cases.setThreshold': method<CaseRow>()({
    summary: "Set the case's decision threshold (a score), or null for the model's default, with the examiner's reason; audit-logged",
    args: z.object({ caseId, threshold, reason: z.string().trim().min(1, 'say why the threshold changes').max(2000) }).strict(),
    errors: ['INVALID_ARGUMENT', 'NOT_FOUND', 'CONFLICT', 'BUSY'],
  }),
  'cases.archive': method<CaseRow>()({
    summary: 'Archive a case: it keeps its data and audit trail and accepts no further changes',
    args: z.object({ caseId }).strict(),
    errors: ['NOT_FOUND', 'CONFLICT', 'BUSY'],
  }),
  'cases.audit': method<CaseAudit>()({
    summary: "The case's audit rows and the verification of the whole chain",
    args: z.object({ caseId }).strict(),
    errors: ['NOT_FOUND', 'INTEGRITY'],
  }),
} satisfies Record<string, MethodDef>;
