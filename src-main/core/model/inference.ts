/**
 * A registered model, loaded for embedding: verified weights (registry), its architecture
 * (architectures.ts) and the input scaling recorded in its metadata. One per thread.
 */
import * as tf from '@tensorflow/tfjs';
import { getSpec, type ArchitectureSpec } from './architectures.ts';
import { embed, paramsFromNamedTensors, disposeParams, type Params } from './network.ts';
import { getModel, loadWeights, type ModelMetadata } from './registry.ts';

export interface InferenceModel {
  meta: ModelMetadata;
  spec: ArchitectureSpec;
  /** Multiplier applied to [0, 1] ink-high inputs before the network (SigNet: 1 / dataset pixel std). */
  inputScale: number;
  /** Embeds n images laid out as n x H x W x C floats in [0, 1]; returns n x D floats. */
  embedBatch(x: Float32Array, n: number): Float32Array;
  dispose(): void;
}

export interface LoadOptions {
  resourcesDir?: string;
}

export function inputScaleOf(meta: Pick<ModelMetadata, 'preprocessing'>): number {
  const s = meta.preprocessing.inputScale;
  return typeof s === 'number' && Number.isFinite(s) && s > 0 ? s : 1;
}

export function wrapParams(meta: ModelMetadata, spec: ArchitectureSpec, params: Params): InferenceModel {
  const [h, w, c] = spec.inputShape;
  const inputScale = inputScaleOf(meta);
  return {
    meta,
    spec,
    inputScale,
    embedBatch(x, n) {
      if (x.length !== n * h * w * c) throw new Error(`embedBatch: expected ${n}x${h}x${w}x${c} values, got ${x.length}`);
      return tf.tidy(() => {
        const input = tf.tensor4d(x, [n, h, w, c]);
        const scaled = inputScale === 1 ? input : input.mul(inputScale);
        return embed(params, spec, scaled as tf.Tensor4D, { training: false }).dataSync() as Float32Array;
      });
    },
    dispose: () => disposeParams(params),
  };
}

export async function loadInferenceModel(dataDir: string, modelId: string, opts: LoadOptions = {}): Promise<InferenceModel> {
  const meta = getModel(dataDir, modelId, opts);
  const spec = getSpec(meta.architecture);
  const named = await loadWeights(dataDir, modelId, opts);
  const params = paramsFromNamedTensors(spec, named);
  return wrapParams(meta, spec, params);
}
