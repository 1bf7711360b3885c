/**
 * 3x3 stride-1 convolutions by Winograd's minimal filtering, F(4x4, 3x3) (Lavin & Gray, "Fast
 * Algorithms for Convolutional Neural Networks", 2016), for training on the wasm backend.
 *
 * XNNPACK's direct convolution runs near the limit of 128-bit SIMD without FMA, so the only way
 * left to make a 3x3 layer faster is fewer multiplications: each 6x6 input tile and each 3x3
 * filter are transformed (B^T d B, G g G^T), the 36 transformed elements are 36 independent
 * matrix products [tiles x Cin] x [Cin x Cout] (XNNPACK's GEMM), and A^T m A turns each 6x6 result
 * into a 4x4 output tile: 36 multiplications per 16 outputs instead of 144. The transforms are
 * row operations over the channel axis in JavaScript.
 *
 * Used only inside a training step (useWinograd), for the forward 3x3 convolutions and the input
 * gradients of stride-1 3x3 convolutions: inference keeps XNNPACK's direct convolution, so stored
 * embeddings do not move. The results differ from the direct convolution by rounding only
 * (relative error ~1e-6 on random data; the kernel test bounds it at 1e-4 against the cpu backend).
 */
import type { KernelBackend, TensorInfo } from '@tensorflow/tfjs';

// The transforms, each applied along one axis of a tile whose entries are rows of n floats (one
// per channel): src rows at so + k * ss, dst rows at dd + i * ds. Matrices as in the paper.

/** B^T (6 x 6), the input transform. */
function inputTransform(src: Float32Array, so: number, ss: number, dst: Float32Array, dd: number, ds: number, n: number): void {
  for (let c = 0; c < n; c++) {
    const x0 = src[so + c]!;
    const x1 = src[so + ss + c]!;
    const x2 = src[so + 2 * ss + c]!;
    const x3 = src[so + 3 * ss + c]!;
    const x4 = src[so + 4 * ss + c]!;
    const x5 = src[so + 5 * ss + c]!;
    dst[dd + c] = 4 * x0 - 5 * x2 + x4;
    dst[dd + ds + c] = -4 * (x1 + x2) + x3 + x4;
    dst[dd + 2 * ds + c] = 4 * (x1 - x2) - x3 + x4;
    dst[dd + 3 * ds + c] = 2 * (x3 - x1) - x2 + x4;
    dst[dd + 4 * ds + c] = 2 * (x1 - x3) - x2 + x4;
    dst[dd + 5 * ds + c] = 4 * x1 - 5 * x3 + x5;
  }
}

/** G (6 x 3), the filter transform. */
function filterTransform(src: Float32Array, so: number, ss: number, dst: Float32Array, dd: number, ds: number, n: number): void {
  for (let c = 0; c < n; c++) {
    const x0 = src[so + c]!;
    const x1 = src[so + ss + c]!;
    const x2 = src[so + 2 * ss + c]!;
    dst[dd + c] = x0 / 4;
    dst[dd + ds + c] = -(x0 + x1 + x2) / 6;
    dst[dd + 2 * ds + c] = -(x0 - x1 + x2) / 6;
    dst[dd + 3 * ds + c] = x0 / 24 + x1 / 12 + x2 / 6;
    dst[dd + 4 * ds + c] = x0 / 24 - x1 / 12 + x2 / 6;
    dst[dd + 5 * ds + c] = x2;
  }
}

/** A^T (4 x 6), the output transform. */
function outputTransform(src: Float32Array, so: number, ss: number, dst: Float32Array, dd: number, ds: number, n: number): void {
  for (let c = 0; c < n; c++) {
    const x0 = src[so + c]!;
    const x1 = src[so + ss + c]!;
    const x2 = src[so + 2 * ss + c]!;
    const x3 = src[so + 3 * ss + c]!;
    const x4 = src[so + 4 * ss + c]!;
    const x5 = src[so + 5 * ss + c]!;
    dst[dd + c] = x0 + x1 + x2 + x3 + x4;
    dst[dd + ds + c] = x1 - x2 + 2 * (x3 - x4);
    dst[dd + 2 * ds + c] = x1 + x2 + 4 * (x3 + x4);
    dst[dd + 3 * ds + c] = x1 - x2 + 8 * (x3 - x4) + x5;
  }
}

/** G for F(2x2, 5x5) (6 x 5): the same interpolation points 0, 1, -1, 2, -2 and infinity. */
function filterTransform5(src: Float32Array, so: number, ss: number, dst: Float32Array, dd: number, ds: number, n: number): void {
  for (let c = 0; c < n; c++) {
    const x0 = src[so + c]!;
    const x1 = src[so + ss + c]!;
    const x2 = src[so + 2 * ss + c]!;
    const x3 = src[so + 3 * ss + c]!;
    const x4 = src[so + 4 * ss + c]!;
    dst[dd + c] = x0 / 4;
    dst[dd + ds + c] = -(x0 + x1 + x2 + x3 + x4) / 6;
    dst[dd + 2 * ds + c] = -(x0 - x1 + x2 - x3 + x4) / 6;
    dst[dd + 3 * ds + c] = (x0 + 2 * x1 + 4 * x2 + 8 * x3 + 16 * x4) / 24;
    dst[dd + 4 * ds + c] = (x0 - 2 * x1 + 4 * x2 - 8 * x3 + 16 * x4) / 24;
    dst[dd + 5 * ds + c] = x4;
  }
}

/** A^T for F(2x2, 5x5) (2 x 6). */
function outputTransform2(src: Float32Array, so: number, ss: number, dst: Float32Array, dd: number, ds: number, n: number): void {
  for (let c = 0; c < n; c++) {
    const x1 = src[so + ss + c]!;
    const x2 = src[so + 2 * ss + c]!;
    const x3 = src[so + 3 * ss + c]!;
    const x4 = src[so + 4 * ss + c]!;
    dst[dd + c] = src[so + c]! + x1 + x2 + x3 + x4;
    dst[dd + ds + c] = x1 - x2 + 2 * (x3 - x4) + src[so + 5 * ss + c]!;
  }
}

type Transform = typeof inputTransform;

/** The two algorithms, by filter size: output tile m, filter r, with the 6 x 6 input tile of both. */
const ALGORITHMS: Record<number, { m: number; r: number; filter: Transform; output: Transform }> = {
  3: { m: 4, r: 3, filter: filterTransform, output: outputTransform },
  5: { m: 2, r: 5, filter: filterTransform5, output: outputTransform2 },
};

/** Filter sizes winogradConv handles. */
export const WINOGRAD_FILTER_SIZES: readonly number[] = [3, 5];

const ALPHA = 6;

export interface HeapBackend extends KernelBackend {
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array;
}

export interface WinogradConv {
  /** [N, H, W, Cin] */
  x: TensorInfo;
  /** [3, 3, Cin, Cout] */
  filter: TensorInfo;
  padTop: number;
  padLeft: number;
  outHeight: number;
  outWidth: number;
  bias?: TensorInfo;
  relu?: boolean;
}

/**
 * y = conv2d(x, filter) with stride 1 and the given top/left zero padding (rows and columns past
 * the input's end read as zero), output [N, outHeight, outWidth, Cout], plus bias and ReLU if
 * asked. `matMul(a [1, m, k], b [1, k, n])` is the backend's untransposed product.
 *
 * XNNPACK packs the right operand of a product on every call, so the 36 products are taken the
 * way round whose right operand is smaller: V_e [tiles x Cin] x U_e [Cin x Cout] when there are
 * more tiles than output channels, U_e^T [Cout x Cin] x V_e^T [Cin x tiles] otherwise. Each
 * transform runs along rows that are contiguous in the layout the product wants (channels in the
 * first case, tiles or input channels in the second).
 */
export function winogradConv(backend: HeapBackend, args: WinogradConv, matMul: (a: TensorInfo, b: TensorInfo) => TensorInfo): TensorInfo {
  const { x, filter, padTop, padLeft, outHeight, outWidth } = args;
  const [n, inH, inW, cin] = x.shape as [number, number, number, number];
  const [kh, kw, fcin, cout] = filter.shape as [number, number, number, number];
  const algorithm = ALGORITHMS[kh];
  if (!algorithm || kw !== kh || fcin !== cin) throw new Error(`winograd: filter ${filter.shape} does not fit input ${x.shape}`);
  const { m: M, r: R } = algorithm;
  const tilesH = Math.ceil(outHeight / M);
  const tilesW = Math.ceil(outWidth / M);
  const tiles = n * tilesH * tilesW;
  const elements = ALPHA * ALPHA;
  const transposed = tiles < cout;

  const v: TensorInfo[] = [];
  const u: TensorInfo[] = [];
  const products: TensorInfo[] = [];
  try {
    for (let e = 0; e < elements; e++) {
      v.push(backend.makeOutput(transposed ? [1, cin, tiles] : [1, tiles, cin], 'float32'));
      u.push(backend.makeOutput(transposed ? [1, cout, cin] : [1, cin, cout], 'float32'));
    }
    // Views after the allocations (an allocation can grow, and so detach, the heap).
    const xs = backend.typedArrayFromHeap(x);
    const vs = v.map((t) => backend.typedArrayFromHeap(t));
    const us = u.map((t) => backend.typedArrayFromHeap(t));
    transformFilter(backend.typedArrayFromHeap(filter), us, { r: R, cin, cout, transform: algorithm.filter, transposed });

    // Input tiles: V = B^T d B, rows over Cin.
    const d = new Float32Array(elements * cin);
    const t1 = new Float32Array(elements * cin);
    const t2 = new Float32Array(elements * cin);
    // Where each output of each tile goes in y ([tile][a][b]; -1: past the edge).
    const target = new Int32Array(tiles * M * M).fill(-1);
    let tile = 0;
    for (let b = 0; b < n; b++) {
      for (let th = 0; th < tilesH; th++) {
        for (let tw = 0; tw < tilesW; tw++, tile++) {
          const h0 = th * M - padTop;
          const w0 = tw * M - padLeft;
          for (let p = 0; p < ALPHA; p++) {
            const h = h0 + p;
            for (let q = 0; q < ALPHA; q++) {
              const w = w0 + q;
              const at = (p * ALPHA + q) * cin;
              if (h < 0 || h >= inH || w < 0 || w >= inW) d.fill(0, at, at + cin);
              else {
                const from = ((b * inH + h) * inW + w) * cin;
                d.set(xs.subarray(from, from + cin), at);
              }
            }
          }
          for (let q = 0; q < ALPHA; q++) inputTransform(d, q * cin, ALPHA * cin, t1, q * cin, ALPHA * cin, cin);
          for (let i = 0; i < ALPHA; i++) inputTransform(t1, i * ALPHA * cin, cin, t2, i * ALPHA * cin, cin, cin);
          for (let e = 0; e < elements; e++) {
            const ve = vs[e]!;
            if (transposed) for (let c = 0; c < cin; c++) ve[c * tiles + tile] = t2[e * cin + c]!;
            else ve.set(t2.subarray(e * cin, (e + 1) * cin), tile * cin);
          }
          for (let a = 0; a < M && th * M + a < outHeight; a++) {
            for (let bb = 0; bb < M && tw * M + bb < outWidth; bb++) {
              target[(tile * M + a) * M + bb] = ((b * outHeight + th * M + a) * outWidth + tw * M + bb) * cout;
            }
          }
        }
      }
    }

    for (let e = 0; e < elements; e++) products.push(transposed ? matMul(u[e]!, v[e]!) : matMul(v[e]!, u[e]!));
    const out = backend.makeOutput([n, outHeight, outWidth, cout], 'float32');
    const ms = products.map((t) => backend.typedArrayFromHeap(t));
    const ys = backend.typedArrayFromHeap(out);
    const bias = args.bias ? backend.typedArrayFromHeap(args.bias) : undefined;
    const relu = args.relu === true;

    // Output tiles: Y = A^T m A, along rows of the products (output channels, or tiles when transposed).
    const rows = transposed ? tiles : cout;
    const mt = new Float32Array(elements * rows);
    const s1 = new Float32Array(M * ALPHA * rows);
    const y = new Float32Array(M * M * rows);
    for (let k = 0; k < (transposed ? cout : tiles); k++) {
      for (let e = 0; e < elements; e++) mt.set(ms[e]!.subarray(k * rows, (k + 1) * rows), e * rows);
      for (let j = 0; j < ALPHA; j++) algorithm.output(mt, j * rows, ALPHA * rows, s1, j * rows, ALPHA * rows, rows);
      for (let a = 0; a < M; a++) algorithm.output(s1, a * ALPHA * rows, rows, y, a * M * rows, rows, rows);
      if (transposed) {
        // k is an output channel; y[a][b][tile]
        const add = bias ? bias[k]! : 0;
        for (let ab = 0; ab < M * M; ab++) {
          for (let t = 0; t < tiles; t++) {
            const at = target[t * M * M + ab]!;
            if (at < 0) continue;
            const value = y[ab * tiles + t]! + add;
            ys[at + k] = relu && value < 0 ? 0 : value;
          }
        }
      } else {
        // k is a tile; y[a][b][channel]
        for (let ab = 0; ab < M * M; ab++) {
          const at = target[k * M * M + ab]!;
          if (at < 0) continue;
          for (let c = 0; c < cout; c++) {
            const value = y[ab * cout + c]! + (bias ? bias[c]! : 0);
            ys[at + c] = relu && value < 0 ? 0 : value;
          }
        }
      }
    }
    return out;
  } finally {
    for (const t of [...v, ...u, ...products]) backend.disposeData(t.dataId);
  }
}

/**
 * U = G g G^T for every (input, output) channel pair into the 36 element matrices: [Cin, Cout]
 * (rows over output channels, straight from the [R, R, Cin, Cout] filter), or transposed
 * [Cout, Cin] (rows over input channels, from a transposed copy of the filter).
 */
function transformFilter(ws: Float32Array, us: Float32Array[], o: { r: number; cin: number; cout: number; transform: Transform; transposed: boolean }): void {
  const { r: R, cin, cout, transform } = o;
  const elements = ALPHA * ALPHA;
  // src[(outer * R * R + p * R + q) * len + i]: `outer` the channel the loop runs over, rows of `len`.
  let src = ws;
  let outerCount = cin;
  let len = cout;
  let rowOf = (outer: number, pq: number) => (pq * cin + outer) * cout;
  if (o.transposed) {
    src = new Float32Array(cout * R * R * cin);
    for (let pq = 0; pq < R * R; pq++) {
      for (let ci = 0; ci < cin; ci++) {
        const from = (pq * cin + ci) * cout;
        for (let co = 0; co < cout; co++) src[(co * R * R + pq) * cin + ci] = ws[from + co]!;
      }
    }
    outerCount = cout;
    len = cin;
    rowOf = (outer, pq) => (outer * R * R + pq) * cin;
  }
  const g1 = new Float32Array(ALPHA * R * len);
  const u1 = new Float32Array(elements * len);
  for (let outer = 0; outer < outerCount; outer++) {
    // g1[i][q] = sum_p G[i][p] g[p][q], then u1[i][j] = sum_q g1[i][q] G[j][q]
    const stride = rowOf(outer, R) - rowOf(outer, 0);
    for (let q = 0; q < R; q++) transform(src, rowOf(outer, q), stride, g1, q * len, R * len, len);
    for (let i = 0; i < ALPHA; i++) transform(g1, i * R * len, len, u1, i * ALPHA * len, len, len);
    for (let e = 0; e < elements; e++) us[e]!.set(u1.subarray(e * len, (e + 1) * len), outer * len);
  }
}
