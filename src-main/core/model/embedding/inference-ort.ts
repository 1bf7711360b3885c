/**
 * A registered model, loaded for embedding on onnxruntime's CPU execution provider: verified
 * weights read as plain arrays (weight-arrays.ts), exported to an in-memory ONNX model
 * (onnx/export.ts) with the metadata's input scale, run by an InferenceSession. No TensorFlow.js.
 */
import { APP_VERSION } from '../../paths.ts';
import { getSpec } from '../architectures.ts';
import { inputScaleOf, type InferenceModel, type LoadOptions } from '../embedding-model.ts';
import { loadOrt, type OrtModule, type OrtSession } from './inference-engine.ts';
import { exportOnnx, ONNX_INPUT, ONNX_OUTPUT } from './onnx/export.ts';
import { getModel } from '../registry/registry-files.ts';
import type { ArchitectureSpec } from '../architectures.ts';
import type { ModelMetadata } from '../registry/registry-metadata.ts';
import { loadWeightArrays } from '../weight-arrays.ts';

export interface OrtLoadOptions extends LoadOptions {
  /** Intra-op threads of the session; default 1 (the embedding pool runs one worker per core). */
  threads?: number;
}

/** An onnxruntime session of the ONNX bytes (CPU execution provider). */
export async function ortSession(ort: OrtModule, model: Uint8Array, threads = 1): Promise<OrtSession> {
  return ort.InferenceSession.create(model, {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
}

/** The InferenceModel interface over a session of an exported model. */
export function wrapSession(ort: OrtModule, session: OrtSession, meta: ModelMetadata, spec: ArchitectureSpec): InferenceModel {
  const [h, w, c] = spec.inputShape;
  const d = spec.embeddingSize;
  return {
    meta,
    spec,
    inputScale: inputScaleOf(meta),
    engine: 'onnxruntime',
    async embedBatch(x, n) {
      if (x.length !== n * h * w * c) throw new Error(`embedBatch: expected ${n}x${h}x${w}x${c} values, got ${x.length}`);
      const out = await session.run({ [ONNX_INPUT]: new ort.Tensor('float32', x, [n, h, w, c]) });
      const y = out[ONNX_OUTPUT];
      if (!y || !(y.data instanceof Float32Array) || y.data.length !== n * d)
        throw new Error(`embedBatch: onnxruntime returned no [${n}, ${d}] float32 embedding`);
      return y.data.slice();
    },
    dispose: () => session.release(),
  };
}

export async function loadOrtInferenceModel(dataDir: string, modelId: string, opts: OrtLoadOptions = {}): Promise<InferenceModel> {
  const reg = opts.resourcesDir ? { resourcesDir: opts.resourcesDir } : {};
  const meta = getModel(dataDir, modelId, reg);
  const spec = getSpec(meta.architecture);
  const weights = loadWeightArrays(dataDir, modelId, spec, reg);
  const bytes = exportOnnx(spec, weights, { inputScale: inputScaleOf(meta), producerVersion: APP_VERSION });
  weights.clear();
  const ort = await loadOrt();
  return wrapSession(ort, await ortSession(ort, bytes, opts.threads), meta, spec);
}
