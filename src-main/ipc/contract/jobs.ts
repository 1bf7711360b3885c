/**
 * The kinds of job the app starts, with what each reports: the `data` of its progress events
 * (job.progress) and its result (JobInfo.result once it ends). The handlers' JobManager is typed
 * by this map, so a job that reports something else does not compile; the UI narrows a JobInfo
 * or JobProgress on `kind` and reads typed data. Types only, re-exported by ../contract.ts.
 * A new kind of job is added here first.
 */
import type { JobInfoOf, JobProgressOf } from '../../core/jobs/manager.ts';
import type { ImportProgress, ImportReport } from '../../core/imaging/import-report.ts';
import type { EnrolReport } from '../../core/library/enrol.ts';
import type { EnrolWritersProgress, EnrolWritersReport } from '../../core/library/enrol-writers.ts';
import type { TrainEvent, TrainResult } from '../../core/model/training/run.ts';
import type { VerifyJson } from '../../core/verify/summary.ts';
import type { VerifyProgress } from '../../core/verify/verify-case.ts';

export type { JobStatus } from '../../core/jobs/manager.ts';

/** Progress data of an import: the counts so far (the file itself is the event's `message`). */
export type ImportJobProgress = Pick<ImportProgress, 'imported' | 'skipped' | 'failed'> & {
  /** True when `message` is the file just begun, false when it is the one just finished. */
  started: boolean;
};

/** What a training job resolves to: how the run ended and where it left its model or checkpoint. */
export type TrainingJobResult = Pick<TrainResult, 'status' | 'runId' | 'modelId' | 'resumeHint'>;

export interface JobKinds {
  /** verify.batch: embedding, then comparing each questioned document. */
  verify: { progress: Pick<VerifyProgress, 'stage'>; result: VerifyJson };
  /** training.start: every event of the run (batches, epochs, checkpoints ...). */
  training: { progress: TrainEvent; result: TrainingJobResult };
  /** import.start. */
  import: { progress: ImportJobProgress; result: ImportReport };
  /** library.enrol: one writer's files; progress is the file count and the file's name only. */
  'library.enrol': { progress: undefined; result: EnrolReport };
  /** library.enrolFolder, library.enrolCase: many writers. */
  'library.enrolWriters': { progress: EnrolWritersProgress; result: EnrolWritersReport };
}

export type JobKind = keyof JobKinds;
/** A job of kind K; without K, a union of every kind, discriminated on `kind`. */
export type JobInfo<K extends JobKind = JobKind> = JobInfoOf<JobKinds, K>;
/** A progress event of a job of kind K; without K, a union discriminated on `kind`. */
export type JobProgress<K extends JobKind = JobKind> = JobProgressOf<JobKinds, K>;
/** The progress data of kind K (`undefined` when it has none). */
export type JobProgressData<K extends JobKind> = JobKinds[K]['progress'];
/** The result of kind K. */
export type JobResult<K extends JobKind> = JobKinds[K]['result'];
