/**
 * Which engine computes embeddings: onnxruntime-node's CPU execution provider where it loads
 * (an optional dependency that ships its native binaries inside its npm package), else
 * TensorFlow.js on the resolved backend (backend.ts), as before. Training always runs on tfjs.
 * Both engines compute the same network from the same weights (onnx/export.ts; equal within
 * 1e-4, test/integration/model/onnx.test.ts); a model's identity (id, SHA-256) does not depend on it.
 *
 * COUNTERSIGN_INFERENCE=auto (default) | onnx | tfjs: auto takes onnxruntime where it loads
 * and the model's architecture can be exported, tfjs otherwise; onnx insists (an error names
 * why it cannot); tfjs keeps embedding on tfjs.
 *
 * The choice reads the machine only through an `OrtProbe`, so tests fake it
 * (test/unit/model/inference-engine.test.ts). onnxruntime-node is imported only here, when
 * an embedding (or doctor) first needs it: never by the CLI's help.
 */
import { AppError } from '../../errors.ts';
import { architectureNames, getSpec, type ArchitectureSpec } from '../architectures.ts';
import { onnxSupport } from './onnx/export.ts';

export type InferenceEngine = 'onnxruntime' | 'tfjs';
export type InferenceSetting = 'auto' | 'onnx' | 'tfjs';
export const INFERENCE_SETTINGS: readonly InferenceSetting[] = ['auto', 'onnx', 'tfjs'];
export const ORT_PACKAGE = 'onnxruntime-node';

/** The part of onnxruntime-node's API the project uses (typed here: the package is optional). */
export interface OrtTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
}
export interface OrtSession {
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}
export interface OrtSessionOptions {
  executionProviders?: string[];
  intraOpNumThreads?: number;
  interOpNumThreads?: number;
  executionMode?: 'sequential' | 'parallel';
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  extra?: Record<string, unknown>;
}
export interface OrtModule {
  InferenceSession: { create(model: Uint8Array, options?: OrtSessionOptions): Promise<OrtSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
  env: { versions?: { node?: string; common?: string } };
}

export interface EngineAttempt {
  name: InferenceEngine;
  package: string;
  ok: boolean;
  /** False when it was not needed or was skipped by the setting. */
  tried: boolean;
  reason?: string;
}

export interface InferenceEngineInfo {
  /** The engine embeddings use (for an architecture onnxruntime cannot run: tfjs; see `architectures`). */
  engine: InferenceEngine;
  setting: InferenceSetting;
  engines: EngineAttempt[];
  /** onnxruntime-node's version where it loaded. */
  onnxruntime: string | null;
  /** Every architecture this build knows: the engine its models embed on, and why where that is not `engine`. */
  architectures: { name: string; engine: InferenceEngine; reason?: string }[];
}

/** Everything the choice reads from the machine; `nodeOrtProbe()` is the real one. */
export interface OrtProbe {
  load(): Promise<OrtModule>;
}

/** COUNTERSIGN_INFERENCE, checked. */
export function inferenceSetting(raw: string | undefined = process.env.COUNTERSIGN_INFERENCE): InferenceSetting {
  const v = raw?.trim() || 'auto';
  if (!(INFERENCE_SETTINGS as readonly string[]).includes(v)) {
    throw new AppError('INVALID_ARGUMENT', `COUNTERSIGN_INFERENCE: expected one of ${INFERENCE_SETTINGS.join(', ')}, got '${raw}'`, {
      field: 'COUNTERSIGN_INFERENCE',
    });
  }
  return v as InferenceSetting;
}

const NOT_INSTALLED =
  'not installed: optional dependency (it ships its CPU binaries for Linux x64/arm64, macOS arm64 and Windows x64/arm64 inside its npm package; npm skips it where it cannot install)';

export function describeOrtLoadError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const msg = (e?.message ?? String(err)).split('\n')[0] ?? '';
  if ((e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND') && msg.includes(ORT_PACKAGE)) return NOT_INSTALLED;
  if (/onnxruntime_binding\.node|libonnxruntime|onnxruntime\.dll/.test(msg)) return `installed, but its native library did not load (${msg})`;
  return `failed to load: ${msg}`;
}

function ortVersion(m: OrtModule): string {
  return m.env?.versions?.node ?? m.env?.versions?.common ?? 'unknown version';
}

/** The engine for every architecture, given whether onnxruntime loaded. */
function perArchitecture(engine: InferenceEngine, setting: InferenceSetting): InferenceEngineInfo['architectures'] {
  return architectureNames().map((name) => {
    if (engine === 'tfjs') return { name, engine: 'tfjs' as const };
    const support = onnxSupport(getSpec(name));
    return support === true
      ? { name, engine: 'onnxruntime' as const }
      : { name, engine: 'tfjs' as const, reason: `no ONNX export: ${support}${setting === 'onnx' ? ' (COUNTERSIGN_INFERENCE=onnx refuses to embed it)' : ''}` };
  });
}

/** onnxruntime where the setting allows it and it loads, else tfjs; every engine with why. */
export async function chooseInferenceEngine(probe: OrtProbe, setting: InferenceSetting): Promise<InferenceEngineInfo> {
  const tfjs = (ok: boolean, tried: boolean, reason?: string): EngineAttempt => ({
    name: 'tfjs',
    package: '@tensorflow/tfjs',
    ok,
    tried,
    ...(reason ? { reason } : {}),
  });
  if (setting === 'tfjs') {
    return {
      engine: 'tfjs',
      setting,
      engines: [{ name: 'onnxruntime', package: ORT_PACKAGE, ok: false, tried: false, reason: 'skipped: COUNTERSIGN_INFERENCE=tfjs' }, tfjs(true, true)],
      onnxruntime: null,
      architectures: perArchitecture('tfjs', setting),
    };
  }
  let version: string;
  try {
    version = ortVersion(await probe.load());
  } catch (err) {
    const reason = describeOrtLoadError(err);
    if (setting === 'onnx')
      throw new AppError('UNAVAILABLE', `COUNTERSIGN_INFERENCE=onnx: ${ORT_PACKAGE} cannot be used: ${reason}`, { field: 'COUNTERSIGN_INFERENCE' });
    return {
      engine: 'tfjs',
      setting,
      engines: [{ name: 'onnxruntime', package: ORT_PACKAGE, ok: false, tried: true, reason }, tfjs(true, true)],
      onnxruntime: null,
      architectures: perArchitecture('tfjs', setting),
    };
  }
  return {
    engine: 'onnxruntime',
    setting,
    engines: [
      { name: 'onnxruntime', package: ORT_PACKAGE, ok: true, tried: true },
      tfjs(false, false, 'not needed for embedding: onnxruntime comes first and works (training always runs on tfjs)'),
    ],
    onnxruntime: version,
    architectures: perArchitecture('onnxruntime', setting),
  };
}

/** The engine a model of this architecture embeds on, under the resolved choice. */
export function engineForSpec(info: InferenceEngineInfo, spec: ArchitectureSpec): InferenceEngine {
  if (info.engine === 'tfjs') return 'tfjs';
  const support = onnxSupport(spec);
  if (support === true) return 'onnxruntime';
  if (info.setting === 'onnx')
    throw new AppError('UNAVAILABLE', `COUNTERSIGN_INFERENCE=onnx: architecture '${spec.name}' has no ONNX export (${support})`, {
      field: 'COUNTERSIGN_INFERENCE',
    });
  return 'tfjs';
}

let ort: Promise<OrtModule> | undefined;

/** onnxruntime-node, imported once per thread. */
export function loadOrt(): Promise<OrtModule> {
  ort ??= (async () => {
    const pkg = ORT_PACKAGE; // a variable: the package is optional and typed locally
    const m = (await import(pkg)) as OrtModule & { default?: OrtModule };
    return m.InferenceSession ? m : m.default!;
  })();
  ort.catch(() => undefined);
  return ort;
}

export function nodeOrtProbe(): OrtProbe {
  return { load: loadOrt };
}

let resolved: Promise<InferenceEngineInfo> | undefined;

/** The engine choice of this thread under COUNTERSIGN_INFERENCE, resolved once. */
export function resolveInferenceEngine(): Promise<InferenceEngineInfo> {
  resolved ??= (async () => chooseInferenceEngine(nodeOrtProbe(), inferenceSetting()))();
  // A rejected choice (COUNTERSIGN_INFERENCE invalid, or onnx forced where it cannot load) is not cached.
  resolved.catch(() => (resolved = undefined));
  return resolved;
}

/** The label a result records for the engine that embedded: 'onnxruntime-cpu', or the tfjs backend's name. */
export function engineLabel(engine: InferenceEngine, tfjsBackend: string): string {
  return engine === 'onnxruntime' ? 'onnxruntime-cpu' : tfjsBackend;
}
