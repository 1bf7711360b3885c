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

// The weight gradient is the correlation of x with dy, tiled over dy: F(r x r, m x m) with the
// same six points, so the same B^T for x, G'(6 x m) for the dy tile and A'^T (r x 6) for the result.

/** G' (6 x 4): the dy tile of F(3x3, 4x4). */
function gradTransform4(src: Float32Array, so: number, ss: number, dst: Float32Array, dd: number, ds: number, n: number): void {
  for (let c = 0; c < n; c++) {
    const x0 = src[so + c]!;
    const x1 = src[so + ss + c]!;
    const x2 = src[so + 2 * ss + c]!;
    const x3 = src[so + 3 * ss + c]!;
    dst[dd + c] = x0 / 4;
    dst[dd + ds + c] = -(x0 + x1 + x2 + x3) / 6;
    dst[dd + 2 * ds + c] = -(x0 - x1 + x2 - x3) / 6;
    dst[dd + 3 * ds + c] = (x0 + 2 * x1 + 4 * x2 + 8 * x3) / 24;
    dst[dd + 4 * ds + c] = (x0 - 2 * x1 + 4 * x2 - 8 * x3) / 24;
    dst[dd + 5 * ds + c] = x3;
  }
}

/** G' (6 x 2): the dy tile of F(5x5, 2x2). */
function gradTransform2(src: Float32Array, so: number, ss: number, dst: Float32Array, dd: number, ds: number, n: number): void {
  for (let c = 0; c < n; c++) {
    const x0 = src[so + c]!;
    const x1 = src[so + ss + c]!;
    dst[dd + c] = x0 / 4;
    dst[dd + ds + c] = -(x0 + x1) / 6;
    dst[dd + 2 * ds + c] = -(x0 - x1) / 6;
    dst[dd + 3 * ds + c] = (x0 + 2 * x1) / 24;
    dst[dd + 4 * ds + c] = (x0 - 2 * x1) / 24;
    dst[dd + 5 * ds + c] = x1;
  }
}

/** A'^T (3 x 6): the 3 x 3 result of F(3x3, 4x4). */
function gradOutput3(src: Float32Array, so: number, ss: number, dst: Float32Array, dd: number, ds: number, n: number): void {
  for (let c = 0; c < n; c++) {
    const x1 = src[so + ss + c]!;
    const x2 = src[so + 2 * ss + c]!;
    const x3 = src[so + 3 * ss + c]!;
    const x4 = src[so + 4 * ss + c]!;
    dst[dd + c] = src[so + c]! + x1 + x2 + x3 + x4;
    dst[dd + ds + c] = x1 - x2 + 2 * (x3 - x4);
    dst[dd + 2 * ds + c] = x1 + x2 + 4 * (x3 + x4) + src[so + 5 * ss + c]!;
  }
}

/** A'^T (5 x 6): the 5 x 5 result of F(5x5, 2x2). */
function gradOutput5(src: Float32Array, so: number, ss: number, dst: Float32Array, dd: number, ds: number, n: number): void {
  for (let c = 0; c < n; c++) {
    const x1 = src[so + ss + c]!;
    const x2 = src[so + 2 * ss + c]!;
    const x3 = src[so + 3 * ss + c]!;
    const x4 = src[so + 4 * ss + c]!;
    dst[dd + c] = src[so + c]! + x1 + x2 + x3 + x4;
    dst[dd + ds + c] = x1 - x2 + 2 * (x3 - x4);
    dst[dd + 2 * ds + c] = x1 + x2 + 4 * (x3 + x4);
    dst[dd + 3 * ds + c] = x1 - x2 + 8 * (x3 - x4);
    dst[dd + 4 * ds + c] = x1 + x2 + 16 * (x3 + x4) + src[so + 5 * ss + c]!;
  }
}

type Transform = typeof inputTransform;

/** The two algorithms, by filter size: output tile m, filter r, with the 6 x 6 input tile of both. */
const ALGORITHMS: Record<number, { m: number; r: number; filter: Transform; output: Transform; grad: Transform; gradOutput: Transform }> = {
  3: { m: 4, r: 3, filter: filterTransform, output: outputTransform, grad: gradTransform4, gradOutput: gradOutput3 },
  5: { m: 2, r: 5, filter: filterTransform5, output: outputTransform2, grad: gradTransform2, gradOutput: gradOutput5 },
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
  /** [R, R, Cin, Cout]; with `flipped`, [R, R, Cout, Cin] used rotated by 180 degrees with its channel axes swapped (the input gradient of the convolution it belongs to). */
  filter: TensorInfo;
  flipped?: boolean;
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
  const [kh, kw, f2, f3] = filter.shape as [number, number, number, number];
  const [fcin, cout] = args.flipped ? [f3, f2] : [f2, f3];
  const algorithm = ALGORITHMS[kh];
  if (!algorithm || kw !== kh || fcin !== cin) throw new Error(`winograd: filter ${filter.shape} does not fit input ${x.shape}`);
  const { m: M, r: R } = algorithm;
  const tilesH = Math.ceil(outHeight / M);
  const tilesW = Math.ceil(outWidth / M);
  const tiles = n * tilesH * tilesW;
  const elements = ALPHA * ALPHA;
  const transposed = tiles < cout;
  if (tiles === 0) throw new Error('winograd: an empty output (use the direct convolution)');

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
    transformFilter(backend.typedArrayFromHeap(filter), us, { r: R, cin, cout, transform: algorithm.filter, transposed, flipped: args.flipped === true });

    // Input tiles: V = B^T d B.
    transformTiles(xs, vs, {
      n,
      height: inH,
      width: inW,
      channels: cin,
      tilesH,
      tilesW,
      step: M,
      size: ALPHA,
      top: padTop,
      left: padLeft,
      transform: inputTransform,
      transposed,
    });
    // Where each output of each tile goes in y ([tile][a][b]; -1: past the edge).
    const target = new Int32Array(tiles * M * M).fill(-1);
    for (let b = 0, tile = 0; b < n; b++) {
      for (let th = 0; th < tilesH; th++) {
        for (let tw = 0; tw < tilesW; tw++, tile++) {
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
    const untile = untiler(M, rows, algorithm.output);
    for (let k = 0; k < (transposed ? cout : tiles); k++) {
      const y = untile(ms, k);
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
function transformFilter(
  ws: Float32Array,
  us: Float32Array[],
  o: { r: number; cin: number; cout: number; transform: Transform; transposed: boolean; flipped: boolean },
): void {
  const { r: R, cin, cout, transform } = o;
  const taps = R * R;
  const elements = ALPHA * ALPHA;
  // Tap pq of the convolution's filter [R, R, Cin, Cout] is tap pq of ws, or tap R*R-1-pq of ws
  // with the channel axes swapped when flipped (ws is then [R, R, Cout, Cin]).
  // The loop below runs over `outer` channels, each a filter of rows of `len` floats at rowOf(outer, pq).
  const outerCount = o.transposed ? cout : cin;
  const len = o.transposed ? cin : cout;
  let src = ws;
  let rowOf: (outer: number, pq: number) => number;
  if (o.flipped === o.transposed) {
    // Rows read in place: over Cout from [R, R, Cin, Cout], or over Cin from the flipped [R, R, Cout, Cin].
    rowOf = o.flipped ? (outer, pq) => ((taps - 1 - pq) * cout + outer) * cin : (outer, pq) => (pq * cin + outer) * cout;
  } else {
    // Rows across the stored layout: a transposed copy first, as [outer, R, R, len].
    src = new Float32Array(taps * cin * cout);
    const rows = o.flipped ? cout : cin;
    const cols = o.flipped ? cin : cout;
    for (let pq = 0; pq < taps; pq++) {
      const tap = o.flipped ? taps - 1 - pq : pq;
      for (let a = 0; a < rows; a++) {
        const from = (tap * rows + a) * cols;
        for (let c = 0; c < cols; c++) src[(c * taps + pq) * len + a] = ws[from + c]!;
      }
    }
    rowOf = (outer, pq) => (outer * taps + pq) * len;
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

/**
 * The 36 transformed elements of every tile of src [N, height, width, channels]: windows of
 * size x size whose origins step by `step` (from -top, -left; outside the tensor reads zero), each
 * transformed along both axes (size rows -> 6), into dst[e] as [tiles, channels], or
 * [channels, tiles] when transposed.
 */
function transformTiles(
  src: Float32Array,
  dst: Float32Array[],
  o: {
    n: number;
    height: number;
    width: number;
    channels: number;
    tilesH: number;
    tilesW: number;
    step: number;
    size: number;
    top: number;
    left: number;
    transform: Transform;
    transposed: boolean;
  },
): void {
  const { height, width, channels: c, size, step } = o;
  const tiles = o.n * o.tilesH * o.tilesW;
  const d = new Float32Array(size * size * c);
  const t1 = new Float32Array(ALPHA * size * c);
  const t2 = new Float32Array(ALPHA * ALPHA * c);
  for (let b = 0, tile = 0; b < o.n; b++) {
    for (let th = 0; th < o.tilesH; th++) {
      for (let tw = 0; tw < o.tilesW; tw++, tile++) {
        const h0 = th * step - o.top;
        const w0 = tw * step - o.left;
        let so = 0;
        let ss = size * c;
        let from: Float32Array = d;
        if (h0 >= 0 && w0 >= 0 && h0 + size <= height && w0 + size <= width) {
          // Inside the tensor: read the window in place.
          from = src;
          so = ((b * height + h0) * width + w0) * c;
          ss = width * c;
        } else {
          for (let p = 0; p < size; p++) {
            const h = h0 + p;
            for (let q = 0; q < size; q++) {
              const w = w0 + q;
              const at = (p * size + q) * c;
              if (h < 0 || h >= height || w < 0 || w >= width) d.fill(0, at, at + c);
              else d.set(src.subarray(((b * height + h) * width + w) * c, ((b * height + h) * width + w + 1) * c), at);
            }
          }
        }
        // t1[i][q] = sum_p T[i][p] window[p][q], then t2[i][j] = sum_q t1[i][q] T[j][q]
        for (let q = 0; q < size; q++) o.transform(from, so + q * c, ss, t1, q * c, size * c, c);
        for (let i = 0; i < ALPHA; i++) o.transform(t1, i * size * c, c, t2, i * ALPHA * c, c, c);
        for (let e = 0; e < ALPHA * ALPHA; e++) {
          const de = dst[e]!;
          if (o.transposed) for (let ch = 0; ch < c; ch++) de[ch * tiles + tile] = t2[e * c + ch]!;
          else de.set(t2.subarray(e * c, (e + 1) * c), tile * c);
        }
      }
    }
  }
}

/**
 * dW = the weight gradient of y = conv2d(x, W) with stride 1 and the given top/left padding, for an
 * r x r filter ([r, r, Cin, Cout], r in WINOGRAD_FILTER_SIZES): dy is cut into m x m tiles, each
 * tile's x window (the forward pass's input tile) and its dy are transformed, and the 36 elements
 * are summed over all tiles by 36 products [C x tiles] x [tiles x C'] (`transpose` gives the left
 * operand as the backend's own transpose; the right one, packed by XNNPACK, is the one with fewer
 * channels). A'^T s A' per channel pair then gives the r x r gradient.
 */
export function winogradFilterGradient(
  backend: HeapBackend,
  args: { x: TensorInfo; dy: TensorInfo; r: number; padTop: number; padLeft: number },
  ops: { matMul: (a: TensorInfo, b: TensorInfo) => TensorInfo; transpose: (a: TensorInfo) => TensorInfo },
): TensorInfo {
  const { x, dy, r: R } = args;
  const [n, inH, inW, cin] = x.shape as [number, number, number, number];
  const [, outH, outW, cout] = dy.shape as [number, number, number, number];
  const algorithm = ALGORITHMS[R];
  if (!algorithm) throw new Error(`winograd: no algorithm for a ${R} x ${R} filter`);
  const M = algorithm.m;
  const tilesH = Math.ceil(outH / M);
  const tilesW = Math.ceil(outW / M);
  const tiles = n * tilesH * tilesW;
  const elements = ALPHA * ALPHA;
  if (tiles === 0) throw new Error('winograd: an empty dy (use the direct convolution)');
  // The right operand (packed on every call) is whichever of V [tiles, Cin] and W [tiles, Cout] is smaller.
  const rightIsV = cin <= cout;
  const v: TensorInfo[] = [];
  const w: TensorInfo[] = [];
  const sums: TensorInfo[] = [];
  try {
    for (let e = 0; e < elements; e++) {
      v.push(backend.makeOutput([1, tiles, cin], 'float32'));
      w.push(backend.makeOutput([1, tiles, cout], 'float32'));
    }
    const tiling = { n, tilesH, tilesW, step: M, transposed: false };
    const vs = v.map((t) => backend.typedArrayFromHeap(t));
    const ws = w.map((t) => backend.typedArrayFromHeap(t));
    transformTiles(backend.typedArrayFromHeap(x), vs, {
      ...tiling,
      height: inH,
      width: inW,
      channels: cin,
      size: ALPHA,
      top: args.padTop,
      left: args.padLeft,
      transform: inputTransform,
    });
    transformTiles(backend.typedArrayFromHeap(dy), ws, {
      ...tiling,
      height: outH,
      width: outW,
      channels: cout,
      size: M,
      top: 0,
      left: 0,
      transform: algorithm.grad,
    });

    // s_e = sum over tiles of V_e (x) W_e: [Cout, Cin] when V is the right operand, else [Cin, Cout].
    for (let e = 0; e < elements; e++) {
      const left = ops.transpose(rightIsV ? w[e]! : v[e]!);
      try {
        sums.push(ops.matMul(left, rightIsV ? v[e]! : w[e]!));
      } finally {
        backend.disposeData(left.dataId);
      }
    }
    const out = backend.makeOutput([R, R, cin, cout], 'float32');
    const ss = sums.map((t) => backend.typedArrayFromHeap(t));
    const dw = backend.typedArrayFromHeap(out);
    const outer = rightIsV ? cout : cin;
    const len = rightIsV ? cin : cout;
    const untile = untiler(R, len, algorithm.gradOutput);
    for (let k = 0; k < outer; k++) {
      const y = untile(ss, k);
      for (let pq = 0; pq < R * R; pq++) {
        if (rightIsV) {
          // k is an output channel, rows over input channels
          for (let ci = 0; ci < cin; ci++) dw[(pq * cin + ci) * cout + k] = y[pq * len + ci]!;
        } else dw.set(y.subarray(pq * len, (pq + 1) * len), (pq * cin + k) * cout);
      }
    }
    return out;
  } finally {
    for (const t of [...v, ...w, ...sums]) backend.disposeData(t.dataId);
  }
}

/**
 * The last step of both algorithms: row k (`len` floats) of each of the 36 element products,
 * through the output transform (6 -> `size` rows) along both tile axes, as y [size][size][len].
 * The returned array is reused by the next call.
 */
function untiler(size: number, len: number, transform: Transform): (products: Float32Array[], k: number) => Float32Array {
  const m = new Float32Array(ALPHA * ALPHA * len);
  const s1 = new Float32Array(size * ALPHA * len);
  const y = new Float32Array(size * size * len);
  return (products, k) => {
    for (let e = 0; e < ALPHA * ALPHA; e++) m.set(products[e]!.subarray(k * len, (k + 1) * len), e * len);
    for (let j = 0; j < ALPHA; j++) transform(m, j * len, ALPHA * len, s1, j * len, ALPHA * len, len);
    for (let a = 0; a < size; a++) transform(s1, a * ALPHA * len, len, y, a * size * len, len, len);
    return y;
  };
}
