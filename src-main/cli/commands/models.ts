import { MIN_VALIDATION_WRITERS, modelFigures, validationSample } from '../../core/model/figures.ts';
import type { VersionChange } from '../../core/model/derive-version.ts';
import { num, str, UsageError, type CommandContext, type CommandImpl, type ParsedArgs } from '../command.ts';

const pct = (x: number | null | undefined) => (typeof x === 'number' ? `${(x * 100).toFixed(1)}%` : '-');
const fix = (x: number | null | undefined) => (typeof x === 'number' ? x.toFixed(3) : '-');

const DERIVE_OPTIONS = {
  data: { type: 'string' },
  name: { type: 'string' },
  id: { type: 'string' },
  references: { type: 'string' },
  seed: { type: 'string' },
  workers: { type: 'string' },
} as const;

export const commands: CommandImpl[] = [
  {
    name: 'models list',
    async run(ctx) {
      const { getActiveModel, listModels } = await import('../../core/model/registry/registry.ts');
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
        ctx.out(
          `${r.active ? '*' : ' '} ${r.id.padEnd(28)} ${r.architecture.padEnd(12)} EER ${pct(r.metrics.eer).padStart(6)}  Cllr ${fix(r.metrics.cllr)}  ${r.calibrated ? 'calibrated' : 'uncalibrated'}  ${r.source}${r.parentId ? `  <- ${r.parentId}` : ''}`,
        );
      }
    },
  },
  {
    name: 'models show',
    async run(ctx, args) {
      const id = args.positionals[0];
      if (!id) throw new UsageError('give a model id (countersign models list)');
      const { getModel } = await import('../../core/model/registry/registry.ts');
      const full = getModel(ctx.dataDir, id);
      const { validationDistances: _v, ...meta } = full;
      if (ctx.json) return ctx.emit(meta);
      // The figures as the Models view reads them: value, 95 % interval, what each rests on.
      const figures = modelFigures(full);
      if (figures.length) {
        ctx.out('Validation figures:');
        for (const f of figures) ctx.out(`  ${f.line}`);
        const writers = validationSample(full).writers;
        if (writers !== null && writers < MIN_VALIDATION_WRITERS)
          ctx.out(`  not enough validation data: ${writers} validation writers (fewer than ${MIN_VALIDATION_WRITERS}); these figures say little`);
        ctx.out('');
      }
      // One line at a time: JSON.stringify escapes the control characters inside strings.
      for (const l of JSON.stringify(meta, null, 2).split('\n')) ctx.out(l);
    },
  },
  {
    name: 'models use',
    async run(ctx, args) {
      const id = args.positionals[0];
      if (!id) throw new UsageError('give a model id (countersign models list)');
      const { getActiveModel, getModel, setActiveModel } = await import('../../core/model/registry/registry.ts');
      const { ensureModelRow } = await import('../../core/model/registry/model-rows.ts');
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
    async run(ctx, args) {
      const [id, file] = args.positionals;
      if (!id || !file) throw new UsageError('give a model id and an output file');
      const { exportModel } = await import('../../core/model/registry/registry.ts');
      const r = await exportModel(ctx.dataDir, id, file);
      if (ctx.json) return ctx.emit({ ok: true, id, file, result: r });
      ctx.out(`exported ${id} to ${file}`);
    },
  },
  {
    name: 'models import',
    async run(ctx, args) {
      const file = args.positionals[0];
      if (!file) throw new UsageError('give the exported file');
      const { importModelIntoStore } = await import('../../core/model/registry/import-bundle.ts');
      const meta = await importModelIntoStore(ctx.app().store, file);
      if (ctx.json) return ctx.emit({ ok: true, id: meta.id, sha256: meta.sha256, identity: meta.identity });
      ctx.out(`imported ${meta.id} (weights sha256 ${meta.sha256}, identity ${meta.identity})`);
    },
  },
  {
    name: 'models metric',
    description: `Models are trained with the Euclidean distance and never changed. This registers a new version with
the same weights (same SHA-256), the chosen distanceMetric, the parent recorded, and its metrics,
EER threshold and calibration measured on --data with that metric (writer-dependent protocol,
genuine against skilled forgeries: use writers held out from training). Every comparison and
identification with the new version records the metric. It is not made active (countersign models use).`,
    options: DERIVE_OPTIONS,
    async run(ctx, args) {
      const [modelId, metric] = args.positionals;
      if (!modelId || !metric) throw new UsageError('give a model id and a metric (euclidean or cosine)');
      await derive(ctx, args, modelId, { metric: metric as 'euclidean' | 'cosine' });
    },
  },
  {
    name: 'models views',
    description: `Registers a new version with the same weights that embeds each signature as the mean of its
embeddings at small shifts of the network input (grid9: the input and its 8 neighbours, 3 rows and
4 columns apart; none: the input once), with metrics, EER threshold, writer-normalised prior and
calibration measured on --data (writers held out from training, with skilled forgeries). Embedding
costs one pass per view. It is not made active (countersign models use).`,
    options: DERIVE_OPTIONS,
    async run(ctx, args) {
      const [modelId, views] = args.positionals;
      if (!modelId || !views) throw new UsageError('give a model id and the views (grid9 or none)');
      await derive(ctx, args, modelId, { views: views as 'grid9' | 'none' });
    },
  },
  {
    name: 'models average',
    description: `Registers a new version whose weights are the element-wise mean of the first model's and the
others' (a uniform "model soup"): for models fine-tuned from one starting point, e.g. the same recipe
run with different --seed and the same --split-seed. Architecture, inputs and weight shapes must
match. Metrics, EER threshold, writer-normalised prior and calibration are measured on --data
(writers none of the models trained on, with skilled forgeries); --views grid9 gives the new version
test-time views as well. It is not made active (countersign models use).`,
    options: { ...DERIVE_OPTIONS, views: { type: 'string' } },
    async run(ctx, args) {
      const [modelId, ...others] = args.positionals;
      if (!modelId || others.length === 0) throw new UsageError('give the model ids to average: the parent first, then at least one other');
      const views = str(args, 'views');
      await derive(ctx, args, modelId, { average: others, ...(views ? { views: views as 'grid9' | 'none' } : {}) });
    },
  },
];

/** `models metric`, `models views` and `models average`: a derived version, registered and audit-logged. */
async function derive(ctx: CommandContext, args: ParsedArgs, modelId: string, change: VersionChange): Promise<void> {
  const data = str(args, 'data');
  if (!data) throw new UsageError('--data: required (labelled signatures with skilled forgeries to calibrate the new version on)');
  const workers = num(args, 'workers', { min: 1, max: 64, integer: true });
  const { deriveVersion } = await import('../../core/model/derive-version.ts');
  const { ensureModelRow } = await import('../../core/model/registry/model-rows.ts');
  const meta = await deriveVersion(ctx.dataDir, modelId, change, {
    data,
    references: num(args, 'references', { min: 1, max: 100, integer: true, default: 5 })!,
    seed: num(args, 'seed', { integer: true, default: 1 })!,
    ...(str(args, 'name') ? { name: str(args, 'name')! } : {}),
    ...(str(args, 'id') ? { id: str(args, 'id')! } : {}),
    ...(workers ? { workers } : {}),
    signal: ctx.signal,
    onProgress: (stage, d, t) => ctx.progress(d, t, stage === 'prepare' ? 'preparing images' : 'embedding'),
  });
  const views = Array.isArray(meta.preprocessing.testTimeViews) ? meta.preprocessing.testTimeViews.length : 1;
  const store = ctx.app().store;
  store.write(() => {
    ensureModelRow(store, ctx.dataDir, meta.id);
    store.audit.append({
      action: 'model.derive',
      entity: `model:${meta.id}`,
      details: {
        parent: modelId,
        metric: meta.distanceMetric,
        views,
        averageOf: meta.hyperparameters.averageOf ?? null,
        sha256: meta.sha256,
        eer: meta.metrics.eer ?? null,
        eerThreshold: meta.metrics.eerThreshold ?? null,
        calibrated: meta.calibration !== null,
      },
    });
  });
  if (ctx.json)
    return ctx.emit({
      ok: true,
      id: meta.id,
      parentId: meta.parentId,
      distanceMetric: meta.distanceMetric,
      views,
      ...(meta.hyperparameters.averageOf ? { averageOf: meta.hyperparameters.averageOf } : {}),
      sha256: meta.sha256,
      metrics: meta.metrics,
      calibrated: meta.calibration !== null,
    });
  ctx.out(
    `new model ${meta.id}: ${meta.distanceMetric} distance, ${views === 1 ? 'one view' : `${views} test-time views`}, ${meta.hyperparameters.averageOf ? `on the mean of the weights of ${(meta.hyperparameters.averageOf as string[]).join(', ')}` : `on the weights of ${modelId}`}; EER ${((meta.metrics.eer ?? NaN) * 100).toFixed(1)}% (threshold ${(meta.metrics.eerThreshold ?? NaN).toFixed(3)}), ${meta.calibration ? 'calibrated' : 'not calibrated'}; it is not active: countersign models use ${meta.id}`,
  );
}
