/**
 * Gradients for the fused kernels (FusedConv2D, _FusedMatMul) so the network runs the same fused
 * kernel (convolution or product + bias + ReLU in one pass; XNNPACK on wasm) in training as in
 * inference. tfjs-core registers none: its tf.fused.* ops fall back to unfused ops whenever a
 * gradient is being recorded. These gradients are lazy per input, so nothing is computed for an
 * input that needs no gradient (the image entering conv1, for one).
 *
 * Supported: NHWC, dilation 1, activation 'linear' or 'relu', no PReLU weights; anything else
 * throws when its gradient is requested.
 */
import * as tf from '@tensorflow/tfjs';
import type { GradConfig, NamedAttrMap } from '@tensorflow/tfjs';
import { CHANNEL_SUM_KERNEL } from './wasm-kernels.ts';

/**
 * Sum over every axis but the last, [..., C] -> [C]. Not differentiable (used inside gradients
 * and custom-gradient forward passes only). Uses the project's kernel where the backend has one
 * (wasm: wasm-kernels.ts), tf.sum elsewhere.
 */
export function channelSum(x: tf.Tensor): tf.Tensor1D {
  if (tf.getKernel(CHANNEL_SUM_KERNEL, tf.getBackend())) {
    return tf.engine().runKernel(CHANNEL_SUM_KERNEL, { x }, {}) as tf.Tensor1D;
  }
  return tf.sum(x, [...Array(x.rank - 1).keys()]) as tf.Tensor1D;
}

function activationGrad(dy: tf.Tensor, y: tf.Tensor, activation: string): tf.Tensor {
  if (activation === 'linear' || !activation) return dy;
  if (activation === 'relu') return tf.mul(dy, tf.step(y));
  throw new Error(`gradient of fused kernels: activation '${activation}' is not supported`);
}

const fusedConv2DGrad: GradConfig = {
  kernelName: 'FusedConv2D',
  inputsToSave: ['x', 'filter'],
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs: NamedAttrMap) => {
    const [x, filter, y] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
    const { strides, pad, dataFormat, dilations, dimRoundingMode, activation } = attrs as unknown as {
      strides: number | [number, number];
      pad: 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];
      dataFormat: string;
      dilations: number | [number, number];
      dimRoundingMode?: 'floor' | 'round' | 'ceil';
      activation: string;
    };
    const d = typeof dilations === 'number' ? [dilations, dilations] : (dilations ?? [1, 1]);
    if ((dataFormat ?? 'NHWC') !== 'NHWC' || d[0] !== 1 || d[1] !== 1) {
      throw new Error('gradient of FusedConv2D: only NHWC without dilation is supported');
    }
    // Shared by the three gradients. Computed here, not lazily inside one of them: each runs in
    // its own tidy, which would dispose it before the next one used it.
    const dz = activationGrad(dy as tf.Tensor, y, activation) as tf.Tensor4D;
    const getDz = () => dz;
    return {
      x: () => tf.conv2dTranspose(getDz(), filter, x.shape, strides, pad, dimRoundingMode),
      filter: () =>
        tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: getDz() }, {
          strides,
          pad,
          dataFormat: 'NHWC',
          dimRoundingMode,
          filterShape: filter.shape,
        } as unknown as NamedAttrMap) as tf.Tensor4D,
      bias: () => channelSum(getDz()),
    };
  },
};

const fusedMatMulGrad: GradConfig = {
  kernelName: '_FusedMatMul',
  inputsToSave: ['a', 'b'],
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs: NamedAttrMap) => {
    const [a, b, y] = saved as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
    const { transposeA, transposeB, activation } = attrs as unknown as { transposeA: boolean; transposeB: boolean; activation: string };
    if (transposeA || transposeB || a.rank !== 3 || b.rank !== 3 || a.shape[0] !== 1 || b.shape[0] !== 1) {
      throw new Error('gradient of _FusedMatMul: only untransposed products [1, M, K] x [1, K, N] are supported');
    }
    const dz = activationGrad(dy as tf.Tensor, y, activation) as tf.Tensor3D;
    const getDz = () => dz;
    return {
      a: () => tf.matMul(getDz(), b, false, true),
      b: () => tf.matMul(a, getDz(), true, false),
      bias: () => channelSum(getDz()),
    };
  },
};

let registered = false;

/** Registers the gradients above (idempotent; the registry is global, for every backend). */
export function registerFusedGradients(): void {
  if (registered) return;
  registered = true;
  for (const g of [fusedConv2DGrad, fusedMatMulGrad]) {
    if (!tf.getGradient(g.kernelName)) tf.registerGradient(g);
  }
}

/** conv2d + bias + activation as one FusedConv2D kernel, recorded for gradients as such. */
export function fusedConv2d(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  bias: tf.Tensor1D,
  strides: number,
  pad: 'valid' | [[number, number], [number, number], [number, number], [number, number]],
  activation: 'relu' | 'linear',
): tf.Tensor4D {
  registerFusedGradients();
  return tf.engine().runKernel('FusedConv2D', { x, filter, bias }, {
    strides: [strides, strides],
    pad,
    dataFormat: 'NHWC',
    dilations: [1, 1],
    dimRoundingMode: undefined,
    activation,
    leakyreluAlpha: 0,
  } as unknown as NamedAttrMap) as tf.Tensor4D;
}

/** a @ b + bias with activation as one _FusedMatMul kernel, recorded for gradients as such. */
export function fusedMatMul(a: tf.Tensor2D, b: tf.Tensor2D, bias: tf.Tensor1D, activation: 'relu' | 'linear'): tf.Tensor2D {
  registerFusedGradients();
  // The kernels take rank-3 operands (tf.fused.matMul reshapes likewise).
  const [m, k] = a.shape;
  const n = b.shape[1];
  const out = tf.engine().runKernel('_FusedMatMul', { a: tf.reshape(a, [1, m, k]), b: tf.reshape(b, [1, k, n]), bias }, {
    transposeA: false,
    transposeB: false,
    activation,
    leakyreluAlpha: 0,
  } as unknown as NamedAttrMap) as tf.Tensor3D;
  return tf.reshape(out, [m, n]);
}
