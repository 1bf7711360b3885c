/**
 * Type-level test of the job kinds in the IPC contract (ipc/contract/jobs.ts): checked by
 * `tsc -p tsconfig.json` (npm run typecheck), never run. Each `@ts-expect-error` line must be
 * an error: if JobInfo.result or JobProgress.data were loosened (unknown, any, a Record), or
 * JobManager stopped checking a job against its kind, the directive itself fails the check.
 */
import type { JobManager } from '../../../src-main/core/jobs/manager.ts';
import type {
  EnrolReport,
  EnrolWritersProgress,
  EnrolWritersReport,
  Events,
  ImportJobProgress,
  ImportReport,
  JobInfo,
  JobKinds,
  JobProgress,
  ResultOf,
  TrainEvent,
  TrainingJobResult,
} from '../../../src-main/ipc/contract.ts';

/** Accepts a value of type T (the call fails to compile when the value is not one). */
function is<T>(_value: T): void {}

declare const jobs: JobManager<JobKinds>;
declare const verifyResult: ResultOf<'verify.batch'>['result'] & object;
declare const importReport: ImportReport;
declare const enrolReport: EnrolReport;

// Progress events: a union on `kind`; `data` is typed once narrowed, and only then.
export function progress(p: JobProgress): void {
  // @ts-expect-error data is a union of every kind's data before narrowing on kind
  is<ImportJobProgress>(p.data);
  switch (p.kind) {
    case 'import':
      is<ImportJobProgress>(p.data);
      is<number>(p.data.imported);
      // @ts-expect-error imported is a number, not a string (fails if data became any)
      is<string>(p.data.imported);
      break;
    case 'training':
      is<TrainEvent>(p.data);
      if (p.data.type === 'batch') is<number>(p.data.loss);
      break;
    case 'verify':
      is<'embed' | 'compare'>(p.data.stage);
      break;
    case 'library.enrolWriters':
      is<EnrolWritersProgress>(p.data);
      break;
    case 'library.enrol':
      // @ts-expect-error library.enrol declares no progress data
      is<object>(p.data);
      break;
    default:
      // Every kind is handled above: a new kind in JobKinds fails here until it is.
      is<never>(p);
  }
}

// JobInfo: a union on `kind`; `result` is the kind's result once narrowed.
export function info(j: JobInfo): void {
  // @ts-expect-error result is a union of every kind's result before narrowing on kind
  is<ImportReport | undefined>(j.result);
  if (j.kind === 'import') {
    is<ImportReport | undefined>(j.result);
    // @ts-expect-error an import's result is not a training run's
    is<TrainingJobResult | undefined>(j.result);
  }
  if (j.kind === 'training' && j.result) {
    is<'done' | 'cancelled'>(j.result.status);
    // @ts-expect-error runId is a string (fails if result became any)
    is<number>(j.result.runId);
  }
  if (j.kind === 'library.enrolWriters') is<EnrolWritersReport | undefined>(j.result);
}

// The methods that start a job say which kind it is.
export function methods(
  imp: ResultOf<'import.start'>,
  train: ResultOf<'training.start'>,
  folder: ResultOf<'library.enrolFolder'>,
  one: ResultOf<'library.enrol'>,
): void {
  is<'import'>(imp.kind);
  is<ImportReport | undefined>(imp.result);
  is<TrainingJobResult | undefined>(train.result);
  is<EnrolWritersReport | undefined>(folder.result);
  is<EnrolReport | undefined>(one.result);
  // @ts-expect-error library.enrolFolder starts a library.enrolWriters job, not a library.enrol one
  is<EnrolReport | undefined>(folder.result);
  // The events the UI receives carry the same unions.
  is<(p: Events['job.progress']) => void>(progress);
  is<(j: Events['job.finished']) => void>(info);
}

// JobManager.start checks a job's progress data and result against its kind.
export function manager(): void {
  const imp = jobs.start('import', 'import', async (ctl) => {
    ctl.progress(1, 2, 'a.png', { imported: 1, skipped: 0, failed: 0, started: false });
    // @ts-expect-error an import's progress data needs its counts
    ctl.progress(1, 2, 'a.png', { imported: 1 });
    // @ts-expect-error an import's progress data is not optional
    ctl.progress(1, 2, 'a.png');
    return importReport;
  });
  is<ImportReport | undefined>(imp.result);
  void jobs.wait(imp).then((done) => is<ImportReport | undefined>(done.result));
  // @ts-expect-error wait(job) keeps the kind: no training result from an import
  void jobs.wait(imp).then((done) => is<TrainingJobResult | undefined>(done.result));

  jobs.start('library.enrol', 'enrol', async (ctl) => {
    ctl.progress(1, 2, 'a.png');
    // @ts-expect-error library.enrol declares no progress data
    ctl.progress(1, 2, 'a.png', { file: 'a.png' });
    return enrolReport;
  });
  jobs.start('verify', 'verify', async (ctl) => {
    ctl.progress(1, 2, undefined, { stage: 'embed' });
    // @ts-expect-error stage is embed or compare
    ctl.progress(1, 2, undefined, { stage: 'train' });
    return verifyResult;
  });
  // @ts-expect-error a job must resolve to its kind's result
  jobs.start('import', 'import', async () => enrolReport);
  // @ts-expect-error only the kinds in JobKinds can be started
  jobs.start('reindex', 'reindex', async () => null);
  jobs.on('job.progress', (p) => {
    // @ts-expect-error the manager's events are unions on kind too
    is<'embed' | 'compare'>(p.data.stage);
    if (p.kind === 'verify') is<'embed' | 'compare'>(p.data.stage);
  });
}
