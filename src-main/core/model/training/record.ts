/** Keeps the training_runs table and the audit log in step with a training run. */
import type { Store } from '../../store/index.ts';
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
        const earlier = store.db.prepare(`SELECT result_model_id AS modelId FROM training_runs WHERE id = ?`).get(e.runId) as
          { modelId: string | null } | undefined;
        if (options.baseModel) ensureModelRow(store, options.dataDir, options.baseModel);
        store.db
          .prepare(
            `INSERT INTO training_runs (id, base_model_id, status, params, data_summary, created_at, started_at)
             VALUES (?, ?, 'running', ?, ?, ?, ?)
             ON CONFLICT(id) DO UPDATE SET status = 'running', started_at = excluded.started_at, result_model_id = NULL, finished_at = NULL`,
          )
          .run(
            e.runId,
            options.baseModel,
            JSON.stringify({ ...options.hyper, workers: e.workers, backend: e.backend }),
            JSON.stringify({ data: options.data, images: e.images, trainWriters: e.trainWriters, validationWriters: e.validationWriters }),
            now(),
            now(),
          );
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
        store.db
          .prepare(`UPDATE training_runs SET status = ?, metrics = ?, result_model_id = ?, finished_at = ? WHERE id = ?`)
          .run(r.status === 'done' ? 'completed' : 'cancelled', JSON.stringify({ history: r.history, ...(r.model?.metrics ?? {}) }), r.modelId, now(), runId);
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
        store.db.prepare(`UPDATE training_runs SET status = 'failed', error = ?, finished_at = ? WHERE id = ?`).run(message, now(), runId);
        store.audit.append({ action: 'training.fail', entity: `training_run:${runId}`, details: { error: message } });
      });
    },
  };
}
