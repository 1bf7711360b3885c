import { AppError } from '../../core/errors.ts';
import type { IdentifyEvalReport } from '../../core/identify/evaluate.ts';
import { bool, num, str, type Command, type CommandContext, type ParsedArgs } from '../command.ts';
import { evalCommand } from './models.ts';

const IDENTIFY_OPTIONS = {
  identify: { type: 'boolean' },
  shots: { type: 'string' },
  ways: { type: 'string' },
  episodes: { type: 'string' },
  'held-out': { type: 'string' },
  threshold: { type: 'string' },
} as const;

const pct = (x: number | null | undefined) => (typeof x === 'number' && Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : '-');

export function identifyEvalLines(r: IdentifyEvalReport): string[] {
  const e = r.episodes;
  const a = r.allEnrolled;
  const lines = [
    `model ${r.model.id} (${r.model.architecture}, ${r.model.metric}, sha256 ${r.model.sha256.slice(0, 16)}...) on ${r.backend}; seed ${r.protocol.seed}`,
    `data: ${r.writers.usable} writers usable (${r.writers.enrolled} enrolled with ${e.shots} exemplar${e.shots === 1 ? '' : 's'} each, ${r.writers.heldOut} held out), ${r.writers.skipped.length} skipped`,
    `${e.ways}-way ${e.shots}-shot over ${e.episodes} episodes (${e.queries} questioned): accuracy ${pct(e.accuracy)} (chance ${pct(e.chance)}), top-5 ${pct(e.top5Accuracy)} (chance ${pct(e.top5Chance)})`,
    `all ${a.ways} enrolled writers at once (${a.queries} questioned): accuracy ${pct(a.accuracy)} (chance ${pct(a.chance)}), top-5 ${pct(a.top5Accuracy)}`,
  ];
  const o = r.openSet;
  if (o) {
    lines.push(
      `open set at threshold ${o.threshold.toFixed(3)} (${r.thresholdSource === 'given' ? 'given' : "model's EER point"}): held-out writers rejected ${pct(o.rejectionRate)} (${o.rejected}/${o.heldOutQueries}); enrolled writers falsely rejected ${pct(o.falseRejectionRate)} (${o.falseRejections}/${o.enrolledQueries}), identified (rank 1 and within) ${pct(o.identifiedRate)}`,
      `open-set EER ${pct(o.eer)} at threshold ${o.eerThreshold.toFixed(3)} (enrolled writers' best mean distance against held-out writers')`,
    );
  } else lines.push(`open set: not measured (${r.openSetNote})`);
  lines.push(`${r.seconds.toFixed(1)} s`);
  return lines;
}

async function runIdentifyEval(ctx: CommandContext, args: ParsedArgs): Promise<void> {
  const data = str(args, 'data');
  if (!data) throw new AppError('INVALID_ARGUMENT', '--data: required (a folder with manifest.csv, a manifest file, or <root>/<writer>/{genuine,forged}/*)');
  const { getActiveModel } = await import('../../core/model/registry.ts');
  const { evaluateIdentification } = await import('../../core/identify/evaluate.ts');
  const modelId = str(args, 'model') ?? getActiveModel(ctx.dataDir)?.id;
  if (!modelId) throw new AppError('INVALID_ARGUMENT', '--model: no model is registered; give --model');
  const workers = num(args, 'workers', { min: 1, max: 64, integer: true });
  const threshold = num(args, 'threshold', { min: 1e-9, max: 10 });
  const r = await evaluateIdentification({
    dataDir: ctx.dataDir,
    modelId,
    data,
    shots: num(args, 'shots', { min: 1, max: 100, integer: true, default: 1 })!,
    ways: num(args, 'ways', { min: 2, max: 100000, integer: true, default: 10 })!,
    episodes: num(args, 'episodes', { min: 1, max: 1000000, integer: true, default: 200 })!,
    heldOut: num(args, 'held-out', { min: 0, max: 0.9, default: 0.2 })!,
    seed: num(args, 'seed', { integer: true, default: 1 })!,
    ...(threshold !== undefined ? { threshold } : {}),
    ...(workers ? { workers } : {}),
    signal: ctx.signal,
    onProgress: (stage, d, t) => ctx.progress(d, t, stage === 'prepare' ? 'preparing images' : 'embedding'),
  });
  if (ctx.json) return ctx.emit(r);
  for (const l of identifyEvalLines(r)) ctx.out(l);
}

/** `eval` as before; `eval --identify` runs the one-shot writer identification protocol instead. */
export const commands: Command[] = [
  {
    ...evalCommand,
    usage: `${evalCommand.usage ?? ''}\n       countersign eval --identify --data <folder|manifest.csv> [--model M] [--shots N] [--ways C] [--episodes E] [--held-out F] [--threshold T] [--seed S]`,
    description: `${evalCommand.description ?? ''}

With --identify: one-shot (--shots 1, default) or few-shot writer identification (docs/identification.md).
C-way episodes (--ways, default 10; --episodes, default 200) of enrolled writers with N exemplars
each: accuracy (the true writer ranked first) and top-5 accuracy beside chance; the same over all
enrolled writers at once; and the open set: a share of the writers (--held-out, default 0.2) is not
enrolled, and the rejection rate says how often "no enrolled writer is close enough" (best mean
distance above the model's EER threshold, or --threshold) is returned for them, beside the false
rejection rate of enrolled writers. Genuine signatures only; the seed fixes every draw.`,
    options: { ...evalCommand.options, ...IDENTIFY_OPTIONS },
    async run(ctx, args) {
      if (bool(args, 'identify')) return runIdentifyEval(ctx, args);
      const only = Object.keys(IDENTIFY_OPTIONS).filter((k) => k !== 'identify' && args.values[k] !== undefined);
      if (only.length) throw new AppError('INVALID_ARGUMENT', `--${only[0]}: only with --identify`);
      return evalCommand.run(ctx, args);
    },
  },
];
