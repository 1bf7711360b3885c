import { AppError } from '../../core/errors.ts';
import { architectureNames, getSpec, paramInfos } from '../../core/model/architectures.ts';
import { getActiveModel } from '../../core/model/registry/registry.ts';
import { trainInWorker } from '../../core/model/training/job.ts';
import { recordTrainingRun } from '../../core/model/training/record.ts';
import { checkTrainingOptions, DEFAULT_HYPERPARAMETERS, type TrainOptions } from '../../core/model/training/run.ts';
import { TrainingRunRepository } from '../../core/store/index.ts';
import type { trainingMethods } from '../methods/training.ts';
import type { HandlersFor, Services } from './types.ts';

/**
 * A refusal of checkTrainingOptions with the argument's name in front of the message instead of
 * the CLI's wording: '--data: /x: no such file or folder' becomes 'data: /x: no such file or
 * folder', 'batch size: expected ...' becomes 'batchSize: expected ...'.
 */
function byArgument(err: unknown): unknown {
  if (!(err instanceof AppError) || typeof err.details?.option !== 'string') return err;
  const option = err.details.option;
  const field = typeof err.details.field === 'string' ? err.details.field : null;
  let text = err.message.replace(/^--data(?::| [^:]*:) /, '');
  if (field && text.startsWith(`${field}: `)) text = text.slice(field.length + 2);
  return new AppError(err.code, `${option}: ${text}`, err.details);
}

export function trainingHandlers(s: Services): HandlersFor<typeof trainingMethods> {
  return {
    'training.start': (a) => {
      // Two runs at once would each get half the cores and both crawl; one at a time.
      if (s.jobs.list().some((j) => j.kind === 'training' && j.status === 'running')) {
        throw new AppError('BUSY', 'a training run is already in progress; cancel it or wait for it to finish');
      }
      const base = a.architecture ? null : (a.baseModel ?? getActiveModel(s.app.dataDir)?.id ?? null);
      if (!a.architecture && !base && !a.resume)
        throw new AppError('INVALID_ARGUMENT', 'baseModel: no model is registered; choose an architecture to train from scratch');
      const options: Omit<TrainOptions, 'signal' | 'onEvent'> = {
        dataDir: s.app.dataDir,
        data: a.data,
        baseModel: base,
        ...(a.architecture ? { architecture: a.architecture } : {}),
        name: a.name ?? (base ? `${base.replace(/-v\d+$/, '')}-ft` : `${a.architecture}-trained`),
        hyper: {
          ...(a.epochs !== undefined ? { epochs: a.epochs } : {}),
          ...(a.batchSize !== undefined ? { batchSize: a.batchSize } : {}),
          ...(a.learningRate !== undefined ? { learningRate: a.learningRate } : {}),
          ...(a.margin !== undefined ? { margin: a.margin } : {}),
          ...(a.optimizer ? { optimizer: a.optimizer } : {}),
          ...(a.pairsPerEpoch !== undefined ? { pairsPerEpoch: a.pairsPerEpoch } : {}),
          ...(a.seed !== undefined ? { seed: a.seed } : {}),
          ...(a.dropout !== undefined ? { dropout: a.dropout } : {}),
          ...(a.l2 !== undefined ? { l2: a.l2 } : {}),
        },
        ...(a.resume ? { resume: a.resume, ...(a.epochs !== undefined ? { resumeEpochs: a.epochs } : {}) } : {}),
      };
      // What the run would refuse is refused now, named by the argument at fault ('data: ...',
      // 'batchSize: ...'), so a form can show it beside its field rather than as a failed job.
      if (!a.resume) {
        try {
          checkTrainingOptions(options);
        } catch (err) {
          throw byArgument(err);
        }
      }
      const label = a.resume ? `Resume training run ${a.resume}` : `Train ${options.name} on ${a.data}`;
      return s.jobs.start('training', label, async (ctl) => {
        const record = recordTrainingRun(s.app.store);
        // done/total count batches over the whole run; other events keep the last figures.
        let done = 0;
        let total = 0;
        let message = 'starting';
        let result;
        try {
          result = await trainInWorker(options, ctl.signal, (e) => {
            record.onEvent(e, options);
            if (e.type === 'batch') {
              done = (e.epoch - 1) * e.batches + e.batch;
              total = e.epochs * e.batches;
              message = `epoch ${e.epoch}/${e.epochs}`;
            } else if (e.type === 'prepare') message = `preparing images ${e.done}/${e.total}`;
            else if (e.type === 'cache') message = `frozen layers ${e.done}/${e.total}`;
            ctl.progress(done, total, message, e);
          });
        } catch (err) {
          record.onError(err);
          throw err;
        }
        record.onResult(result);
        return { status: result.status, runId: result.runId, modelId: result.modelId, resumeHint: result.resumeHint };
      });
    },
    'training.options': () => ({
      defaults: { ...DEFAULT_HYPERPARAMETERS },
      architectures: architectureNames().map((name) => {
        const spec = getSpec(name);
        return {
          name,
          description: spec.description,
          inputShape: spec.inputShape,
          embeddingSize: spec.embeddingSize,
          parameters: paramInfos(spec).reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0),
        };
      }),
    }),
    'training.runs': () => new TrainingRunRepository(s.app.store).listNewestFirst(),
  };
}
