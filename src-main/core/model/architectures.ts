/**
 * Network architectures as data: a spec is a list of layers, and network.ts interprets it
 * (parameters, initialisation, forward pass). Specs are pure values built by pure functions, so a
 * spec can be written into a model's metadata, compared, and rebuilt from its name.
 *
 * Sources (REFERENCE.md):
 *  [code]  the SigNet authors' Keras code, sounakdey/SigNet, SigNet_v1.py, create_base_network_signet()
 *  [paper] Dey et al. 2017, "SigNet: Convolutional Siamese Network for Writer Independent Offline
 *          Signature Verification", arXiv 1707.02131
 * Where the two differ, `signet` follows [code], as the project's design asks (DESIGN section 5);
 * each such choice is named in the layer's `source`. One deliberate deviation: the authors'
 * BatchNormalization(axis=1) under dim_ordering='tf' (channels last) normalises over image *rows*,
 * a slip from the Theano ordering where axis 1 is the channel axis; here batch norm is per channel,
 * which is what the paper describes and every reimplementation does.
 */
import { AppError } from '../errors.ts';

export type Activation = 'relu' | 'linear';

export interface Conv2dLayer {
  kind: 'conv2d';
  /** Prefix of its parameters: `<name>/kernel` [KH, KW, Cin, Cout], `<name>/bias` [Cout]. */
  name: string;
  filters: number;
  kernel: number;
  stride: number;
  /** Zero padding on every side, or 'valid' (none). */
  padding: number | 'valid';
  /** Applied right after the convolution (Keras Convolution2D(activation=...)). */
  activation: Activation;
  source: string;
  /** Training only: the layer keeps its weights (partial fine-tuning). */
  frozen?: boolean;
}

export interface BatchNormLayer {
  kind: 'batchNorm';
  /** `<name>/gamma`, `<name>/beta` (trained), `<name>/moving_mean`, `<name>/moving_variance` (not). */
  name: string;
  epsilon: number;
  /** Keras convention: moving = momentum * moving + (1 - momentum) * batch. */
  momentum: number;
  source: string;
  /** Training only: gamma and beta stay, and the moving statistics are used as at inference. */
  frozen?: boolean;
}

export interface MaxPoolLayer {
  kind: 'maxPool';
  size: number;
  stride: number;
  source: string;
}

export interface DropoutLayer {
  kind: 'dropout';
  /** Fraction of units dropped in training (inverted dropout: kept units scaled by 1/(1-rate)). */
  rate: number;
  source: string;
}

export interface FlattenLayer {
  kind: 'flatten';
  source: string;
}

export interface DenseLayer {
  kind: 'dense';
  /** `<name>/kernel` [in, units], `<name>/bias` [units]. */
  name: string;
  units: number;
  activation: Activation;
  /** L2 penalty coefficient on the kernel, added to the loss as l2 * sum(kernel^2) (Keras l2()). */
  l2: number;
  source: string;
  /** Training only: the layer keeps its weights (partial fine-tuning). */
  frozen?: boolean;
}

export type LayerSpec = Conv2dLayer | BatchNormLayer | MaxPoolLayer | DropoutLayer | FlattenLayer | DenseLayer;

export interface ArchitectureSpec {
  name: string;
  description: string;
  /** [height, width, channels] of one preprocessed image. */
  inputShape: [number, number, number];
  /** Length of the embedding (the last layer's units). */
  embeddingSize: number;
  /** Weight initialisation of kernels; biases and beta start at 0, gamma and moving variance at 1. */
  init: 'glorot-uniform';
  layers: LayerSpec[];
}

export interface SignetOptions {
  name: string;
  description: string;
  inputShape: [number, number, number];
  /** Filters of conv1..conv4. */
  filters: [number, number, number, number];
  /** Units of the hidden dense layer. */
  dense: number;
  embeddingSize: number;
  /**
   * The embedding layer: 'code' as the authors' code (ReLU, L2 5e-4), 'linear' as the paper's
   * description, REFERENCE.md and the PyTorch reference (linear, no L2). Default 'code'.
   */
  embedding?: 'code' | 'linear';
}

const CODE = 'SigNet_v1.py create_base_network_signet';

/**
 * The SigNet layer stack, parameterised by width so that `signet` and `signet-tiny` share one
 * structure. Every value not parameterised is the authors'.
 */
export function signetArchitecture(o: SignetOptions): ArchitectureSpec {
  const [f1, f2, f3, f4] = o.filters;
  const layers: LayerSpec[] = [
    {
      kind: 'conv2d',
      name: 'conv1',
      filters: f1,
      kernel: 11,
      stride: 4,
      padding: 'valid',
      activation: 'relu',
      source: `${CODE}: Convolution2D(96, 11, 11, subsample=(4, 4), activation='relu') (the paper's figure uses stride 1 and LRN; [code] is followed)`,
    },
    {
      kind: 'batchNorm',
      name: 'bn1',
      epsilon: 1e-6,
      momentum: 0.9,
      source: `${CODE}: BatchNormalization(epsilon=1e-06, momentum=0.9) after the ReLU (per channel; see the file comment on axis=1)`,
    },
    { kind: 'maxPool', size: 3, stride: 2, source: `${CODE}: MaxPooling2D((3,3), strides=(2, 2))` },
    {
      kind: 'conv2d',
      name: 'conv2',
      filters: f2,
      kernel: 5,
      stride: 1,
      padding: 2,
      activation: 'relu',
      source: `${CODE}: ZeroPadding2D((2, 2)) + Convolution2D(256, 5, 5, activation='relu')`,
    },
    { kind: 'batchNorm', name: 'bn2', epsilon: 1e-6, momentum: 0.9, source: `${CODE}: BatchNormalization(epsilon=1e-06, momentum=0.9) after the ReLU` },
    { kind: 'maxPool', size: 3, stride: 2, source: `${CODE}: MaxPooling2D((3,3), strides=(2, 2))` },
    { kind: 'dropout', rate: 0.3, source: `${CODE}: Dropout(0.3)` },
    {
      kind: 'conv2d',
      name: 'conv3',
      filters: f3,
      kernel: 3,
      stride: 1,
      padding: 1,
      activation: 'relu',
      source: `${CODE}: ZeroPadding2D((1, 1)) + Convolution2D(384, 3, 3, activation='relu') (conv3_1)`,
    },
    {
      kind: 'conv2d',
      name: 'conv4',
      filters: f4,
      kernel: 3,
      stride: 1,
      padding: 1,
      activation: 'relu',
      source: `${CODE}: ZeroPadding2D((1, 1)) + Convolution2D(256, 3, 3, activation='relu') (conv3_2)`,
    },
    { kind: 'maxPool', size: 3, stride: 2, source: `${CODE}: MaxPooling2D((3,3), strides=(2, 2))` },
    { kind: 'dropout', rate: 0.3, source: `${CODE}: Dropout(0.3)` },
    { kind: 'flatten', source: `${CODE}: Flatten() (channels-last order: row, column, channel)` },
    { kind: 'dense', name: 'fc1', units: o.dense, activation: 'relu', l2: 5e-4, source: `${CODE}: Dense(1024, W_regularizer=l2(0.0005), activation='relu')` },
    { kind: 'dropout', rate: 0.5, source: `${CODE}: Dropout(0.5)` },
    o.embedding === 'linear'
      ? {
          kind: 'dense',
          name: 'fc2',
          units: o.embeddingSize,
          activation: 'linear',
          l2: 0,
          source:
            "paper section 3.2 / REFERENCE.md / ../shared/bench/torch_signet_reference.py: a linear 128-d embedding (the code's ReLU and L2 left out; docs/model.md)",
        }
      : {
          kind: 'dense',
          name: 'fc2',
          units: o.embeddingSize,
          activation: 'relu',
          l2: 5e-4,
          source: `${CODE}: Dense(128, W_regularizer=l2(0.0005), activation='relu') ("softmax changed to relu"; the paper and REFERENCE.md summary omit this ReLU and L2)`,
        },
  ];
  return { name: o.name, description: o.description, inputShape: o.inputShape, embeddingSize: o.embeddingSize, init: 'glorot-uniform', layers };
}

/** Input size of SigNet: 155 x 220 greyscale ([paper] section 4, [code] img_height/img_width). */
export const SIGNET_INPUT: [number, number, number] = [155, 220, 1];

const REGISTRY: Record<string, () => ArchitectureSpec> = {
  signet: () =>
    signetArchitecture({
      name: 'signet',
      description: "SigNet (Dey et al. 2017) as in the authors' Keras code: 4 conv layers, 2 dense, 128-d embedding",
      inputShape: SIGNET_INPUT,
      filters: [96, 256, 384, 256],
      dense: 1024,
      embeddingSize: 128,
    }),
  'signet-linear': () =>
    signetArchitecture({
      name: 'signet-linear',
      description: "SigNet with a linear 128-d embedding layer (the paper's description and the PyTorch reference); otherwise the authors' code",
      inputShape: SIGNET_INPUT,
      filters: [96, 256, 384, 256],
      dense: 1024,
      embeddingSize: 128,
      embedding: 'linear',
    }),
  'signet-tiny': () =>
    signetArchitecture({
      name: 'signet-tiny',
      description: 'SigNet structure at about 1/100 of the compute (8/16/16/16 filters, dense 64, 32-d embedding), for tests and quick experiments',
      // Same input as signet so the same preprocessing serves both.
      inputShape: SIGNET_INPUT,
      filters: [8, 16, 16, 16],
      dense: 64,
      embeddingSize: 32,
    }),
};

/** Names of the architectures this build knows, for `models` and validation messages. */
export function architectureNames(): string[] {
  return Object.keys(REGISTRY);
}

/** The spec of a named architecture; a fresh object each call. */
export function getSpec(name: string): ArchitectureSpec {
  const make = REGISTRY[name];
  if (!make) {
    throw new AppError('NOT_FOUND', `architecture '${name}': unknown; this build knows ${architectureNames().join(', ')}`);
  }
  return make();
}

export interface ParamInfo {
  name: string;
  shape: number[];
  /** false for batch-norm moving statistics, which are updated by averaging, not by gradients. */
  trainable: boolean;
  /** How initParams fills it. */
  init: 'glorot-uniform' | 'zeros' | 'ones';
  /** Fan-in and fan-out for Glorot initialisation (Keras convention: receptive field x channels). */
  fans?: [number, number];
}

export interface LayerShape {
  layer: LayerSpec;
  /** Shape of one example after this layer: [H, W, C] or [units]. */
  out: number[];
}

function convOut(size: number, kernel: number, stride: number, pad: number): number {
  return Math.floor((size + 2 * pad - kernel) / stride) + 1;
}

/** Shape of one example after every layer; throws if the input is too small for the stack. */
export function layerShapes(spec: ArchitectureSpec): LayerShape[] {
  let shape: number[] = [...spec.inputShape];
  const out: LayerShape[] = [];
  for (const layer of spec.layers) {
    switch (layer.kind) {
      case 'conv2d': {
        const pad = layer.padding === 'valid' ? 0 : layer.padding;
        shape = [convOut(shape[0]!, layer.kernel, layer.stride, pad), convOut(shape[1]!, layer.kernel, layer.stride, pad), layer.filters];
        break;
      }
      case 'maxPool':
        shape = [convOut(shape[0]!, layer.size, layer.stride, 0), convOut(shape[1]!, layer.size, layer.stride, 0), shape[2]!];
        break;
      case 'flatten':
        shape = [shape.reduce((a, b) => a * b, 1)];
        break;
      case 'dense':
        if (shape.length !== 1) throw new AppError('INVALID_ARGUMENT', `architecture '${spec.name}': dense layer ${layer.name} needs a flatten before it`);
        shape = [layer.units];
        break;
      case 'batchNorm':
      case 'dropout':
        break;
    }
    if (shape.some((d) => !(d >= 1))) {
      throw new AppError(
        'INVALID_ARGUMENT',
        `architecture '${spec.name}': input ${spec.inputShape.join('x')} is too small (shape ${shape.join('x')} after a ${layer.kind} layer)`,
      );
    }
    out.push({ layer, out: shape });
  }
  const last = out.at(-1);
  if (!last || last.out.length !== 1 || last.out[0] !== spec.embeddingSize) {
    throw new AppError('INVALID_ARGUMENT', `architecture '${spec.name}': the last layer must give [${spec.embeddingSize}], got [${last?.out.join(', ')}]`);
  }
  return out;
}

/** Every parameter of the network, in canonical order (the order of weights.bin). */
export function paramInfos(spec: ArchitectureSpec): ParamInfo[] {
  const infos: ParamInfo[] = [];
  let prev: number[] = [...spec.inputShape];
  for (const { layer, out } of layerShapes(spec)) {
    if (layer.kind === 'conv2d') {
      const cin = prev[2]!;
      const rf = layer.kernel * layer.kernel;
      const trainable = !layer.frozen;
      infos.push({
        name: `${layer.name}/kernel`,
        shape: [layer.kernel, layer.kernel, cin, layer.filters],
        trainable,
        init: 'glorot-uniform',
        fans: [rf * cin, rf * layer.filters],
      });
      infos.push({ name: `${layer.name}/bias`, shape: [layer.filters], trainable, init: 'zeros' });
    } else if (layer.kind === 'batchNorm') {
      const c = prev.at(-1)!;
      const trainable = !layer.frozen;
      infos.push({ name: `${layer.name}/gamma`, shape: [c], trainable, init: 'ones' });
      infos.push({ name: `${layer.name}/beta`, shape: [c], trainable, init: 'zeros' });
      infos.push({ name: `${layer.name}/moving_mean`, shape: [c], trainable: false, init: 'zeros' });
      infos.push({ name: `${layer.name}/moving_variance`, shape: [c], trainable: false, init: 'ones' });
    } else if (layer.kind === 'dense') {
      const n = prev[0]!;
      const trainable = !layer.frozen;
      infos.push({ name: `${layer.name}/kernel`, shape: [n, layer.units], trainable, init: 'glorot-uniform', fans: [n, layer.units] });
      infos.push({ name: `${layer.name}/bias`, shape: [layer.units], trainable, init: 'zeros' });
    }
    prev = out;
  }
  return infos;
}

/** Names of the layers that hold parameters, in order (the choices for partial fine-tuning). */
export function parameterLayers(spec: ArchitectureSpec): string[] {
  return spec.layers.flatMap((l) => (l.kind === 'conv2d' || l.kind === 'batchNorm' || l.kind === 'dense' ? [l.name] : []));
}

/**
 * The spec with every parameter layer before `from` frozen (partial fine-tuning: the lower
 * layers keep their weights and their batch norm uses its moving statistics). `from` undefined
 * or the first layer: everything trains.
 */
export function freezeBelow(spec: ArchitectureSpec, from: string | undefined): ArchitectureSpec {
  if (!from) return spec;
  const names = parameterLayers(spec);
  const at = names.indexOf(from);
  if (at < 0) throw new AppError('INVALID_ARGUMENT', `--train-from: '${from}' is not a layer of ${spec.name}; its layers are ${names.join(', ')}`);
  const frozen = new Set(names.slice(0, at));
  return { ...spec, layers: spec.layers.map((l) => ('name' in l && frozen.has(l.name) ? { ...l, frozen: true } : l)) };
}

/**
 * The spec with a linear classification layer ('head', `classes` units) after the embedding:
 * writer-classification pre-training trains it, the registered model leaves it out.
 */
export function withClassifierHead(spec: ArchitectureSpec, classes: number): ArchitectureSpec {
  if (!Number.isInteger(classes) || classes < 2)
    throw new AppError('INVALID_ARGUMENT', `writer classification needs at least 2 training writers, got ${classes}`);
  return {
    ...spec,
    name: spec.name,
    embeddingSize: classes,
    layers: [
      ...spec.layers,
      {
        kind: 'dense',
        name: 'head',
        units: classes,
        activation: 'linear',
        l2: 0,
        source: 'training only: softmax over the training writers (dropped from the registered model)',
      },
    ],
  };
}

/** Multiply-accumulates of one forward pass of one image (for benchmarks and ETA estimates). */
export function forwardMacs(spec: ArchitectureSpec): number {
  let macs = 0;
  let prev: number[] = [...spec.inputShape];
  for (const { layer, out } of layerShapes(spec)) {
    if (layer.kind === 'conv2d') macs += out[0]! * out[1]! * out[2]! * layer.kernel * layer.kernel * prev[2]!;
    if (layer.kind === 'dense') macs += prev[0]! * layer.units;
    prev = out;
  }
  return macs;
}

/** A frozen network cut where training starts: what the cached fine-tuning path runs once and what it trains. */
export interface FrozenSplit {
  /**
   * The frozen layers as a network of their own, in inference mode: input -> the activations
   * feeding the first trainable layer, flattened (channels last). Dropout layers are left out
   * (those after the last frozen parameter layer move to `head`; those between frozen layers
   * do not run on cached activations).
   */
  lower: ArchitectureSpec;
  /**
   * The layers that train, from those activations: input [1, 1, features] with a leading flatten
   * when the first trainable layer is dense, else the cut's [H, W, C]. Its parameters are the
   * trainable layers' (and any frozen ones above them).
   */
  head: ArchitectureSpec;
  /** Floats per image of the activations at the cut. */
  features: number;
}

const hasParams = (l: LayerSpec): l is Conv2dLayer | BatchNormLayer | DenseLayer => l.kind === 'conv2d' || l.kind === 'batchNorm' || l.kind === 'dense';

/**
 * The spec (with frozen lower layers, freezeBelow) split at its first trainable parameter layer;
 * null when nothing below it is frozen (or nothing trains). Both halves keep the spec's name, so
 * parameters made for the whole network serve either (each takes its own names).
 */
export function splitFrozen(spec: ArchitectureSpec): FrozenSplit | null {
  const t = spec.layers.findIndex((l) => hasParams(l) && !l.frozen);
  const first = spec.layers.findIndex(hasParams);
  if (t < 0 || t === first) return null;
  const shapes = layerShapes(spec);
  const below = spec.layers.slice(0, t);
  const lastFrozen = below.findLastIndex(hasParams);
  const cut = shapes[t - 1]!.out;
  const features = cut.reduce((a, b) => a * b, 1);
  const lowerLayers = below.filter((l) => l.kind !== 'dropout');
  if (!lowerLayers.some((l) => l.kind === 'flatten'))
    lowerLayers.push({ kind: 'flatten', source: 'training cache: the activations at the cut, flattened (channels last)' });
  const deferred = below.slice(lastFrozen + 1).filter((l) => l.kind === 'dropout');
  const dense = cut.length === 1;
  const head: ArchitectureSpec = {
    ...spec,
    inputShape: dense ? [1, 1, features] : (cut as [number, number, number]),
    layers: [...(dense ? [{ kind: 'flatten', source: 'training cache: cached activations in' } as FlattenLayer] : []), ...deferred, ...spec.layers.slice(t)],
  };
  const lower: ArchitectureSpec = { ...spec, embeddingSize: features, layers: lowerLayers };
  layerShapes(head);
  layerShapes(lower);
  return { lower, head, features };
}
