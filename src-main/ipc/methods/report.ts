import { z } from 'zod';
import type { CaseReportResult } from '../../core/report/case-report.ts';
import { method, type MethodDef } from './define.ts';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'expected a SHA-256 in lower-case hex (64 characters)');

export const reportMethods = {
  'report.create': method<CaseReportResult>()({
    summary: "Render the PDF report of the case's newest verification; kept in the object store and audit-logged",
    args: z.object({ caseId: z.number().int().positive(), laboratory: z.string().max(200).optional() }).strict(),
    errors: ['NOT_FOUND', 'INVALID_ARGUMENT', 'CONFLICT', 'IO'],
  }),
  'report.get': method<{ fileName: string; url: string; bytes: number }>()({
    summary: 'A report PDF created earlier: its size and the URL it loads from (the browser UI downloads it from there)',
    args: z.object({ sha256, fileName: z.string().min(1).max(200) }).strict(),
    errors: ['NOT_FOUND', 'INTEGRITY'],
  }),
  'report.saveAs': method<{ path: string | null }>()({
    summary: 'Desktop app only: save a report PDF created earlier where the user chooses (null when cancelled)',
    args: z.object({ sha256, fileName: z.string().min(1).max(200) }).strict(),
    errors: ['UNSUPPORTED', 'NOT_FOUND', 'INTEGRITY', 'IO'],
  }),
} satisfies Record<string, MethodDef>;
