/** Messages between the trainer (trainer.ts) and its data-parallel workers (replica-worker.ts). */
import type { ArchitectureSpec } from '../../architectures.ts';
import type { NamedArray } from '../../network.ts';
import type { OptimizerConfig, OptimizerState } from './optimizers.ts';
import type { ShardData } from './replica.ts';
import type { Objective } from './step.ts';

export interface ReplicaInit {
  spec: ArchitectureSpec;
  params: NamedArray[];
  optimizer: OptimizerConfig;
  optimizerState?: OptimizerState;
  objective: Objective;
  index: number;
  count: number;
  /** count slots of layout.gradSize float32 each. */
  gradBuffer: SharedArrayBuffer;
  /** count slots of layout.statSize float32 each. */
  statBuffer: SharedArrayBuffer;
}

export type ToReplica =
  | { type: 'gradients'; shard: ShardData; weight: number; seed: number; margin: number }
  | { type: 'apply' }
  | { type: 'get-params' }
  | { type: 'get-optimizer-state' }
  | { type: 'set-learning-rate'; learningRate: number }
  | { type: 'close' };

export type FromReplica =
  | { type: 'ready'; backend: string }
  | { type: 'gradients'; loss: number; dataLoss: number }
  | { type: 'applied' }
  | { type: 'params'; params: NamedArray[] }
  | { type: 'optimizer-state'; state: OptimizerState }
  | { type: 'ok' }
  | { type: 'error'; message: string; stack?: string };
