/**
 * The embedding interface every inference engine serves (inference.ts: TensorFlow.js;
 * inference-ort.ts: onnxruntime), and the loader that picks the engine (inference-engine.ts).
 * This module imports neither engine: each is imported when it is chosen.
 */
import type { ArchitectureSpec } from './architectures.ts';
import type { InferenceEngine } from './embedding/inference-engine.ts';
import type { ModelMetadata } from './registry/registry-metadata.ts';

export interface InferenceModel {
  meta: ModelMetadata;
  spec: ArchitectureSpec;
  /** Multiplier applied to [0, 1] ink-high inputs before the network (SigNet: 1 / dataset pixel std). */
  inputScale: number;
  /** What computes the embeddings. Not part of the model's identity: both give the same vectors (within 1e-4). */
  engine: InferenceEngine;
  /** Embeds n images laid out as n x H x W x C floats in [0, 1]; returns n x D floats (its own buffer). */
  embedBatch(x: Float32Array, n: number): Promise<Float32Array>;
  /** Frees the weights (onnxruntime: releases the session; resolves when it is released). */
  dispose(): Promise<void>;
}

export interface LoadOptions {
  resourcesDir?: string;
}

export interface EmbeddingLoadOptions extends LoadOptions {
  /** The engine; default the thread's choice (COUNTERSIGN_INFERENCE, inference-engine.ts) for the model's architecture. */
  engine?: InferenceEngine;
  /** onnxruntime: intra-op threads of the session (default 1: the pool scales out by workers). */
  threads?: number;
}

export function inputScaleOf(meta: Pick<ModelMetadata, 'preprocessing'>): number {
  const s = meta.preprocessing.inputScale;
  return typeof s === 'number' && Number.isFinite(s) && s > 0 ? s : 1;
}

/** A registered model on the chosen engine. On tfjs, the thread's backend is resolved first. */
export async function loadEmbeddingModel(dataDir: string, modelId: string, opts: EmbeddingLoadOptions = {}): Promise<InferenceModel> {
  const { resourcesDir, threads } = opts;
  const reg = resourcesDir ? { resourcesDir } : {};
  let engine = opts.engine;
  if (!engine) {
    const [{ getSpec }, { getModel }, { engineForSpec, resolveInferenceEngine }] = await Promise.all([
      import('./architectures.ts'),
      import('./registry/registry-files.ts'),
      import('./embedding/inference-engine.ts'),
    ]);
    engine = engineForSpec(await resolveInferenceEngine(), getSpec(getModel(dataDir, modelId, reg).architecture));
  }
  if (engine === 'onnxruntime') {
    const { loadOrtInferenceModel } = await import('./embedding/inference-ort.ts');
    return loadOrtInferenceModel(dataDir, modelId, { ...reg, ...(threads ? { threads } : {}) });
  }
  const [{ resolveBackend }, { loadInferenceModel }] = await Promise.all([import('./backend.ts'), import('./embedding/inference.ts')]);
  await resolveBackend();
  return loadInferenceModel(dataDir, modelId, reg);
}
