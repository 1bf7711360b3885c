import { num, str, UsageError, type Command } from '../command.ts';

export const commands: Command[] = [
  {
    name: 'models metric',
    summary: 'Derive a model version that compares embeddings with another distance (euclidean or cosine), calibrated on labelled data',
    usage: '<model-id> <euclidean|cosine> --data <folder|manifest.csv> [--name N] [--id ID] [--references K] [--seed S]',
    description: `Models are trained with the Euclidean distance and never changed. This registers a new version with
the same weights (same SHA-256), the chosen distanceMetric, the parent recorded, and its metrics,
EER threshold and calibration measured on --data with that metric (writer-dependent protocol,
genuine against skilled forgeries: use writers held out from training). Every comparison and
identification with the new version records the metric. It is not made active (countersign models use).`,
    options: { data: { type: 'string' }, name: { type: 'string' }, id: { type: 'string' }, references: { type: 'string' }, seed: { type: 'string' }, workers: { type: 'string' } },
    async run(ctx, args) {
      const [modelId, metric] = args.positionals;
      if (!modelId || !metric) throw new UsageError('give a model id and a metric (euclidean or cosine)');
      const data = str(args, 'data');
      if (!data) throw new UsageError('--data: required (labelled signatures with skilled forgeries to calibrate the new metric on)');
      const workers = num(args, 'workers', { min: 1, max: 64, integer: true });
      const { deriveMetricVersion } = await import('../../core/model/metric-version.ts');
      const { ensureModelRow } = await import('../../core/model/model-rows.ts');
      const meta = await deriveMetricVersion(ctx.dataDir, modelId, metric as 'euclidean' | 'cosine', {
        data,
        references: num(args, 'references', { min: 1, max: 100, integer: true, default: 5 })!,
        seed: num(args, 'seed', { integer: true, default: 1 })!,
        ...(str(args, 'name') ? { name: str(args, 'name')! } : {}),
        ...(str(args, 'id') ? { id: str(args, 'id')! } : {}),
        ...(workers ? { workers } : {}),
        signal: ctx.signal,
        onProgress: (stage, d, t) => ctx.progress(d, t, stage === 'prepare' ? 'preparing images' : 'embedding'),
      });
      const store = ctx.app().store;
      store.write(() => {
        ensureModelRow(store, ctx.dataDir, meta.id);
        store.audit.append({ action: 'model.derive', entity: `model:${meta.id}`, details: { parent: modelId, metric: meta.distanceMetric, sha256: meta.sha256, eer: meta.metrics.eer ?? null, eerThreshold: meta.metrics.eerThreshold ?? null, calibrated: meta.calibration !== null } });
      });
      if (ctx.json) return ctx.emit({ ok: true, id: meta.id, parentId: meta.parentId, distanceMetric: meta.distanceMetric, metrics: meta.metrics, calibrated: meta.calibration !== null });
      ctx.out(`new model ${meta.id}: ${meta.distanceMetric} distance on the weights of ${modelId}; EER ${((meta.metrics.eer ?? NaN) * 100).toFixed(1)}% (threshold ${(meta.metrics.eerThreshold ?? NaN).toFixed(3)}), ${meta.calibration ? 'calibrated' : 'not calibrated'}; it is not active: countersign models use ${meta.id}`);
    },
  },
];
