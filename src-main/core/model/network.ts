/**
 * The network as raw tfjs ops over an explicit, named parameter list (no tf.layers): full control
 * of batch-norm statistics, dropout seeds and the parameter layout, which data-parallel training
 * and the model registry rely on.
 *
 * Parameter names are `<layer>/<param>`: conv1/kernel [11,11,1,96], conv1/bias, bn1/gamma,
 * bn1/beta, bn1/moving_mean, bn1/moving_variance, ..., fc2/bias (architectures.paramInfos gives
 * the canonical order, which is also the order in weights.bin; docs/model.md, "Weights format").
 */
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../errors.ts';
import { Rng, hashString } from '../util/random.ts';
import { layerShapes, paramInfos, type ArchitectureSpec, type BatchNormLayer } from './architectures.ts';
import { channelSum, fusedConv2d, fusedMatMul } from './fused-gradients.ts';

export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}
/** Parameters as an ordered list of named tensors (what tf.io.encodeWeights takes). */
export type NamedWeights = NamedTensor[];

/** One parameter as plain data, for worker messages and checkpoints. */
export interface NamedArray {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** A network's parameters. The map owns its tensors: disposeParams releases them. */
export interface Params {
  architecture: string;
  tensors: Map<string, tf.Tensor>;
}

/** Batch statistics of one batch-norm layer in one training forward pass (kept tensors). */
export interface BatchStats {
  layer: string;
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}

export interface EmbedOptions {
  /** Training mode: batch statistics in batch norm, dropout active. Default false. */
  training?: boolean;
  /** Dropout seed (training only); each dropout layer derives its own from it. Default 0. */
  seed?: number;
  /**
   * Training only: the batch mean/variance of every batch-norm layer is pushed here (kept
   * tensors, owned by the caller) so the moving statistics can be updated with updateMovingStats.
   */
  batchStats?: BatchStats[];
}

/** Glorot-uniform kernels and constant vectors, drawn from the project's seeded generator. */
export function initParams(spec: ArchitectureSpec, seed: number): Params {
  const rng = new Rng(seed).fork(`init:${spec.name}`);
  const tensors = new Map<string, tf.Tensor>();
  for (const p of paramInfos(spec)) {
    const size = p.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    if (p.init === 'ones') data.fill(1);
    else if (p.init === 'glorot-uniform') {
      // Glorot & Bengio 2010, as Keras' glorot_uniform ([code] init='glorot_uniform').
      const [fanIn, fanOut] = p.fans!;
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      const r = rng.fork(p.name);
      for (let i = 0; i < size; i++) data[i] = r.uniform(-limit, limit);
    }
    tensors.set(p.name, tf.tensor(data, p.shape, 'float32'));
  }
  return { architecture: spec.name, tensors };
}

function param(params: Params, name: string): tf.Tensor {
  const t = params.tensors.get(name);
  if (!t) throw new AppError('INVALID_ARGUMENT', `weights for '${params.architecture}': missing '${name}'`);
  return t;
}

function derivedSeed(seed: number, index: number): number {
  return hashString(`${seed >>> 0}:dropout:${index}`);
}

/**
 * Batch norm in training mode with a closed-form gradient (Ioffe & Szegedy 2015), per channel
 * over N, H, W (M values each). With c = x - mean, r = 1/sqrt(var + eps), s = gamma * r:
 *   y = c * s + beta
 *   dbeta = sum(dy),  dgamma = r * sum(dy * c)
 *   dx = dy * s - c * (gamma * r^3 * sum(dy * c) / M) - gamma * r * sum(dy) / M
 * Channel sums are products with a ones vector (channelSum), which run on XNNPACK on wasm.
 */
function batchNormTrain(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  epsilon: number,
  onStats: (mean: tf.Tensor1D, variance: tf.Tensor1D) => void,
): tf.Tensor4D {
  const fn = tf.customGrad(((xIn: tf.Tensor4D, g: tf.Tensor1D, b: tf.Tensor1D, save: tf.GradSaveFunc) => {
    const m = xIn.size / xIn.shape[3];
    const mean = tf.div(channelSum(xIn), m);
    const centered = tf.sub(xIn, mean);
    const variance = tf.div(channelSum(tf.square(centered)), m);
    onStats(mean as tf.Tensor1D, variance as tf.Tensor1D);
    const rstd = tf.rsqrt(tf.add(variance, epsilon));
    const scale = tf.mul(g, rstd);
    save([centered, rstd, g]);
    const value = tf.add(tf.mul(centered, scale), b);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [c, r, gs] = saved as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D];
      const sumDy = channelSum(dy);
      const sumDyC = channelSum(tf.mul(dy, c));
      const s = tf.mul(gs, r);
      const k2 = tf.div(tf.mul(tf.mul(s, tf.square(r)), sumDyC), m);
      const k3 = tf.div(tf.mul(s, sumDy), m);
      const dx = tf.sub(tf.mul(dy, s), tf.add(tf.mul(c, k2), k3));
      return [dx, tf.mul(sumDyC, r), sumDy];
    };
    return { value, gradFunc };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return fn(x, gamma, beta) as tf.Tensor4D;
}

/** Inference batch norm: a per-channel affine map from the moving statistics. */
function batchNormInfer(x: tf.Tensor4D, params: Params, layer: BatchNormLayer): tf.Tensor4D {
  return tf.batchNorm(
    x,
    param(params, `${layer.name}/moving_mean`) as tf.Tensor1D,
    param(params, `${layer.name}/moving_variance`) as tf.Tensor1D,
    param(params, `${layer.name}/beta`) as tf.Tensor1D,
    param(params, `${layer.name}/gamma`) as tf.Tensor1D,
    layer.epsilon,
  );
}

/**
 * Embeds a batch of preprocessed images [N, H, W, C] -> [N, embeddingSize]. Pure with respect
 * to params: moving statistics are only read; training mode reports batch statistics through
 * options.batchStats instead of changing params.
 */
export function embed(params: Params, spec: ArchitectureSpec, x: tf.Tensor4D, options: EmbedOptions = {}): tf.Tensor2D {
  if (params.architecture !== spec.name) {
    throw new AppError('INVALID_ARGUMENT', `weights are for '${params.architecture}', not '${spec.name}'`);
  }
  const [h, w, c] = spec.inputShape;
  if (x.rank !== 4 || x.shape[1] !== h || x.shape[2] !== w || x.shape[3] !== c) {
    throw new AppError('INVALID_ARGUMENT', `input: expected [N, ${h}, ${w}, ${c}] for '${spec.name}', got [${x.shape.join(', ')}]`);
  }
  const training = options.training ?? false;
  const seed = options.seed ?? 0;
  return tf.tidy(() => {
    let t: tf.Tensor = x;
    let dropoutIndex = 0;
    for (const layer of spec.layers) {
      switch (layer.kind) {
        case 'conv2d': {
          const p = layer.padding === 'valid' ? 0 : layer.padding;
          t = fusedConv2d(
            t as tf.Tensor4D,
            param(params, `${layer.name}/kernel`) as tf.Tensor4D,
            param(params, `${layer.name}/bias`) as tf.Tensor1D,
            layer.stride,
            p === 0
              ? 'valid'
              : [
                  [0, 0],
                  [p, p],
                  [p, p],
                  [0, 0],
                ],
            layer.activation,
          );
          break;
        }
        case 'batchNorm':
          if (training && !layer.frozen) {
            t = batchNormTrain(
              t as tf.Tensor4D,
              param(params, `${layer.name}/gamma`) as tf.Tensor1D,
              param(params, `${layer.name}/beta`) as tf.Tensor1D,
              layer.epsilon,
              (mean, variance) => {
                options.batchStats?.push({ layer: layer.name, mean: tf.keep(mean.clone()), variance: tf.keep(variance.clone()) });
              },
            );
          } else {
            t = batchNormInfer(t as tf.Tensor4D, params, layer);
          }
          break;
        case 'maxPool':
          t = tf.maxPool(t as tf.Tensor4D, layer.size, layer.stride, 'valid');
          break;
        case 'dropout':
          if (training && layer.rate > 0) t = tf.dropout(t, layer.rate, undefined, derivedSeed(seed, dropoutIndex));
          dropoutIndex++;
          break;
        case 'flatten':
          t = tf.reshape(t, [t.shape[0]!, -1]);
          break;
        case 'dense':
          t = fusedMatMul(
            t as tf.Tensor2D,
            param(params, `${layer.name}/kernel`) as tf.Tensor2D,
            param(params, `${layer.name}/bias`) as tf.Tensor1D,
            layer.activation,
          );
          break;
      }
    }
    return t as tf.Tensor2D;
  });
}

/**
 * New moving statistics from the batch statistics of one or more training passes, applied in
 * order (Keras: moving = momentum * moving + (1 - momentum) * batch; biased batch variance, as
 * Keras 1 with the TensorFlow backend). Replaces and disposes the old tensors in params.
 */
export function updateMovingStats(params: Params, spec: ArchitectureSpec, stats: BatchStats[]): void {
  const momentum = new Map<string, number>();
  for (const l of spec.layers) if (l.kind === 'batchNorm') momentum.set(l.name, l.momentum);
  for (const s of stats) {
    const m = momentum.get(s.layer);
    if (m === undefined) throw new Error(`updateMovingStats: no batch-norm layer '${s.layer}' in '${spec.name}'`);
    for (const [key, batch] of [
      ['moving_mean', s.mean],
      ['moving_variance', s.variance],
    ] as const) {
      const name = `${s.layer}/${key}`;
      const old = param(params, name);
      const next = tf.tidy(() => tf.add(tf.mul(old, m), tf.mul(batch, 1 - m)));
      params.tensors.set(name, next);
      old.dispose();
    }
  }
}

/** Disposes every tensor of a BatchStats list. */
export function disposeBatchStats(stats: BatchStats[]): void {
  for (const s of stats) tf.dispose([s.mean, s.variance]);
  stats.length = 0;
}

/** Releases every tensor of params. */
export function disposeParams(params: Params): void {
  for (const t of params.tensors.values()) t.dispose();
  params.tensors.clear();
}

/** A deep copy (new tensors). */
export function cloneParams(params: Params): Params {
  return { architecture: params.architecture, tensors: new Map([...params.tensors].map(([k, t]) => [k, t.clone()])) };
}

/** Params as named tensors in canonical order, for tf.io.encodeWeights (the tensors are shared, not copied). */
export function paramsToNamedTensors(params: Params, spec: ArchitectureSpec): NamedWeights {
  return paramInfos(spec).map((p) => ({ name: p.name, tensor: param(params, p.name) }));
}

/**
 * Params from named tensors (e.g. tf.io.decodeWeights' map, or a NamedWeights list): every
 * parameter of the spec must be present with its exact shape and dtype float32; unknown names
 * are refused. The tensors are adopted, not copied.
 */
export function paramsFromNamedTensors(spec: ArchitectureSpec, named: NamedWeights | Record<string, tf.Tensor>): Params {
  const map = new Map<string, tf.Tensor>(Array.isArray(named) ? named.map((n) => [n.name, n.tensor]) : Object.entries(named));
  const tensors = new Map<string, tf.Tensor>();
  for (const p of paramInfos(spec)) {
    const t = map.get(p.name);
    if (!t) throw new AppError('INTEGRITY', `weights for '${spec.name}': missing '${p.name}'`);
    if (t.dtype !== 'float32') throw new AppError('INTEGRITY', `weights for '${spec.name}': '${p.name}' is ${t.dtype}, expected float32`);
    if (t.shape.length !== p.shape.length || t.shape.some((d, i) => d !== p.shape[i])) {
      throw new AppError('INTEGRITY', `weights for '${spec.name}': '${p.name}' has shape [${t.shape.join(', ')}], expected [${p.shape.join(', ')}]`);
    }
    tensors.set(p.name, t);
    map.delete(p.name);
  }
  if (map.size) throw new AppError('INTEGRITY', `weights for '${spec.name}': unexpected ${[...map.keys()].map((k) => `'${k}'`).join(', ')}`);
  return { architecture: spec.name, tensors };
}

/** Params as plain arrays (copies), for worker messages and checkpoints. */
export function paramsToArrays(params: Params, spec: ArchitectureSpec): NamedArray[] {
  return paramsToNamedTensors(params, spec).map(({ name, tensor }) => ({ name, shape: [...tensor.shape], data: tensor.dataSync() as Float32Array }));
}

/** Params from plain arrays, validated like paramsFromNamedTensors. */
export function paramsFromArrays(spec: ArchitectureSpec, arrays: NamedArray[]): Params {
  const named = arrays.map((a) => ({ name: a.name, tensor: tf.tensor(a.data, a.shape, 'float32') }));
  try {
    return paramsFromNamedTensors(spec, named);
  } catch (err) {
    tf.dispose(named.map((n) => n.tensor));
    throw err;
  }
}

/** Number of scalar parameters (trainable and not). */
export function countParams(spec: ArchitectureSpec): { trainable: number; total: number } {
  let trainable = 0;
  let total = 0;
  for (const p of paramInfos(spec)) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    total += n;
    if (p.trainable) trainable += n;
  }
  return { trainable, total };
}

/** Checks that the spec's shapes are consistent (throws an AppError naming the layer if not). */
export function validateSpec(spec: ArchitectureSpec): void {
  layerShapes(spec);
}
