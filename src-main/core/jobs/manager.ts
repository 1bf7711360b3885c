import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { AppError, toErrorValue, type ErrorValue } from '../errors.ts';

export type JobStatus = 'running' | 'done' | 'cancelled' | 'failed';

/**
 * What one kind of job reports: `progress` is the `data` of its progress events (`undefined`:
 * its events carry none), `result` what its function resolves to (JobInfo.result).
 */
export interface JobKindSpec {
  progress: unknown;
  result: unknown;
}

/** A map from job kind to its JobKindSpec; the app's is ipc/contract/jobs.ts (JobKinds). */
export type JobKindMap<M> = { [K in keyof M]: JobKindSpec };

type KindOf<M> = Extract<keyof M, string>;

/** `data` is required when the kind declares progress data, absent when it declares none. */
type DataField<P> = [P] extends [undefined] ? { data?: undefined } : { data: P };

interface ProgressBase<K extends string> {
  jobId: string;
  kind: K;
  done: number;
  total: number;
  /** What is being worked on now (a file, an epoch ...). */
  message?: string;
}

type AnyProgress<M extends JobKindMap<M>> = {
  [P in KindOf<M>]: ProgressBase<P> & DataField<M[P]['progress']>;
}[KindOf<M>];

/**
 * A progress event of a job of kind K (default: any kind of M, a union discriminated on `kind`).
 * An Extract from the union, so that a generic K still gives a member of it.
 */
export type JobProgressOf<M extends JobKindMap<M>, K extends KindOf<M> = KindOf<M>> = Extract<AnyProgress<M>, { kind: K }>;

/** What every job shows, whatever its kind. */
interface JobFields {
  jobId: string;
  label: string;
  status: JobStatus;
  done: number;
  total: number;
  message?: string;
  startedAt: string;
  finishedAt?: string;
  error?: ErrorValue;
}

type AnyInfo<M extends JobKindMap<M>> = {
  [P in KindOf<M>]: JobFields & {
    kind: P;
    /** What the job's function resolved to (done, or cancelled when it stopped by returning). */
    result?: M[P]['result'];
  };
}[KindOf<M>];

/** A job of kind K as the UI and the CLI see it (default: any kind of M, discriminated on `kind`). */
export type JobInfoOf<M extends JobKindMap<M>, K extends KindOf<M> = KindOf<M>> = Extract<AnyInfo<M>, { kind: K }>;

/** What a job's function gets: the signal to stop at, and `progress` typed by its kind's data. */
export interface JobControl<P> {
  signal: AbortSignal;
  progress: [P] extends [undefined]
    ? (done: number, total: number, message?: string) => void
    : (done: number, total: number, message: string | undefined, data: P) => void;
}

export interface JobEvents<M extends JobKindMap<M>> {
  'job.progress': JobProgressOf<M>;
  'job.finished': JobInfoOf<M>;
}

/** The manager's own record: the public types above are views of it, typed by kind. */
interface JobRecord extends JobFields {
  kind: string;
  result?: unknown;
}

/**
 * Long-running work with an id, progress events and cancellation. The job function
 * receives an AbortSignal and stops at its next safe point; what it finished stays.
 * M maps each kind of job to its progress data and result (the app's map: JobKinds in
 * ipc/contract/jobs.ts), so `start` checks what a job reports against its kind.
 */
export class JobManager<M extends JobKindMap<M>> {
  private readonly jobs = new Map<string, { info: JobRecord; controller: AbortController }>();
  private readonly emitter = new EventEmitter();

  on<E extends keyof JobEvents<M>>(event: E, listener: (payload: JobEvents<M>[E]) => void): () => void {
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }

  start<K extends KindOf<M>>(kind: K, label: string, run: (ctl: JobControl<M[K]['progress']>) => Promise<M[K]['result']>): JobInfoOf<M, K> {
    const jobId = randomUUID();
    const controller = new AbortController();
    const info: JobRecord = { jobId, kind, label, status: 'running', done: 0, total: 0, startedAt: new Date().toISOString() };
    this.jobs.set(jobId, { info, controller });
    const progress = (done: number, total: number, message?: string, data?: unknown): void => {
      Object.assign(info, { done, total, message });
      const p: { jobId: string; kind: string; done: number; total: number; message?: string; data?: unknown } = { jobId, kind, done, total };
      if (message !== undefined) p.message = message;
      if (data !== undefined) p.data = data;
      this.emitter.emit('job.progress', p);
    };
    // One signature for every kind; JobControl's conditional type is what callers see.
    const ctl = { signal: controller.signal, progress } as JobControl<M[K]['progress']>;
    // Start on the next tick so callers can subscribe with the returned id first.
    setImmediate(() => {
      run(ctl).then(
        (result) => this.finish(info, controller.signal.aborted ? 'cancelled' : 'done', result),
        (err: unknown) => {
          const e = toErrorValue(err);
          this.finish(info, e.code === 'CANCELLED' || controller.signal.aborted ? 'cancelled' : 'failed', undefined, e);
        },
      );
    });
    return this.view(info) as JobInfoOf<M, K>;
  }

  /** A copy of a record, as the public type: its kind and result were checked by `start`. */
  private view(info: JobRecord): JobInfoOf<M> {
    return { ...info } as JobInfoOf<M>;
  }

  private finish(info: JobRecord, status: JobStatus, result?: unknown, error?: ErrorValue): void {
    info.status = status;
    info.finishedAt = new Date().toISOString();
    if (result !== undefined) info.result = result;
    if (error) info.error = error;
    this.emitter.emit('job.finished', this.view(info));
  }

  cancel(jobId: string): JobInfoOf<M> {
    const job = this.jobs.get(jobId);
    if (!job) throw new AppError('NOT_FOUND', `jobId: no job ${jobId}`);
    job.controller.abort();
    return this.view(job.info);
  }

  get(jobId: string): JobInfoOf<M> {
    const job = this.jobs.get(jobId);
    if (!job) throw new AppError('NOT_FOUND', `jobId: no job ${jobId}`);
    return this.view(job.info);
  }

  list(): JobInfoOf<M>[] {
    return [...this.jobs.values()].map((j) => this.view(j.info));
  }

  /** Resolves when the job ends (for the CLI and tests). */
  wait(jobId: string): Promise<JobInfoOf<M>>;
  /** The same, typed by the kind of a job this caller started (`wait(job)` with start's JobInfo). */
  wait<J extends JobInfoOf<M>>(job: J): Promise<JobInfoOf<M, J['kind']>>;
  wait(job: string | { jobId: string }): Promise<JobInfoOf<M>> {
    const jobId = typeof job === 'string' ? job : job.jobId;
    const current = this.get(jobId);
    if (current.status !== 'running') return Promise.resolve(current);
    return new Promise((resolve) => {
      const off = this.on('job.finished', (info) => {
        if (info.jobId === jobId) {
          off();
          resolve(info);
        }
      });
    });
  }
}

/** Throws CANCELLED if the signal has been aborted: call at safe points in long loops. */
export function throwIfCancelled(signal: AbortSignal | undefined, where = 'the job'): void {
  if (signal?.aborted) throw new AppError('CANCELLED', `${where} was cancelled`);
}
