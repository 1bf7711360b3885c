/**
 * Optimizers over named parameter tensors. Written out rather than taken from tf.train so that
 * their state is plain named data (checkpoints, data-parallel replicas) and the update is the
 * same float operations in every replica.
 *
 *  rmsprop (Tieleman & Hinton 2012; Keras 1, as the SigNet authors used it):
 *    a <- rho * a + (1 - rho) * g^2;   p <- p - lr * g / (sqrt(a) + eps)
 *    authors' values: lr 1e-4, rho 0.9, eps 1e-8 (SigNet_v1.py RMSprop(lr=1e-4, rho=0.9, epsilon=1e-08))
 *  adam (Kingma & Ba 2015, with bias correction):
 *    m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2;  p <- p - lr * m^ / (sqrt(v^) + eps)
 */
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../errors.ts';
import type { NamedArray, Params } from '../../network.ts';

export type OptimizerName = 'rmsprop' | 'adam';

export interface OptimizerConfig {
  name: OptimizerName;
  learningRate?: number;
  /** rmsprop decay. */
  rho?: number;
  /** adam moment decays. */
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

export const OPTIMIZER_DEFAULTS = {
  rmsprop: { learningRate: 1e-4, rho: 0.9, epsilon: 1e-8 },
  adam: { learningRate: 1e-4, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
} as const;

/** Slot tensors are named `<param>/<slot>`: rmsprop `a`; adam `m`, `v`. */
export interface OptimizerState {
  name: OptimizerName;
  /** Updates applied so far (adam's bias correction uses it). */
  step: number;
  slots: NamedArray[];
}

export type ResolvedOptimizerConfig = Required<Pick<OptimizerConfig, 'name' | 'learningRate' | 'epsilon'>> & OptimizerConfig;

export function resolveOptimizerConfig(config: OptimizerConfig): ResolvedOptimizerConfig {
  if (config.name !== 'rmsprop' && config.name !== 'adam') {
    throw new AppError('INVALID_ARGUMENT', `optimizer: expected 'rmsprop' or 'adam', got '${String(config.name)}'`);
  }
  const merged = {
    ...OPTIMIZER_DEFAULTS[config.name],
    ...Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined)),
  } as ResolvedOptimizerConfig;
  if (!(merged.learningRate > 0) || !Number.isFinite(merged.learningRate)) {
    throw new AppError('INVALID_ARGUMENT', `learning rate: expected a positive number, got ${merged.learningRate}`);
  }
  return merged;
}

export class Optimizer {
  readonly config: ResolvedOptimizerConfig;
  private step = 0;
  private readonly slots = new Map<string, tf.Tensor>();

  constructor(config: OptimizerConfig, state?: OptimizerState) {
    this.config = resolveOptimizerConfig(config);
    if (state) {
      if (state.name !== this.config.name) {
        throw new AppError('INVALID_ARGUMENT', `optimizer state is for '${state.name}', not '${this.config.name}'`);
      }
      this.step = state.step;
      for (const s of state.slots) this.slots.set(s.name, tf.tensor(s.data, s.shape, 'float32'));
    }
  }

  get iterations(): number {
    return this.step;
  }

  setLearningRate(lr: number): void {
    if (!(lr > 0) || !Number.isFinite(lr)) throw new AppError('INVALID_ARGUMENT', `learning rate: expected a positive number, got ${lr}`);
    this.config.learningRate = lr;
  }

  private slot(param: string, name: string, like: tf.Tensor): tf.Tensor {
    const key = `${param}/${name}`;
    let t = this.slots.get(key);
    if (!t) {
      t = tf.keep(tf.zerosLike(like));
      this.slots.set(key, t);
    }
    return t;
  }

  private setSlot(param: string, name: string, value: tf.Tensor): void {
    const key = `${param}/${name}`;
    const old = this.slots.get(key);
    this.slots.set(key, tf.keep(value));
    old?.dispose();
  }

  /**
   * Applies one update with the given gradients (by parameter name) to params, replacing and
   * disposing the updated tensors. Parameters without a gradient are left alone.
   */
  apply(params: Params, grads: Map<string, tf.Tensor>): void {
    this.step++;
    const c = this.config;
    for (const [name, g] of grads) {
      const p = params.tensors.get(name);
      if (!p) throw new Error(`optimizer: gradient for unknown parameter '${name}'`);
      const next = tf.tidy(() => {
        if (c.name === 'rmsprop') {
          const rho = c.rho!;
          const a = tf.add(tf.mul(this.slot(name, 'a', p), rho), tf.mul(tf.square(g), 1 - rho));
          this.setSlot(name, 'a', a);
          return tf.sub(p, tf.div(tf.mul(g, c.learningRate), tf.add(tf.sqrt(a), c.epsilon)));
        }
        const b1 = c.beta1!;
        const b2 = c.beta2!;
        const m = tf.add(tf.mul(this.slot(name, 'm', p), b1), tf.mul(g, 1 - b1));
        const v = tf.add(tf.mul(this.slot(name, 'v', p), b2), tf.mul(tf.square(g), 1 - b2));
        this.setSlot(name, 'm', m);
        this.setSlot(name, 'v', v);
        const mHat = tf.div(m, 1 - Math.pow(b1, this.step));
        const vHat = tf.div(v, 1 - Math.pow(b2, this.step));
        return tf.sub(p, tf.div(tf.mul(mHat, c.learningRate), tf.add(tf.sqrt(vHat), c.epsilon)));
      });
      params.tensors.set(name, next);
      p.dispose();
    }
  }

  getState(): OptimizerState {
    const slots = [...this.slots].map(([name, t]) => ({ name, shape: [...t.shape], data: t.dataSync() as Float32Array }));
    return { name: this.config.name, step: this.step, slots };
  }

  dispose(): void {
    for (const t of this.slots.values()) t.dispose();
    this.slots.clear();
  }
}
