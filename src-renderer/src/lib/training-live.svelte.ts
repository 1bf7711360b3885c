/**
 * Live figures of training runs, collected from their jobs' progress events from the moment
 * the app loads, so the charts are whole when the examiner comes back to the Training view.
 * Series are `$state.raw` arrays, replaced (never mutated) on every event.
 */
import { SvelteMap } from 'svelte/reactivity';
import type { TrainEvent } from '../../../src-main/ipc/contract.ts';
import { onJobProgress } from './jobs.svelte.ts';

export type StartEvent = Extract<TrainEvent, { type: 'start' }>;
export type BatchEvent = Extract<TrainEvent, { type: 'batch' }>;
export type EpochEvent = Extract<TrainEvent, { type: 'epoch' }>;
export interface Point {
  x: number;
  y: number;
}

/** Draw at most this many loss points: a long run is thinned evenly (every point is kept in `lossCount`). */
const MAX_POINTS = 1500;

export class TrainingLive {
  readonly jobId: string;
  start = $state.raw<StartEvent | null>(null);
  prepare = $state.raw<{ done: number; total: number } | null>(null);
  lastBatch = $state.raw<BatchEvent | null>(null);
  epochs = $state.raw<EpochEvent[]>([]);
  /** Loss of each batch against the global step. */
  loss = $state.raw<Point[]>([]);
  /** Mean training loss of each finished epoch, at the step it ended. */
  epochLoss = $state.raw<Point[]>([]);
  /** Validation EER of each finished epoch. */
  valEer = $state.raw<Point[]>([]);
  checkpoints = $state.raw<{ which: 'last' | 'best'; epoch: number; step: number }[]>([]);
  lossCount = $state(0);
  private stride = 1;

  constructor(jobId: string) {
    this.jobId = jobId;
  }

  apply(e: TrainEvent): void {
    switch (e.type) {
      case 'start':
        this.start = e;
        break;
      case 'prepare':
      case 'cache': // the frozen layers' pass of a cached fine-tune: more preparation before the first batch
        this.prepare = { done: e.done, total: e.total };
        break;
      case 'batch': {
        this.lastBatch = e;
        this.lossCount++;
        if (this.lossCount % this.stride !== 0) break;
        let next = [...this.loss, { x: e.step, y: e.loss }];
        if (next.length > MAX_POINTS) {
          this.stride *= 2;
          next = next.filter((_, i) => i % 2 === 1);
        }
        this.loss = next;
        break;
      }
      case 'epoch': {
        this.epochs = [...this.epochs, e];
        const step = this.lastBatch?.step ?? e.epoch;
        this.epochLoss = [...this.epochLoss, { x: step, y: e.trainLoss }];
        this.valEer = [...this.valEer, { x: e.epoch, y: e.valEer }];
        break;
      }
      case 'checkpoint':
        this.checkpoints = [...this.checkpoints, { which: e.which, epoch: e.epoch, step: e.step }];
        break;
    }
  }

  get bestEpoch(): EpochEvent | null {
    let best: EpochEvent | null = null;
    for (const e of this.epochs) if (!best || e.valEer < best.valEer) best = e;
    return best;
  }
}

export const trainingLive = new SvelteMap<string, TrainingLive>();

onJobProgress((p) => {
  if (p.kind !== 'training') return;
  let live = trainingLive.get(p.jobId);
  if (!live) {
    live = new TrainingLive(p.jobId);
    trainingLive.set(p.jobId, live);
  }
  live.apply(p.data);
});

/** The training form's values, kept while the examiner visits other views. */
export const trainingForm = $state({
  data: '',
  /** 'scratch' or a model id. */
  start: '' as string,
  architecture: 'signet',
  name: '',
  epochs: '',
  batchSize: '',
  learningRate: '',
  margin: '',
  optimizer: '' as '' | 'rmsprop' | 'adam',
  pairsPerEpoch: '',
  seed: '',
  /** The job this view started last (its live figures are shown). */
  jobId: null as string | null,
});
