/**
 * Worker thread holding one model replica for data-parallel training (see replica.ts for the
 * exchange). Started by trainer.ts through core/jobs/worker.ts; each thread has its own tfjs
 * backend instance (wasm in Node runs single-threaded, so one replica per core uses them all).
 */
import * as tf from '@tensorflow/tfjs';
import { parentPort, workerData } from 'node:worker_threads';
import { resolveBackend } from '../../backend.ts';
import { paramsFromArrays, paramsToArrays } from '../../network.ts';
import { Optimizer } from './optimizers.ts';
import type { FromReplica, ReplicaInit, ToReplica } from './protocol.ts';
import { Replica } from './replica.ts';

const port = parentPort!;
const init = workerData as ReplicaInit;

function send(msg: FromReplica): void {
  port.postMessage(msg);
}

async function main(): Promise<void> {
  const info = await resolveBackend();
  const replica = new Replica(init.spec, paramsFromArrays(init.spec, init.params), new Optimizer(init.optimizer, init.optimizerState), init.objective);
  const { gradSize, statSize } = replica.layout;
  const gradSlots = Array.from({ length: init.count }, (_, k) => new Float32Array(init.gradBuffer, k * gradSize * 4, gradSize));
  const statSlots = Array.from({ length: init.count }, (_, k) => new Float32Array(init.statBuffer, k * statSize * 4, statSize));
  const mine = { grad: gradSlots[init.index]!, stat: statSlots[init.index]! };

  port.on('message', (msg: ToReplica) => {
    try {
      switch (msg.type) {
        case 'gradients': {
          if (msg.shard.n === 0) {
            mine.grad.fill(0);
            mine.stat.fill(0);
            send({ type: 'gradients', loss: 0, dataLoss: 0 });
            break;
          }
          const r = replica.gradients(msg.shard, { margin: msg.margin, seed: msg.seed, weight: msg.weight });
          const { loss, dataLoss } = r;
          replica.writeSlot(r, msg.weight, mine.grad, mine.stat);
          send({ type: 'gradients', loss, dataLoss });
          break;
        }
        case 'apply':
          replica.applySlots(gradSlots, statSlots);
          send({ type: 'applied' });
          break;
        case 'get-params':
          send({ type: 'params', params: paramsToArrays(replica.params, replica.spec) });
          break;
        case 'get-optimizer-state':
          send({ type: 'optimizer-state', state: replica.optimizer.getState() });
          break;
        case 'set-learning-rate':
          replica.optimizer.setLearningRate(msg.learningRate);
          send({ type: 'ok' });
          break;
        case 'close':
          replica.dispose();
          send({ type: 'ok' });
          port.close();
          break;
      }
    } catch (err) {
      const e = err as Error;
      send({ type: 'error', message: e?.message ?? String(err), stack: e?.stack });
    }
  });
  send({ type: 'ready', backend: tf.getBackend() ?? info.tfBackend });
}

main().catch((err: Error) => send({ type: 'error', message: err?.message ?? String(err), stack: err?.stack }));
