/**
 * Contrastive loss (Hadsell, Chopra & LeCun 2006) as in the SigNet authors' code.
 *
 * Label convention (the project's, everywhere): y = 1 for a SIMILAR pair (genuine-genuine, same
 * writer), y = 0 for a DISSIMILAR pair (genuine-forgery, genuine-other writer). This is the
 * authors' convention (SigNet_v1.py contrastive_loss); the blog version and
 * ../shared/bench/torch_signet_reference.py use the opposite one.
 *
 *   loss = mean_i [ y_i * d_i^2 + (1 - y_i) * max(0, margin - d_i)^2 ],   d_i = ||a_i - b_i||_2
 *
 * margin defaults to 1 (authors' code; the blog uses 2).
 */
import * as tf from '@tensorflow/tfjs';
import type { ArchitectureSpec } from '../architectures.ts';
import type { Params } from '../network.ts';

export const DEFAULT_MARGIN = 1;

/**
 * Squared distances are clamped below by this before the square root, so a pair of identical
 * embeddings has a finite gradient (the authors' K.sqrt has none at 0).
 */
export const DISTANCE_EPSILON = 1e-12;

/** Euclidean distance per row: [N, D] x [N, D] -> [N]. */
export function euclideanDistance(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.sqrt(tf.maximum(tf.sum(tf.squaredDifference(a, b), 1), DISTANCE_EPSILON)) as tf.Tensor1D);
}

/** Mean contrastive loss over the pairs; y: 1 similar, 0 dissimilar. */
export function contrastiveLoss(a: tf.Tensor2D, b: tf.Tensor2D, y: tf.Tensor1D, margin = DEFAULT_MARGIN): tf.Scalar {
  return tf.tidy(() => {
    const sq = tf.sum(tf.squaredDifference(a, b), 1);
    const d = tf.sqrt(tf.maximum(sq, DISTANCE_EPSILON));
    const similar = tf.mul(y, sq);
    const dissimilar = tf.mul(tf.sub(1, y), tf.square(tf.relu(tf.sub(margin, d))));
    return tf.mean(tf.add(similar, dissimilar)) as tf.Scalar;
  });
}

/** sum over layers of l2 * sum(kernel^2) (Keras W_regularizer=l2(...)); 0 when no layer has one. */
export function l2Penalty(params: Params, spec: ArchitectureSpec): tf.Scalar {
  return tf.tidy(() => {
    let total: tf.Scalar = tf.scalar(0);
    for (const layer of spec.layers) {
      if (layer.kind === 'dense' && layer.l2 > 0) {
        const k = params.tensors.get(`${layer.name}/kernel`)!;
        total = tf.add(total, tf.mul(tf.sum(tf.square(k)), layer.l2));
      }
    }
    return total;
  });
}
