import { z } from 'zod';
import type { JobInfo } from '../contract/jobs.ts';
import { method, type MethodDef } from './define.ts';
import { DPI_MAX, DPI_MIN } from '../../core/imaging/dpi.ts';

export type { ImportReport, ImportFileEntry, ImportTotals, ImportProgress } from '../../core/imaging/import-report.ts';

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
} satisfies Record<string, MethodDef>;
