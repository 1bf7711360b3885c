/**
 * A registered model, loaded for embedding on TensorFlow.js: verified weights (registry), its
 * architecture (architectures.ts) and the input scaling recorded in its metadata. One per
 * thread. The interface is embedding-model.ts's, which onnxruntime serves too (inference-ort.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { getSpec, type ArchitectureSpec } from '../architectures.ts';
import { inputScaleOf, type InferenceModel, type LoadOptions } from '../embedding-model.ts';
import { embed, paramsFromNamedTensors, disposeParams, type Params } from '../network.ts';
import { getModel, loadWeights, type ModelMetadata } from '../registry/registry.ts';

export { inputScaleOf, type InferenceModel, type LoadOptions } from '../embedding-model.ts';

/** Embeds synchronously on the thread's tfjs backend (training's validation uses this directly). */
export function embedSync(params: Params, spec: ArchitectureSpec, inputScale: number, x: Float32Array, n: number): Float32Array {
  const [h, w, c] = spec.inputShape;
  if (x.length !== n * h * w * c) throw new Error(`embedBatch: expected ${n}x${h}x${w}x${c} values, got ${x.length}`);
  return tf.tidy(() => {
    const input = tf.tensor4d(x, [n, h, w, c]);
    const scaled = inputScale === 1 ? input : input.mul(inputScale);
    return embed(params, spec, scaled as tf.Tensor4D, { training: false }).dataSync() as Float32Array;
  });
}

export function wrapParams(meta: ModelMetadata, spec: ArchitectureSpec, params: Params): InferenceModel {
  const inputScale = inputScaleOf(meta);
  return {
    meta,
    spec,
    inputScale,
    engine: 'tfjs',
    embedBatch: async (x, n) => embedSync(params, spec, inputScale, x, n),
    dispose: async () => disposeParams(params),
  };
}

export async function loadInferenceModel(dataDir: string, modelId: string, opts: LoadOptions = {}): Promise<InferenceModel> {
  const meta = getModel(dataDir, modelId, opts);
  const spec = getSpec(meta.architecture);
  const named = await loadWeights(dataDir, modelId, opts);
  const params = paramsFromNamedTensors(spec, named);
  return wrapParams(meta, spec, params);
}
