import { z } from 'zod';
import type { JobInfo } from '../contract/jobs.ts';
import type { DrawReport } from '../../core/library/copy.ts';
import type { EnrolReport } from '../../core/library/enrol.ts';
import type { EnrolWritersProgress, EnrolWritersReport } from '../../core/library/enrol-writers.ts';
import type { LibrarySubject } from '../../core/store/library.ts';
import { method, type MethodDef } from './define.ts';

export type { EnrolReport, DrawReport, LibrarySubject, EnrolWritersReport, EnrolWritersProgress };

export interface LibraryView {
  /** The active model, whose embeddings `embedded` counts (null: none installed). */
  model: string | null;
  subjects: LibrarySubject[];
  /** Whether sqlite-vec loads here; without it the library is searched by exact scan (same results, slower). */
  vectorSearch: { available: boolean; version: string | null; reason: string | null };
}

const id = z.number().int().positive();
const name = z.string().min(1).max(200);

export const libraryMethods = {
  'library.list': method<LibraryView>()({
    summary: 'Writers of the reference library with their exemplars and embeddings for the active model',
    args: z.object({ includeWithdrawn: z.boolean().default(false) }).strict(),
    errors: ['IO'],
  }),
  'library.enrol': method<JobInfo<'library.enrol'>>()({
    summary: "Enrol a writer into the library from image files or folders as a job (the import's crop and normalisation); the job's result is the EnrolReport",
    args: z.object({ name, paths: z.array(z.string().min(1).max(4096)).min(1).max(10000), notes: z.string().max(20000).optional() }).strict(),
    errors: ['NOT_FOUND', 'INVALID_ARGUMENT', 'CONFLICT', 'BUSY', 'IO'],
  }),
  'library.enrolFolder': method<JobInfo<'library.enrolWriters'>>()({
    summary:
      "Enrol every writer of a folder into the library as a job (kind 'library.enrolWriters'): manifest.csv (path,writer,label; genuine rows), <folder>/<writer>/{genuine,forged}/* (genuine only) or <folder>/<writer>/*; with name, the whole folder as one writer. One transaction per writer; progress data is EnrolWritersProgress, the result the EnrolWritersReport (also when cancelled)",
    args: z.object({ folder: z.string().min(1).max(4096), name: name.optional() }).strict(),
    errors: ['NOT_FOUND', 'INVALID_ARGUMENT', 'BUSY', 'IO'],
  }),
  'library.enrolCase': method<JobInfo<'library.enrolWriters'>>()({
    summary:
      "Enrol a case's subjects (their known signatures; all that have one, or those named) into the library as a job (kind 'library.enrolWriters'); each case subject is linked to its library writer. One transaction per writer; the result is the EnrolWritersReport",
    args: z.object({ caseId: id, subjects: z.array(name).min(1).max(10000).optional() }).strict(),
    errors: ['NOT_FOUND', 'INVALID_ARGUMENT', 'BUSY', 'IO'],
  }),
  'library.enrolFromCase': method<EnrolReport>()({
    summary: "Enrol a case's subject into the library (its known signatures copied, the case subject linked); audit-logged",
    args: z.object({ caseId: id, subject: name, name: name.optional() }).strict(),
    errors: ['NOT_FOUND', 'INVALID_ARGUMENT', 'CONFLICT'],
  }),
  'library.draw': method<DrawReport>()({
    summary: 'Make a library writer a known writer of a case (its exemplars copied in as known documents); audit-logged',
    args: z.object({ caseId: id, subjectId: id, name: name.optional() }).strict(),
    errors: ['NOT_FOUND', 'INVALID_ARGUMENT', 'CONFLICT'],
  }),
  'library.remove': method<LibrarySubject>()({
    summary: 'Withdraw a library writer (never deleted; no longer ranked) with the reason; audit-logged',
    args: z.object({ subjectId: id, reason: z.string().min(1).max(2000) }).strict(),
    errors: ['NOT_FOUND', 'INVALID_ARGUMENT', 'CONFLICT'],
  }),
} satisfies Record<string, MethodDef>;
