/**
 * Embedding worker: its own TensorFlow.js backend instance (wasm in Node runs one thread
 * per instance, so the pool runs one worker per core) and its own copy of the model.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { resolveBackend } from './backend.ts';
import { loadInferenceModel, type InferenceModel } from './inference.ts';

export interface EmbedWorkerData {
  dataDir: string;
  modelId: string;
  resourcesDir?: string;
}
export type EmbedRequest = { type: 'embed'; id: number; data: Float32Array; n: number } | { type: 'close' };
export type EmbedReply =
  | { type: 'ready'; backend: string }
  | { type: 'result'; id: number; out: Float32Array }
  | { type: 'error'; id: number | null; message: string };

const port = parentPort!;
const data = workerData as EmbedWorkerData;
let model: InferenceModel | undefined;

try {
  const info = await resolveBackend();
  model = await loadInferenceModel(data.dataDir, data.modelId, data.resourcesDir ? { resourcesDir: data.resourcesDir } : {});
  port.postMessage({ type: 'ready', backend: info.backend } satisfies EmbedReply);
} catch (err) {
  port.postMessage({ type: 'error', id: null, message: (err as Error).message } satisfies EmbedReply);
}

port.on('message', (msg: EmbedRequest) => {
  if (msg.type === 'close') {
    model?.dispose();
    port.close();
    return;
  }
  try {
    const out = model!.embedBatch(msg.data, msg.n);
    port.postMessage({ type: 'result', id: msg.id, out } satisfies EmbedReply, [out.buffer as ArrayBuffer]);
  } catch (err) {
    port.postMessage({ type: 'error', id: msg.id, message: (err as Error).message } satisfies EmbedReply);
  }
});
