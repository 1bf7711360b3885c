/** Runs one training run off the calling thread (the Electron main thread must stay free). */
import { parentPort, workerData } from 'node:worker_threads';
import { toErrorValue } from '../../errors.ts';
import { runTraining, type TrainOptions } from './run.ts';

export type ToTrainingWorker = { type: 'cancel' };
export type FromTrainingWorker =
  | { type: 'event'; event: import('./run.ts').TrainEvent }
  | { type: 'result'; result: import('./run.ts').TrainResult }
  | { type: 'error'; error: { code: string; message: string } };

const port = parentPort!;
const controller = new AbortController();
port.on('message', (m: ToTrainingWorker) => {
  if (m.type === 'cancel') controller.abort();
});

try {
  const result = await runTraining({
    ...(workerData as Omit<TrainOptions, 'signal' | 'onEvent'>),
    signal: controller.signal,
    onEvent: (event) => port.postMessage({ type: 'event', event } satisfies FromTrainingWorker),
  });
  port.postMessage({
    type: 'result',
    result: { ...result, model: result.model ? { ...result.model, validationDistances: null } : null },
  } satisfies FromTrainingWorker);
} catch (err) {
  port.postMessage({ type: 'error', error: toErrorValue(err) } satisfies FromTrainingWorker);
}
port.close();
