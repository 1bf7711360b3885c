/**
 * Training kernels for the tfjs wasm backend.
 *
 * tfjs-backend-wasm 4.22 has no `Conv2DBackpropFilter` (the weight gradient of a convolution), so
 * a network with convolutions cannot be trained on it. Its `Conv2DBackpropInput` exists but is a
 * plain scalar C++ loop, several times slower than the forward convolution. Both are supplied here
 * on top of the backend's own XNNPACK `Conv2D` kernel, which is SIMD and blocked:
 *
 *  - weight gradient: dW[kh,kw,ci,co] = sum_{n,oh,ow} x[n, oh*s+kh-top, ow*s+kw-left, ci] * dy[n,oh,ow,co]
 *    is itself a convolution: input x^T as [Cin, H, W, N] (the batch becomes the channel axis),
 *    filter dy^T as [OH, OW, N, Cout], stride 1, dilation = the forward stride, padding top/left as
 *    in the forward pass and bottom/right chosen (or the input cropped) so the output is exactly
 *    [Cin, KH, KW, Cout]; one transpose gives [KH, KW, Cin, Cout].
 *  - input gradient (stride 1): dx = conv(dy, W rotated 180 degrees with in/out swapped) with
 *    padding KH-1-top (and whatever makes the output H x W). Strided input gradients keep the
 *    backend's own kernel (SigNet never needs one: only conv1 is strided and its input is the image).
 *
 * The alternative, im2col + BatchMatMul, was measured too (docs/model.md): it is slower for every
 * SigNet layer and needs a patch matrix of up to 144 MB, so it is not used.
 *
 * Inside a training step (withWinograd) the 3 x 3 and 5 x 5 stride-1 convolutions, forward and
 * both gradients, run by Winograd's minimal filtering instead (winograd.ts): fewer multiplications,
 * the products still on XNNPACK. Inference keeps the direct convolution.
 *
 * Two more kernels are replaced because the backend's versions are scalar loops that dominate a
 * training step once the convolutions are fast:
 *  - BatchMatMul with a transposed operand (every dense-layer gradient): the backend only uses
 *    XNNPACK for untransposed, unbatched products. The operands are transposed explicitly (or the
 *    product is computed transposed, whichever moves fewer floats) and XNNPACK does the product.
 *  - MaxPoolGrad: a single pass in JavaScript over the backend's heap (first maximum of each
 *    window gets the gradient, exactly as the cpu backend and TensorFlow do).
 *
 * Every intermediate is released with backend.disposeData; the only tensor that survives a kernel
 * call is its output. Everything here is NHWC with dilation 1 in the forward pass, which is all the
 * project's networks use; anything else is refused with an error that says so.
 */
import * as tf from '@tensorflow/tfjs';
import { backend_util, type Conv2DAttrs, type KernelBackend, type KernelConfig, type KernelFunc, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs';

import { WINOGRAD_FILTER_SIZES, winogradConv, winogradFilterGradient, type HeapBackend } from './winograd.ts';

type ExplicitPad = [[number, number], [number, number], [number, number], [number, number]];

interface Kernels {
  conv2d: KernelFunc;
  /** The backend's own FusedConv2D. */
  fusedConv2d: KernelFunc;
  batchMatMul: KernelFunc;
  transpose: KernelFunc;
  slice: KernelFunc;
  reverse: KernelFunc;
  /** The backend's own MaxPoolGrad, kept for dilated pooling. */
  originalMaxPoolGrad: KernelFunc | undefined;
  /** The backend's own Conv2DBackpropInput, kept for strided convolutions. */
  originalBackpropInput: KernelFunc | undefined;
}

let kernels: Kernels | undefined;

function kernelOf(name: string): KernelFunc {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`wasm-kernels: the wasm backend has no '${name}' kernel (is @tensorflow/tfjs-backend-wasm loaded?)`);
  return k.kernelFunc;
}

function run(fn: KernelFunc, backend: KernelBackend, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap): TensorInfo {
  const out = fn({ inputs, backend, attrs });
  if (Array.isArray(out)) throw new Error('wasm-kernels: unexpected multi-output kernel');
  return out;
}

function free(backend: KernelBackend, ...infos: TensorInfo[]): void {
  for (const t of infos) backend.disposeData(t.dataId);
}

function checkAttrs(kernel: string, dataFormat: string | undefined, dilations?: number | [number, number]): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC') {
    throw new Error(`${kernel} (wasm, Countersign): only NHWC is supported, got ${dataFormat}`);
  }
  const d = dilations === undefined ? [1, 1] : typeof dilations === 'number' ? [dilations, dilations] : dilations;
  if (d[0] !== 1 || d[1] !== 1) throw new Error(`${kernel} (wasm, Countersign): dilated convolutions are not supported`);
}

/** dW for y = conv2d(x, W, strides, pad): the Conv2DBackpropFilter kernel. */
function conv2DBackpropFilter(args: { inputs: { x: TensorInfo; dy: TensorInfo }; backend: KernelBackend; attrs: NamedAttrMap }): TensorInfo {
  const k = kernels!;
  const { x, dy } = args.inputs;
  const { backend } = args;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args.attrs as unknown as {
    strides: number | [number, number];
    pad: Conv2DAttrs['pad'];
    dataFormat: 'NHWC' | 'NCHW';
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    filterShape: [number, number, number, number];
  };
  checkAttrs('Conv2DBackpropFilter', dataFormat);
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  // Rows/columns of the padded input the forward pass read, past the input's end (negative: the
  // forward pass never read the last -bottom rows, so they are cropped away).
  const bottom = (outHeight - 1) * strideHeight + filterHeight - top - inHeight;
  const right = (outWidth - 1) * strideWidth + filterWidth - left - inWidth;
  if (winogradApplies(x.dtype, filterShape) && strideHeight === 1 && strideWidth === 1 && outHeight > 0 && outWidth > 0) {
    return winogradFilterGradient(
      backend as HeapBackend,
      { x, dy, r: filterHeight, padTop: top, padLeft: left },
      { matMul: productOn(backend), transpose: (t) => run(k.transpose, backend, { x: t }, { perm: [0, 2, 1] }) },
    );
  }
  const temps: TensorInfo[] = [];
  let xs = x;
  if (bottom < 0 || right < 0) {
    xs = run(
      k.slice,
      backend,
      { x },
      {
        begin: [0, 0, 0, 0],
        size: [batchSize, inHeight + Math.min(bottom, 0), inWidth + Math.min(right, 0), inChannels],
      },
    );
    temps.push(xs);
  }
  try {
    const xT = run(k.transpose, backend, { x: xs }, { perm: [3, 1, 2, 0] }); // [Cin, H, W, N]
    temps.push(xT);
    const dyT = run(k.transpose, backend, { x: dy }, { perm: [1, 2, 0, 3] }); // [OH, OW, N, Cout]
    temps.push(dyT);
    const padding: ExplicitPad = [
      [0, 0],
      [top, Math.max(bottom, 0)],
      [left, Math.max(right, 0)],
      [0, 0],
    ];
    const g = run(k.conv2d, backend, { x: xT, filter: dyT }, {
      strides: [1, 1],
      pad: padding,
      dataFormat: 'NHWC',
      dilations: [strideHeight, strideWidth],
      dimRoundingMode: null,
    } as unknown as NamedAttrMap); // [Cin, KH, KW, Cout]
    temps.push(g);
    if (g.shape[1] !== filterHeight || g.shape[2] !== filterWidth) {
      throw new Error(`Conv2DBackpropFilter (wasm): internal shape ${g.shape} for filter ${filterShape}`);
    }
    return run(k.transpose, backend, { x: g }, { perm: [1, 2, 0, 3] }); // [KH, KW, Cin, Cout]
  } finally {
    free(backend, ...temps);
  }
}

/** dx for y = conv2d(x, W, strides, pad): the Conv2DBackpropInput kernel. */
function conv2DBackpropInput(args: { inputs: { dy: TensorInfo; filter: TensorInfo }; backend: KernelBackend; attrs: NamedAttrMap }): TensorInfo {
  const k = kernels!;
  const { dy, filter } = args.inputs;
  const { backend } = args;
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = args.attrs as unknown as {
    strides: number | [number, number];
    pad: Conv2DAttrs['pad'];
    dataFormat: 'NHWC' | 'NCHW';
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    inputShape: [number, number, number, number];
  };
  checkAttrs('Conv2DBackpropInput', dataFormat);
  const info = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  if (info.strideHeight !== 1 || info.strideWidth !== 1) {
    if (!k.originalBackpropInput) throw new Error('Conv2DBackpropInput (wasm): strided convolutions are not supported');
    return run(k.originalBackpropInput, backend, { dy, filter }, args.attrs);
  }
  const { inHeight, inWidth, outHeight, outWidth, filterHeight, filterWidth, batchSize, inChannels } = info;
  const top = filterHeight - 1 - info.padInfo.top;
  const left = filterWidth - 1 - info.padInfo.left;
  const bottom = inHeight + filterHeight - 1 - outHeight - top;
  const right = inWidth + filterWidth - 1 - outWidth - left;
  const temps: TensorInfo[] = [];
  try {
    let dys = dy;
    // A forward padding larger than the kernel (never in practice) would need a crop of dy first.
    if (top < 0 || left < 0) {
      const cropTop = Math.max(-top, 0);
      const cropLeft = Math.max(-left, 0);
      dys = run(
        k.slice,
        backend,
        { x: dy },
        {
          begin: [0, cropTop, cropLeft, 0],
          size: [batchSize, outHeight - cropTop, outWidth - cropLeft, dy.shape[3]!],
        },
      );
      temps.push(dys);
    }
    if (winogradApplies(filter.dtype, filter.shape)) {
      return winogradConv(
        backend as HeapBackend,
        { x: dys, filter, flipped: true, padTop: Math.max(top, 0), padLeft: Math.max(left, 0), outHeight: inHeight, outWidth: inWidth },
        productOn(backend),
      );
    }
    const wRot = run(k.reverse, backend, { x: filter }, { dims: [0, 1] });
    temps.push(wRot);
    const wT = run(k.transpose, backend, { x: wRot }, { perm: [0, 1, 3, 2] }); // [KH, KW, Cout, Cin]
    temps.push(wT);
    let out = run(k.conv2d, backend, { x: dys, filter: wT }, {
      strides: [1, 1],
      pad: [
        [0, 0],
        [Math.max(top, 0), Math.max(bottom, 0)],
        [Math.max(left, 0), Math.max(right, 0)],
        [0, 0],
      ],
      dataFormat: 'NHWC',
      dilations: [1, 1],
      dimRoundingMode: null,
    } as unknown as NamedAttrMap);
    if (bottom < 0 || right < 0) {
      temps.push(out);
      out = run(k.slice, backend, { x: out }, { begin: [0, 0, 0, 0], size: [batchSize, inHeight, inWidth, inChannels] });
    }
    return out;
  } finally {
    free(backend, ...temps);
  }
}

let winogradDepth = 0;

/**
 * Runs f with the 3 x 3 and 5 x 5 stride-1 convolutions of WINOGRAD_MIN_CHANNELS or more
 * computed by Winograd's algorithm (winograd.ts): forward, input and weight gradients of a
 * training step. Everywhere else (inference) the
 * backend's direct convolution runs, so embeddings are unchanged. f must be synchronous (wasm
 * kernels are).
 */
export function withWinograd<T>(f: () => T): T {
  winogradDepth++;
  try {
    return f();
  } finally {
    winogradDepth--;
  }
}

/**
 * Below this many input or output channels the direct convolution is faster: the transforms and 36
 * small products cost more than the multiplications saved (3 x 3 on 16 x 18 x 26, ms, direct /
 * Winograd: 16 channels 1.6 / 7.9, 64: 23 / 25 to 33 / 48, 96: 70 / 64, 128: 100 / 97; SigNet's
 * conv2-4, 96-384 channels, gain 1.3-2.7x).
 */
export const WINOGRAD_MIN_CHANNELS = 96;

function winogradApplies(dtype: string, filterShape: readonly number[]): boolean {
  const [kh, kw, cin, cout] = filterShape as [number, number, number, number];
  return (
    winogradDepth > 0 &&
    kernels !== undefined &&
    dtype === 'float32' &&
    kh === kw &&
    WINOGRAD_FILTER_SIZES.includes(kh) &&
    Math.min(cin, cout) >= WINOGRAD_MIN_CHANNELS
  );
}

/** The backend's own product of untransposed rank-3 operands (XNNPACK for a batch of one). */
function productOn(backend: KernelBackend): (a: TensorInfo, b: TensorInfo) => TensorInfo {
  return (a, b) => run(kernels!.batchMatMul, backend, { a, b }, { transposeA: false, transposeB: false } as unknown as NamedAttrMap);
}

/** Conv2D and FusedConv2D: Winograd inside withWinograd where it applies (stride 1; bias, ReLU or none); else the backend's own. */
function forwardConv(fused: boolean) {
  return (args: {
    inputs: { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
    backend: KernelBackend;
    attrs: NamedAttrMap;
  }): TensorInfo => {
    const k = kernels!;
    const own = fused ? k.fusedConv2d : k.conv2d;
    const { x, filter, bias, preluActivationWeights } = args.inputs;
    const attrs = args.attrs as unknown as Conv2DAttrs & { activation?: string };
    const activation = attrs.activation ?? 'linear';
    const d = attrs.dilations === undefined ? [1, 1] : typeof attrs.dilations === 'number' ? [attrs.dilations, attrs.dilations] : attrs.dilations;
    const usable =
      winogradApplies(filter.dtype, filter.shape) &&
      x.dtype === 'float32' &&
      (attrs.dataFormat ?? 'NHWC') === 'NHWC' &&
      d[0] === 1 &&
      d[1] === 1 &&
      (activation === 'linear' || activation === 'relu') &&
      !preluActivationWeights &&
      (!bias || bias.shape.length === 1);
    if (!usable) return run(own, args.backend, args.inputs as unknown as Record<string, TensorInfo>, args.attrs);
    const info = backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filter.shape as [number, number, number, number],
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
      false,
      'channelsLast',
    );
    if (info.strideHeight !== 1 || info.strideWidth !== 1 || info.outHeight <= 0 || info.outWidth <= 0)
      return run(own, args.backend, args.inputs as unknown as Record<string, TensorInfo>, args.attrs);
    return winogradConv(
      args.backend as HeapBackend,
      {
        x,
        filter,
        bias,
        relu: activation === 'relu',
        padTop: info.padInfo.top,
        padLeft: info.padInfo.left,
        outHeight: info.outHeight,
        outWidth: info.outWidth,
      },
      productOn(args.backend),
    );
  };
}

/** Swaps the last two axes. */
function transposeLast2(k: Kernels, backend: KernelBackend, x: TensorInfo): TensorInfo {
  const r = x.shape.length;
  const perm = [...Array(r).keys()];
  perm[r - 2] = r - 1;
  perm[r - 1] = r - 2;
  return run(k.transpose, backend, { x }, { perm });
}

/** op(A) @ op(B) through the XNNPACK path (untransposed, batch 1). */
function batchMatMul(args: { inputs: { a: TensorInfo; b: TensorInfo }; backend: KernelBackend; attrs: NamedAttrMap }): TensorInfo {
  const k = kernels!;
  const { a, b } = args.inputs;
  const { backend } = args;
  const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
  const batch = (s: number[]) => s.slice(0, -2).reduce((x, y) => x * y, 1);
  if ((!transposeA && !transposeB) || batch(a.shape) !== 1 || batch(b.shape) !== 1 || a.dtype !== 'float32' || b.dtype !== 'float32') {
    return run(k.batchMatMul, backend, { a, b }, args.attrs);
  }
  const ar = a.shape.length;
  const br = b.shape.length;
  const m = transposeA ? a.shape[ar - 1]! : a.shape[ar - 2]!;
  const kk = transposeA ? a.shape[ar - 2]! : a.shape[ar - 1]!;
  const n = transposeB ? b.shape[br - 2]! : b.shape[br - 1]!;
  const plain = { transposeA: false, transposeB: false };
  const temps: TensorInfo[] = [];
  try {
    // Floats moved: transposes plus XNNPACK's packing of its right operand.
    const direct = (transposeA ? m * kk : 0) + (transposeB ? kk * n : 0) + kk * n;
    const swapped = (transposeB ? 0 : kk * n) + (transposeA ? 0 : m * kk) + kk * m + m * n;
    if (direct <= swapped) {
      const a2 = transposeA ? transposeLast2(k, backend, a) : a;
      if (a2 !== a) temps.push(a2);
      const b2 = transposeB ? transposeLast2(k, backend, b) : b;
      if (b2 !== b) temps.push(b2);
      return run(k.batchMatMul, backend, { a: a2, b: b2 }, plain);
    }
    // C = op(A) op(B) computed as C^T = op(B)^T op(A)^T.
    const bT = transposeB ? b : transposeLast2(k, backend, b);
    if (bT !== b) temps.push(bT);
    const aT = transposeA ? a : transposeLast2(k, backend, a);
    if (aT !== a) temps.push(aT);
    const cT = run(k.batchMatMul, backend, { a: bT, b: aT }, plain);
    temps.push(cT);
    return transposeLast2(k, backend, cT);
  } finally {
    free(backend, ...temps);
  }
}

/** Gradient of max pooling: each window's first maximum (row-major scan) receives dy. */
function maxPoolGrad(args: { inputs: { dy: TensorInfo; input: TensorInfo; output: TensorInfo }; backend: KernelBackend; attrs: NamedAttrMap }): TensorInfo {
  const k = kernels!;
  const { dy, input } = args.inputs;
  const backend = args.backend as HeapBackend;
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as {
    filterSize: number | [number, number];
    strides: number | [number, number];
    pad: 'valid' | 'same' | number;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  };
  if (input.dtype !== 'float32' || dy.dtype !== 'float32')
    return run(k.originalMaxPoolGrad!, backend, args.inputs as unknown as Record<string, TensorInfo>, args.attrs);
  const info = backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const { batchSize, inHeight, inWidth, inChannels: c, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const out = backend.makeOutput([...input.shape], 'float32');
  // Views after makeOutput: an allocation can grow (and so detach) the heap.
  const x = backend.typedArrayFromHeap(input);
  const g = backend.typedArrayFromHeap(dy);
  const dx = backend.typedArrayFromHeap(out);
  dx.fill(0);
  const best = new Float32Array(c);
  const where = new Int32Array(c);
  let dyBase = 0;
  for (let n = 0; n < batchSize; n++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const h0 = oh * strideHeight - top;
      for (let ow = 0; ow < outWidth; ow++, dyBase += c) {
        const w0 = ow * strideWidth - left;
        best.fill(-Infinity);
        where.fill(-1);
        for (let fh = 0; fh < filterHeight; fh++) {
          const h = h0 + fh;
          if (h < 0 || h >= inHeight) continue;
          for (let fw = 0; fw < filterWidth; fw++) {
            const w = w0 + fw;
            if (w < 0 || w >= inWidth) continue;
            const base = ((n * inHeight + h) * inWidth + w) * c;
            for (let ch = 0; ch < c; ch++) {
              const v = x[base + ch]!;
              if (v > best[ch]!) {
                best[ch] = v;
                where[ch] = base + ch;
              }
            }
          }
        }
        for (let ch = 0; ch < c; ch++) {
          const i = where[ch]!;
          if (i >= 0) dx[i]! += g[dyBase + ch]!;
        }
      }
    }
  }
  return out;
}

/**
 * Sum over every axis but the last ([..., C] -> [C]), the reduction of batch-norm statistics and
 * bias gradients. The backend's Sum over leading axes transposes first and a product with a ones
 * vector makes XNNPACK repack the whole input; one pass in JavaScript is several times faster.
 * Accumulates in float64.
 */
function channelSum(args: { inputs: { x: TensorInfo }; backend: KernelBackend }): TensorInfo {
  const { x } = args.inputs;
  const backend = args.backend as HeapBackend;
  const c = x.shape[x.shape.length - 1]!;
  const out = backend.makeOutput([c], 'float32');
  const data = backend.typedArrayFromHeap(x);
  const acc = new Float64Array(c);
  for (let i = 0; i < data.length; i += c) {
    for (let ch = 0; ch < c; ch++) acc[ch]! += data[i + ch]!;
  }
  backend.typedArrayFromHeap(out).set(acc);
  return out;
}

/** Kernel name of channelSum (fused-gradients.ts uses it where registered, tf.sum elsewhere). */
export const CHANNEL_SUM_KERNEL = 'CountersignChannelSum';

export const channelSumWasmConfig: KernelConfig = {
  kernelName: CHANNEL_SUM_KERNEL,
  backendName: 'wasm',
  kernelFunc: channelSum as unknown as KernelFunc,
};

export const conv2DWasmConfig: KernelConfig = {
  kernelName: 'Conv2D',
  backendName: 'wasm',
  kernelFunc: forwardConv(false) as unknown as KernelFunc,
};

export const fusedConv2DWasmConfig: KernelConfig = {
  kernelName: 'FusedConv2D',
  backendName: 'wasm',
  kernelFunc: forwardConv(true) as unknown as KernelFunc,
};

export const conv2DBackpropFilterWasmConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};

export const conv2DBackpropInputWasmConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropInput',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput as unknown as KernelFunc,
};

export const batchMatMulWasmConfig: KernelConfig = {
  kernelName: 'BatchMatMul',
  backendName: 'wasm',
  kernelFunc: batchMatMul as unknown as KernelFunc,
};

export const maxPoolGradWasmConfig: KernelConfig = {
  kernelName: 'MaxPoolGrad',
  backendName: 'wasm',
  kernelFunc: maxPoolGrad as unknown as KernelFunc,
};

/**
 * Kernels that training needs and that must be present on wasm; checked by registerWasmTrainingKernels
 * and by the kernel test, so a tfjs upgrade that drops one is noticed.
 */
export const TRAINING_KERNELS = [
  'Conv2D',
  'FusedConv2D',
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'MaxPool',
  'MaxPoolGrad',
  'BatchMatMul',
  '_FusedMatMul',
  'Relu',
  'Step',
  'Mean',
  'Sum',
  'Sub',
  'Multiply',
  'RealDiv',
  'Add',
  'AddN',
  'Square',
  'SquaredDifference',
  'Sqrt',
  'Rsqrt',
  'Maximum',
  'GreaterEqual',
  'Cast',
  'Reshape',
  'Transpose',
  'Tile',
  'Slice',
  'PadV2',
  'Reverse',
  'Select',
  'Greater',
  'ZerosLike',
  'OnesLike',
  'Fill',
  'Neg',
  'Identity',
  'Concat',
] as const;

/** Kernels from TRAINING_KERNELS that the wasm backend does not have. */
export function missingWasmTrainingKernels(): string[] {
  return TRAINING_KERNELS.filter((name) => !tf.getKernel(name, 'wasm'));
}

/**
 * Registers the project's training kernels for the wasm backend (idempotent). Call after
 * @tensorflow/tfjs-backend-wasm has been imported; backend.ts does so when wasm is chosen.
 */
export function registerWasmTrainingKernels(): void {
  if (kernels) return;
  const original = tf.getKernel('Conv2DBackpropInput', 'wasm');
  kernels = {
    conv2d: kernelOf('Conv2D'),
    fusedConv2d: kernelOf('FusedConv2D'),
    batchMatMul: kernelOf('BatchMatMul'),
    originalMaxPoolGrad: tf.getKernel('MaxPoolGrad', 'wasm')?.kernelFunc,
    transpose: kernelOf('Transpose'),
    slice: kernelOf('Slice'),
    reverse: kernelOf('Reverse'),
    originalBackpropInput: original?.kernelFunc,
  };
  for (const config of [
    conv2DWasmConfig,
    fusedConv2DWasmConfig,
    conv2DBackpropFilterWasmConfig,
    conv2DBackpropInputWasmConfig,
    batchMatMulWasmConfig,
    maxPoolGradWasmConfig,
    channelSumWasmConfig,
  ]) {
    if (tf.getKernel(config.kernelName, 'wasm')) tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
  }
  const missing = missingWasmTrainingKernels();
  if (missing.length) throw new Error(`wasm backend lacks kernels needed for training: ${missing.join(', ')}`);
}

/** Whether registerWasmTrainingKernels has run in this thread. */
export function wasmTrainingKernelsRegistered(): boolean {
  return kernels !== undefined;
}
