import { z } from 'zod';
import type { JobInfo } from '../contract/jobs.ts';
import type { DocumentDetail } from './documents.ts';
import { method, type MethodDef } from './define.ts';
import { DPI_MAX, DPI_MIN } from '../../core/imaging/dpi.ts';

export type { ImportReport, ImportFileEntry, ImportTotals, ImportProgress } from '../../core/imaging/import-report.ts';

const pixels = z.number().int().min(0).max(1_000_000);

export const importMethods = {
  'import.start': method<JobInfo<'import'>>()({
    summary:
      "Import a case folder (known/<subject>/*, questioned/[<subject>/]*, optional case.json) into a case as a job; progress events carry done/total and the current file, the job's result is the ImportReport (one entry per file)",
    args: z
      .object({
        caseId: z.number().int().positive(),
        folder: z.string().min(1).max(4096),
        /** Resolution for files that carry none, recorded as entered by the examiner. */
        dpi: z.number().min(DPI_MIN).max(DPI_MAX).optional(),
      })
      .strict(),
    errors: ['NOT_FOUND', 'INVALID_ARGUMENT', 'CONFLICT', 'BUSY', 'IO'],
  }),
  'documents.crop': method<DocumentDetail>()({
    summary:
      "Re-derive a document's signature from its original with the examiner's box (pixels of the original): a new 'manual' signature, approved; earlier ones kept as rejected history; audit-logged with old and new box",
    args: z
      .object({
        documentId: z.number().int().positive(),
        box: z.object({ x: pixels, y: pixels, w: pixels.min(1), h: pixels.min(1) }).strict(),
      })
      .strict(),
    errors: ['NOT_FOUND', 'INVALID_ARGUMENT', 'CONFLICT', 'UNSUPPORTED', 'INTEGRITY', 'BUSY'],
  }),
  'documents.approveBox': method<DocumentDetail>()({
    summary: "Approve the document's active signature box as it is ('proposed' -> 'approved'); audit-logged (signature.approve) with the box",
    args: z.object({ documentId: z.number().int().positive() }).strict(),
    errors: ['NOT_FOUND', 'CONFLICT', 'BUSY'],
  }),
} satisfies Record<string, MethodDef>;
