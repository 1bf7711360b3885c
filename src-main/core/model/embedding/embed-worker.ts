/**
 * Embedding worker: its own copy of the model on the engine the pool chose (embedding-model.ts):
 * onnxruntime (one session; no TensorFlow.js loaded), or its own TensorFlow.js backend
 * instance (wasm in Node runs one thread per instance, so the pool runs one worker per core).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { InferenceModel } from '../embedding-model.ts';
import type { InferenceEngine } from './inference-engine.ts';

export interface EmbedWorkerData {
  dataDir: string;
  modelId: string;
  resourcesDir?: string;
}
export interface EmbedWorkerInit extends EmbedWorkerData {
  engine: InferenceEngine;
  /** onnxruntime: intra-op threads of this worker's session. */
  threads?: number;
}
export type EmbedRequest = { type: 'embed'; id: number; data: Float32Array; n: number } | { type: 'close' };
export type EmbedReply =
  | { type: 'ready'; backend: string }
  | { type: 'closed' }
  | { type: 'result'; id: number; out: Float32Array }
  | { type: 'error'; id: number | null; message: string };

const port = parentPort!;
const data = workerData as EmbedWorkerInit;
let model: InferenceModel | undefined;

try {
  const { loadEmbeddingModel } = await import('../embedding-model.ts');
  model = await loadEmbeddingModel(data.dataDir, data.modelId, {
    engine: data.engine,
    ...(data.resourcesDir ? { resourcesDir: data.resourcesDir } : {}),
    ...(data.threads ? { threads: data.threads } : {}),
  });
  let backend = 'onnxruntime-cpu';
  if (model.engine === 'tfjs') backend = (await (await import('../backend.ts')).resolveBackend()).backend;
  port.postMessage({ type: 'ready', backend } satisfies EmbedReply);
} catch (err) {
  port.postMessage({ type: 'error', id: null, message: (err as Error).message } satisfies EmbedReply);
}

// Batches run one after another; `close` waits for the last one, releases the model and lets
// the thread end by itself. A native session (onnxruntime) must never be torn down mid-call:
// the pool does not terminate a worker that answers `closed` (embed-pool.ts).
let last: Promise<unknown> = Promise.resolve();

port.on('message', (msg: EmbedRequest) => {
  if (msg.type === 'close') {
    last = last.then(async () => {
      try {
        await model?.dispose();
      } finally {
        port.postMessage({ type: 'closed' } satisfies EmbedReply);
        port.close();
      }
    });
    return;
  }
  if (!model) {
    port.postMessage({ type: 'error', id: msg.id, message: 'the model did not load' } satisfies EmbedReply);
    return;
  }
  const m = model;
  last = last.then(() =>
    m.embedBatch(msg.data, msg.n).then(
      (out) => port.postMessage({ type: 'result', id: msg.id, out } satisfies EmbedReply, [out.buffer as ArrayBuffer]),
      (err: unknown) => port.postMessage({ type: 'error', id: msg.id, message: (err as Error).message } satisfies EmbedReply),
    ),
  );
});
