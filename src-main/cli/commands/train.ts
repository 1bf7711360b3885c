import { getActiveModel } from '../../core/model/registry.ts';
import { trainInWorker } from '../../core/model/training/job.ts';
import type { TrainEvent } from '../../core/model/training/run.ts';
import { recordTrainingRun } from '../../core/model/training/record.ts';
import { visible } from '../../core/util/visible.ts';
import { bool, num, str, type Command } from '../command.ts';

function describe(e: TrainEvent): string | null {
  switch (e.type) {
    case 'start':
      return `run ${e.runId}: ${e.images} images, ${e.trainWriters} training / ${e.validationWriters} validation writers, ${e.backend} x ${e.workers}${e.resumedFrom ? `, resumed at epoch ${e.resumedFrom.epoch} batch ${e.resumedFrom.batch}` : ''}`;
    case 'baseline':
      return `before training: validation EER ${(e.valEer * 100).toFixed(1)}% skilled${e.valEerRandom === null ? '' : ` / ${(e.valEerRandom * 100).toFixed(1)}% random`}`;
    case 'epoch':
      return `epoch ${e.epoch}/${e.epochs}: training loss ${e.trainLoss.toFixed(4)}, validation EER ${(e.valEer * 100).toFixed(1)}% skilled${e.valEerRandom === null ? '' : ` / ${(e.valEerRandom * 100).toFixed(1)}% random`}${e.best ? ' (best)' : ''}, ${e.seconds.toFixed(0)} s, ETA ${Math.round(e.etaSeconds / 60)} min`;
    default:
      return null;
  }
}

export const commands: Command[] = [
  {
    name: 'train',
    summary: 'Fine-tune a model (or train one from scratch) on labelled signatures; the result is a new model version',
    usage: '--data <folder|manifest.csv> [--base M | --arch A] [--epochs N] [--batch B] [--lr X] [--margin X] [--optimizer rmsprop|adam] [--pairs P] [--seed S] [--dropout D] [--l2 S] [--name NAME] [--resume RUN]',
    description: `Contrastive training (SigNet): genuine-genuine pairs similar; genuine-forgery and
genuine-other-writer pairs dissimilar; a writer-disjoint validation split.
Starts from --base (default: the active model), or from scratch with --arch (signet, signet-tiny).
--dropout scales the architecture's dropout rates in training (1 = the authors', default 0)
and --l2 its L2 penalty on the dense kernels (1 = the authors' 5e-4); docs/model.md says why.
Progress per batch; Ctrl-C stops at the next batch, keeps the 'last' checkpoint and prints
how to resume. The new model is never made active automatically (countersign models use).
With --json: one JSON line per event, the last line holds the new model's id.`,
    options: {
      data: { type: 'string' },
      base: { type: 'string' },
      arch: { type: 'string' },
      epochs: { type: 'string' },
      batch: { type: 'string' },
      lr: { type: 'string' },
      margin: { type: 'string' },
      optimizer: { type: 'string' },
      pairs: { type: 'string' },
      seed: { type: 'string' },
      dropout: { type: 'string' },
      l2: { type: 'string' },
      name: { type: 'string' },
      'model-id': { type: 'string' },
      workers: { type: 'string' },
      resume: { type: 'string' },
      'no-augment': { type: 'boolean' },
    },
    async run(ctx, args) {
      const resume = str(args, 'resume');
      const data = str(args, 'data');
      if (!data) throw new Error('--data: required (a folder with manifest.csv, a manifest file, or <root>/<writer>/{genuine,forged}/*)');
      const arch = str(args, 'arch');
      const base = arch ? null : (str(args, 'base') ?? getActiveModel(ctx.dataDir)?.id ?? null);
      if (!arch && !base && !resume) throw new Error('--base: no model is registered yet; give --base or --arch to train from scratch');
      const optimizer = str(args, 'optimizer');
      if (optimizer && optimizer !== 'rmsprop' && optimizer !== 'adam') throw new Error(`--optimizer: expected rmsprop or adam, got '${optimizer}'`);
      const epochs = num(args, 'epochs', { min: 1, max: 1000, integer: true });
      const workers = num(args, 'workers', { min: 1, max: 64, integer: true });
      const options = {
        dataDir: ctx.dataDir,
        data,
        baseModel: base,
        ...(arch ? { architecture: arch } : {}),
        name: str(args, 'name') ?? (base ? `${base.replace(/-v\d+$/, '')}-ft` : `${arch}-trained`),
        ...(str(args, 'model-id') ? { modelId: str(args, 'model-id') } : {}),
        hyper: {
          epochs,
          batchSize: num(args, 'batch', { min: 2, max: 1024, integer: true }),
          learningRate: num(args, 'lr', { min: 1e-8, max: 1 }),
          margin: num(args, 'margin', { min: 1e-6, max: 100 }),
          optimizer: optimizer as 'rmsprop' | 'adam' | undefined,
          pairsPerEpoch: num(args, 'pairs', { min: 2, max: 10_000_000, integer: true }),
          seed: num(args, 'seed', { integer: true }),
          dropout: num(args, 'dropout', { min: 0, max: 1.5 }),
          l2: num(args, 'l2', { min: 0, max: 100 }),
          augment: bool(args, 'no-augment') ? false : undefined,
        },
        ...(workers ? { workers } : {}),
        ...(resume ? { resume, ...(epochs ? { resumeEpochs: epochs } : {}) } : {}),
      };
      const record = recordTrainingRun(ctx.app().store);
      let result;
      try {
        result = await trainInWorker(options, ctx.signal, (e) => {
          record.onEvent(e, options);
          if (ctx.json) return ctx.emit(e);
          if (e.type === 'prepare') ctx.progress(e.done, e.total, 'preparing images');
          else if (e.type === 'batch') ctx.progress(e.batch, e.batches, `epoch ${e.epoch}/${e.epochs} loss ${e.loss.toFixed(4)} ${e.pairsPerSec.toFixed(1)} pairs/s`);
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
        process.stderr.write(`training stopped; checkpoint 'last' saved in ${visible(result.checkpointDir)}\nresume with: ${visible(String(result.resumeHint))}\n`);
        return 130;
      }
      ctx.out(`new model ${result.modelId} (validation EER ${((result.model?.metrics.eer ?? NaN) * 100).toFixed(1)}%); it is not active: countersign models use ${result.modelId}`);
    },
  },
];
