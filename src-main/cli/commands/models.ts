import { AppError } from '../../core/errors.ts';
import { MIN_VALIDATION_WRITERS, modelFigures, validationSample } from '../../core/model/figures.ts';
import { num, str, type Command } from '../command.ts';

const pct = (x: number | null | undefined) => (typeof x === 'number' ? `${(x * 100).toFixed(1)}%` : '-');
const fix = (x: number | null | undefined) => (typeof x === 'number' ? x.toFixed(3) : '-');

export const commands: Command[] = [
  {
    name: 'models list',
    summary: 'Registered models with their metrics, lineage and which one is active',
    async run(ctx) {
      const { getActiveModel, listModels } = await import('../../core/model/registry.ts');
      const active = getActiveModel(ctx.dataDir);
      const rows = listModels(ctx.dataDir).map((e) => ({
        id: e.metadata.id,
        source: e.source,
        architecture: e.metadata.architecture,
        parentId: e.metadata.parentId,
        sha256: e.metadata.sha256,
        calibrated: e.metadata.calibration !== null,
        metrics: e.metadata.metrics,
        createdAt: e.metadata.createdAt,
        active: active?.id === e.metadata.id,
      }));
      if (ctx.json) return ctx.emit(rows);
      if (!rows.length) return ctx.out('no models registered');
      for (const r of rows) {
        ctx.out(`${r.active ? '*' : ' '} ${r.id.padEnd(28)} ${r.architecture.padEnd(12)} EER ${pct(r.metrics.eer).padStart(6)}  Cllr ${fix(r.metrics.cllr)}  ${r.calibrated ? 'calibrated' : 'uncalibrated'}  ${r.source}${r.parentId ? `  <- ${r.parentId}` : ''}`);
      }
    },
  },
  {
    name: 'models show',
    summary: "One model's metadata (architecture, preprocessing, training data, metrics, calibration, SHA-256)",
    usage: '<model-id>',
    async run(ctx, args) {
      const id = args.positionals[0];
      if (!id) throw new Error('models show: give a model id (countersign models list)');
      const { getModel } = await import('../../core/model/registry.ts');
      const full = getModel(ctx.dataDir, id);
      const { validationDistances: _v, ...meta } = full;
      if (ctx.json) return ctx.emit(meta);
      // The figures as the Models view reads them: value, 95 % interval, what each rests on.
      const figures = modelFigures(full);
      if (figures.length) {
        ctx.out('Validation figures:');
        for (const f of figures) ctx.out(`  ${f.line}`);
        const writers = validationSample(full).writers;
        if (writers !== null && writers < MIN_VALIDATION_WRITERS) ctx.out(`  not enough validation data: ${writers} validation writers (fewer than ${MIN_VALIDATION_WRITERS}); these figures say little`);
        ctx.out('');
      }
      // One line at a time: JSON.stringify escapes the control characters inside strings.
      for (const l of JSON.stringify(meta, null, 2).split('\n')) ctx.out(l);
    },
  },
  {
    name: 'models use',
    summary: 'Make a model the active one (the default for new cases); audit-logged',
    usage: '<model-id>',
    async run(ctx, args) {
      const id = args.positionals[0];
      if (!id) throw new Error('models use: give a model id (countersign models list)');
      const { getActiveModel, getModel, setActiveModel } = await import('../../core/model/registry.ts');
      const { ensureModelRow } = await import('../../core/model/model-rows.ts');
      const before = getActiveModel(ctx.dataDir)?.id ?? null;
      getModel(ctx.dataDir, id); // NOT_FOUND before anything changes
      const store = ctx.app().store;
      store.write(() => {
        ensureModelRow(store, ctx.dataDir, id);
        setActiveModel(ctx.dataDir, id);
        store.audit.append({ action: 'model.activate', entity: `model:${id}`, details: { from: before, to: id } });
      });
      if (ctx.json) return ctx.emit({ ok: true, active: id, previous: before });
      ctx.out(`active model: ${id}${before && before !== id ? ` (was ${before})` : ''}`);
    },
  },
  {
    name: 'models export',
    summary: 'Write a model (weights + metadata) to one file for another installation',
    usage: '<model-id> <file>',
    async run(ctx, args) {
      const [id, file] = args.positionals;
      if (!id || !file) throw new Error('models export: give a model id and an output file');
      const { exportModel } = await import('../../core/model/registry.ts');
      const r = await exportModel(ctx.dataDir, id, file);
      if (ctx.json) return ctx.emit({ ok: true, id, file, result: r });
      ctx.out(`exported ${id} to ${file}`);
    },
  },
  {
    name: 'models import',
    summary: 'Register a model from an exported file, all or nothing: weights verified against the metadata and the architecture; an existing id, or name and version, is refused',
    usage: '<file>',
    async run(ctx, args) {
      const file = args.positionals[0];
      if (!file) throw new Error('models import: give the exported file');
      const { importModelIntoStore } = await import('../../core/model/import-bundle.ts');
      const meta = importModelIntoStore(ctx.app().store, file);
      if (ctx.json) return ctx.emit({ ok: true, id: meta.id, sha256: meta.sha256, identity: meta.identity });
      ctx.out(`imported ${meta.id} (weights sha256 ${meta.sha256}, identity ${meta.identity})`);
    },
  },
];

export const evalCommand: Command = {
  name: 'eval',
  summary: 'Evaluate a model on labelled data with the writer-dependent protocol (EER, AUC, FAR/FRR, Cllr)',
  usage: '--data <folder|manifest.csv> [--model M | --baseline pixels] [--references K] [--seed S]',
  description: `Per writer, K genuine references (default 5, chosen with the seed; 1 = one-shot); questioned
are that writer's other genuine signatures and all its forgeries; the score is the model's
verification score (its mean distance to the references, against the references' own spread for
a kk-ratio model). Reports eer (skilled forgeries), eerRandom (one genuine signature of each of
up to 10 other writers as random forgeries), auc, far/frr/accuracy at the model's threshold, cllr
when calibrated, pairEer (all genuine-genuine against genuine-forged pairs), 95% intervals
(bootstrap over writers), counts, model id and SHA-256, backend and seconds.
--baseline pixels evaluates no model: the network inputs' 5x5 block means as vectors (the floor).`,
  options: { data: { type: 'string' }, model: { type: 'string' }, baseline: { type: 'string' }, references: { type: 'string' }, seed: { type: 'string' }, workers: { type: 'string' } },
  async run(ctx, args) {
    const data = str(args, 'data');
    if (!data) throw new Error('--data: required (a folder with manifest.csv, a manifest file, or <root>/<writer>/{genuine,forged}/*)');
    const references = num(args, 'references', { min: 1, max: 100, integer: true, default: 5 })!;
    const seed = num(args, 'seed', { integer: true, default: 1 })!;
    const baseline = str(args, 'baseline');
    if (baseline !== undefined) {
      if (baseline !== 'pixels') throw new AppError('INVALID_ARGUMENT', `--baseline: expected 'pixels', got '${baseline}'`);
      if (str(args, 'model')) throw new AppError('INVALID_ARGUMENT', '--baseline: evaluates no model; drop --model');
      const { evaluatePixels } = await import('../../core/model/evaluate.ts');
      const r = await evaluatePixels({ data, references, seed, signal: ctx.signal, onProgress: (_s, d, t) => ctx.progress(d, t, 'preparing images') });
      if (ctx.json) return ctx.emit(r);
      ctx.out(`pixel baseline (no learning; normalisation v${r.normaliseVersion}, ${r.block}x${r.block} block means)`);
      ctx.out(`data: ${r.counts.writers} writers, ${r.counts.genuine} genuine and ${r.counts.forged} forged questioned, ${r.references} references each`);
      ctx.out(`EER ${pct(r.eer)} skilled forgeries, ${pct(r.eerRandom)} random forgeries  AUC ${fix(r.auc)}  Cllr min ${fix(r.cllrMin)}   ${r.seconds.toFixed(1)} s`);
      return;
    }
    const { getActiveModel } = await import('../../core/model/registry.ts');
    const modelId = str(args, 'model') ?? getActiveModel(ctx.dataDir)?.id;
    if (!modelId) throw new Error('--model: no model is registered; give --model');
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
    ctx.out(`EER ${pct(r.eer)} skilled forgeries (threshold ${fix(r.eerThreshold)}), ${pct(r.eerRandom)} random forgeries  AUC ${fix(r.auc)}  pair EER ${pct(r.pairEer)}`);
    if (r.threshold !== null) ctx.out(`at the model threshold ${fix(r.threshold)}: FAR ${pct(r.far)}  FRR ${pct(r.frr)}  accuracy ${pct(r.accuracy)}`);
    const iv = (i: { low: number; high: number } | null) => (i ? `[${pct(i.low)}, ${pct(i.high)}]` : '-');
    ctx.out(`95% intervals (bootstrap over writers): EER ${iv(r.intervals.eer)}, random ${iv(r.intervals.eerRandom)}`);
    ctx.out(`Cllr ${r.cllr === null ? 'n/a (uncalibrated)' : fix(r.cllr)}  Cllr min ${fix(r.cllrMin)}   ${r.seconds.toFixed(1)} s`);
  },
};
