/**
 * What a case is verified with: its model (pinned on first use), the threshold (the case's,
 * else the model's: the score where its LR is 1, or its validation EER point when uncalibrated), the inconclusive band, the minimum number of
 * references, the calibration and the distance metric. Every comparison records these.
 */
import { AppError } from '../errors.ts';
import { ensureModelRow } from '../model/registry/model-rows.ts';
import { getActiveModel, getModel, scoringOf, verifyModel, type ModelMetadata } from '../model/registry/registry.ts';
import type { Store } from '../store/index.ts';
import type { CaseRow } from '../store/types.ts';
import type { Calibration } from '../scoring/calibration.ts';
import type { DistanceMetric } from '../scoring/distance.ts';
import type { Scoring } from '../scoring/score.ts';
import { modelThreshold } from '../scoring/threshold.ts';

export interface CaseVerificationSettings {
  case: CaseRow;
  model: ModelMetadata;
  threshold: number;
  /** 'case': set by the examiner; 'model': the model's validation EER threshold. */
  thresholdSource: 'case' | 'model';
  band: number;
  minReferences: number;
  calibration: Calibration | null;
  metric: DistanceMetric;
  scoring: Scoring;
}

/**
 * Resolves the case's settings. With `pin` (a verification that will be recorded), a case
 * without a model is given the active one, audit-logged, and the weights are verified
 * against their SHA-256 first: a result is never computed with a model whose files changed.
 */
export function caseVerificationSettings(store: Store, caseRef: string | number, opts: { pin: boolean }): CaseVerificationSettings {
  let row = store.cases.get(caseRef);
  const modelId = row.modelId ?? getActiveModel(store.dataDir)?.id ?? null;
  if (!modelId) {
    throw new AppError('NOT_FOUND', 'model: no model is installed or selected; import one with `countersign models import` or train one');
  }
  const model = getModel(store.dataDir, modelId);
  if (opts.pin) {
    verifyModel(store.dataDir, modelId);
    store.write(() => ensureModelRow(store, store.dataDir, modelId));
    if (row.modelId !== modelId) row = store.cases.setModel(row.id, modelId);
  }
  const fromModel = modelThreshold(model);
  const threshold = row.threshold ?? fromModel;
  if (threshold === null) {
    throw new AppError(
      'INVALID_ARGUMENT',
      `threshold: case '${row.name}' has no threshold and model ${model.id} has no validation EER threshold; set one with \`countersign case set-threshold\``,
      { field: 'threshold' },
    );
  }
  return {
    case: row,
    model,
    threshold,
    thresholdSource: row.threshold !== null ? 'case' : 'model',
    band: row.inconclusiveBand,
    minReferences: row.minReferences,
    calibration: model.calibration,
    metric: model.distanceMetric ?? 'euclidean',
    scoring: scoringOf(model),
  };
}
