import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { AppError, toErrorValue, type ErrorValue } from '../errors.ts';

export type JobStatus = 'running' | 'done' | 'cancelled' | 'failed';

export interface JobProgress {
  jobId: string;
  kind: string;
  done: number;
  total: number;
  /** What is being worked on now (a file, an epoch ...). */
  message?: string;
  /** Kind-specific figures (loss, pairs/s, ETA ...). */
  data?: Record<string, unknown>;
}

export interface JobInfo {
  jobId: string;
  kind: string;
  label: string;
  status: JobStatus;
  done: number;
  total: number;
  message?: string;
  startedAt: string;
  finishedAt?: string;
  result?: unknown;
  error?: ErrorValue;
}

export interface JobControl {
  signal: AbortSignal;
  progress(done: number, total: number, message?: string, data?: Record<string, unknown>): void;
}

export interface JobEvents {
  'job.progress': JobProgress;
  'job.finished': JobInfo;
}

/**
 * Long-running work with an id, progress events and cancellation. The job function
 * receives an AbortSignal and stops at its next safe point; what it finished stays.
 */
export class JobManager {
  private readonly jobs = new Map<string, { info: JobInfo; controller: AbortController }>();
  private readonly emitter = new EventEmitter();

  on<E extends keyof JobEvents>(event: E, listener: (payload: JobEvents[E]) => void): () => void {
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }

  start<R>(kind: string, label: string, run: (ctl: JobControl) => Promise<R>): JobInfo {
    const jobId = randomUUID();
    const controller = new AbortController();
    const info: JobInfo = { jobId, kind, label, status: 'running', done: 0, total: 0, startedAt: new Date().toISOString() };
    this.jobs.set(jobId, { info, controller });
    const ctl: JobControl = {
      signal: controller.signal,
      progress: (done, total, message, data) => {
        Object.assign(info, { done, total, message });
        const p: JobProgress = { jobId, kind, done, total };
        if (message !== undefined) p.message = message;
        if (data !== undefined) p.data = data;
        this.emitter.emit('job.progress', p);
      },
    };
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
    return { ...info };
  }

  private finish(info: JobInfo, status: JobStatus, result?: unknown, error?: ErrorValue): void {
    info.status = status;
    info.finishedAt = new Date().toISOString();
    if (result !== undefined) info.result = result;
    if (error) info.error = error;
    this.emitter.emit('job.finished', { ...info });
  }

  cancel(jobId: string): JobInfo {
    const job = this.jobs.get(jobId);
    if (!job) throw new AppError('NOT_FOUND', `jobId: no job ${jobId}`);
    job.controller.abort();
    return { ...job.info };
  }

  get(jobId: string): JobInfo {
    const job = this.jobs.get(jobId);
    if (!job) throw new AppError('NOT_FOUND', `jobId: no job ${jobId}`);
    return { ...job.info };
  }

  list(): JobInfo[] {
    return [...this.jobs.values()].map((j) => ({ ...j.info }));
  }

  /** Resolves when the job ends (for the CLI and tests). */
  wait(jobId: string): Promise<JobInfo> {
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
