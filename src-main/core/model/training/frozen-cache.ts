/**
 * Cached partial fine-tuning (issue 19): with the layers below --train-from frozen, their output
 * for an image does not change during training. It is computed once per image and augmentation
 * variant (variant 0 the image as it is, variants 1.. augmented with the run's seeded generator),
 * kept in memory, and each epoch trains only the upper layers on it (architectures.splitFrozen).
 *
 * The frozen pass runs on onnxruntime where the inference engine choice allows it (a session
 * using every core; the export's channels-first flatten is put back in tfjs's channels-last
 * order), else on tfjs. Both give the activations tfjs's training pass would (within 1e-4,
 * test/integration/model/frozen-cache.test.ts).
 */
import os from 'node:os';
import { AppError } from '../../errors.ts';
import { throwIfCancelled } from '../../jobs/manager.ts';
import { Rng } from '../../util/random.ts';
import { layerShapes, type ArchitectureSpec, type FrozenSplit } from '../architectures.ts';
import { engineForSpec, loadOrt, resolveInferenceEngine, type InferenceEngine } from '../embedding/inference-engine.ts';
import { embedSync } from '../embedding/inference.ts';
import { disposeParams, paramsFromArrays, type NamedArray } from '../network.ts';
import { exportOnnx, ONNX_INPUT, ONNX_OUTPUT } from '../embedding/onnx/export.ts';
import { ortSession } from '../embedding/inference-ort.ts';
import { augment, type Augmentation } from './augment.ts';

export interface FrozenForward {
  engine: InferenceEngine;
  /** Activations at the cut of n images ([H, W, C] each, before input scaling), n x features floats. */
  run(x: Float32Array, n: number): Promise<Float32Array>;
  dispose(): Promise<void>;
}

/** The frozen layers' weights out of a whole network's. */
function lowerArrays(lower: ArchitectureSpec, arrays: readonly NamedArray[]): NamedArray[] {
  const wanted = new Set(layerShapes(lower).flatMap(({ layer }) => ('name' in layer ? [layer.name] : [])));
  return arrays.filter((a) => wanted.has(a.name.split('/')[0]!));
}

/** Channels-first (c, y, x) rows as tfjs's channels-last (y, x, c), in place per image. */
function toChannelsLast(data: Float32Array, n: number, h: number, w: number, c: number): Float32Array {
  const size = h * w * c;
  const out = new Float32Array(n * size);
  for (let i = 0; i < n; i++) {
    const o = i * size;
    for (let ch = 0; ch < c; ch++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[o + (y * w + x) * c + ch] = data[o + (ch * h + y) * w + x]!;
  }
  return out;
}

/** The frozen part's forward pass on `engine` (default: the thread's inference engine choice). */
export async function frozenForward(
  lower: ArchitectureSpec,
  arrays: readonly NamedArray[],
  inputScale: number,
  engine?: InferenceEngine,
): Promise<FrozenForward> {
  const own = lowerArrays(lower, arrays);
  const chosen = engine ?? engineForSpec(await resolveInferenceEngine(), lower);
  const features = lower.embeddingSize;
  if (chosen === 'onnxruntime') {
    const bytes = exportOnnx(lower, new Map(own.map((a) => [a.name, a.data])), { inputScale });
    const ort = await loadOrt();
    const session = await ortSession(ort, bytes, Math.max(1, os.availableParallelism()));
    // The shape before the flatten: the export flattens channels first.
    const shapes = layerShapes(lower);
    const before = shapes[shapes.findIndex((s) => s.layer.kind === 'flatten') - 1]?.out ?? lower.inputShape;
    const [h, w, c] = before.length === 3 ? (before as [number, number, number]) : [1, 1, before[0]!];
    const [H, W, C] = lower.inputShape;
    return {
      engine: chosen,
      async run(x, n) {
        const out = await session.run({ [ONNX_INPUT]: new ort.Tensor('float32', x, [n, H, W, C]) });
        const y = out[ONNX_OUTPUT];
        if (!y || !(y.data instanceof Float32Array) || y.data.length !== n * features)
          throw new AppError('INTERNAL', `frozen layers: onnxruntime returned no [${n}, ${features}] float32 output`);
        return toChannelsLast(y.data, n, h, w, c);
      },
      dispose: () => session.release(),
    };
  }
  const params = paramsFromArrays(lower, own);
  return {
    engine: 'tfjs',
    run: async (x, n) => embedSync(params, lower, inputScale, x, n),
    dispose: async () => disposeParams(params),
  };
}

export interface ActivationCache {
  split: FrozenSplit;
  /** Variants per training image (variant 0: not augmented). */
  variants: number;
  /** Per item: its variants' activations (training images `variants`, validation images 1, others none). */
  of: (Float32Array[] | undefined)[];
  engine: InferenceEngine;
  seconds: number;
}

export interface CacheOptions {
  split: FrozenSplit;
  /** The whole network's weights (the frozen part's are taken). */
  arrays: readonly NamedArray[];
  inputs: readonly Float32Array[];
  inputScale: number;
  trainIdx: readonly number[];
  valIdx: readonly number[];
  variants: number;
  augment: Augmentation;
  seed: number;
  engine?: InferenceEngine;
  batchSize?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** Image `i`'s augmentation variant `v` (0: as it is): the same for a given seed whatever the order. */
export function cacheVariant(input: Float32Array, H: number, W: number, i: number, v: number, how: Augmentation, seed: number): Float32Array {
  return v === 0 ? input : augment(input, H, W, new Rng(seed).fork(`cache:${i}:${v}`), how);
}

/** Runs the frozen layers over every training image's variants and every validation image. */
export async function buildActivationCache(o: CacheOptions): Promise<ActivationCache> {
  const t0 = performance.now();
  const variants = o.augment === 'none' ? 1 : o.variants;
  const [H, W, C] = o.split.lower.inputShape;
  const size = H * W * C;
  const jobs: { i: number; v: number }[] = [];
  const train = new Set(o.trainIdx);
  for (const i of o.trainIdx) for (let v = 0; v < variants; v++) jobs.push({ i, v });
  for (const i of o.valIdx) if (!train.has(i)) jobs.push({ i, v: 0 });
  const of: ActivationCache['of'] = new Array(o.inputs.length);
  const fwd = await frozenForward(o.split.lower, o.arrays, o.inputScale, o.engine);
  const bs = o.batchSize ?? 32;
  const features = o.split.features;
  try {
    o.onProgress?.(0, jobs.length);
    for (let s = 0; s < jobs.length; s += bs) {
      throwIfCancelled(o.signal, 'computing the frozen layers');
      const chunk = jobs.slice(s, s + bs);
      const x = new Float32Array(chunk.length * size);
      chunk.forEach(({ i, v }, k) => x.set(cacheVariant(o.inputs[i]!, H, W, i, v, o.augment, o.seed), k * size));
      const y = await fwd.run(x, chunk.length);
      chunk.forEach(({ i, v }, k) => {
        (of[i] ??= [])[v] = y.slice(k * features, (k + 1) * features);
      });
      o.onProgress?.(Math.min(jobs.length, s + bs), jobs.length);
    }
  } finally {
    await fwd.dispose();
  }
  return { split: o.split, variants, of, engine: fwd.engine, seconds: (performance.now() - t0) / 1000 };
}
