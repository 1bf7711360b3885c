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
