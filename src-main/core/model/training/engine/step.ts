/**
 * One gradient computation of the network on a batch, for one of three objectives:
 *
 * - 'contrastive': pairs (a, b, y); both branches share the parameters and each branch is a
 *   separate forward pass, so batch norm sees each branch's batch on its own, as in the authors'
 *   Keras model (base_network applied to input_a and input_b).
 * - 'triplet': a batch of images with writer groups, one forward pass, semi-hard triplets mined
 *   in the batch (loss.ts tripletLoss).
 * - 'writers': a batch of images with writer classes, one forward pass through the network and
 *   a classification head (architectures.withClassifierHead), softmax cross-entropy.
 */
import * as tf from '@tensorflow/tfjs';
import { hashString } from '../../../util/random.ts';
import { paramInfos, type ArchitectureSpec } from '../../architectures.ts';
import { embed, type BatchStats, type Params } from '../../network.ts';
import { contrastiveLoss, l2Penalty, softmaxCrossEntropy, tripletLoss } from './loss.ts';

export type Objective = 'contrastive' | 'triplet' | 'writers';
export const OBJECTIVES: readonly Objective[] = ['contrastive', 'triplet', 'writers'];

/** Forward passes per batch: one per branch of a pair, one for a batch of images. */
export function branchesOf(objective: Objective): 1 | 2 {
  return objective === 'contrastive' ? 2 : 1;
}

export type BatchTensors =
  | {
      kind: 'pairs';
      /** First image of every pair [n, H, W, C]. */
      a: tf.Tensor4D;
      /** Second image of every pair [n, H, W, C]. */
      b: tf.Tensor4D;
      /** 1 similar (same writer, genuine), 0 dissimilar; [n]. */
      y: tf.Tensor1D;
    }
  | {
      kind: 'images';
      x: tf.Tensor4D;
      /** Triplet: writer group per image (< 0: a forgery, negative only). Writers: class index. */
      labels: Int32Array;
    };

export interface GradientOptions {
  objective: Objective;
  margin: number;
  /** Seed of this computation's dropout masks. */
  seed: number;
  /**
   * Scale of this shard's objective: its share of the whole batch (n_shard / n_batch), so that
   * the sum of the shards' gradients is the gradient of the batch mean. Default 1.
   */
  weight?: number;
}

export interface GradientResult {
  /** weight * (data loss + L2 penalty) */
  loss: number;
  /** weight * the objective's data term alone (contrastive, triplet or cross-entropy) */
  dataLoss: number;
  /** Gradient of `loss` for every trainable parameter (owned by the caller). */
  grads: Map<string, tf.Tensor>;
  /** Batch-norm batch statistics of the trained batch-norm layers, per forward pass (owned by the caller). */
  batchStats: BatchStats[];
}

export function branchSeed(seed: number, branch: 'a' | 'b'): number {
  return hashString(`${seed >>> 0}:${branch}`);
}

export function computeGradients(params: Params, spec: ArchitectureSpec, batch: BatchTensors, options: GradientOptions): GradientResult {
  const weight = options.weight ?? 1;
  const trainable = paramInfos(spec)
    .filter((p) => p.trainable)
    .map((p) => p.name);
  const batchStats: BatchStats[] = [];
  let data: tf.Scalar | undefined;
  const objective = (...ts: tf.Tensor[]): tf.Scalar => {
    const tensors = new Map(params.tensors);
    trainable.forEach((name, i) => tensors.set(name, ts[i]!));
    const p: Params = { architecture: params.architecture, tensors };
    let c: tf.Scalar;
    if (batch.kind === 'pairs') {
      if (options.objective !== 'contrastive') throw new Error(`internal: pairs given to the ${options.objective} objective`);
      const ea = embed(p, spec, batch.a, { training: true, seed: branchSeed(options.seed, 'a'), batchStats });
      const eb = embed(p, spec, batch.b, { training: true, seed: branchSeed(options.seed, 'b'), batchStats });
      c = contrastiveLoss(ea, eb, batch.y, options.margin);
    } else {
      const e = embed(p, spec, batch.x, { training: true, seed: branchSeed(options.seed, 'a'), batchStats });
      if (options.objective === 'triplet') c = tripletLoss(e, batch.labels, options.margin);
      else if (options.objective === 'writers') c = softmaxCrossEntropy(e, batch.labels);
      else throw new Error('internal: images given to the contrastive objective');
    }
    data = tf.keep(tf.mul(c, weight) as tf.Scalar);
    return tf.mul(tf.add(c, l2Penalty(p, spec)), weight) as tf.Scalar;
  };
  const { value, grads } = tf.valueAndGrads(objective)(trainable.map((n) => params.tensors.get(n)!));
  const result: GradientResult = {
    loss: value.dataSync()[0]!,
    dataLoss: data!.dataSync()[0]!,
    grads: new Map(trainable.map((n, i) => [n, grads[i]!])),
    batchStats,
  };
  tf.dispose([value, data!]);
  return result;
}
