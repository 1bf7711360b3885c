import { AppError, type ErrorCode } from '../../errors.ts';
import { startWorker } from '../../jobs/worker.ts';
import type { TrainEvent, TrainOptions, TrainResult } from './run.ts';
import type { FromTrainingWorker, ToTrainingWorker } from './training-worker.ts';

/**
 * Runs a training run in a worker thread. Aborting `signal` asks the run to stop at the
 * next batch; it then saves `last` and resolves with status 'cancelled'.
 */
export function trainInWorker(
  options: Omit<TrainOptions, 'signal' | 'onEvent'>,
  signal?: AbortSignal,
  onEvent?: (e: TrainEvent) => void,
): Promise<TrainResult> {
  const worker = startWorker(new URL('./training-worker.ts', import.meta.url), { workerData: options });
  const cancel = () => worker.postMessage({ type: 'cancel' } satisfies ToTrainingWorker);
  if (signal?.aborted) cancel();
  signal?.addEventListener('abort', cancel, { once: true });
  return new Promise<TrainResult>((resolve, reject) => {
    let settled = false;
    worker.on('message', (m: FromTrainingWorker) => {
      if (m.type === 'event') {
        // A listener that fails (e.g. the database refuses the run's record) ends the run with its
        // error instead of escaping as an uncaught exception.
        try {
          onEvent?.(m.event);
        } catch (err) {
          settled = true;
          void worker.terminate();
          reject(err);
        }
      } else if (m.type === 'result') {
        settled = true;
        resolve(m.result);
      } else {
        settled = true;
        reject(new AppError(m.error.code as ErrorCode, m.error.message));
      }
    });
    worker.on('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.on('exit', (code) => {
      signal?.removeEventListener('abort', cancel);
      if (!settled) reject(new AppError('INTERNAL', `the training worker stopped unexpectedly (exit code ${code})`));
    });
  });
}
