/**
 * Enrolling writers into the reference library from the app (library.enrolFolder,
 * library.enrolCase): the enrolment job started from this window (or one found running),
 * the folder last typed, and the live figures its progress events carry. The job itself, and
 * its EnrolWritersReport once it ends, live in lib/jobs.
 */
import { SvelteMap } from 'svelte/reactivity';
import type { EnrolWritersProgress, EnrolWritersReport } from '../../../src-main/ipc/contract.ts';
import { call } from './api.ts';
import { jobOf, onJobProgress, runningJobsOf, trackJob, type JobInfo } from './jobs.svelte.ts';

export type { EnrolWritersReport };

export const ENROL_KIND = 'library.enrolWriters';

export const enrolState = $state<{ jobId: string | null; folder: string; name: string; caseId: number | null }>({
  jobId: null,
  folder: '',
  name: '',
  caseId: null,
});

export const enrolLive = new SvelteMap<string, EnrolWritersProgress>();

type EnrolJob = JobInfo<typeof ENROL_KIND>;

onJobProgress((p) => {
  if (p.kind === ENROL_KIND) enrolLive.set(p.jobId, p.data);
});

/** The enrolment to show: the one started here, else one running started elsewhere. */
export function enrolJob(): EnrolJob | null {
  const mine = jobOf(enrolState.jobId, ENROL_KIND);
  if (mine?.status === 'running') return mine;
  return runningJobsOf(ENROL_KIND)[0] ?? mine;
}

function started(info: EnrolJob): EnrolJob {
  trackJob(info);
  enrolState.jobId = info.jobId;
  return info;
}

/** Starts enrolling the writers of a folder; rejects with the core's error (missing folder, bad manifest ...). */
export async function startEnrolFolder(folder: string, name: string | null): Promise<EnrolJob> {
  const info = await call('library.enrolFolder', { folder, ...(name ? { name } : {}) });
  enrolState.folder = folder;
  return started(info);
}

/** Starts enrolling a case's subjects; rejects with the core's error (no known signatures ...). */
export async function startEnrolCase(caseId: number): Promise<EnrolJob> {
  const info = await call('library.enrolCase', { caseId });
  enrolState.caseId = caseId;
  return started(info);
}

/** The report of a finished enrolment (done or cancelled), if it has one. */
export function enrolReportOf(j: EnrolJob | null): EnrolWritersReport | null {
  return j && j.status !== 'running' ? (j.result ?? null) : null;
}
