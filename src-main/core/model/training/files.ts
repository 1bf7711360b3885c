/**
 * The zod schemas of a training run's files, read back on resume and when the best epoch is
 * registered: `<dataDir>/training/<runId>/run.json` and each checkpoint's `state.json`
 * (checkpoint.ts). Runs from earlier versions stay readable: run.json's hyperparameters may lack
 * the ones added since (run.ts fills them in), `augment` may be a boolean, `data` one path, and
 * `normaliseVersion` absent (1). JSON has no NaN: a NaN written into state.json (a diverged
 * loss, say) comes back as null, and is read as NaN again where the value is a measurement.
 */
import { z } from 'zod';

const count = z.number().int().nonnegative();
/** A measurement that may have been NaN when it was written (JSON.stringify writes NaN as null). */
const measured = z
  .number()
  .nullable()
  .transform((v) => v ?? NaN);

export const dataSourceSchema = z.object({ path: z.string().min(1), weight: z.number().nonnegative() });

/** Hyperparameters as recorded; any may be missing in a run from an earlier version. */
const recordedHyperSchema = z.looseObject({
  epochs: z.number().int().optional(),
  batchSize: z.number().int().optional(),
  learningRate: z.number().optional(),
  margin: z.number().optional(),
  optimizer: z.enum(['rmsprop', 'adam']).optional(),
  seed: z.number().optional(),
  splitSeed: z.number().int().nullable().optional(),
  pairsPerEpoch: z.number().int().optional(),
  validationFraction: z.number().optional(),
  references: z.number().int().optional(),
  augment: z.union([z.enum(['none', 'light', 'scan']), z.boolean()]).optional(),
  dropout: z.number().optional(),
  l2: z.number().optional(),
  objective: z.enum(['contrastive', 'triplet', 'writers']).optional(),
  trainFrom: z.string().nullable().optional(),
  patience: z.number().int().nullable().optional(),
  cacheVariants: z.number().int().optional(),
});

/** The options the run was started with (what resuming reads back: data, base model, names). */
export const runOptionsSchema = z.looseObject({
  dataDir: z.string().optional(),
  data: z.union([z.string().min(1), z.array(dataSourceSchema).min(1)]),
  baseModel: z.string().nullable().optional(),
  architecture: z.string().optional(),
  name: z.string(),
  description: z.string().optional(),
  hyper: recordedHyperSchema.optional(),
  workers: z.number().int().positive().optional(),
  modelId: z.string().optional(),
});

export const runFileSchema = z.looseObject({
  runId: z.string().min(1),
  options: runOptionsSchema,
  hyper: recordedHyperSchema,
  split: z.object({ train: z.array(z.string()), validation: z.array(z.string()) }),
  dataSha256: z.string(),
  inputScale: z.number().positive(),
  normaliseVersion: z.union([z.literal(1), z.literal(2)]).optional(),
  createdAt: z.string(),
});

export const epochRecordSchema = z.object({
  epoch: z.number().int(),
  trainLoss: measured,
  valEer: measured,
  valEerRandom: z.number().nullable().optional(),
  valPairEer: z.number().nullable(),
  seconds: measured,
});

const arrayIndexSchema = z.array(z.object({ name: z.string(), shape: z.array(count), offset: count, length: count }));

/** state.json of a checkpoint; other keys (the best checkpoint's validation) are kept. */
export const checkpointFileSchema = z.looseObject({
  runId: z.string().min(1),
  epoch: z.number().int().positive(),
  batchInEpoch: count,
  step: count,
  bestEer: z.number().nullable(),
  bestEpoch: z.number().int().nullable(),
  history: z.array(epochRecordSchema),
  baseline: z.object({ valEer: measured, valEerRandom: z.number().nullable() }).optional(),
  stoppedEarly: z.number().int().optional(),
  paramsIndex: arrayIndexSchema,
  optimizer: z.object({ name: z.enum(['rmsprop', 'adam']), step: count, slotsIndex: arrayIndexSchema }),
});

const scores = z.array(z.number());

/** What the best checkpoint adds: its validation, which registering the model reads. */
export const bestValidationSchema = z.looseObject({
  valSame: scores,
  valDiff: scores,
  valMetrics: z.looseObject({
    eer: measured,
    eerRandom: z.number().nullable(),
    eerThreshold: measured,
    auc: measured,
    pairEer: z.number().nullable(),
    cllrMin: z.number().nullable(),
  }),
  /** Absent in checkpoints from before writer-normalised scores (their scores are mean distances). */
  valScoring: z
    .discriminatedUnion('method', [
      z.object({ method: z.literal('mean-distance') }),
      z.object({ method: z.literal('kk-ratio'), prior: z.number().positive(), priorWeight: z.number().nonnegative() }),
    ])
    .optional(),
  valCounts: z.object({ writers: count, genuine: count, forged: count, random: count }).optional(),
  /** Absent in checkpoints from before the intervals. */
  valSets: z
    .object({
      genuine: scores,
      forged: scores,
      random: scores,
      pairSame: scores.optional(),
      pairDiff: scores.optional(),
      writerOf: z.object({
        genuine: z.array(z.string()),
        forged: z.array(z.string()),
        random: z.array(z.string()),
        pairSame: z.array(z.string()),
        pairDiff: z.array(z.string()),
      }),
    })
    .optional(),
});
