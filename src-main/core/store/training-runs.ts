import { guarded } from './database.ts';
import type { Store } from './store.ts';
import type { TrainingRunRow } from './types.ts';

interface RawRun {
  id: string;
  base_model_id: string | null;
  status: TrainingRunRow['status'];
  params: string;
  data_summary: string;
  metrics: string;
  result_model_id: string | null;
  error: string | null;
  started_at: string | null;
  finished_at: string | null;
}

function toTrainingRunRow(r: RawRun): TrainingRunRow {
  return {
    id: r.id,
    baseModelId: r.base_model_id,
    status: r.status,
    params: JSON.parse(r.params) as Record<string, unknown>,
    dataSummary: JSON.parse(r.data_summary) as Record<string, unknown>,
    metrics: JSON.parse(r.metrics) as Record<string, unknown>,
    resultModelId: r.result_model_id,
    error: r.error,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

/** The training runs recorded in a data directory (model/training/record.ts writes them). */
export class TrainingRunRepository {
  private readonly dbPath: string;
  private readonly newestFirst;

  constructor(store: Pick<Store, 'db' | 'dbPath'>) {
    this.dbPath = store.dbPath;
    this.newestFirst = store.db.prepare('SELECT * FROM training_runs ORDER BY created_at DESC');
  }

  /** Every run, newest first (by when it was created). */
  listNewestFirst(): TrainingRunRow[] {
    return guarded(this.dbPath, () => (this.newestFirst.all() as RawRun[]).map(toTrainingRunRow));
  }
}

// The writes of a run (model/training/record.ts calls them inside `store.write`).

/** The model an earlier run under this id made (a completed run extended with more epochs), if any. */
export function trainingRunResultModel(store: Pick<Store, 'db'>, runId: string): { modelId: string | null } | undefined {
  return store.db.prepare(`SELECT result_model_id AS modelId FROM training_runs WHERE id = ?`).get(runId) as { modelId: string | null } | undefined;
}

/** A run starts (or a run with this id starts again): 'running', its parameters and data, no result yet. */
export function startTrainingRunRow(
  store: Pick<Store, 'db'>,
  r: { id: string; baseModelId: string | null; params: string; dataSummary: string; createdAt: string; startedAt: string },
): void {
  store.db
    .prepare(
      `INSERT INTO training_runs (id, base_model_id, status, params, data_summary, created_at, started_at)
             VALUES (?, ?, 'running', ?, ?, ?, ?)
             ON CONFLICT(id) DO UPDATE SET status = 'running', started_at = excluded.started_at, result_model_id = NULL, finished_at = NULL`,
    )
    .run(r.id, r.baseModelId, r.params, r.dataSummary, r.createdAt, r.startedAt);
}

/** A run ends: completed or cancelled, its metrics (JSON) and the model it made. */
export function finishTrainingRunRow(
  store: Pick<Store, 'db'>,
  r: { id: string; status: 'completed' | 'cancelled'; metrics: string; resultModelId: string | null; at: string },
): void {
  store.db
    .prepare(`UPDATE training_runs SET status = ?, metrics = ?, result_model_id = ?, finished_at = ? WHERE id = ?`)
    .run(r.status, r.metrics, r.resultModelId, r.at, r.id);
}

/** A run failed after it started. */
export function failTrainingRunRow(store: Pick<Store, 'db'>, runId: string, error: string, at: string): void {
  store.db.prepare(`UPDATE training_runs SET status = 'failed', error = ?, finished_at = ? WHERE id = ?`).run(error, at, runId);
}
