/**
 * One gradient computation of the siamese network on a batch of pairs: both branches share the
 * parameters; each branch is a separate forward pass, so batch norm sees each branch's batch on
 * its own, as in the authors' Keras model (base_network applied to input_a and input_b).
 */
import * as tf from '@tensorflow/tfjs';
import { hashString } from '../../util/random.ts';
import { paramInfos, type ArchitectureSpec } from '../architectures.ts';
import { embed, type BatchStats, type Params } from '../network.ts';
import { contrastiveLoss, l2Penalty } from './loss.ts';

export interface PairTensors {
  /** First image of every pair [n, H, W, C]. */
  a: tf.Tensor4D;
  /** Second image of every pair [n, H, W, C]. */
  b: tf.Tensor4D;
  /** 1 similar (same writer, genuine), 0 dissimilar; [n]. */
  y: tf.Tensor1D;
}

export interface GradientOptions {
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
  /** weight * (contrastive + L2 penalty) */
  loss: number;
  /** weight * contrastive loss alone */
  contrastive: number;
  /** Gradient of `loss` for every trainable parameter (owned by the caller). */
  grads: Map<string, tf.Tensor>;
  /** Batch-norm batch statistics, branch a then branch b (owned by the caller). */
  batchStats: BatchStats[];
}

export function branchSeed(seed: number, branch: 'a' | 'b'): number {
  return hashString(`${seed >>> 0}:${branch}`);
}

export function computeGradients(params: Params, spec: ArchitectureSpec, batch: PairTensors, options: GradientOptions): GradientResult {
  const weight = options.weight ?? 1;
  const trainable = paramInfos(spec).filter((p) => p.trainable).map((p) => p.name);
  const batchStats: BatchStats[] = [];
  let contrastive: tf.Scalar | undefined;
  const objective = (...ts: tf.Tensor[]): tf.Scalar => {
    const tensors = new Map(params.tensors);
    trainable.forEach((name, i) => tensors.set(name, ts[i]!));
    const p: Params = { architecture: params.architecture, tensors };
    const ea = embed(p, spec, batch.a, { training: true, seed: branchSeed(options.seed, 'a'), batchStats });
    const eb = embed(p, spec, batch.b, { training: true, seed: branchSeed(options.seed, 'b'), batchStats });
    const c = contrastiveLoss(ea, eb, batch.y, options.margin);
    contrastive = tf.keep(tf.mul(c, weight) as tf.Scalar);
    return tf.mul(tf.add(c, l2Penalty(p, spec)), weight) as tf.Scalar;
  };
  const { value, grads } = tf.valueAndGrads(objective)(trainable.map((n) => params.tensors.get(n)!));
  const result: GradientResult = {
    loss: value.dataSync()[0]!,
    contrastive: contrastive!.dataSync()[0]!,
    grads: new Map(trainable.map((n, i) => [n, grads[i]!])),
    batchStats,
  };
  tf.dispose([value, contrastive!]);
  return result;
}
