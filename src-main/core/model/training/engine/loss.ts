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
import type { ArchitectureSpec } from '../../architectures.ts';
import type { Params } from '../../network.ts';

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

/**
 * Triplets of one batch with online semi-hard mining (Schroff, Kalenichenko & Philbin 2015,
 * FaceNet): every anchor-positive pair of a group (two genuine signatures of one writer) is
 * paired with the closest negative that is still farther than the positive (d_an > d_ap), or,
 * where none is, the farthest negative (the one that hurts least; FaceNet avoids the hardest
 * negatives early because they collapse the embedding). `groups[i]` >= 0 is image i's writer;
 * a negative id (a forgery: each gets its own) marks an image that is never an anchor or a
 * positive and is a negative for every anchor, its own writer's included (the skilled forgeries
 * of a writer are the negatives that matter most). Returns [anchor, positive, negative] triples.
 */
export function mineSemiHard(dist: Float32Array | number[], n: number, groups: Int32Array): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (let a = 0; a < n; a++) {
    const ga = groups[a]!;
    if (ga < 0) continue;
    for (let p = 0; p < n; p++) {
      if (p === a || groups[p] !== ga) continue;
      const dap = dist[a * n + p]!;
      let semi = -1;
      let semiD = Infinity;
      let easy = -1;
      let easyD = -Infinity;
      for (let k = 0; k < n; k++) {
        if (groups[k] === ga) continue;
        const d = dist[a * n + k]!;
        if (d > dap && d < semiD) {
          semi = k;
          semiD = d;
        }
        if (d <= dap && d > easyD) {
          easy = k;
          easyD = d;
        }
      }
      const neg = semi >= 0 ? semi : easy;
      if (neg >= 0) out.push([a, p, neg]);
    }
  }
  return out;
}

/** Pairwise Euclidean distances of the rows of e: [n, D] -> [n, n] (epsilon under the root, as above). */
export function pairwiseDistances(e: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const sq = tf.sum(tf.square(e), 1, true);
    const d2 = tf.relu(tf.add(tf.sub(sq, tf.mul(2, tf.matMul(e, e, false, true))), tf.transpose(sq)));
    return tf.sqrt(tf.maximum(d2, DISTANCE_EPSILON)) as tf.Tensor2D;
  });
}

/**
 * Mean triplet loss max(0, d_ap - d_an + margin) over semi-hard triplets of the batch
 * (mineSemiHard). Mining reads the distances; the selected entries are taken with constant
 * selection matrices (products, which every backend differentiates), so gradients flow
 * through d_ap and d_an only. A batch without any triplet gives 0.
 */
export function tripletLoss(e: tf.Tensor2D, groups: Int32Array, margin = DEFAULT_MARGIN): tf.Scalar {
  return tf.tidy(() => {
    const n = e.shape[0];
    const dist = pairwiseDistances(e);
    const triplets = mineSemiHard(dist.dataSync() as Float32Array, n, groups);
    if (!triplets.length) return tf.mul(tf.sum(dist), 0) as tf.Scalar;
    const t = triplets.length;
    const selAp = new Float32Array(t * n * n);
    const selAn = new Float32Array(t * n * n);
    triplets.forEach(([a, p, k], i) => {
      selAp[i * n * n + a * n + p] = 1;
      selAn[i * n * n + a * n + k] = 1;
    });
    const flat = tf.reshape(dist, [n * n, 1]);
    const dap = tf.matMul(tf.tensor2d(selAp, [t, n * n]), flat);
    const dan = tf.matMul(tf.tensor2d(selAn, [t, n * n]), flat);
    return tf.mean(tf.relu(tf.add(tf.sub(dap, dan), margin))) as tf.Scalar;
  });
}

/** Mean softmax cross-entropy of logits [n, C] against class indices (writer classification). */
export function softmaxCrossEntropy(logits: tf.Tensor2D, labels: Int32Array): tf.Scalar {
  return tf.tidy(() => {
    const c = logits.shape[1];
    const onehot = tf.oneHot(tf.tensor1d(labels, 'int32'), c);
    const logp = tf.logSoftmax(logits);
    return tf.neg(tf.mean(tf.sum(tf.mul(onehot, logp), 1))) as tf.Scalar;
  });
}
