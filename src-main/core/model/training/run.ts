/**
 * A training run: contrastive training of a registered model (fine-tuning) or of an
 * architecture from scratch, on labelled data, with a writer-disjoint validation split.
 * Progress per batch (loss, pairs/s) and per epoch (training loss, validation EER, ETA).
 * Cancel stops at the next batch and saves `last`; `best` is kept by validation EER; a run
 * resumes from `last`. The result is a NEW model version (never made active here) with its
 * parent, data summary, hyperparameters, metrics, calibration and validation distances.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../errors.ts';
import { Rng } from '../../util/random.ts';
import { fitCalibration, type Calibration } from '../../verify/calibration.ts';
import { getSpec, type ArchitectureSpec } from '../architectures.ts';
import { resolveBackend } from '../backend.ts';
import { prepareInputs, readLabelledData, summarise, type LabelledItem } from '../dataset.ts';
import { metricsOf, scoreEmbeddings, type EvalMetrics } from '../evaluate.ts';
import { inputScaleOf, wrapParams } from '../inference.ts';
import { disposeParams, initParams, paramsFromArrays, paramsToArrays, type NamedArray } from '../network.ts';
import { getModel, loadWeights, saveModel, type ModelMetadata } from '../registry.ts';
import { createTrainer, type Trainer } from '../train/trainer.ts';
import type { OptimizerName } from '../train/optimizers.ts';
import { loadCheckpoint, runDir, saveCheckpoint, selectionScore, type CheckpointState, type EpochRecord } from './checkpoint.ts';
import { augment, epochPairs, splitWriters } from './pairs.ts';

export interface TrainHyperparameters {
  epochs: number;
  batchSize: number;
  learningRate: number;
  margin: number;
  optimizer: OptimizerName;
  seed: number;
  pairsPerEpoch: number;
  validationFraction: number;
  /** References per writer in validation (writer-dependent protocol). */
  references: number;
  augment: boolean;
  /**
   * Scale of the architecture's dropout rates during training (1 = the authors' 0.3/0.3/0.5,
   * 0 = none). Inference never uses dropout, so the model is the same architecture either way.
   * Default 0: on the synthetic data and training budgets measured here, the authors' dropout
   * made the embeddings collapse (distances shrank about 7x and the validation EER rose from
   * the untrained 0.33 to 0.47), while without it the same runs learned (docs/model.md).
   */
  dropout: number;
  /**
   * Scale of the architecture's L2 penalty on the dense kernels during training (1 = the
   * authors' 5e-4). See docs/model.md for what it does to a short run.
   */
  l2: number;
}

export const DEFAULT_HYPERPARAMETERS: TrainHyperparameters = {
  epochs: 5,
  batchSize: 32,
  learningRate: 1e-4,
  margin: 1,
  optimizer: 'rmsprop',
  seed: 1,
  pairsPerEpoch: 2048,
  validationFraction: 0.2,
  references: 5,
  augment: true,
  dropout: 0,
  l2: 1,
};

export interface TrainOptions {
  dataDir: string;
  /** Labelled data: folder or manifest.csv. */
  data: string;
  /** Registered model to start from; null trains `architecture` from scratch. */
  baseModel: string | null;
  architecture?: string;
  /** Name of the new model (its id becomes `<name>-v<N>`). */
  name: string;
  description?: string;
  hyper?: Partial<TrainHyperparameters>;
  /** Replica workers; default one per core on wasm/cpu. */
  workers?: number;
  /** Resume this run from its `last` checkpoint. */
  resume?: string;
  /** On resume: change the number of epochs (to extend a run, or end it now and register its best). */
  resumeEpochs?: number;
  /** Fixed id of the new model (the shipped base model). */
  modelId?: string;
  signal?: AbortSignal;
  onEvent?: (e: TrainEvent) => void;
}

export type TrainEvent =
  | { type: 'start'; runId: string; backend: string; workers: number; trainWriters: number; validationWriters: number; images: number; resumedFrom: { epoch: number; batch: number } | null }
  | { type: 'prepare'; done: number; total: number }
  /** Validation of the starting weights, before the first batch. */
  | { type: 'baseline'; valEer: number; valEerRandom: number | null }
  | { type: 'batch'; epoch: number; epochs: number; batch: number; batches: number; step: number; loss: number; pairsPerSec: number; etaSeconds: number | null }
  | { type: 'epoch'; epoch: number; epochs: number; trainLoss: number; valEer: number; valEerRandom: number | null; valPairEer: number | null; best: boolean; seconds: number; etaSeconds: number }
  | { type: 'checkpoint'; which: 'last' | 'best'; epoch: number; step: number };

export interface TrainResult {
  runId: string;
  status: 'done' | 'cancelled';
  /** The new model (status done). */
  modelId: string | null;
  model: ModelMetadata | null;
  history: EpochRecord[];
  checkpointDir: string;
  /** How to continue a cancelled run. */
  resumeHint: string | null;
}

interface RunFile {
  runId: string;
  options: Omit<TrainOptions, 'signal' | 'onEvent' | 'resume' | 'resumeEpochs'>;
  hyper: TrainHyperparameters;
  split: { train: string[]; validation: string[] };
  dataSha256: string;
  inputScale: number;
  createdAt: string;
}

function validateHyper(h: TrainHyperparameters): void {
  const check = (ok: boolean, field: string, what: string, v: unknown) => {
    if (!ok) throw new AppError('INVALID_ARGUMENT', `--${field}: expected ${what}, got ${String(v)}`);
  };
  check(Number.isInteger(h.epochs) && h.epochs >= 1 && h.epochs <= 1000, 'epochs', 'an integer in 1..1000', h.epochs);
  check(Number.isInteger(h.batchSize) && h.batchSize >= 2 && h.batchSize <= 1024, 'batch', 'an integer in 2..1024', h.batchSize);
  check(h.learningRate > 0 && h.learningRate < 1, 'lr', 'a number in (0, 1)', h.learningRate);
  check(h.margin > 0 && h.margin <= 100, 'margin', 'a number in (0, 100]', h.margin);
  check(Number.isInteger(h.pairsPerEpoch) && h.pairsPerEpoch >= h.batchSize, 'pairs', `an integer >= the batch size (${h.batchSize})`, h.pairsPerEpoch);
  check(Number.isFinite(h.dropout) && h.dropout >= 0 && h.dropout <= 1.5, 'dropout', 'a scale of the dropout rates in 0..1.5', h.dropout);
  check(Number.isFinite(h.l2) && h.l2 >= 0 && h.l2 <= 100, 'l2', 'a scale of the L2 penalty in 0..100', h.l2);
}

/** The spec as training uses it: dropout rates and L2 penalties scaled (inference uses neither). */
function trainingSpec(spec: ArchitectureSpec, dropout: number, l2: number): ArchitectureSpec {
  return {
    ...spec,
    layers: spec.layers.map((l) => (l.kind === 'dropout' ? { ...l, rate: Math.min(0.9, l.rate * dropout) } : l.kind === 'dense' ? { ...l, l2: l.l2 * l2 } : l)),
  };
}

/** Mean pixel standard deviation over inputs: SigNet divides its inputs by it. */
function pixelStd(inputs: readonly Float32Array[]): number {
  let n = 0;
  let s = 0;
  let s2 = 0;
  for (const x of inputs) for (const v of x) {
    n++;
    s += v;
    s2 += v * v;
  }
  const m = s / n;
  return Math.sqrt(Math.max(1e-12, s2 / n - m * m));
}

function validationReferences(items: readonly LabelledItem[], writers: readonly string[], wanted: number): number {
  const counts = writers.map((w) => items.filter((i) => i.writer === w && i.label === 'genuine').length);
  return Math.max(1, Math.min(wanted, Math.min(...counts) - 1));
}

export async function runTraining(o: TrainOptions): Promise<TrainResult> {
  const emit = o.onEvent ?? (() => {});
  const info = await resolveBackend();
  let runId: string;
  let run: RunFile;
  let resumed: ReturnType<typeof loadCheckpoint> | null = null;

  if (o.resume) {
    runId = o.resume;
    const file = path.join(runDir(o.dataDir, runId), 'run.json');
    if (!existsSync(file)) throw new AppError('NOT_FOUND', `--resume: no training run '${runId}' in ${o.dataDir}`);
    run = JSON.parse(readFileSync(file, 'utf8')) as RunFile;
    resumed = loadCheckpoint(runDir(o.dataDir, runId), 'last');
    if (o.resumeEpochs !== undefined) {
      run.hyper = { ...run.hyper, epochs: o.resumeEpochs };
      validateHyper(run.hyper);
      writeFileSync(file, JSON.stringify(run, null, 1));
    }
  } else {
    const hyper = { ...DEFAULT_HYPERPARAMETERS, ...Object.fromEntries(Object.entries(o.hyper ?? {}).filter(([, v]) => v !== undefined)) } as TrainHyperparameters;
    validateHyper(hyper);
    runId = `${new Date().toISOString().slice(0, 10)}-${randomUUID().slice(0, 8)}`;
    const { signal: _s, onEvent: _e, resume: _r, resumeEpochs: _re, ...options } = o;
    run = { runId, options, hyper, split: { train: [], validation: [] }, dataSha256: '', inputScale: 1, createdAt: new Date().toISOString() };
  }
  const hyper = run.hyper;
  const opts = run.options;
  const dir = runDir(o.dataDir, runId);

  // Data.
  const data = readLabelledData(opts.data);
  if (o.resume && data.manifestSha256 !== run.dataSha256) {
    throw new AppError('INTEGRITY', `--data: the data changed since run ${runId} started (manifest SHA-256 ${data.manifestSha256.slice(0, 12)}... vs ${run.dataSha256.slice(0, 12)}...)`);
  }
  const parent: ModelMetadata | null = opts.baseModel ? getModel(o.dataDir, opts.baseModel) : null;
  const spec: ArchitectureSpec = getSpec(parent?.architecture ?? opts.architecture ?? 'signet');
  const [H, W] = spec.inputShape;
  if (!o.resume) {
    run.split = splitWriters(data.writers, hyper.validationFraction, hyper.seed);
    run.dataSha256 = data.manifestSha256;
  }
  const inputs = await prepareInputs(data.items, { canvas: [H, W], ...(o.signal ? { signal: o.signal } : {}), onProgress: (d, t) => emit({ type: 'prepare', done: d, total: t }) });
  const trainSet = new Set(run.split.train);
  const valIdx = data.items.map((it, i) => (trainSet.has(it.writer) ? -1 : i)).filter((i) => i >= 0);
  if (!o.resume) {
    run.inputScale = parent ? inputScaleOf(parent) : 1 / pixelStd(inputs.filter((_, i) => trainSet.has(data.items[i]!.writer)));
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'run.json'), JSON.stringify(run, null, 1));
  }

  // Weights: resumed checkpoint, parent model, or fresh.
  let startParams: NamedArray[];
  if (resumed) startParams = resumed.params;
  else if (parent) {
    const named = await loadWeights(o.dataDir, parent.id);
    startParams = named.map((n) => ({ name: n.name, shape: [...n.tensor.shape], data: n.tensor.dataSync() as Float32Array }));
    tf.dispose(named.map((n) => n.tensor));
  } else {
    const p = initParams(spec, hyper.seed);
    startParams = paramsToArrays(p, spec);
    disposeParams(p);
  }
  const trainer: Trainer = await createTrainer({
    // Runs from before a setting existed used the architecture's values as they are.
    spec: trainingSpec(spec, hyper.dropout ?? 1, hyper.l2 ?? 1),
    params: startParams,
    optimizer: hyper.optimizer,
    learningRate: hyper.learningRate,
    margin: hyper.margin,
    seed: hyper.seed,
    ...(o.workers ? { workers: o.workers } : {}),
    ...(resumed ? { optimizerState: resumed.optimizer } : {}),
  });

  const state: CheckpointState = resumed?.state ?? { runId, epoch: 1, batchInEpoch: 0, step: 0, bestEer: null, bestEpoch: null, history: [] };
  emit({
    type: 'start',
    runId,
    backend: trainer.backend,
    workers: trainer.workers,
    trainWriters: run.split.train.length,
    validationWriters: run.split.validation.length,
    images: data.items.length,
    resumedFrom: resumed ? { epoch: state.epoch, batch: state.batchInEpoch } : null,
  });

  const size = H * W;
  const batches = Math.floor(hyper.pairsPerEpoch / hyper.batchSize);
  const valRefs = validationReferences(data.items, run.split.validation, hyper.references);
  const metaForVal = { preprocessing: { inputScale: run.inputScale } } as unknown as ModelMetadata;
  let lastVal: { metrics: EvalMetrics; same: number[]; diff: number[] } | null = null;
  const times: number[] = [];
  let cancelled = false;

  const validate = async () => {
    const params = await trainer.getParams();
    const model = wrapParams(metaForVal, spec, params);
    const vecs: Float32Array[] = [];
    for (let s = 0; s < valIdx.length; s += 32) {
      const chunk = valIdx.slice(s, s + 32);
      const x = new Float32Array(chunk.length * size);
      chunk.forEach((i, k) => x.set(inputs[i]!, k * size));
      const out = model.embedBatch(x, chunk.length);
      chunk.forEach((_, k) => vecs.push(out.slice(k * spec.embeddingSize, (k + 1) * spec.embeddingSize)));
    }
    const arrays = paramsToArrays(params, spec);
    model.dispose();
    const sets = scoreEmbeddings(valIdx.map((i) => data.items[i]!), vecs, { references: valRefs, seed: hyper.seed });
    return { metrics: metricsOf(sets), same: sets.genuine, diff: sets.forged, arrays };
  };

  try {
    if (!state.baseline) {
      // Where the run starts from (the parent model, or untrained weights): what training must beat.
      const v = await validate();
      state.baseline = { valEer: v.metrics.eer, valEerRandom: v.metrics.eerRandom };
      emit({ type: 'baseline', valEer: v.metrics.eer, valEerRandom: v.metrics.eerRandom });
    }
    outer: for (; state.epoch <= hyper.epochs; state.epoch++, state.batchInEpoch = 0) {
      const epochStart = performance.now();
      const pairs = epochPairs(data.items, run.split.train, batches * hyper.batchSize, hyper.seed, state.epoch);
      let lossSum = 0;
      let lossN = 0;
      for (let b = state.batchInEpoch; b < batches; b++) {
        // An in-thread trainer resolves its steps without a macrotask; yield so a cancel
        // message from the thread that owns this run can arrive between batches.
        await new Promise((resolve) => setImmediate(resolve));
        if (o.signal?.aborted) {
          cancelled = true;
          break outer;
        }
        const rng = new Rng(hyper.seed).fork(`aug:${state.epoch}:${b}`);
        const slice = pairs.slice(b * hyper.batchSize, (b + 1) * hyper.batchSize);
        const a = new Float32Array(slice.length * size);
        const bb = new Float32Array(slice.length * size);
        const y = new Float32Array(slice.length);
        slice.forEach((p, k) => {
          a.set(hyper.augment ? augment(inputs[p.a]!, H, W, rng) : inputs[p.a]!, k * size);
          bb.set(hyper.augment ? augment(inputs[p.b]!, H, W, rng) : inputs[p.b]!, k * size);
          y[k] = p.y;
        });
        for (const arr of [a, bb]) for (let i = 0; i < arr.length; i++) arr[i]! *= run.inputScale;
        const t0 = performance.now();
        const r = await trainer.step({ a, b: bb, y, n: slice.length });
        times.push(performance.now() - t0);
        state.step = r.step;
        state.batchInEpoch = b + 1;
        lossSum += r.contrastiveLoss;
        lossN++;
        const recent = times.slice(-20);
        const perBatch = recent.reduce((s, t) => s + t, 0) / recent.length / 1000;
        const left = (hyper.epochs - state.epoch) * batches + (batches - b - 1);
        emit({ type: 'batch', epoch: state.epoch, epochs: hyper.epochs, batch: b + 1, batches, step: r.step, loss: r.contrastiveLoss, pairsPerSec: r.pairsPerSec, etaSeconds: perBatch * left });
      }
      const val = await validate();
      lastVal = { metrics: val.metrics, same: val.same, diff: val.diff };
      const rec: EpochRecord = {
        epoch: state.epoch,
        trainLoss: lossN ? lossSum / lossN : NaN,
        valEer: val.metrics.eer,
        valEerRandom: val.metrics.eerRandom,
        valPairEer: val.metrics.pairEer,
        seconds: (performance.now() - epochStart) / 1000,
      };
      state.history.push(rec);
      const score = selectionScore(val.metrics);
      const best = state.bestEer === null || score < state.bestEer;
      const optimizer = await trainer.getOptimizerState();
      const next = { ...state, epoch: state.epoch + 1, batchInEpoch: 0 };
      if (best) {
        state.bestEer = score;
        state.bestEpoch = state.epoch;
        next.bestEer = state.bestEer;
        next.bestEpoch = state.bestEpoch;
        saveCheckpoint(dir, 'best', { params: val.arrays, optimizer, state: { ...next, valSame: val.same, valDiff: val.diff, valMetrics: val.metrics } });
        emit({ type: 'checkpoint', which: 'best', epoch: state.epoch, step: state.step });
      }
      saveCheckpoint(dir, 'last', { params: val.arrays, optimizer, state: next });
      emit({ type: 'checkpoint', which: 'last', epoch: state.epoch, step: state.step });
      const perEpoch = state.history.reduce((s, h) => s + h.seconds, 0) / state.history.length;
      emit({ type: 'epoch', epoch: state.epoch, epochs: hyper.epochs, trainLoss: rec.trainLoss, valEer: rec.valEer, valEerRandom: rec.valEerRandom ?? null, valPairEer: rec.valPairEer, best, seconds: rec.seconds, etaSeconds: perEpoch * (hyper.epochs - state.epoch) });
    }
    if (cancelled) {
      // Keep `last` at the exact batch reached, so a resume continues from there.
      saveCheckpoint(dir, 'last', { params: await trainer.getParamArrays(), optimizer: await trainer.getOptimizerState(), state: { ...state } });
      emit({ type: 'checkpoint', which: 'last', epoch: state.epoch, step: state.step });
      return { runId, status: 'cancelled', modelId: null, model: null, history: state.history, checkpointDir: dir, resumeHint: `countersign train --resume ${runId}` };
    }
  } finally {
    await trainer.dispose();
  }

  // Register the best weights as a new model version.
  const best = loadCheckpoint(dir, 'best');
  const bs = best.state as CheckpointState & { valSame?: number[]; valDiff?: number[]; valMetrics?: EvalMetrics };
  const same = bs.valSame ?? lastVal?.same ?? [];
  const diff = bs.valDiff ?? lastVal?.diff ?? [];
  let calibration: Calibration | null = null;
  try {
    calibration = fitCalibration(same, diff);
  } catch {
    calibration = null; // e.g. larger distance does not mean less support: stays uncalibrated
  }
  const vm = bs.valMetrics ?? lastVal!.metrics;
  const params = paramsFromArrays(spec, best.params);
  const summary = summarise(data);
  try {
    const model = await saveModel(o.dataDir, {
      metadata: {
        ...(opts.modelId ? { id: opts.modelId } : {}),
        name: opts.name,
        description: opts.description ?? `${parent ? `fine-tuned from ${parent.id}` : `trained from scratch`} on ${summary.writers} writers (${summary.images} images)`,
        architecture: spec.name,
        inputShape: spec.inputShape,
        embeddingSize: spec.embeddingSize,
        preprocessing: { normalise: 'imaging/normaliseSignature v1 (sigver: Otsu, crop to ink, invert, fit and centre)', canvas: [H, W], quantised: '8-bit', inputScale: run.inputScale },
        parentId: parent?.id ?? null,
        trainingData: { ...summary, trainWriters: run.split.train, validationWriters: run.split.validation, runId },
        hyperparameters: { ...hyper, workers: o.workers ?? null, backend: info.backend, bestEpoch: bs.bestEpoch, baseline: state.baseline ?? null, history: state.history },
        metrics: { eer: vm.eer, eerRandom: vm.eerRandom ?? null, auc: vm.auc, pairEer: vm.pairEer, eerThreshold: vm.eerThreshold, cllr: calibration?.cllr ?? null, cllrMin: vm.cllrMin },
        calibration,
        validationDistances: { same, diff },
      },
      weights: [...params.tensors.entries()].map(([name, tensor]) => ({ name, tensor })),
    });
    return { runId, status: 'done', modelId: model.id, model, history: state.history, checkpointDir: dir, resumeHint: null };
  } finally {
    disposeParams(params);
  }
}
