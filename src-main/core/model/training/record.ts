/** Keeps the training_runs table and the audit log in step with a training run. */
import type { Store } from '../../store/index.ts';
import { failTrainingRunRow, finishTrainingRunRow, startTrainingRunRow, trainingRunResultModel } from '../../store/training-runs.ts';
import { ensureModelRow } from '../registry/model-rows.ts';
import type { TrainEvent, TrainOptions, TrainResult } from './run.ts';

export function recordTrainingRun(store: Store) {
  let runId: string | null = null;
  const now = () => new Date().toISOString();
  return {
    onEvent(e: TrainEvent, options: Omit<TrainOptions, 'signal' | 'onEvent'>) {
      if (e.type !== 'start') return;
      runId = e.runId;
      store.write(() => {
        // A completed run extended with more epochs (--resume RUN --epochs N) runs again; the model it
        // made stays registered, and the audit entry says which one it was.
        const earlier = trainingRunResultModel(store, e.runId);
        if (options.baseModel) ensureModelRow(store, options.dataDir, options.baseModel);
        startTrainingRunRow(store, {
          id: e.runId,
          baseModelId: options.baseModel,
          params: JSON.stringify({ ...options.hyper, workers: e.workers, backend: e.backend }),
          dataSummary: JSON.stringify({ data: options.data, images: e.images, trainWriters: e.trainWriters, validationWriters: e.validationWriters }),
          createdAt: now(),
          startedAt: now(),
        });
        store.audit.append({
          action: e.resumedFrom ? 'training.resume' : 'training.start',
          entity: `training_run:${e.runId}`,
          details: {
            baseModel: options.baseModel,
            data: options.data,
            hyper: options.hyper ?? {},
            ...(earlier?.modelId ? { extendsModel: earlier.modelId } : {}),
          },
        });
      });
    },
    onResult(r: TrainResult) {
      if (!runId) return;
      store.write(() => {
        if (r.modelId) ensureModelRow(store, store.dataDir, r.modelId);
        finishTrainingRunRow(store, {
          id: runId!,
          status: r.status === 'done' ? 'completed' : 'cancelled',
          metrics: JSON.stringify({ history: r.history, ...(r.model?.metrics ?? {}) }),
          resultModelId: r.modelId,
          at: now(),
        });
        store.audit.append({
          action: r.status === 'done' ? 'training.complete' : 'training.cancel',
          entity: `training_run:${runId}`,
          details: { modelId: r.modelId, sha256: r.model?.sha256 ?? null, history: r.history },
        });
      });
    },
    /** A run that failed after it started: its row says so, with the error, instead of staying 'running'. */
    onError(err: unknown) {
      if (!runId) return;
      const message = err instanceof Error ? err.message : String(err);
      store.write(() => {
        failTrainingRunRow(store, runId!, message, now());
        store.audit.append({ action: 'training.fail', entity: `training_run:${runId}`, details: { error: message } });
      });
    },
  };
}
