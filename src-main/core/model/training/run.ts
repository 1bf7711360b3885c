/**
 * A training run: training of a registered model (fine-tuning) or of an architecture from
 * scratch, on one or more labelled data sources, with a writer-disjoint validation split of the
 * first source. Objectives: contrastive pairs (SigNet), triplets with semi-hard mining, or writer
 * classification (pre-training). Progress per batch and per epoch; cancel stops at the next batch
 * and saves `last`; `best` is kept by validation; a run resumes from `last`; `patience` stops a
 * run whose validation has not improved for that many epochs. The result is a NEW model version
 * (never made active here) with its parent, data, hyperparameters, metrics with their sample
 * sizes, scoring, calibration and validation scores, and whether it beat its starting point.
 *
 * Steps: prepareRun (run file, data, inputs, weights) -> trainEpochs -> registerBest.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs';
import type { z } from 'zod';
import { AppError } from '../../errors.ts';
import { Rng } from '../../util/random.ts';
import { fitCalibration, type Calibration } from '../../scoring/calibration.ts';
import type { Scoring } from '../../scoring/score.ts';
import { NORMALISE_VERSION, type NormaliseVersion } from '../../imaging/normalise.ts';
import { freezeBelow, getSpec, paramInfos, splitFrozen, withClassifierHead, type ArchitectureSpec } from '../architectures.ts';
import { resolveBackend } from '../backend.ts';
import { prepareInputs } from '../dataset.ts';
import { bootstrapByWriter, metricsOf, scoreEmbeddings, type EvalMetrics, type WriterScores } from '../evaluate.ts';
import { embedSync, inputScaleOf, wrapParams } from '../embedding/inference.ts';
import { disposeParams, initParams, paramsFromArrays, paramsToArrays, type NamedArray } from '../network.ts';
import { getModel, loadWeights, normaliseVersionOf, saveModel, type ModelMetadata } from '../registry/registry.ts';
import type { MetricIntervals } from '../registry/registry-metadata.ts';
import type { Objective } from './engine/step.ts';
import { createTrainer, type Trainer, type TrainBatch } from './engine/trainer.ts';
import type { OptimizerName } from './engine/optimizers.ts';
import { AUGMENTATIONS, augment, type Augmentation } from './augment.ts';
import { buildActivationCache, type ActivationCache } from './frozen-cache.ts';
import { loadCheckpoint, runDir, saveCheckpoint, selectionScore, type CheckpointState, type EpochRecord } from './checkpoint.ts';
import { WriterSampler, epochPairs, indexByWriter, splitWriters, tripletBatch, writerClasses } from './pairs.ts';
import { readSources, type CombinedData, type DataSource } from './sources.ts';
import { bestValidationSchema, runFileSchema, type runOptionsSchema } from './files.ts';
import { checkJson, readJsonFile } from '../../util/json-file.ts';

export interface TrainHyperparameters {
  epochs: number;
  /** Pairs per batch (contrastive) or images per batch (triplet, writers). */
  batchSize: number;
  learningRate: number;
  margin: number;
  optimizer: OptimizerName;
  seed: number;
  /**
   * Seed of the writer-disjoint validation split (null: seed). Setting it apart from seed trains
   * another run (other pairs, augmentations, initialisation) against the same validation writers,
   * so runs can be compared, or averaged, on writers none of them trained on.
   */
  splitSeed: number | null;
  /** Pairs (contrastive) or images (triplet, writers) per epoch. */
  pairsPerEpoch: number;
  validationFraction: number;
  /** References per writer in validation (writer-dependent protocol). */
  references: number;
  augment: Augmentation;
  /**
   * Scale of the architecture's dropout rates during training (1 = the authors' 0.3/0.3/0.5,
   * 0 = none). Inference never uses dropout, so the model is the same architecture either way.
   * Default 0: on the synthetic data and training budgets measured here, the authors' dropout
   * made the embeddings collapse (docs/model.md).
   */
  dropout: number;
  /** Scale of the architecture's L2 penalty on the dense kernels during training (1 = the authors' 5e-4). */
  l2: number;
  objective: Objective;
  /** First layer that trains; the layers below keep their weights (null: all train). */
  trainFrom: string | null;
  /** Stop after this many epochs without a better validation (null: run every epoch). */
  patience: number | null;
  /**
   * With layers frozen (trainFrom): the frozen layers run once per image and augmentation
   * variant, this many variants per training image (variant 0 not augmented), and the epochs
   * train the upper layers on those cached activations (frozen-cache.ts). 0: no cache, every
   * epoch runs the whole network on freshly augmented images.
   */
  cacheVariants: number;
}

export const DEFAULT_HYPERPARAMETERS: TrainHyperparameters = {
  epochs: 5,
  batchSize: 32,
  learningRate: 1e-4,
  margin: 1,
  optimizer: 'rmsprop',
  seed: 1,
  splitSeed: null,
  pairsPerEpoch: 2048,
  validationFraction: 0.2,
  references: 5,
  augment: 'scan',
  dropout: 0,
  l2: 1,
  objective: 'contrastive',
  trainFrom: null,
  patience: null,
  cacheVariants: 4,
};

/** Images per triplet block: a writer's genuine signatures, then its forgeries (or fillers). */
export const TRIPLET_BLOCK = { genuine: 4, forged: 2 };

export interface TrainOptions {
  dataDir: string;
  /** Labelled data: a folder or manifest.csv, or several sources with weights (the first is validated on). */
  data: string | DataSource[];
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
  | {
      type: 'start';
      runId: string;
      backend: string;
      workers: number;
      trainWriters: number;
      validationWriters: number;
      images: number;
      objective: Objective;
      trainFrom: string | null;
      resumedFrom: { epoch: number; batch: number } | null;
      cache: { variants: number; features: number; engine: string; seconds: number } | null;
    }
  | { type: 'prepare'; done: number; total: number }
  /** The frozen layers run over every image variant once (cached partial fine-tuning, hyper.cacheVariants). */
  | { type: 'cache'; done: number; total: number; variants: number; features: number }
  /** Validation of the starting weights, before the first batch. */
  | { type: 'baseline'; valEer: number; valEerRandom: number | null }
  | {
      type: 'batch';
      epoch: number;
      epochs: number;
      batch: number;
      batches: number;
      step: number;
      loss: number;
      imagesPerSec: number;
      etaSeconds: number | null;
    }
  | {
      type: 'epoch';
      epoch: number;
      epochs: number;
      trainLoss: number;
      valEer: number;
      valEerRandom: number | null;
      valPairEer: number | null;
      best: boolean;
      seconds: number;
      etaSeconds: number;
    }
  | { type: 'checkpoint'; which: 'last' | 'best'; epoch: number; step: number }
  /** Validation has not improved for `patience` epochs: the run ends here. */
  | { type: 'early-stop'; epoch: number; bestEpoch: number }
  /** The best epoch is no better on validation than where training started. */
  | { type: 'not-better'; start: number; best: number };

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
  /** Whether the registered model validates better than its starting point (null: cancelled). */
  betterThanStart: boolean | null;
}

/** run.json (schema: files.ts runFileSchema). */
interface RunFile {
  runId: string;
  options: z.output<typeof runOptionsSchema> & { data: DataSource[] };
  hyper: TrainHyperparameters;
  split: { train: string[]; validation: string[] };
  dataSha256: string;
  inputScale: number;
  normaliseVersion: NormaliseVersion;
  createdAt: string;
}

function validateHyper(h: TrainHyperparameters): void {
  const check = (ok: boolean, field: string, what: string, v: unknown) => {
    if (!ok) throw new AppError('INVALID_ARGUMENT', `${field}: expected ${what}, got ${String(v)}`, { field });
  };
  check(Number.isInteger(h.epochs) && h.epochs >= 1 && h.epochs <= 1000, 'epochs', 'an integer in 1..1000', h.epochs);
  check(Number.isInteger(h.batchSize) && h.batchSize >= 2 && h.batchSize <= 1024, 'batch size', 'an integer in 2..1024', h.batchSize);
  check(h.learningRate > 0 && h.learningRate < 1, 'learning rate', 'a number in (0, 1)', h.learningRate);
  check(h.margin > 0 && h.margin <= 100, 'margin', 'a number in (0, 100]', h.margin);
  check(
    Number.isInteger(h.pairsPerEpoch) && h.pairsPerEpoch >= h.batchSize,
    'pairs per epoch',
    `an integer >= the batch size (${h.batchSize})`,
    h.pairsPerEpoch,
  );
  check(Number.isFinite(h.dropout) && h.dropout >= 0 && h.dropout <= 1.5, 'dropout', 'a scale of the dropout rates in 0..1.5', h.dropout);
  check(Number.isFinite(h.l2) && h.l2 >= 0 && h.l2 <= 100, 'L2', 'a scale of the L2 penalty in 0..100', h.l2);
  check(['contrastive', 'triplet', 'writers'].includes(h.objective), 'objective', 'contrastive, triplet or writers', h.objective);
  check(AUGMENTATIONS.includes(h.augment), 'augmentation', AUGMENTATIONS.join(', '), h.augment);
  check(Number.isInteger(h.cacheVariants) && h.cacheVariants >= 0 && h.cacheVariants <= 64, 'cache variants', 'an integer in 0..64', h.cacheVariants);
  check(h.splitSeed === null || Number.isInteger(h.splitSeed), 'split seed', 'an integer', h.splitSeed);
  check(h.patience === null || (Number.isInteger(h.patience) && h.patience >= 1), 'patience', 'a whole number of epochs >= 1', h.patience);
  check(
    h.objective !== 'triplet' || h.batchSize >= 2 * (TRIPLET_BLOCK.genuine + TRIPLET_BLOCK.forged),
    'batch size',
    `at least ${2 * (TRIPLET_BLOCK.genuine + TRIPLET_BLOCK.forged)} images for triplets (two writers)`,
    h.batchSize,
  );
}

/** The option each of validateHyper's field names belongs to. */
const HYPER_OPTION: Record<string, keyof TrainHyperparameters> = {
  epochs: 'epochs',
  'batch size': 'batchSize',
  'learning rate': 'learningRate',
  margin: 'margin',
  'pairs per epoch': 'pairsPerEpoch',
  dropout: 'dropout',
  L2: 'l2',
  objective: 'objective',
  augmentation: 'augment',
  patience: 'patience',
  'cache variants': 'cacheVariants',
  'split seed': 'splitSeed',
};

/**
 * What a new run would refuse, checked before it starts (a form shows it beside the field): the
 * hyperparameters, the starting point and the data (read, not prepared). Throws AppError whose
 * `details.option` names the option at fault ('data', 'baseModel', 'architecture', 'batchSize' ...);
 * the message is the one the run itself would give (CLI wording, e.g. '--data: ...').
 */
export function checkTrainingOptions(o: Pick<TrainOptions, 'dataDir' | 'data' | 'baseModel' | 'architecture' | 'hyper'>): void {
  const as = (option: string, err: unknown): never => {
    if (err instanceof AppError) throw new AppError(err.code, err.message, { ...err.details, option });
    throw err;
  };
  const given = Object.fromEntries(Object.entries(o.hyper ?? {}).filter(([, v]) => v !== undefined));
  try {
    validateHyper({ ...DEFAULT_HYPERPARAMETERS, ...given } as TrainHyperparameters);
  } catch (err) {
    as(err instanceof AppError ? (HYPER_OPTION[String(err.details?.field)] ?? String(err.details?.field)) : 'hyper', err);
  }
  try {
    if (o.baseModel) getModel(o.dataDir, o.baseModel);
  } catch (err) {
    as('baseModel', err);
  }
  try {
    if (!o.baseModel) getSpec(o.architecture ?? 'signet');
  } catch (err) {
    as('architecture', err);
  }
  try {
    readSources(sourcesOf(o.data));
  } catch (err) {
    as('data', err);
  }
}

/** Run files and hyperparameters written before a setting existed mean what was done then. */
function upgradeHyper(h: z.output<typeof runFileSchema>['hyper']): TrainHyperparameters {
  return {
    ...DEFAULT_HYPERPARAMETERS,
    dropout: 1,
    l2: 1,
    objective: 'contrastive',
    trainFrom: null,
    patience: null,
    cacheVariants: 0,
    splitSeed: null,
    ...h,
    augment: h.augment === true || h.augment === undefined ? 'light' : h.augment === false ? 'none' : h.augment,
  } as TrainHyperparameters;
}

/** The spec as training uses it: dropout and L2 scaled, lower layers frozen, a writer head (inference uses none of these). */
function trainingSpec(base: ArchitectureSpec, h: TrainHyperparameters, classes: number): ArchitectureSpec {
  const scaled: ArchitectureSpec = {
    ...base,
    layers: base.layers.map((l) =>
      l.kind === 'dropout' ? { ...l, rate: Math.min(0.9, l.rate * h.dropout) } : l.kind === 'dense' ? { ...l, l2: l.l2 * h.l2 } : l,
    ),
  };
  const frozen = freezeBelow(scaled, h.trainFrom ?? undefined);
  return h.objective === 'writers' ? withClassifierHead(frozen, classes) : frozen;
}

/** Mean pixel standard deviation over inputs: SigNet divides its inputs by it. */
function pixelStd(inputs: readonly Float32Array[]): number {
  let n = 0;
  let s = 0;
  let s2 = 0;
  for (const x of inputs)
    for (const v of x) {
      n++;
      s += v;
      s2 += v * v;
    }
  const m = s / n;
  return Math.sqrt(Math.max(1e-12, s2 / n - m * m));
}

function validationReferences(data: CombinedData, writers: readonly string[], wanted: number): number {
  const counts = writers.map((w) => data.items.filter((i) => i.writer === w && i.label === 'genuine').length);
  return Math.max(2, Math.min(wanted, Math.min(...counts) - 1));
}

interface Run {
  runId: string;
  run: RunFile;
  dir: string;
  data: CombinedData;
  inputs: Float32Array[];
  valIdx: number[];
  parent: ModelMetadata | null;
  spec: ArchitectureSpec;
  trainSpec: ArchitectureSpec;
  classes: { classOf: Int32Array; classes: number } | null;
  start: NamedArray[];
  resumed: ReturnType<typeof loadCheckpoint> | null;
  backend: string;
  /** Cached partial fine-tuning: the frozen layers' activations (null: the whole network runs each batch). */
  cache: ActivationCache | null;
}

function sourcesOf(data: TrainOptions['data']): DataSource[] {
  return typeof data === 'string' ? [{ path: data, weight: 1 }] : data;
}

async function prepareRun(o: TrainOptions, emit: (e: TrainEvent) => void): Promise<Run> {
  const info = await resolveBackend();
  let runId: string;
  let run: RunFile;
  let resumed: Run['resumed'] = null;
  if (o.resume) {
    runId = o.resume;
    const file = path.join(runDir(o.dataDir, runId), 'run.json');
    if (!existsSync(file)) throw new AppError('NOT_FOUND', `resume: no training run '${runId}' in ${o.dataDir}`);
    const raw = readJsonFile(runFileSchema, file);
    run = {
      ...raw,
      options: { ...raw.options, data: sourcesOf(raw.options.data) },
      hyper: upgradeHyper(raw.hyper),
      normaliseVersion: raw.normaliseVersion ?? 1,
    };
    resumed = loadCheckpoint(runDir(o.dataDir, runId), 'last');
    if (o.resumeEpochs !== undefined) {
      run.hyper = { ...run.hyper, epochs: o.resumeEpochs };
      validateHyper(run.hyper);
      writeFileSync(file, JSON.stringify(run, null, 1));
    }
  } else {
    const given = Object.fromEntries(Object.entries(o.hyper ?? {}).filter(([, v]) => v !== undefined));
    const hyper = { ...DEFAULT_HYPERPARAMETERS, ...given } as TrainHyperparameters;
    validateHyper(hyper);
    runId = `${new Date().toISOString().slice(0, 10)}-${randomUUID().slice(0, 8)}`;
    const { signal: _s, onEvent: _e, resume: _r, resumeEpochs: _re, data, ...options } = o;
    run = {
      runId,
      options: { ...options, data: sourcesOf(data) },
      hyper,
      split: { train: [], validation: [] },
      dataSha256: '',
      inputScale: 1,
      normaliseVersion: NORMALISE_VERSION,
      createdAt: new Date().toISOString(),
    };
  }
  const hyper = run.hyper;
  const opts = run.options;
  const dir = runDir(o.dataDir, runId);

  const data = readSources(opts.data);
  if (o.resume && data.manifestSha256 !== run.dataSha256) {
    throw new AppError(
      'INTEGRITY',
      `data: the data changed since run ${runId} started (manifest SHA-256 ${data.manifestSha256.slice(0, 12)}... vs ${run.dataSha256.slice(0, 12)}...)`,
    );
  }
  const parent: ModelMetadata | null = opts.baseModel ? getModel(o.dataDir, opts.baseModel) : null;
  const spec: ArchitectureSpec = getSpec(parent?.architecture ?? opts.architecture ?? 'signet');
  const [H, W] = spec.inputShape;
  if (!o.resume) {
    // Validation writers come from the first source only; the other sources only train.
    const first = splitWriters(data.writersBySource[0]!, hyper.validationFraction, hyper.splitSeed ?? hyper.seed);
    run.split = { train: [...first.train, ...data.writersBySource.slice(1).flat()].sort(), validation: first.validation };
    run.dataSha256 = data.manifestSha256;
  }
  const inputs = await prepareInputs(data.items, {
    canvas: [H, W],
    normaliseVersion: run.normaliseVersion,
    ...(o.signal ? { signal: o.signal } : {}),
    onProgress: (d, t) => emit({ type: 'prepare', done: d, total: t }),
  });
  const trainSet = new Set(run.split.train);
  const valSet = new Set(run.split.validation);
  const valIdx = data.items.map((it, i) => (valSet.has(it.writer) ? i : -1)).filter((i) => i >= 0);
  if (!o.resume) {
    // A parent's input scale holds for inputs normalised as it was trained; otherwise measure.
    const keep = parent && normaliseVersionOf(parent) === run.normaliseVersion;
    run.inputScale = keep ? inputScaleOf(parent) : 1 / pixelStd(inputs.filter((_, i) => trainSet.has(data.items[i]!.writer)));
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'run.json'), JSON.stringify(run, null, 1));
  }
  const classes = hyper.objective === 'writers' ? writerClasses(data.items, run.split.train) : null;
  const trainSpec = trainingSpec(spec, hyper, classes?.classes ?? 0);

  let start: NamedArray[];
  if (resumed) start = resumed.params;
  else {
    if (parent) {
      const named = await loadWeights(o.dataDir, parent.id);
      start = named.map((n) => ({ name: n.name, shape: [...n.tensor.shape], data: n.tensor.dataSync() as Float32Array }));
      tf.dispose(named.map((n) => n.tensor));
    } else {
      const p = initParams(spec, hyper.seed);
      start = paramsToArrays(p, spec);
      disposeParams(p);
    }
    if (classes) {
      // The classification head starts fresh whatever the network starts from.
      const withHead = initParams(trainSpec, hyper.seed);
      const head = paramsToArrays(withHead, trainSpec).filter((a) => a.name.startsWith('head/'));
      disposeParams(withHead);
      start = [...start, ...head];
    }
  }
  return { runId, run, dir, data, inputs, valIdx, parent, spec, trainSpec, classes, start, resumed, backend: info.backend, cache: null };
}

/** Embedding weights of the base spec from the training weights (the writer head left out). */
function embeddingArrays(run: Run, arrays: readonly NamedArray[]): NamedArray[] {
  const names = new Set(paramInfos(run.spec).map((p) => p.name));
  return arrays.filter((a) => names.has(a.name));
}

interface Validation {
  metrics: EvalMetrics;
  same: number[];
  diff: number[];
  scoring: Scoring;
  counts: { writers: number; genuine: number; forged: number; random: number };
  /** Every validation score with its writer: what the intervals resample. */
  sets: WriterScores;
  arrays: NamedArray[];
}

/** Validation embeddings from the cached, un-augmented activations through the trained upper layers. */
function cachedValidationVectors(r: Run, cache: ActivationCache, arrays: readonly NamedArray[]): Float32Array[] {
  const head = cache.split.head;
  const names = new Set(paramInfos(head).map((p) => p.name));
  const params = paramsFromArrays(
    head,
    arrays.filter((a) => names.has(a.name)),
  );
  const f = cache.split.features;
  const vecs: Float32Array[] = [];
  try {
    for (let s = 0; s < r.valIdx.length; s += 64) {
      const chunk = r.valIdx.slice(s, s + 64);
      const x = new Float32Array(chunk.length * f);
      chunk.forEach((i, k) => x.set(cache.of[i]![0]!, k * f));
      const out = embedSync(params, head, 1, x, chunk.length);
      chunk.forEach((_, k) => vecs.push(out.slice(k * head.embeddingSize, (k + 1) * head.embeddingSize)));
    }
  } finally {
    disposeParams(params);
  }
  return vecs;
}

async function validate(r: Run, trainer: Trainer): Promise<Validation> {
  const arrays = await trainer.getParamArrays();
  const vecs = r.cache ? cachedValidationVectors(r, r.cache, arrays) : await fullValidationVectors(r, arrays);
  const refs = validationReferences(r.data, r.run.split.validation, r.run.hyper.references);
  const sets = scoreEmbeddings(
    r.valIdx.map((i) => r.data.items[i]!),
    vecs,
    { references: refs, seed: r.run.hyper.seed, scoring: 'measure' },
  );
  return {
    metrics: metricsOf(sets),
    same: sets.genuine,
    diff: sets.forged,
    scoring: sets.scoring,
    counts: { writers: sets.writersUsed, genuine: sets.genuine.length, forged: sets.forged.length, random: sets.random.length },
    sets: { genuine: sets.genuine, forged: sets.forged, random: sets.random, pairSame: sets.pairSame, pairDiff: sets.pairDiff, writerOf: sets.writerOf },
    arrays,
  };
}

/** Validation embeddings through the whole network. */
async function fullValidationVectors(r: Run, arrays: readonly NamedArray[]): Promise<Float32Array[]> {
  const params = paramsFromArrays(r.spec, embeddingArrays(r, arrays));
  const metaForVal = { preprocessing: { inputScale: r.run.inputScale } } as unknown as ModelMetadata;
  const model = wrapParams(metaForVal, r.spec, params);
  const size = r.spec.inputShape[0] * r.spec.inputShape[1] * r.spec.inputShape[2];
  const vecs: Float32Array[] = [];
  try {
    for (let s = 0; s < r.valIdx.length; s += 32) {
      const chunk = r.valIdx.slice(s, s + 32);
      const x = new Float32Array(chunk.length * size);
      chunk.forEach((i, k) => x.set(r.inputs[i]!, k * size));
      const out = await model.embedBatch(x, chunk.length);
      chunk.forEach((_, k) => vecs.push(out.slice(k * r.spec.embeddingSize, (k + 1) * r.spec.embeddingSize)));
    }
  } finally {
    await model.dispose();
  }
  return vecs;
}

/** The batches of one epoch, built lazily (augmentation and input scale applied). */
function epochBatches(r: Run, epoch: number): { count: number; batch: (b: number) => TrainBatch } {
  const h = r.run.hyper;
  const [H, W] = r.spec.inputShape;
  const cache = r.cache;
  const size = cache ? cache.split.features : H * W;
  const count = Math.floor(h.pairsPerEpoch / h.batchSize);
  const sampling = { sourceOf: (w: string) => r.data.sourceOfWriter.get(w) ?? 0, weights: r.data.weights };
  const prepared = cache
    ? // One of the image's cached variants (activations of the frozen layers).
      (i: number, rng: Rng): Float32Array => {
        const vs = cache.of[i]!;
        return vs[vs.length > 1 ? rng.int(0, vs.length - 1) : 0]!;
      }
    : (i: number, rng: Rng): Float32Array => {
        const x = augment(r.inputs[i]!, H, W, rng, h.augment);
        const out = new Float32Array(size);
        for (let k = 0; k < size; k++) out[k] = x[k]! * r.run.inputScale;
        return out;
      };
  const rngOf = (b: number) => new Rng(h.seed).fork(`aug:${epoch}:${b}`);
  if (h.objective === 'contrastive') {
    const pairs = epochPairs(r.data.items, r.run.split.train, count * h.batchSize, h.seed, epoch, r.data.weights.length > 1 ? sampling : undefined);
    return {
      count,
      batch: (b) => {
        const rng = rngOf(b);
        const slice = pairs.slice(b * h.batchSize, (b + 1) * h.batchSize);
        const a = new Float32Array(slice.length * size);
        const bb = new Float32Array(slice.length * size);
        const y = new Float32Array(slice.length);
        slice.forEach((p, k) => {
          a.set(prepared(p.a, rng), k * size);
          bb.set(prepared(p.b, rng), k * size);
          y[k] = p.y;
        });
        return { a, b: bb, y, n: slice.length };
      },
    };
  }
  const byWriter = indexByWriter(r.data.items, r.run.split.train);
  const sampler = new WriterSampler([...byWriter.keys()], sampling.sourceOf, r.data.weights);
  return {
    count,
    batch: (b) => {
      const rng = rngOf(b);
      let indices: number[];
      let labels: Int32Array;
      let blockSize = 1;
      if (h.objective === 'triplet') {
        const block = TRIPLET_BLOCK.genuine + TRIPLET_BLOCK.forged;
        ({ indices, labels, blockSize } = tripletBatch(byWriter, sampler, rng.fork('triplets'), {
          writers: Math.floor(h.batchSize / block),
          ...TRIPLET_BLOCK,
        }));
      } else {
        const pick = rng.fork('images');
        indices = Array.from({ length: h.batchSize }, () => {
          const own = byWriter.get(sampler.pick(pick))!;
          return pick.pick(own.forged.length && pick.chance(0.5) ? own.forged : own.genuine);
        });
        labels = Int32Array.from(indices.map((i) => r.classes!.classOf[i]!));
      }
      const x = new Float32Array(indices.length * size);
      indices.forEach((i, k) => x.set(prepared(i, rng), k * size));
      return { kind: 'images', x, labels, n: indices.length, blockSize };
    },
  };
}

/** Trains epoch by epoch until the end, a cancel, or patience runs out. Returns whether it was cancelled. */
async function trainEpochs(r: Run, trainer: Trainer, state: CheckpointState, emit: (e: TrainEvent) => void, signal?: AbortSignal): Promise<boolean> {
  const h = r.run.hyper;
  const times: number[] = [];
  if (!state.baseline) {
    // Where the run starts from (the parent model, or untrained weights): what training must beat.
    const v = await validate(r, trainer);
    state.baseline = { valEer: v.metrics.eer, valEerRandom: v.metrics.eerRandom };
    emit({ type: 'baseline', valEer: v.metrics.eer, valEerRandom: v.metrics.eerRandom });
  }
  for (; state.epoch <= h.epochs; state.epoch++, state.batchInEpoch = 0) {
    const epochStart = performance.now();
    const { count, batch } = epochBatches(r, state.epoch);
    let lossSum = 0;
    let lossN = 0;
    for (let b = state.batchInEpoch; b < count; b++) {
      // An in-thread trainer resolves its steps without a macrotask; yield so a cancel
      // message from the thread that owns this run can arrive between batches.
      await new Promise((resolve) => setImmediate(resolve));
      if (signal?.aborted) return true;
      const t0 = performance.now();
      const s = await trainer.step(batch(b));
      times.push(performance.now() - t0);
      state.step = s.step;
      state.batchInEpoch = b + 1;
      lossSum += s.dataLoss;
      lossN++;
      const recent = times.slice(-20);
      const perBatch = recent.reduce((t, x) => t + x, 0) / recent.length / 1000;
      const left = (h.epochs - state.epoch) * count + (count - b - 1);
      emit({
        type: 'batch',
        epoch: state.epoch,
        epochs: h.epochs,
        batch: b + 1,
        batches: count,
        step: s.step,
        loss: s.dataLoss,
        imagesPerSec: s.imagesPerSec,
        etaSeconds: perBatch * left,
      });
    }
    const val = await validate(r, trainer);
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
    if (best) {
      state.bestEer = score;
      state.bestEpoch = state.epoch;
    }
    const next: CheckpointState = { ...state, epoch: state.epoch + 1, batchInEpoch: 0 };
    if (best) {
      saveCheckpoint(r.dir, 'best', {
        params: val.arrays,
        optimizer,
        state: { ...next, valSame: val.same, valDiff: val.diff, valMetrics: val.metrics, valScoring: val.scoring, valCounts: val.counts, valSets: val.sets },
      });
      emit({ type: 'checkpoint', which: 'best', epoch: state.epoch, step: state.step });
    }
    saveCheckpoint(r.dir, 'last', { params: val.arrays, optimizer, state: next });
    emit({ type: 'checkpoint', which: 'last', epoch: state.epoch, step: state.step });
    const perEpoch = state.history.reduce((t, x) => t + x.seconds, 0) / state.history.length;
    emit({
      type: 'epoch',
      epoch: state.epoch,
      epochs: h.epochs,
      trainLoss: rec.trainLoss,
      valEer: rec.valEer,
      valEerRandom: rec.valEerRandom ?? null,
      valPairEer: rec.valPairEer,
      best,
      seconds: rec.seconds,
      etaSeconds: perEpoch * (h.epochs - state.epoch),
    });
    if (h.patience !== null && state.bestEpoch !== null && state.epoch - state.bestEpoch >= h.patience && state.epoch < h.epochs) {
      state.stoppedEarly = state.epoch;
      emit({ type: 'early-stop', epoch: state.epoch, bestEpoch: state.bestEpoch });
      state.epoch++;
      return false;
    }
  }
  return false;
}

/** The validation figures' 95 % intervals as a model records them (model/registry/registry-metadata.ts MetricIntervals). */
export function intervalsOf(sets: WriterScores, calibration: Calibration | null, seed: number, rounds = BOOTSTRAP_ROUNDS): MetricIntervals {
  const b = bootstrapByWriter(sets, calibration, { rounds, seed });
  const pair = (i: { low: number; high: number } | null): [number, number] | null => (i ? [i.low, i.high] : null);
  return {
    method: b.method,
    level: b.level,
    rounds: b.rounds,
    seed,
    eer: pair(b.eer),
    eerRandom: pair(b.eerRandom),
    auc: pair(b.auc),
    cllr: pair(b.cllr),
    cllrMin: pair(b.cllrMin),
    pairEer: pair(b.pairEer),
  };
}

/** Bootstrap rounds of the intervals a trained model records (as `countersign eval`). */
export const BOOTSTRAP_ROUNDS = 1000;

/** Registers the best epoch's weights as a new model version. */
async function registerBest(r: Run, o: TrainOptions, state: CheckpointState, emit: (e: TrainEvent) => void): Promise<TrainResult> {
  const opts = r.run.options;
  const best = loadCheckpoint(r.dir, 'best');
  // Checkpoints of runs from before writer-normalised scores carry neither scoring nor counts:
  // their validation scores are mean distances, and the model is scored that way.
  const bs = { ...best.state, ...checkJson(bestValidationSchema, best.state, path.join(r.dir, 'best', 'state.json')) };
  let calibration: Calibration | null = null;
  try {
    calibration = fitCalibration(bs.valSame, bs.valDiff);
  } catch {
    calibration = null; // e.g. a larger score does not mean less support: stays uncalibrated
  }
  const vm = bs.valMetrics;
  // 95 % intervals of the validation figures, resampling validation writers (checkpoints from
  // before the scores kept their writers have none: the model then says they were not recorded).
  const metricIntervals = bs.valSets ? intervalsOf(bs.valSets, calibration, r.run.hyper.seed) : null;
  const startScore = state.baseline ? selectionScore({ eer: state.baseline.valEer, eerRandom: state.baseline.valEerRandom }) : null;
  const bestScore = selectionScore(vm);
  const betterThanStart = startScore === null ? true : bestScore < startScore;
  if (!betterThanStart) emit({ type: 'not-better', start: startScore!, best: bestScore });
  const params = paramsFromArrays(r.spec, embeddingArrays(r, best.params));
  const h = r.run.hyper;
  const [H, W] = r.spec.inputShape;
  const sources = r.data.summaries;
  try {
    const model = await saveModel(o.dataDir, {
      metadata: {
        ...(opts.modelId ? { id: opts.modelId } : {}),
        name: opts.name,
        description:
          opts.description ??
          `${r.parent ? `fine-tuned from ${r.parent.id}` : 'trained from scratch'} (${h.objective}) on ${sources.map((s) => `${s.label}: ${s.writers} writers`).join(', ')}`,
        architecture: r.spec.name,
        inputShape: r.spec.inputShape,
        embeddingSize: r.spec.embeddingSize,
        preprocessing: {
          normalise: `imaging/normaliseSignature v${r.run.normaliseVersion} (${r.run.normaliseVersion === 1 ? 'ink grey level kept' : 'ink-invariant: binary ink, area-average scaling'}; Otsu, crop to ink, fit and centre)`,
          normaliseVersion: r.run.normaliseVersion,
          canvas: [H, W],
          quantised: '8-bit',
          inputScale: r.run.inputScale,
        },
        parentId: r.parent?.id ?? null,
        trainingData: {
          sources,
          trainWriters: r.run.split.train,
          validationWriters: r.run.split.validation,
          validationSource: sources[0]!.label,
          runId: r.runId,
        },
        hyperparameters: {
          ...h,
          workers: o.workers ?? null,
          backend: r.backend,
          bestEpoch: bs.bestEpoch,
          stoppedEarly: state.stoppedEarly ?? null,
          baseline: state.baseline ?? null,
          betterThanStart,
          history: state.history,
        },
        metrics: {
          eer: vm.eer,
          eerRandom: vm.eerRandom ?? null,
          auc: vm.auc,
          pairEer: vm.pairEer,
          eerThreshold: vm.eerThreshold,
          cllr: calibration?.cllr ?? null,
          cllrMin: vm.cllrMin,
          validationWriters: bs.valCounts?.writers ?? null,
          validationGenuine: bs.valCounts?.genuine ?? null,
          validationForged: bs.valCounts?.forged ?? null,
          validationRandom: bs.valCounts?.random ?? null,
          validationPairsSame: bs.valSets?.pairSame?.length ?? null,
          validationPairsDiff: bs.valSets?.pairDiff?.length ?? null,
        },
        ...(metricIntervals ? { metricIntervals } : {}),
        calibration,
        validationDistances: { same: bs.valSame, diff: bs.valDiff },
        ...(bs.valScoring ? { scoring: bs.valScoring } : {}),
      },
      weights: [...params.tensors.entries()].map(([name, tensor]) => ({ name, tensor })),
    });
    return { runId: r.runId, status: 'done', modelId: model.id, model, history: state.history, checkpointDir: r.dir, resumeHint: null, betterThanStart };
  } finally {
    disposeParams(params);
  }
}

/** A trainer of the upper layers that reports the whole network's weights (the frozen ones as they were). */
function withFrozenWeights(inner: Trainer, frozen: readonly NamedArray[], spec: ArchitectureSpec): Trainer {
  const all = async () => [...frozen, ...(await inner.getParamArrays())];
  return {
    workers: inner.workers,
    backend: inner.backend,
    objective: inner.objective,
    step: (b) => inner.step(b),
    getParamArrays: all,
    getParams: async () => paramsFromArrays(spec, await all()),
    getOptimizerState: () => inner.getOptimizerState(),
    setLearningRate: (lr) => inner.setLearningRate(lr),
    replicasInSync: () => inner.replicasInSync(),
    dispose: () => inner.dispose(),
  };
}

export async function runTraining(o: TrainOptions): Promise<TrainResult> {
  const emit = o.onEvent ?? (() => {});
  const r = await prepareRun(o, emit);
  const h = r.run.hyper;
  const trainSplit = h.trainFrom && h.cacheVariants > 0 ? splitFrozen(r.trainSpec) : null;
  let trainer: Trainer;
  if (trainSplit) {
    // Cached partial fine-tuning: the frozen layers run once per image variant (a resumed run
    // computes them again); the trainer holds only the upper layers, on one replica by default
    // (dense layers are cheap), and reports the whole network's weights.
    const embedSplit = splitFrozen(freezeBelow(r.spec, h.trainFrom!))!;
    const trainSet = new Set(r.run.split.train);
    r.cache = await buildActivationCache({
      split: embedSplit,
      arrays: r.start,
      inputs: r.inputs,
      inputScale: r.run.inputScale,
      trainIdx: r.data.items.flatMap((it, i) => (trainSet.has(it.writer) ? [i] : [])),
      valIdx: r.valIdx,
      variants: h.cacheVariants,
      augment: h.augment,
      seed: h.seed,
      ...(o.signal ? { signal: o.signal } : {}),
      onProgress: (done, total) => emit({ type: 'cache', done, total, variants: h.augment === 'none' ? 1 : h.cacheVariants, features: embedSplit.features }),
    });
    const headNames = new Set(paramInfos(trainSplit.head).map((p) => p.name));
    const inner = await createTrainer({
      spec: trainSplit.head,
      params: r.start.filter((a) => headNames.has(a.name)),
      optimizer: h.optimizer,
      learningRate: h.learningRate,
      margin: h.margin,
      seed: h.seed,
      objective: h.objective,
      workers: o.workers ?? 1,
      ...(r.resumed ? { optimizerState: r.resumed.optimizer } : {}),
    });
    trainer = withFrozenWeights(
      inner,
      r.start.filter((a) => !headNames.has(a.name)),
      r.trainSpec,
    );
  } else {
    trainer = await createTrainer({
      spec: r.trainSpec,
      params: r.start,
      optimizer: h.optimizer,
      learningRate: h.learningRate,
      margin: h.margin,
      seed: h.seed,
      objective: h.objective,
      ...(o.workers ? { workers: o.workers } : {}),
      ...(r.resumed ? { optimizerState: r.resumed.optimizer } : {}),
    });
  }
  const state: CheckpointState = r.resumed?.state ?? { runId: r.runId, epoch: 1, batchInEpoch: 0, step: 0, bestEer: null, bestEpoch: null, history: [] };
  emit({
    type: 'start',
    runId: r.runId,
    backend: trainer.backend,
    workers: trainer.workers,
    trainWriters: r.run.split.train.length,
    validationWriters: r.run.split.validation.length,
    images: r.data.items.length,
    objective: h.objective,
    trainFrom: h.trainFrom,
    cache: r.cache ? { variants: r.cache.variants, features: r.cache.split.features, engine: r.cache.engine, seconds: r.cache.seconds } : null,
    resumedFrom: r.resumed ? { epoch: state.epoch, batch: state.batchInEpoch } : null,
  });
  try {
    const cancelled = await trainEpochs(r, trainer, state, emit, o.signal);
    if (cancelled) {
      // Keep `last` at the exact batch reached, so a resume continues from there.
      saveCheckpoint(r.dir, 'last', { params: await trainer.getParamArrays(), optimizer: await trainer.getOptimizerState(), state: { ...state } });
      emit({ type: 'checkpoint', which: 'last', epoch: state.epoch, step: state.step });
      return {
        runId: r.runId,
        status: 'cancelled',
        modelId: null,
        model: null,
        history: state.history,
        checkpointDir: r.dir,
        resumeHint: `countersign train --resume ${r.runId}`,
        betterThanStart: null,
      };
    }
  } finally {
    await trainer.dispose();
  }
  return registerBest(r, o, state, emit);
}
