import { z } from 'zod';
import type { ModelFigure } from '../../core/model/figures.ts';
import type { ModelMetrics } from '../../core/model/registry/registry-metadata.ts';
import { method, type MethodDef } from './define.ts';

export interface ModelSummary {
  id: string;
  name: string;
  version: number;
  description: string | null;
  architecture: string;
  /** 'base': shipped with the app (read-only); 'user': trained or imported here. */
  source: 'base' | 'user';
  /** The model this one was trained from (lineage); null for a model trained from scratch. */
  parentId: string | null;
  createdAt: string;
  appVersion: string;
  /** Validation metrics recorded at training time: eer, auc, cllr, cllrMin, eerThreshold ... */
  metrics: ModelMetrics;
  /** Whether a distance-to-LR calibration is stored (without one no likelihood ratio is given). */
  calibrated: boolean;
  /** The model new cases use. */
  active: boolean;
  sha256: string;
  weightsBytes: number;
  inputShape: [number, number, number];
  embeddingSize: number | null;
  trainingData: Record<string, unknown> | null;
  hyperparameters: Record<string, unknown>;
  /** What the validation figures rest on (null: not recorded). */
  validation: {
    writers: number | null;
    /** Same-writer and different-writer (or forged) validation comparisons. */
    same: number | null;
    diff: number | null;
    /** False below 10 validation writers: the figures say little and are never presented as better than another model's. */
    enough: boolean | null;
  };
  /** The validation figures in words, each with its sample and 95 % interval (core/model/figures.ts). */
  figures: ModelFigure[];
}

export { MIN_VALIDATION_WRITERS } from '../../core/model/figures.ts';

export interface ModelList {
  /** Base models first, each group oldest first. */
  models: ModelSummary[];
  active: { id: string; chosenBy: 'settings' | 'default' } | null;
  /** Why no active model can be named (e.g. the chosen one was removed), when that is the case. */
  activeProblem: string | null;
  /** Model folders that could not be read, with why. */
  problems: { dir: string; message: string }[];
}

export const modelsMethods = {
  'models.list': method<ModelList>()({
    summary: 'Registered model versions with metrics, lineage, calibration and the active one',
    args: z.object({}).strict(),
    errors: ['IO'],
  }),
  'models.setActive': method<ModelList>()({
    summary: 'Make a model the one new cases use (its weights are verified first); audit-logged',
    args: z.object({ modelId: z.string().min(1).max(200) }).strict(),
    errors: ['NOT_FOUND', 'INVALID_ARGUMENT', 'INTEGRITY', 'IO'],
  }),
} satisfies Record<string, MethodDef>;
