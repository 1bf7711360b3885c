// The project's wasm training kernels against the cpu backend (tfjs' reference implementation),
// on small random tensors: Conv2DBackpropFilter / Conv2DBackpropInput over strides, kernel sizes
// and paddings; BatchMatMul with transposes; MaxPoolGrad (with ties); the channel sum; and the
// gradients of the fused kernels.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { backend_util } from '@tensorflow/tfjs';
import { resolveBackend } from '../../../src-main/core/model/backend.ts';
import { fusedConv2d, fusedMatMul } from '../../../src-main/core/model/fused-gradients.ts';
import {
  CHANNEL_SUM_KERNEL,
  TRAINING_KERNELS,
  missingWasmTrainingKernels,
  WINOGRAD_MIN_CHANNELS,
  wasmTrainingKernelsRegistered,
  withWinograd,
} from '../../../src-main/core/model/wasm-kernels.ts';
import { Rng } from '../../../src-main/core/util/random.ts';

type Pad = 'valid' | 'same' | [[number, number], [number, number], [number, number], [number, number]];

before(async () => {
  process.env.COUNTERSIGN_BACKEND = 'wasm';
  const info = await resolveBackend();
  assert.equal(info.backend, 'wasm');
});

function randomArray(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => rng.normal());
}

/** Runs f on a backend with fresh tensors made from plain arrays; returns plain arrays. */
function onBackend(backend: 'cpu' | 'wasm', inputs: { data: Float32Array; shape: number[] }[], f: (...ts: tf.Tensor[]) => tf.Tensor[]): Float32Array[] {
  const previous = tf.getBackend();
  tf.setBackend(backend);
  try {
    return tf.tidy(() => {
      const ts = inputs.map((i) => tf.tensor(i.data, i.shape, 'float32'));
      return f(...ts).map((t) => t.dataSync() as Float32Array);
    });
  } finally {
    tf.setBackend(previous);
  }
}

function relativeError(got: Float32Array, want: Float32Array): number {
  assert.equal(got.length, want.length, 'lengths differ');
  let num = 0;
  let den = 0;
  for (let i = 0; i < got.length; i++) {
    num += (got[i]! - want[i]!) ** 2;
    den += want[i]! ** 2;
  }
  return Math.sqrt(num / Math.max(den, 1e-30));
}

function compare(label: string, inputs: { data: Float32Array; shape: number[] }[], f: (...ts: tf.Tensor[]) => tf.Tensor[]): void {
  const want = onBackend('cpu', inputs, f);
  const numBefore = tf.memory().numTensors;
  const got = onBackend('wasm', inputs, f);
  assert.equal(tf.memory().numTensors, numBefore, `${label}: tensors leaked`);
  want.forEach((w, i) => {
    const err = relativeError(got[i]!, w);
    assert.ok(err < 1e-4, `${label}, output ${i}: relative error ${err.toExponential(2)}`);
  });
}

describe('wasm training kernels', () => {
  test('are registered and nothing training needs is missing', () => {
    assert.ok(wasmTrainingKernelsRegistered());
    assert.deepEqual(missingWasmTrainingKernels(), []);
    assert.ok(TRAINING_KERNELS.includes('Conv2DBackpropFilter'));
    assert.ok(tf.getKernel('Conv2DBackpropFilter', 'wasm'));
    assert.ok(tf.getKernel(CHANNEL_SUM_KERNEL, 'wasm'));
  });

  // [x shape, filter shape, stride, padding]
  const cases: [number[], number[], number, Pad][] = [];
  for (const stride of [1, 2, 4]) {
    for (const k of [1, 3, 5, 11]) {
      for (const pad of ['same', 'valid'] as const) {
        const size = k + 2 * stride + 3; // big enough for a valid convolution, odd leftovers
        cases.push([[2, size, size + 2, 3], [k, k, 3, 4], stride, pad]);
      }
    }
  }
  cases.push([
    [3, 10, 12, 2],
    [5, 5, 2, 3],
    1,
    [
      [0, 0],
      [2, 2],
      [2, 2],
      [0, 0],
    ],
  ]);
  cases.push([
    [2, 10, 12, 3],
    [5, 5, 3, 4],
    1,
    [
      [0, 0],
      [1, 3],
      [0, 2],
      [0, 0],
    ],
  ]);
  cases.push([
    [2, 13, 15, 2],
    [3, 3, 2, 5],
    2,
    [
      [0, 0],
      [1, 0],
      [2, 1],
      [0, 0],
    ],
  ]);
  cases.push([[2, 23, 30, 1], [11, 11, 1, 6], 4, 'valid']); // SigNet's conv1, scaled down

  for (const [xs, fs, stride, pad] of cases) {
    test(`conv2d gradients match cpu: x ${xs.join('x')}, filter ${fs.join('x')}, stride ${stride}, pad ${JSON.stringify(pad)}`, () => {
      const x = {
        data: randomArray(
          xs.reduce((a, b) => a * b),
          1,
        ),
        shape: xs,
      };
      const w = {
        data: randomArray(
          fs.reduce((a, b) => a * b),
          2,
        ),
        shape: fs,
      };
      const outShape = backend_util.computeConv2DInfo(xs as [number, number, number, number], fs as [number, number, number, number], stride, 1, pad).outShape;
      const dy = {
        data: randomArray(
          outShape.reduce((a, b) => a * b),
          3,
        ),
        shape: outShape,
      };
      compare('Conv2DBackpropFilter', [x, dy], (a, d) => [
        tf
          .engine()
          .runKernel('Conv2DBackpropFilter', { x: a!, dy: d! }, { strides: [stride, stride], pad, dataFormat: 'NHWC', filterShape: fs } as never) as tf.Tensor,
      ]);
      compare('Conv2DBackpropInput', [w, dy], (b, d) => [
        tf.conv2dTranspose(d as tf.Tensor4D, b as tf.Tensor4D, xs as [number, number, number, number], stride, pad),
      ]);
    });
  }

  test('BatchMatMul with transposed operands matches cpu', () => {
    for (const [as, bs, ta, tb] of [
      [[7, 33], [7, 5], true, false],
      [[6, 40], [9, 40], false, true],
      [[40, 6], [9, 40], true, true],
      [[1, 40, 6], [1, 40, 9], true, false],
      [[3, 4, 5], [3, 6, 5], false, true], // batched: the backend's own path
    ] as [number[], number[], boolean, boolean][]) {
      const a = {
        data: randomArray(
          as.reduce((x, y) => x * y),
          4,
        ),
        shape: as,
      };
      const b = {
        data: randomArray(
          bs.reduce((x, y) => x * y),
          5,
        ),
        shape: bs,
      };
      compare(`matMul ${as} ${bs} ${ta} ${tb}`, [a, b], (x, y) => [tf.matMul(x!, y!, ta, tb)]);
    }
  });

  test('MaxPoolGrad matches cpu, including windows whose maximum is tied', () => {
    const data = randomArray(2 * 9 * 11 * 3, 6);
    for (let i = 0; i < data.length; i += 2) data[i] = Math.max(0, data[i]!); // ReLU-like zeros
    data.fill(0, 0, 60); // a region of exact ties
    const x = { data, shape: [2, 9, 11, 3] };
    for (const [size, stride, pad] of [
      [3, 2, 'valid'],
      [2, 2, 'same'],
      [3, 1, 'same'],
    ] as [number, number, 'valid' | 'same'][]) {
      // Distinct upstream gradients, so a gradient sent to the wrong position shows.
      const loss = (v: tf.Tensor) => {
        const y = tf.maxPool(v as tf.Tensor4D, size, stride, pad);
        return tf.mul(y, tf.range(1, 1 + y.size).reshape(y.shape)).sum();
      };
      compare(`maxPool grad ${size}/${stride}/${pad}`, [x], (t) => [tf.grad(loss)(t!)]);
    }
  });

  test('channel sum equals tf.sum over the leading axes', () => {
    const x = { data: randomArray(4 * 5 * 6 * 7, 7), shape: [4, 5, 6, 7] };
    const want = onBackend('cpu', [x], (t) => [tf.sum(t!, [0, 1, 2])]);
    const got = onBackend('wasm', [x], (t) => [tf.engine().runKernel(CHANNEL_SUM_KERNEL, { x: t! }, {}) as tf.Tensor]);
    assert.ok(relativeError(got[0]!, want[0]!) < 1e-6);
  });

  test('fused conv2d / matMul gradients equal those of the unfused ops', () => {
    const x = { data: randomArray(2 * 9 * 10 * 3, 8), shape: [2, 9, 10, 3] };
    const w = { data: randomArray(3 * 3 * 3 * 4, 9), shape: [3, 3, 3, 4] };
    const b = { data: randomArray(4, 10), shape: [4] };
    const pad: Pad = [
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 0],
    ];
    for (const activation of ['relu', 'linear'] as const) {
      const weights = (t: tf.Tensor) => tf.range(0, t.size).reshape(t.shape).mod(7).sub(3);
      const fused = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => {
        const y = fusedConv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, bb as tf.Tensor1D, 2, pad, activation);
        return tf.mul(y, weights(y)).sum();
      };
      const plain = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => {
        let y: tf.Tensor = tf.add(tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, 2, pad), bb);
        if (activation === 'relu') y = tf.relu(y);
        return tf.mul(y, weights(y)).sum();
      };
      for (const backend of ['cpu', 'wasm'] as const) {
        const want = onBackend(backend, [x, w, b], (...ts) => tf.grads(plain)(ts));
        const got = onBackend(backend, [x, w, b], (...ts) => tf.grads(fused)(ts));
        got.forEach((g, i) => assert.ok(relativeError(g, want[i]!) < 1e-5, `conv ${activation} ${backend} input ${i}`));
      }
      const a = { data: randomArray(5 * 7, 11), shape: [5, 7] };
      const k = { data: randomArray(7 * 6, 12), shape: [7, 6] };
      const c = { data: randomArray(6, 13), shape: [6] };
      const fm = (aa: tf.Tensor, kk: tf.Tensor, cc: tf.Tensor) => {
        const y = fusedMatMul(aa as tf.Tensor2D, kk as tf.Tensor2D, cc as tf.Tensor1D, activation);
        return tf.mul(y, weights(y)).sum();
      };
      const pm = (aa: tf.Tensor, kk: tf.Tensor, cc: tf.Tensor) => {
        let y: tf.Tensor = tf.add(tf.matMul(aa, kk), cc);
        if (activation === 'relu') y = tf.relu(y);
        return tf.mul(y, weights(y)).sum();
      };
      for (const backend of ['cpu', 'wasm'] as const) {
        const want = onBackend(backend, [a, k, c], (...ts) => tf.grads(pm)(ts));
        const got = onBackend(backend, [a, k, c], (...ts) => tf.grads(fm)(ts));
        got.forEach((g, i) => assert.ok(relativeError(g, want[i]!) < 1e-5, `matMul ${activation} ${backend} input ${i}`));
      }
    }
  });

  test('Winograd F(4x4, 3x3) and F(2x2, 5x5) inside a training step: forward, fused, input- and weight-gradient convolutions equal the direct ones', () => {
    const explicit: Pad = [
      [0, 0],
      [0, 2],
      [1, 0],
      [0, 0],
    ];
    // Sizes that are not multiples of the output tile, 'same' / 'valid' / asymmetric padding, and
    // channels from WINOGRAD_MIN_CHANNELS up: more tiles than output channels (products V U) and
    // fewer (U^T V^T), for the forward convolution and for the input gradient (whose output
    // channels are the input's); weight gradients with fewer and more input than output channels.
    const c = WINOGRAD_MIN_CHANNELS;
    for (const [xs, pad, cout] of [
      [[4, 17, 21, c], 'same', c],
      [[1, 9, 11, c + 16], 'valid', c],
      [[2, 10, 7, c], explicit, c + 8],
    ] as [number[], Pad, number][]) {
      for (const k of [3, 5]) {
        const x = {
          data: randomArray(
            xs.reduce((a, b) => a * b),
            21,
          ),
          shape: xs,
        };
        const w = { data: randomArray(k * k * xs[3]! * cout, 22), shape: [k, k, xs[3]!, cout] };
        const b = { data: randomArray(cout, 23), shape: [cout] };
        const outShape = backend_util.computeConv2DInfo(
          xs as [number, number, number, number],
          w.shape as [number, number, number, number],
          1,
          1,
          pad,
        ).outShape;
        const dy = {
          data: randomArray(
            outShape.reduce((p, q) => p * q),
            24,
          ),
          shape: outShape,
        };
        const label = `${k}x${k} on ${xs.join('x')} to ${cout} channels, ${JSON.stringify(pad)}`;
        const cases: [string, { data: Float32Array; shape: number[] }[], (...ts: tf.Tensor[]) => tf.Tensor[]][] = [
          ['conv2d', [x, w], (a, f) => [tf.conv2d(a as tf.Tensor4D, f as tf.Tensor4D, 1, pad)]],
          [
            'fused relu',
            [x, w, b],
            (a, f, c) => [fusedConv2d(a as tf.Tensor4D, f as tf.Tensor4D, c as tf.Tensor1D, 1, pad === 'same' ? 'valid' : pad, 'relu')],
          ],
          ['input gradient', [w, dy], (f, d) => [tf.conv2dTranspose(d as tf.Tensor4D, f as tf.Tensor4D, xs as [number, number, number, number], 1, pad)]],
          [
            'weight gradient',
            [x, dy],
            (a, g) => [
              tf
                .engine()
                .runKernel('Conv2DBackpropFilter', { x: a!, dy: g! }, { strides: [1, 1], pad, dataFormat: 'NHWC', filterShape: w.shape } as never) as tf.Tensor,
            ],
          ],
        ];
        for (const [name, inputs, f] of cases) {
          // Against the wasm backend's direct convolution (checked against cpu by the tests above;
          // cpu itself takes minutes at these channel counts). Equal within rounding, but not the
          // same bits: the Winograd path really ran.
          const direct = onBackend('wasm', inputs, f)[0]!;
          const numBefore = tf.memory().numTensors;
          const winograd = onBackend('wasm', inputs, (...ts) => withWinograd(() => f(...ts)))[0]!;
          assert.equal(tf.memory().numTensors, numBefore, `winograd ${name} ${label}: tensors leaked`);
          const err = relativeError(winograd, direct);
          assert.ok(err < 1e-4, `winograd ${name} ${label}: relative error ${err.toExponential(2)}`);
          assert.ok(
            direct.some((v, i) => v !== winograd[i]),
            `winograd ${name} ${label}: same bits as the direct convolution`,
          );
        }
      }
    }
  });

  test('a failing comparison is detected (the check can fail)', () => {
    const x = { data: randomArray(2 * 6 * 6 * 2, 14), shape: [2, 6, 6, 2] };
    const dy = { data: randomArray(2 * 6 * 6 * 3, 15), shape: [2, 6, 6, 3] };
    // Wrong padding on one side only: the check must notice.
    assert.throws(() =>
      compare('mismatch', [x, dy], (a, d) => [
        tf.engine().runKernel('Conv2DBackpropFilter', { x: a!, dy: d! }, {
          strides: [1, 1],
          pad:
            tf.getBackend() === 'cpu'
              ? 'same'
              : [
                  [0, 0],
                  [0, 2],
                  [1, 1],
                  [0, 0],
                ],
          dataFormat: 'NHWC',
          filterShape: [3, 3, 2, 3],
        } as never) as tf.Tensor,
      ]),
    );
  });
});
