/**
 * A model replica: parameters, optimizer and the per-step work. The in-process trainer uses one
 * directly; each data-parallel worker thread holds one (replica-worker.ts).
 *
 * Data-parallel exchange: every replica computes the gradient of its shard's share of the batch
 * objective (weight = n_shard / n_batch) and writes it, flattened in canonical parameter order,
 * into its slot of a SharedArrayBuffer; its batch-norm batch statistics likewise (also weighted).
 * When all slots are written, every replica sums the slots in slot order 0..N-1 - the same float
 * operations in the same order on the same bytes - and applies the identical update, so the
 * replicas stay bit-identical without ever sending weights. The moving statistics are updated from
 * the weighted mean of the shards' batch statistics (exact for means; for variances it omits the
 * between-shard spread, as unsynchronised data-parallel batch norm does in other frameworks).
 */
import * as tf from '@tensorflow/tfjs';
import { hashString } from '../../../util/random.ts';
import { paramInfos, type ArchitectureSpec } from '../../architectures.ts';
import { disposeBatchStats, updateMovingStats, type BatchStats, type Params } from '../../network.ts';
import { withWinograd } from '../../wasm-kernels.ts';
import { Optimizer } from './optimizers.ts';
import { branchesOf, computeGradients, type GradientResult, type Objective } from './step.ts';

/**
 * Plain data of one shard: n pairs of images [H, W, C] flattened with labels 1 similar /
 * 0 dissimilar (contrastive), or n images with a label each (triplet groups, writer classes).
 */
export type ShardData =
  { kind: 'pairs'; a: Float32Array; b: Float32Array; y: Float32Array; n: number } | { kind: 'images'; x: Float32Array; labels: Int32Array; n: number };

/** Layout of the flattened trainable gradients and of the batch statistics. */
export interface ExchangeLayout {
  grads: { name: string; shape: number[]; offset: number; size: number }[];
  gradSize: number;
  /** One entry per trained batch-norm layer per forward pass (branch a then b), mean then variance. */
  stats: { layer: string; channels: number; offset: number }[];
  statSize: number;
}

export function exchangeLayout(spec: ArchitectureSpec, branches: 1 | 2): ExchangeLayout {
  const grads: ExchangeLayout['grads'] = [];
  let offset = 0;
  for (const p of paramInfos(spec)) {
    if (!p.trainable) continue;
    const size = p.shape.reduce((a, b) => a * b, 1);
    grads.push({ name: p.name, shape: p.shape, offset, size });
    offset += size;
  }
  const frozen = new Set(spec.layers.flatMap((l) => (l.kind === 'batchNorm' && l.frozen ? [l.name] : [])));
  const bn = paramInfos(spec).filter((p) => p.name.endsWith('/moving_mean') && !frozen.has(p.name.slice(0, p.name.indexOf('/'))));
  const stats: ExchangeLayout['stats'] = [];
  let sOffset = 0;
  for (let branch = 0; branch < branches; branch++) {
    for (const p of bn) {
      stats.push({ layer: p.name.slice(0, p.name.indexOf('/')), channels: p.shape[0]!, offset: sOffset });
      sOffset += 2 * p.shape[0]!;
    }
  }
  return { grads, gradSize: offset, stats, statSize: sOffset };
}

/** Dropout seed of one shard of one step: depends on the run seed, the step and the shard index. */
export function shardSeed(seed: number, step: number, shard: number): number {
  return hashString(`${seed >>> 0}:step:${step}:shard:${shard}`);
}

export class Replica {
  readonly layout: ExchangeLayout;

  constructor(
    readonly spec: ArchitectureSpec,
    public params: Params,
    readonly optimizer: Optimizer,
    readonly objective: Objective,
  ) {
    this.layout = exchangeLayout(spec, branchesOf(objective));
  }

  /** Gradients of one shard (tensors owned by the caller). */
  gradients(shard: ShardData, options: { margin: number; seed: number; weight: number }): GradientResult {
    const [h, w, c] = this.spec.inputShape;
    const size = h * w * c;
    if (shard.kind === 'pairs') {
      if (shard.a.length !== shard.n * size || shard.b.length !== shard.n * size || shard.y.length !== shard.n) {
        throw new Error(`training batch: expected ${shard.n} pairs of ${h}x${w}x${c} images and ${shard.n} labels`);
      }
      const batch = {
        kind: 'pairs' as const,
        a: tf.tensor4d(shard.a, [shard.n, h, w, c]),
        b: tf.tensor4d(shard.b, [shard.n, h, w, c]),
        y: tf.tensor1d(shard.y),
      };
      try {
        return withWinograd(() => computeGradients(this.params, this.spec, batch, { ...options, objective: this.objective }));
      } finally {
        tf.dispose([batch.a, batch.b, batch.y]);
      }
    }
    if (shard.x.length !== shard.n * size || shard.labels.length !== shard.n) {
      throw new Error(`training batch: expected ${shard.n} images of ${h}x${w}x${c} and ${shard.n} labels`);
    }
    const x = tf.tensor4d(shard.x, [shard.n, h, w, c]);
    try {
      return withWinograd(() =>
        computeGradients(this.params, this.spec, { kind: 'images', x, labels: shard.labels }, { ...options, objective: this.objective }),
      );
    } finally {
      x.dispose();
    }
  }

  /** Applies gradients and batch statistics held as tensors (the single-replica path). Disposes them. */
  applyTensors(grads: Map<string, tf.Tensor>, stats: BatchStats[]): void {
    try {
      this.optimizer.apply(this.params, grads);
      updateMovingStats(this.params, this.spec, stats);
    } finally {
      tf.dispose([...grads.values()]);
      disposeBatchStats(stats);
    }
  }

  /**
   * Writes one result into its exchange slots and disposes its tensors. The gradients already
   * carry the shard's weight (GradientOptions.weight); the batch statistics are scaled by it here.
   */
  writeSlot(result: GradientResult, weight: number, gradSlot: Float32Array, statSlot: Float32Array): void {
    try {
      for (const g of this.layout.grads) gradSlot.set(result.grads.get(g.name)!.dataSync() as Float32Array, g.offset);
      if (result.batchStats.length !== this.layout.stats.length) {
        throw new Error(`internal: ${result.batchStats.length} batch statistics, expected ${this.layout.stats.length}`);
      }
      result.batchStats.forEach((s, i) => {
        const e = this.layout.stats[i]!;
        const mean = s.mean.dataSync();
        const variance = s.variance.dataSync();
        for (let j = 0; j < e.channels; j++) {
          statSlot[e.offset + j] = mean[j]! * weight;
          statSlot[e.offset + e.channels + j] = variance[j]! * weight;
        }
      });
    } finally {
      tf.dispose([...result.grads.values()]);
      disposeBatchStats(result.batchStats);
    }
  }

  /** Sums the slots in slot order and applies the result (identical in every replica). */
  applySlots(gradSlots: Float32Array[], statSlots: Float32Array[]): void {
    const sum = (slots: Float32Array[], size: number): Float32Array => {
      const out = new Float32Array(size);
      out.set(slots[0]!);
      for (let k = 1; k < slots.length; k++) {
        const s = slots[k]!;
        for (let i = 0; i < size; i++) out[i]! += s[i]!;
      }
      return out;
    };
    const g = sum(gradSlots, this.layout.gradSize);
    // Empty shards (weight 0) wrote zeros and count for nothing.
    const s = sum(statSlots, this.layout.statSize);
    const grads = new Map(this.layout.grads.map((e) => [e.name, tf.tensor(g.subarray(e.offset, e.offset + e.size), e.shape, 'float32')]));
    const stats: BatchStats[] = this.layout.stats.map((e) => ({
      layer: e.layer,
      mean: tf.tensor1d(s.subarray(e.offset, e.offset + e.channels)),
      variance: tf.tensor1d(s.subarray(e.offset + e.channels, e.offset + 2 * e.channels)),
    }));
    this.applyTensors(grads, stats);
  }

  dispose(): void {
    for (const t of this.params.tensors.values()) t.dispose();
    this.params.tensors.clear();
    this.optimizer.dispose();
  }
}
