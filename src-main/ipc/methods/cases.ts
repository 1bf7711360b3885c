import { z } from 'zod';
import type { AuditRow, AuditVerifyResult, CaseRow, SubjectRow } from '../../core/store/types.ts';
import type { DocumentSummary } from './documents.ts';
import { method, type MethodDef } from './define.ts';

/** A case in the list, with how much it holds. */
export interface CaseSummary extends CaseRow {
  subjects: number;
  documents: number;
  known: number;
  questioned: number;
  /** Documents whose import failed (with a reason on the document). */
  failed: number;
}

export interface SubjectSummary extends SubjectRow {
  /** Known documents of this writer. */
  known: number;
  /** Questioned documents claiming to be from this subject. */
  questioned: number;
}

export interface CaseDetail {
  case: CaseSummary;
  subjects: SubjectSummary[];
  /** Known documents first, then questioned; each with its active signature. */
  documents: DocumentSummary[];
}

export interface CaseAudit {
  /** The case's audit rows, oldest first. */
  rows: AuditRow[];
  /** The whole chain verified now (a break before the case's last row affects the case). */
  chain: AuditVerifyResult;
}

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
