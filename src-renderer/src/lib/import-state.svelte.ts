/**
 * Imports of case folders as the case page sees them: per case, the import job started from
 * this window (or one found running for the case), the folder last used, and the live counts
 * the job's progress events carry (imported / skipped / failed so far, the file begun or just
 * finished). The job itself, and its ImportReport once it ends, live in lib/jobs.
 */
import { SvelteMap } from 'svelte/reactivity';
import type { ImportReport } from '../../../src-main/ipc/contract.ts';
import { call } from './api.ts';
import { jobOf, onJobProgress, runningJobsOf, trackJob, type JobInfo } from './jobs.svelte.ts';

export type { ImportReport };

export interface ImportCaseState {
  /** The import job of this case shown on its page (null: none yet, or dismissed). */
  jobId: string | null;
  /** The folder last typed or chosen for this case, offered again next time. */
  folder: string;
}

export interface ImportLive {
  /** The file begun (`started`) or just finished. */
  current: string;
  started: boolean;
  imported: number;
  skipped: number;
  failed: number;
}

const states = new Map<number, ImportCaseState>();
/** jobId -> case, for the jobs started here (the jobs panel links them to their case). */
export const importCase = new SvelteMap<string, number>();
export const importLive = new SvelteMap<string, ImportLive>();

type ImportJob = JobInfo<'import'>;

onJobProgress((p) => {
  if (p.kind !== 'import') return;
  const { started, imported, skipped, failed } = p.data;
  importLive.set(p.jobId, { current: p.message ?? '', started, imported, skipped, failed });
});

export function importState(caseId: number): ImportCaseState {
  let s = states.get(caseId);
  if (!s) {
    const fresh = $state<ImportCaseState>({ jobId: null, folder: '' });
    s = fresh;
    states.set(caseId, s);
  }
  return s;
}

/** The job label the core gives an import: `Import <folder> into '<case name>'`. */
export function isImportOf(j: ImportJob, caseName: string): boolean {
  return j.label.endsWith(` into '${caseName}'`);
}

/** The import job to show for a case: its own, else one running for it started elsewhere. */
export function importJobFor(caseId: number, caseName: string): ImportJob | null {
  const mine = jobOf(importState(caseId).jobId, 'import');
  if (mine?.status === 'running') return mine;
  return runningJobsOf('import').find((j) => isImportOf(j, caseName)) ?? mine;
}

/** Starts `import.start`; the job is tracked at once. Rejects with the core's error (bad layout ...). */
export async function startImport(caseId: number, folder: string, dpi?: number): Promise<ImportJob> {
  const info = await call('import.start', { caseId, folder, ...(dpi !== undefined ? { dpi } : {}) });
  trackJob(info);
  importCase.set(info.jobId, caseId);
  const st = importState(caseId);
  st.jobId = info.jobId;
  st.folder = folder;
  return info;
}

/** The report of a finished import job (done or cancelled), if it has one. */
export function reportOf(j: ImportJob | null): ImportReport | null {
  return j && j.status !== 'running' ? (j.result ?? null) : null;
}

/** The folder of an import job, from its label. */
export function folderOf(j: JobInfo): string | null {
  const m = /^Import (.*) into '.*'$/s.exec(j.label);
  return m ? m[1]! : null;
}

/** What the core's layout error says, split from the layout it spells out (the UI shows that itself). */
export function splitLayoutError(message: string): { why: string; layout: boolean } {
  const i = message.indexOf('; expected a case folder laid out as');
  return i < 0 ? { why: message, layout: false } : { why: message.slice(0, i), layout: true };
}
