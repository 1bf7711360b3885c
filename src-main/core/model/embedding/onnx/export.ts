/**
 * A registered model's embedding network as an in-memory ONNX model (opset 13), for inference
 * in onnxruntime (model/embedding/inference-ort.ts). The graph computes what network.ts `embed` computes
 * at inference (training: false), from the same weights:
 *
 *   x [N, H, W, C] (tfjs layout, values in [0, 1])
 *   -> Mul by the metadata's input scale (as inference.ts multiplies before the network)
 *   -> NHWC to NCHW (a Reshape when C = 1, where both orders are the same bytes; else Transpose)
 *   -> per layer: Conv (+ Relu), BatchNormalization (moving statistics), MaxPool, Flatten,
 *      Gemm (+ Relu); dropout is the identity at inference and is left out
 *   -> embedding [N, D]
 *
 * Layout: tfjs convolution kernels are [KH, KW, Cin, Cout], ONNX's [Cout, Cin, KH, KW]. tfjs
 * flattens channels-last (row, column, channel); ONNX's Flatten of NCHW gives (channel, row,
 * column), so the rows of the first dense kernel after a flatten are permuted to that order
 * (the usual place for an export to go wrong: test/integration/model/onnx.test.ts compares the two).
 *
 * `onnxSupport(spec)` says whether a spec can be exported; the engine chooser leaves any
 * architecture it cannot export on tfjs.
 */
import { layerShapes, paramInfos, type ArchitectureSpec, type Activation } from '../../architectures.ts';
import { encodeModel, type InitializerSpec, type NodeSpec } from './protobuf.ts';

export const ONNX_OPSET = 13;

/** true, or why the spec cannot be exported. */
export function onnxSupport(spec: ArchitectureSpec): true | string {
  let flat = false;
  for (const layer of spec.layers) {
    if (!['conv2d', 'batchNorm', 'maxPool', 'dropout', 'flatten', 'dense'].includes(layer.kind)) return `layer kind '${layer.kind}' has no ONNX export`;
    if ('activation' in layer && layer.activation !== 'relu' && layer.activation !== 'linear')
      return `activation '${String(layer.activation)}' has no ONNX export`;
    if (layer.kind === 'flatten') {
      if (flat) return 'a second flatten has no ONNX export';
      flat = true;
    }
    if (flat && (layer.kind === 'conv2d' || layer.kind === 'maxPool')) return `a ${layer.kind} layer after the flatten has no ONNX export`;
    // Per-feature parameters after the flatten are in tfjs's channels-last order; only a dense
    // kernel's rows are permuted here.
    if (flat && layer.kind === 'batchNorm') return 'batch norm after the flatten has no ONNX export';
    if (layer.kind === 'dense' && !flat) return `dense layer ${layer.name} before a flatten has no ONNX export`;
  }
  if (!flat) return 'no flatten layer';
  try {
    layerShapes(spec);
  } catch (err) {
    return (err as Error).message;
  }
  return true;
}

/** The tfjs kernel [KH, KW, Cin, Cout] as ONNX's [Cout, Cin, KH, KW]. */
export function convKernelToOnnx(k: Float32Array, kh: number, kw: number, cin: number, cout: number): Float32Array {
  const out = new Float32Array(k.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let ci = 0; ci < cin; ci++) for (let co = 0; co < cout; co++) out[((co * cin + ci) * kh + y) * kw + x] = k[((y * kw + x) * cin + ci) * cout + co]!;
  return out;
}

/**
 * A dense kernel [H*W*C, units] whose rows follow tfjs's channels-last flatten, with its rows
 * reordered to follow the flatten of NCHW: row (c*H + y)*W + x takes row (y*W + x)*C + c.
 */
export function denseRowsToChannelsFirst(k: Float32Array, h: number, w: number, c: number, units: number): Float32Array {
  if (k.length !== h * w * c * units) throw new Error(`dense kernel: ${k.length} values, expected ${h}x${w}x${c}x${units}`);
  const out = new Float32Array(k.length);
  for (let ch = 0; ch < c; ch++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const from = ((y * w + x) * c + ch) * units;
        out.set(k.subarray(from, from + units), ((ch * h + y) * w + x) * units);
      }
  return out;
}

export interface OnnxExportOptions {
  /** Multiplier applied to the [0, 1] input before the network (the metadata's inputScale). */
  inputScale: number;
  /** Recorded in the model's producer fields. */
  producerVersion?: string;
}

export const ONNX_INPUT = 'x';
export const ONNX_OUTPUT = 'embedding';

/**
 * Serialised ONNX ModelProto of the spec's inference pass. `weights` holds every parameter of
 * the spec (architectures.paramInfos) as float32 in tfjs's layout; shapes are checked.
 */
export function exportOnnx(spec: ArchitectureSpec, weights: ReadonlyMap<string, Float32Array>, options: OnnxExportOptions): Uint8Array {
  const support = onnxSupport(spec);
  if (support !== true) throw new Error(`architecture '${spec.name}' cannot be exported to ONNX: ${support}`);
  for (const p of paramInfos(spec)) {
    const w = weights.get(p.name);
    const size = p.shape.reduce((a, b) => a * b, 1);
    if (!w || w.length !== size)
      throw new Error(`onnx export of '${spec.name}': parameter '${p.name}' ${w ? `has ${w.length} values, expected ${size}` : 'is missing'}`);
  }
  const param = (name: string) => weights.get(name)!;
  const [h, w, c] = spec.inputShape;
  const nodes: NodeSpec[] = [];
  const inits: InitializerSpec[] = [];
  let current = ONNX_INPUT;
  let counter = 0;
  const add = (op: string, inputs: string[], attributes?: NodeSpec['attributes'], name = op.toLowerCase()): string => {
    const out = `${name}_${counter++}`;
    nodes.push({ op, inputs, outputs: [out], name: out, ...(attributes ? { attributes } : {}) });
    return out;
  };
  const activation = (a: Activation, name: string) => {
    if (a === 'relu') current = add('Relu', [current], undefined, `${name}_relu`);
  };

  if (options.inputScale !== 1) {
    inits.push({ name: 'input_scale', dims: [], data: Float32Array.of(options.inputScale) });
    current = add('Mul', [current, 'input_scale'], undefined, 'scale');
  }
  if (c === 1) {
    inits.push({ name: 'nchw_shape', dims: [4], data: { int64: [0, 1, h, w] } });
    current = add('Reshape', [current, 'nchw_shape'], undefined, 'to_nchw');
  } else {
    current = add('Transpose', [current], { perm: { ints: [0, 3, 1, 2] } }, 'to_nchw');
  }

  // Shape (H, W, C) before each layer, for the kernel and flatten permutations.
  let shape: number[] = [...spec.inputShape];
  let afterFlatten: number[] | null = null;
  for (const { layer, out } of layerShapes(spec)) {
    switch (layer.kind) {
      case 'conv2d': {
        const cin = shape[2]!;
        const k = layer.kernel;
        const p = layer.padding === 'valid' ? 0 : layer.padding;
        inits.push({
          name: `${layer.name}/kernel`,
          dims: [layer.filters, cin, k, k],
          data: convKernelToOnnx(param(`${layer.name}/kernel`), k, k, cin, layer.filters),
        });
        inits.push({ name: `${layer.name}/bias`, dims: [layer.filters], data: param(`${layer.name}/bias`) });
        current = add(
          'Conv',
          [current, `${layer.name}/kernel`, `${layer.name}/bias`],
          {
            kernel_shape: { ints: [k, k] },
            strides: { ints: [layer.stride, layer.stride] },
            pads: { ints: [p, p, p, p] },
            dilations: { ints: [1, 1] },
            group: { i: 1 },
          },
          layer.name,
        );
        activation(layer.activation, layer.name);
        break;
      }
      case 'batchNorm': {
        const names = ['gamma', 'beta', 'moving_mean', 'moving_variance'].map((n) => `${layer.name}/${n}`);
        for (const n of names) inits.push({ name: n, dims: [shape.at(-1)!], data: param(n) });
        current = add('BatchNormalization', [current, ...names], { epsilon: { f: layer.epsilon } }, layer.name);
        break;
      }
      case 'maxPool':
        current = add(
          'MaxPool',
          [current],
          { kernel_shape: { ints: [layer.size, layer.size] }, strides: { ints: [layer.stride, layer.stride] }, pads: { ints: [0, 0, 0, 0] } },
          'pool',
        );
        break;
      case 'dropout':
        break;
      case 'flatten':
        afterFlatten = shape;
        current = add('Flatten', [current], { axis: { i: 1 } }, 'flatten');
        break;
      case 'dense': {
        const inUnits = shape[0]!;
        let kernel = param(`${layer.name}/kernel`);
        if (afterFlatten) {
          const [fh, fw, fc] = afterFlatten as [number, number, number];
          kernel = denseRowsToChannelsFirst(kernel, fh, fw, fc, layer.units);
          afterFlatten = null;
        }
        inits.push({ name: `${layer.name}/kernel`, dims: [inUnits, layer.units], data: kernel });
        inits.push({ name: `${layer.name}/bias`, dims: [layer.units], data: param(`${layer.name}/bias`) });
        current = add(
          'Gemm',
          [current, `${layer.name}/kernel`, `${layer.name}/bias`],
          { alpha: { f: 1 }, beta: { f: 1 }, transA: { i: 0 }, transB: { i: 0 } },
          layer.name,
        );
        activation(layer.activation, layer.name);
        break;
      }
    }
    shape = out;
  }
  // Name the last value the graph's output.
  const last = nodes.at(-1)!;
  last.outputs = [ONNX_OUTPUT] as readonly string[];
  return encodeModel({
    producerName: 'countersign',
    producerVersion: options.producerVersion ?? '',
    opset: ONNX_OPSET,
    graphName: spec.name,
    nodes,
    initializers: inits,
    inputs: [{ name: ONNX_INPUT, dims: ['N', h, w, c] }],
    outputs: [{ name: ONNX_OUTPUT, dims: ['N', spec.embeddingSize] }],
  });
}
