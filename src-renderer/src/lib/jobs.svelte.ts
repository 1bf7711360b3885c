/**
 * The jobs of this session (batch verification, training, imports) as the UI sees them,
 * kept current from the core's job events. Views read from here rather than from their own
 * subscriptions, so a job's progress and end are never missed when an event arrives before
 * the call that started the job has returned, or while its view is not open.
 */
import { SvelteMap, SvelteSet } from 'svelte/reactivity';
import type { JobInfo, JobKind, JobProgress } from '../../../src-main/ipc/contract.ts';
import { call, on } from './api.ts';
import { errorText } from './errors.ts';
import { notify } from './notices.svelte.ts';

export type { JobInfo, JobKind, JobProgress };

export const jobs = new SvelteMap<string, JobInfo>();

type ProgressListener = (p: JobProgress) => void;
type FinishedListener = (j: JobInfo) => void;
const progressListeners = new Set<ProgressListener>();
const finishedListeners = new Set<FinishedListener>();

/** Every progress event of every job: narrow on `p.kind` to read its kind's `data`. */
export function onJobProgress(l: ProgressListener): () => void {
  progressListeners.add(l);
  return () => progressListeners.delete(l);
}

/** Every job that ends (done, cancelled or failed). */
export function onJobFinished(l: FinishedListener): () => void {
  finishedListeners.add(l);
  return () => finishedListeners.delete(l);
}

/** Whether a job is of the given kind: narrows it, so its `result` has that kind's type. */
export function isJobOf<K extends JobKind>(j: JobInfo | null | undefined, kind: K): j is JobInfo<K> {
  return j?.kind === kind;
}

/** The job with this id if it is of the given kind, else null. */
export function jobOf<K extends JobKind>(jobId: string | null, kind: K): JobInfo<K> | null {
  const j = jobId ? jobs.get(jobId) : undefined;
  return isJobOf(j, kind) ? j : null;
}

/** The running jobs of one kind, oldest first. */
export function runningJobsOf<K extends JobKind>(kind: K): JobInfo<K>[] {
  return runningJobs().filter((j) => isJobOf(j, kind));
}

export function runningJobs(): JobInfo[] {
  return [...jobs.values()].filter((j) => j.status === 'running').sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

/** Running jobs first (oldest first), then finished ones (newest first). */
export function allJobs(): JobInfo[] {
  const list = [...jobs.values()];
  const done = list.filter((j) => j.status !== 'running').sort((a, b) => (b.finishedAt ?? '').localeCompare(a.finishedAt ?? ''));
  return [...runningJobs(), ...done];
}

/** Jobs asked to stop that have not reported back yet. */
export const cancelling = new SvelteSet<string>();

let refreshing: Promise<void> | null = null;
export function refreshJobs(): Promise<void> {
  refreshing ??= call('jobs.list')
    .then((list) => {
      for (const j of list) {
        const known = jobs.get(j.jobId);
        // A finished job stays finished even if an older list still says running.
        if (!known || known.status === 'running') jobs.set(j.jobId, j);
        // An end the events did not bring (the bridge's socket was reconnecting): tell the views.
        if (known?.status === 'running' && j.status !== 'running') {
          cancelling.delete(j.jobId);
          finishedListeners.forEach((l) => l(j));
        }
      }
    })
    .catch(() => {})
    .finally(() => (refreshing = null));
  return refreshing;
}

/** A job the UI just started: known at once, whatever the events did meanwhile. */
export function trackJob(info: JobInfo): void {
  if (!jobs.has(info.jobId)) jobs.set(info.jobId, info);
}

let started = false;
export function startJobTracking(): void {
  if (started) return;
  started = true;
  on('job.progress', (p) => {
    const j = jobs.get(p.jobId);
    if (j && j.status === 'running') jobs.set(p.jobId, { ...j, done: p.done, total: p.total, ...(p.message !== undefined ? { message: p.message } : {}) });
    else if (!j) void refreshJobs();
    progressListeners.forEach((l) => l(p));
  });
  on('job.finished', (info) => {
    jobs.set(info.jobId, info);
    cancelling.delete(info.jobId);
    finishedListeners.forEach((l) => l(info));
  });
  void refreshJobs();
  // While something runs, check now and then that no event was missed.
  setInterval(() => {
    if (runningJobs().length) void refreshJobs();
  }, 5000);
}

/** Asks a job to stop at its next safe point; the job reports 'cancelled' when it has. */
export async function cancelJob(jobId: string): Promise<string | null> {
  try {
    await call('jobs.cancel', { jobId });
    cancelling.add(jobId);
    return null;
  } catch (err) {
    return errorText(err);
  }
}

/** Cancels a job from a panel's Cancel button: a refusal becomes an error notice. */
export async function cancelJobWithNotice(jobId: string | undefined): Promise<void> {
  if (!jobId) return;
  const err = await cancelJob(jobId);
  if (err) notify(`Could not cancel: ${err}`, 'error');
}

/** A job's progress as a fraction 0..1, or null when it does not know its total yet. */
export function fraction(j: Pick<JobInfo, 'done' | 'total'>): number | null {
  return j.total > 0 ? Math.min(1, j.done / j.total) : null;
}

export const JOB_KIND_LABEL: Record<JobKind, string> = {
  verify: 'Verification',
  training: 'Training',
  import: 'Import',
  'library.enrol': 'Enrolment',
  'library.enrolWriters': 'Enrolment',
};
