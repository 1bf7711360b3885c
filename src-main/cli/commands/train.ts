import { AppError } from '../../core/errors.ts';
import { AUGMENTATIONS, type Augmentation } from '../../core/model/training/augment.ts';
import type { Objective } from '../../core/model/training/engine/step.ts';
import type { TrainEvent } from '../../core/model/training/run.ts';
import { visible } from '../../core/util/visible.ts';
import { bool, num, str, UsageError, type CommandImpl } from '../command.ts';

function describe(e: TrainEvent): string | null {
  switch (e.type) {
    case 'start':
      return `run ${e.runId}: ${e.images} images, ${e.trainWriters} training / ${e.validationWriters} validation writers, ${e.backend} x ${e.workers}${e.cache ? `, upper layers on cached activations (${e.cache.variants} variants per image, ${e.cache.features} features, frozen layers on ${e.cache.engine} in ${e.cache.seconds.toFixed(0)} s)` : ''}${e.resumedFrom ? `, resumed at epoch ${e.resumedFrom.epoch} batch ${e.resumedFrom.batch}` : ''}`;
    case 'baseline':
      return `before training: validation EER ${(e.valEer * 100).toFixed(1)}% skilled${e.valEerRandom === null ? '' : ` / ${(e.valEerRandom * 100).toFixed(1)}% random`}`;
    case 'early-stop':
      return `validation has not improved since epoch ${e.bestEpoch}: stopping after epoch ${e.epoch} (--patience)`;
    case 'not-better':
      return `WARNING: the best epoch validates no better than the starting point (selection score ${(e.best * 100).toFixed(1)}% vs ${(e.start * 100).toFixed(1)}%): the new model is registered but is not an improvement on these validation writers`;
    case 'epoch':
      return `epoch ${e.epoch}/${e.epochs}: training loss ${e.trainLoss.toFixed(4)}, validation EER ${(e.valEer * 100).toFixed(1)}% skilled${e.valEerRandom === null ? '' : ` / ${(e.valEerRandom * 100).toFixed(1)}% random`}${e.best ? ' (best)' : ''}, ${e.seconds.toFixed(0)} s, ETA ${Math.round(e.etaSeconds / 60)} min`;
    default:
      return null;
  }
}

export const commands: CommandImpl[] = [
  {
    name: 'train',
    description: `Trains a signature embedding on labelled data; a writer-disjoint validation split of
the first --data source measures every epoch, and the best epoch becomes the new model.
--data may be given several times, each with a draw weight (path@0.5): writers are drawn from a
source in proportion to its weight, so real and synthetic data can be mixed.
--loss contrastive (SigNet: genuine-genuine pairs similar; genuine-forgery and genuine-other-writer
pairs dissimilar) or triplet (a writer's genuine signatures against semi-hard negatives, its
forgeries included). --objective writers pre-trains by writer classification (a softmax over the
training writers and, as a class of its own, each writer's forgeries); fine-tune the result with
--loss contrastive or triplet.
--train-from LAYER keeps the layers below it as they are (e.g. fc1: only the dense layers train).
  The frozen layers then run once per image and augmentation variant (--cache-variants V,
  default 4, variant 0 not augmented) and the epochs train the upper layers on those cached
  activations; --cache-variants 0 runs the whole network on fresh augmentations every batch.
--patience N stops after N epochs without a better validation.
--seed S seeds the run (pairs, augmentation, initialisation) and the validation split; --split-seed S
  seeds the split alone, so runs with different --seed can hold out the same validation writers.
Starts from --base (default: the active model), or from scratch with --arch (signet, signet-linear,
signet-tiny). --dropout scales the architecture's dropout rates in training (1 = the authors',
default 0) and --l2 its L2 penalty on the dense kernels (1 = the authors' 5e-4); docs/model.md.
Progress per batch; Ctrl-C stops at the next batch, keeps the 'last' checkpoint and prints
how to resume. The new model is never made active automatically (countersign models use).
With --json: one JSON line per event, the last line holds the new model's id.`,
    options: {
      data: { type: 'string', multiple: true },
      loss: { type: 'string' },
      objective: { type: 'string' },
      'train-from': { type: 'string' },
      'cache-variants': { type: 'string' },
      patience: { type: 'string' },
      augment: { type: 'string' },
      base: { type: 'string' },
      arch: { type: 'string' },
      epochs: { type: 'string' },
      batch: { type: 'string' },
      lr: { type: 'string' },
      margin: { type: 'string' },
      optimizer: { type: 'string' },
      pairs: { type: 'string' },
      seed: { type: 'string' },
      'split-seed': { type: 'string' },
      dropout: { type: 'string' },
      l2: { type: 'string' },
      name: { type: 'string' },
      'model-id': { type: 'string' },
      workers: { type: 'string' },
      resume: { type: 'string' },
      'no-augment': { type: 'boolean' },
    },
    async run(ctx, args) {
      const { parseDataSource } = await import('../../core/model/training/sources.ts');
      const { getActiveModel, getModel } = await import('../../core/model/registry/registry.ts');
      const { architectureNames, getSpec, parameterLayers } = await import('../../core/model/architectures.ts');
      const resume = str(args, 'resume');
      const given = args.values.data;
      const data = (Array.isArray(given) ? given : typeof given === 'string' ? [given] : []).map((d) => {
        try {
          return parseDataSource(String(d));
        } catch (err) {
          // A malformed `path@weight` is a mistake in the command line.
          throw err instanceof AppError ? new UsageError(err.message) : err;
        }
      });
      if (!data.length && !resume)
        throw new UsageError('--data: required (a folder with manifest.csv, a manifest file, or <root>/<writer>/{genuine,forged}/*)');
      const arch = str(args, 'arch');
      if (arch !== undefined && !architectureNames().includes(arch)) throw new UsageError(`--arch: expected ${architectureNames().join(', ')}, got '${arch}'`);
      const optimizer = str(args, 'optimizer');
      if (optimizer && optimizer !== 'rmsprop' && optimizer !== 'adam') throw new UsageError(`--optimizer: expected rmsprop or adam, got '${optimizer}'`);
      const loss = str(args, 'loss');
      if (loss && loss !== 'contrastive' && loss !== 'triplet') throw new UsageError(`--loss: expected contrastive or triplet, got '${loss}'`);
      const objectiveFlag = str(args, 'objective');
      if (objectiveFlag && objectiveFlag !== 'verification' && objectiveFlag !== 'writers')
        throw new UsageError(`--objective: expected verification or writers, got '${objectiveFlag}'`);
      if (objectiveFlag === 'writers' && loss)
        throw new UsageError('--loss: writer classification has its own loss (softmax); give --loss when fine-tuning its result');
      const objective: Objective | undefined = objectiveFlag === 'writers' ? 'writers' : (loss as Objective | undefined);
      const augmentFlag = str(args, 'augment');
      if (augmentFlag && !AUGMENTATIONS.includes(augmentFlag as Augmentation))
        throw new UsageError(`--augment: expected ${AUGMENTATIONS.join(', ')}, got '${augmentFlag}'`);
      const name = str(args, 'name');
      if (name === '') throw new UsageError('--name: give a name for the new model, or leave --name out');
      const modelId = str(args, 'model-id');
      if (modelId !== undefined) {
        const { MODEL_ID_PATTERN } = await import('../../core/model/registry/registry-metadata.ts');
        if (!MODEL_ID_PATTERN.test(modelId))
          throw new UsageError(`--model-id: '${modelId}' is not a valid model id (a letter or digit, then letters, digits, '.', '_' or '-'; at most 100)`);
      }
      const trainFrom = str(args, 'train-from');
      const epochs = num(args, 'epochs', { min: 1, max: 1000, integer: true });
      const workers = num(args, 'workers', { min: 1, max: 64, integer: true });
      const hyper = {
        epochs,
        batchSize: num(args, 'batch', { min: 2, max: 1024, integer: true }),
        learningRate: num(args, 'lr', { min: 1e-8, max: 1 }),
        margin: num(args, 'margin', { min: 1e-6, max: 100 }),
        optimizer: optimizer as 'rmsprop' | 'adam' | undefined,
        pairsPerEpoch: num(args, 'pairs', { min: 2, max: 10_000_000, integer: true }),
        seed: num(args, 'seed', { integer: true }),
        splitSeed: num(args, 'split-seed', { integer: true }),
        dropout: num(args, 'dropout', { min: 0, max: 1.5 }),
        l2: num(args, 'l2', { min: 0, max: 100 }),
        augment: bool(args, 'no-augment') ? ('none' as const) : (augmentFlag as Augmentation | undefined),
        objective,
        trainFrom: trainFrom ?? undefined,
        cacheVariants: num(args, 'cache-variants', { min: 0, max: 64, integer: true }),
        patience: num(args, 'patience', { min: 1, max: 1000, integer: true }),
      };
      // The starting point is checked before any image is read: a wrong --base fails at once.
      const base = arch ? null : (str(args, 'base') ?? getActiveModel(ctx.dataDir)?.id ?? null);
      if (!arch && !base && !resume) throw new AppError('INVALID_ARGUMENT', '--base: no model is registered yet; give --base or --arch to train from scratch');
      const baseArchitecture = base && !resume ? getModel(ctx.dataDir, base).architecture : null;
      if (trainFrom && !resume) {
        const layers = parameterLayers(getSpec(baseArchitecture ?? arch ?? 'signet'));
        if (!layers.includes(trainFrom))
          throw new AppError('INVALID_ARGUMENT', `--train-from: '${trainFrom}' is not a layer of this network; its layers are ${layers.join(', ')}`);
      }
      const options = {
        dataDir: ctx.dataDir,
        data: data.length ? data : '',
        baseModel: base,
        ...(arch ? { architecture: arch } : {}),
        name: name ?? (base ? `${base.replace(/-v\d+$/, '')}-ft` : `${arch}-trained`),
        ...(modelId ? { modelId } : {}),
        hyper,
        ...(workers ? { workers } : {}),
        ...(resume ? { resume, ...(epochs ? { resumeEpochs: epochs } : {}) } : {}),
      };
      const { recordTrainingRun } = await import('../../core/model/training/record.ts');
      const { trainInWorker } = await import('../../core/model/training/job.ts');
      const record = recordTrainingRun(ctx.app().store);
      let result;
      try {
        result = await trainInWorker(options, ctx.signal, (e) => {
          record.onEvent(e, options);
          if (ctx.json) return ctx.emit(e);
          if (e.type === 'prepare') ctx.progress(e.done, e.total, 'preparing images');
          else if (e.type === 'cache') ctx.progress(e.done, e.total, 'frozen layers (cached once)');
          else if (e.type === 'batch')
            ctx.progress(e.batch, e.batches, `epoch ${e.epoch}/${e.epochs} loss ${e.loss.toFixed(4)} ${e.imagesPerSec.toFixed(1)} images/s`);
          else {
            const line = describe(e);
            if (line) ctx.out(line);
          }
        });
      } catch (err) {
        record.onError(err);
        throw err;
      }
      record.onResult(result);
      if (ctx.json) ctx.emit({ type: 'result', status: result.status, runId: result.runId, modelId: result.modelId, resume: result.resumeHint });
      if (result.status === 'cancelled') {
        process.stderr.write(
          `training stopped; checkpoint 'last' saved in ${visible(result.checkpointDir)}\nresume with: ${visible(String(result.resumeHint))}\n`,
        );
        return 130;
      }
      ctx.out(
        `new model ${result.modelId} (validation EER ${((result.model?.metrics.eer ?? NaN) * 100).toFixed(1)}%); it is not active: countersign models use ${result.modelId}`,
      );
    },
  },
];
