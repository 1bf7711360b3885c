import { AppError } from '../../core/errors.ts';
import type { IdentifyEvalReport } from '../../core/identify/evaluate.ts';
import { bool, num, str, UsageError, type CommandImpl, type CommandContext, type ParsedArgs } from '../command.ts';

const DATA_REQUIRED = '--data: required (a folder with manifest.csv, a manifest file, or <root>/<writer>/{genuine,forged}/*)';
const NO_MODEL = '--model: no model is registered; give --model';

const VERIFICATION_OPTIONS = {
  data: { type: 'string' },
  model: { type: 'string' },
  baseline: { type: 'string' },
  references: { type: 'string' },
  seed: { type: 'string' },
  workers: { type: 'string' },
} as const;

const IDENTIFY_OPTIONS = {
  identify: { type: 'boolean' },
  shots: { type: 'string' },
  ways: { type: 'string' },
  episodes: { type: 'string' },
  'held-out': { type: 'string' },
  threshold: { type: 'string' },
} as const;

const pct = (x: number | null | undefined) => (typeof x === 'number' ? `${(x * 100).toFixed(1)}%` : '-');
const fix = (x: number | null | undefined) => (typeof x === 'number' ? x.toFixed(3) : '-');
/** As pct, with '-' for a share that could not be measured (NaN). */
const pctOf = (x: number | null | undefined) => (typeof x === 'number' && Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : '-');

/** `eval`: the writer-dependent verification protocol (a model, or the pixel baseline). */
async function runVerificationEval(ctx: CommandContext, args: ParsedArgs): Promise<void> {
  const data = str(args, 'data');
  if (!data) throw new UsageError(DATA_REQUIRED);
  const references = num(args, 'references', { min: 1, max: 100, integer: true, default: 5 })!;
  const seed = num(args, 'seed', { integer: true, default: 1 })!;
  const baseline = str(args, 'baseline');
  if (baseline !== undefined) {
    if (baseline !== 'pixels') throw new UsageError(`--baseline: expected 'pixels', got '${baseline}'`);
    if (str(args, 'model')) throw new UsageError('--baseline: evaluates no model; drop --model');
    const { evaluatePixels } = await import('../../core/model/evaluate.ts');
    const r = await evaluatePixels({ data, references, seed, signal: ctx.signal, onProgress: (_s, d, t) => ctx.progress(d, t, 'preparing images') });
    if (ctx.json) return ctx.emit(r);
    ctx.out(`pixel baseline (no learning; normalisation v${r.normaliseVersion}, ${r.block}x${r.block} block means)`);
    ctx.out(`data: ${r.counts.writers} writers, ${r.counts.genuine} genuine and ${r.counts.forged} forged questioned, ${r.references} references each`);
    ctx.out(
      `EER ${pct(r.eer)} skilled forgeries, ${pct(r.eerRandom)} random forgeries  AUC ${fix(r.auc)}  Cllr min ${fix(r.cllrMin)}   ${r.seconds.toFixed(1)} s`,
    );
    return;
  }
  const { getActiveModel } = await import('../../core/model/registry/registry.ts');
  const modelId = str(args, 'model') ?? getActiveModel(ctx.dataDir)?.id;
  if (!modelId) throw new AppError('INVALID_ARGUMENT', NO_MODEL);
  const workers = num(args, 'workers', { min: 1, max: 64, integer: true });
  const { evaluateModel } = await import('../../core/model/evaluate.ts');
  const r = await evaluateModel({
    dataDir: ctx.dataDir,
    modelId,
    data,
    references,
    seed,
    ...(workers ? { workers } : {}),
    signal: ctx.signal,
    onProgress: (stage, d, t) => ctx.progress(d, t, stage === 'prepare' ? 'preparing images' : 'embedding'),
  });
  if (ctx.json) return ctx.emit(r);
  ctx.out(`model ${r.model.id} (${r.model.architecture}, sha256 ${r.model.sha256.slice(0, 16)}...) on ${r.backend}`);
  ctx.out(`data: ${r.counts.writers} writers, ${r.counts.genuine} genuine and ${r.counts.forged} forged questioned, ${r.references} references each`);
  ctx.out(
    `EER ${pct(r.eer)} skilled forgeries (threshold ${fix(r.eerThreshold)}), ${pct(r.eerRandom)} random forgeries  AUC ${fix(r.auc)}  pair EER ${pct(r.pairEer)}`,
  );
  if (r.threshold !== null) ctx.out(`at the model threshold ${fix(r.threshold)}: FAR ${pct(r.far)}  FRR ${pct(r.frr)}  accuracy ${pct(r.accuracy)}`);
  const iv = (i: { low: number; high: number } | null) => (i ? `[${pct(i.low)}, ${pct(i.high)}]` : '-');
  ctx.out(`95% intervals (bootstrap over writers): EER ${iv(r.intervals.eer)}, random ${iv(r.intervals.eerRandom)}`);
  ctx.out(`Cllr ${r.cllr === null ? 'n/a (uncalibrated)' : fix(r.cllr)}  Cllr min ${fix(r.cllrMin)}   ${r.seconds.toFixed(1)} s`);
}

export function identifyEvalLines(r: IdentifyEvalReport): string[] {
  const e = r.episodes;
  const a = r.allEnrolled;
  const lines = [
    `model ${r.model.id} (${r.model.architecture}, ${r.model.metric}, sha256 ${r.model.sha256.slice(0, 16)}...) on ${r.backend}; seed ${r.protocol.seed}`,
    `data: ${r.writers.usable} writers usable (${r.writers.enrolled} enrolled with ${e.shots} exemplar${e.shots === 1 ? '' : 's'} each, ${r.writers.heldOut} held out), ${r.writers.skipped.length} skipped`,
    `${e.ways}-way ${e.shots}-shot over ${e.episodes} episodes (${e.queries} questioned): accuracy ${pctOf(e.accuracy)} (chance ${pctOf(e.chance)}), top-5 ${pctOf(e.top5Accuracy)} (chance ${pctOf(e.top5Chance)})`,
    `all ${a.ways} enrolled writers at once (${a.queries} questioned): accuracy ${pctOf(a.accuracy)} (chance ${pctOf(a.chance)}), top-5 ${pctOf(a.top5Accuracy)}`,
  ];
  const o = r.openSet;
  if (o) {
    lines.push(
      `open set at threshold ${o.threshold.toFixed(3)} (${r.thresholdSource === 'given' ? 'given' : "model's EER point"}): held-out writers rejected ${pctOf(o.rejectionRate)} (${o.rejected}/${o.heldOutQueries}); enrolled writers falsely rejected ${pctOf(o.falseRejectionRate)} (${o.falseRejections}/${o.enrolledQueries}), identified (rank 1 and within) ${pctOf(o.identifiedRate)}`,
      `open-set EER ${pctOf(o.eer)} at threshold ${o.eerThreshold.toFixed(3)} (enrolled writers' best mean distance against held-out writers')`,
    );
  } else lines.push(`open set: not measured (${r.openSetNote})`);
  lines.push(`${r.seconds.toFixed(1)} s`);
  return lines;
}

async function runIdentifyEval(ctx: CommandContext, args: ParsedArgs): Promise<void> {
  const data = str(args, 'data');
  if (!data) throw new UsageError(DATA_REQUIRED);
  const { getActiveModel } = await import('../../core/model/registry/registry.ts');
  const { evaluateIdentification } = await import('../../core/identify/evaluate.ts');
  const modelId = str(args, 'model') ?? getActiveModel(ctx.dataDir)?.id;
  if (!modelId) throw new AppError('INVALID_ARGUMENT', NO_MODEL);
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

/** `eval` runs the verification protocol; `eval --identify` the one-shot writer identification protocol instead. */
export const commands: CommandImpl[] = [
  {
    name: 'eval',
    description: `Per writer, K genuine references (default 5, chosen with the seed; 1 = one-shot); questioned
are that writer's other genuine signatures and all its forgeries; the score is the model's
verification score (its mean distance to the references, against the references' own spread for
a kk-ratio model). Reports eer (skilled forgeries), eerRandom (one genuine signature of each of
up to 10 other writers as random forgeries), auc, far/frr/accuracy at the model's threshold, cllr
when calibrated, pairEer (all genuine-genuine against genuine-forged pairs), 95% intervals
(bootstrap over writers), counts, model id and SHA-256, backend and seconds.
--baseline pixels evaluates no model: the network inputs' 5x5 block means as vectors (the floor).

With --identify: one-shot (--shots 1, default) or few-shot writer identification (docs/identification.md).
C-way episodes (--ways, default 10; --episodes, default 200) of enrolled writers with N exemplars
each: accuracy (the true writer ranked first) and top-5 accuracy beside chance; the same over all
enrolled writers at once; and the open set: a share of the writers (--held-out, default 0.2) is not
enrolled, and the rejection rate says how often "no enrolled writer is close enough" (best mean
distance above the model's EER threshold, or --threshold) is returned for them, beside the false
rejection rate of enrolled writers. Genuine signatures only; the seed fixes every draw.`,
    options: { ...VERIFICATION_OPTIONS, ...IDENTIFY_OPTIONS },
    async run(ctx, args) {
      if (bool(args, 'identify')) return runIdentifyEval(ctx, args);
      const only = Object.keys(IDENTIFY_OPTIONS).filter((k) => k !== 'identify' && args.values[k] !== undefined);
      if (only.length) throw new UsageError(`--${only[0]}: only with --identify`);
      return runVerificationEval(ctx, args);
    },
  },
];
