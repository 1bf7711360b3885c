import { z } from 'zod';
import type { JobInfo } from '../contract/jobs.ts';
import type { TrainHyperparameters } from '../../core/model/training/run.ts';
import type { TrainingRunRow } from '../../core/store/types.ts';
import { method, type MethodDef } from './define.ts';

/** What a training form offers: the defaults training.start applies, and the architectures this build knows. */
export interface TrainingOptions {
  defaults: TrainHyperparameters;
  architectures: { name: string; description: string; inputShape: [number, number, number]; embeddingSize: number; parameters: number }[];
}

/**
 * Progress of a training job: `job.progress` events whose `data` is one of the training
 * run's events (core/model/training/run.ts TrainEvent): 'start', 'prepare', 'batch' (loss,
 * pairs/s, ETA), 'epoch' (training loss, validation EER, best), 'checkpoint'.
 * The job's result: { status, runId, modelId, resumeHint }.
 */
export const trainingMethods = {
  'training.start': method<JobInfo<'training'>>()({
    summary: 'Start fine-tuning a model (or training an architecture from scratch) on labelled data; the result is a new, inactive model version',
    args: z
      .object({
        data: z.string().min(1).max(4096),
        baseModel: z.string().min(1).max(200).nullable().optional(),
        architecture: z.string().min(1).max(100).optional(),
        name: z.string().min(1).max(100).optional(),
        epochs: z.number().int().min(1).max(1000).optional(),
        batchSize: z.number().int().min(2).max(1024).optional(),
        learningRate: z.number().positive().max(1).optional(),
        margin: z.number().positive().max(100).optional(),
        optimizer: z.enum(['rmsprop', 'adam']).optional(),
        pairsPerEpoch: z.number().int().min(2).max(10_000_000).optional(),
        seed: z.number().int().optional(),
        dropout: z.number().min(0).max(1.5).optional(),
        l2: z.number().min(0).max(100).optional(),
        resume: z.string().min(1).max(200).optional(),
      })
      .strict(),
    errors: ['INVALID_ARGUMENT', 'NOT_FOUND', 'BUSY'],
  }),
  'training.options': method<TrainingOptions>()({
    summary: 'The hyperparameter defaults of a training run and the architectures that can be trained from scratch',
    args: z.object({}).strict(),
    errors: [],
  }),
  'training.runs': method<TrainingRunRow[]>()({
    summary: 'Training runs recorded in this data directory, newest first',
    args: z.object({}).strict(),
    errors: ['IO'],
  }),
} satisfies Record<string, MethodDef>;
