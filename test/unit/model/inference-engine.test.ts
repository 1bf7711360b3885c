// The inference engine choice with the machine faked (inference-engine.ts): onnxruntime where it
// loads, tfjs otherwise, COUNTERSIGN_INFERENCE honoured, and per architecture.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../../../src-main/core/errors.ts';
import { architectureNames, getSpec, type ArchitectureSpec } from '../../../src-main/core/model/architectures.ts';
import {
  chooseInferenceEngine,
  describeOrtLoadError,
  engineForSpec,
  inferenceSetting,
  type OrtModule,
  type OrtProbe,
} from '../../../src-main/core/model/embedding/inference-engine.ts';

const loads: OrtProbe = { load: async () => ({ env: { versions: { node: '9.9.9' } } }) as unknown as OrtModule };
const missing: OrtProbe = {
  load: async () => {
    throw Object.assign(new Error("Cannot find package 'onnxruntime-node' imported from /x/inference-engine.ts"), { code: 'ERR_MODULE_NOT_FOUND' });
  },
};
const broken: OrtProbe = {
  load: async () => {
    throw new Error('libonnxruntime.so.1: cannot open shared object file: No such file or directory');
  },
};

const tiny = getSpec('signet-tiny');
const unexportable: ArchitectureSpec = { ...tiny, name: 'odd', layers: tiny.layers.filter((l) => l.kind !== 'flatten') };

describe('COUNTERSIGN_INFERENCE', () => {
  it('is auto when unset or empty, and refuses anything but auto, onnx, tfjs, naming the variable', () => {
    assert.equal(inferenceSetting(undefined), 'auto');
    assert.equal(inferenceSetting(''), 'auto');
    assert.equal(inferenceSetting('onnx'), 'onnx');
    assert.equal(inferenceSetting(' tfjs '), 'tfjs');
    assert.throws(
      () => inferenceSetting('gpu'),
      (e: AppError) => e.code === 'INVALID_ARGUMENT' && /COUNTERSIGN_INFERENCE: expected one of auto, onnx, tfjs, got 'gpu'/.test(e.message),
    );
  });
});

describe('chooseInferenceEngine', () => {
  it('auto: onnxruntime where it loads, tfjs not needed; every architecture on onnxruntime', async () => {
    const c = await chooseInferenceEngine(loads, 'auto');
    assert.equal(c.engine, 'onnxruntime');
    assert.equal(c.onnxruntime, '9.9.9');
    assert.deepEqual(
      c.engines.map((e) => [e.name, e.ok, e.tried]),
      [
        ['onnxruntime', true, true],
        ['tfjs', false, false],
      ],
    );
    assert.match(c.engines[1]!.reason!, /not needed for embedding.*training always runs on tfjs/);
    assert.deepEqual(
      c.architectures.map((a) => a.name),
      architectureNames(),
    );
    assert.ok(c.architectures.every((a) => a.engine === 'onnxruntime'));
  });

  it('auto: tfjs where onnxruntime is not installed or does not load, with the reason', async () => {
    const a = await chooseInferenceEngine(missing, 'auto');
    assert.equal(a.engine, 'tfjs');
    assert.equal(a.onnxruntime, null);
    assert.deepEqual(
      a.engines.map((e) => [e.name, e.ok, e.tried]),
      [
        ['onnxruntime', false, true],
        ['tfjs', true, true],
      ],
    );
    assert.match(a.engines[0]!.reason!, /^not installed: optional dependency/);
    const b = await chooseInferenceEngine(broken, 'auto');
    assert.equal(b.engine, 'tfjs');
    assert.match(b.engines[0]!.reason!, /^installed, but its native library did not load \(libonnxruntime/);
  });

  it('tfjs: onnxruntime is skipped without being loaded', async () => {
    let loaded = false;
    const c = await chooseInferenceEngine({ load: async () => ((loaded = true), loads.load()) }, 'tfjs');
    assert.equal(loaded, false);
    assert.equal(c.engine, 'tfjs');
    assert.equal(c.engines[0]!.reason, 'skipped: COUNTERSIGN_INFERENCE=tfjs');
  });

  it('onnx: an error naming the variable and the reason where onnxruntime cannot load', async () => {
    await assert.rejects(
      chooseInferenceEngine(missing, 'onnx'),
      (e: AppError) => e.code === 'UNAVAILABLE' && /^COUNTERSIGN_INFERENCE=onnx: onnxruntime-node cannot be used: not installed/.test(e.message),
    );
    assert.equal((await chooseInferenceEngine(loads, 'onnx')).engine, 'onnxruntime');
  });
});

describe('engineForSpec', () => {
  it('keeps an architecture it cannot export on tfjs under auto, and refuses it under onnx', async () => {
    const auto = await chooseInferenceEngine(loads, 'auto');
    assert.equal(engineForSpec(auto, tiny), 'onnxruntime');
    assert.equal(engineForSpec(auto, unexportable), 'tfjs');
    const forced = await chooseInferenceEngine(loads, 'onnx');
    assert.throws(
      () => engineForSpec(forced, unexportable),
      (e: AppError) => e.code === 'UNAVAILABLE' && /architecture 'odd' has no ONNX export/.test(e.message),
    );
    const none = await chooseInferenceEngine(missing, 'auto');
    assert.equal(engineForSpec(none, tiny), 'tfjs');
  });
});

describe('describeOrtLoadError', () => {
  it('tells a missing package from a failed load', () => {
    assert.match(describeOrtLoadError(Object.assign(new Error("Cannot find module 'onnxruntime-node'"), { code: 'MODULE_NOT_FOUND' })), /^not installed/);
    assert.match(describeOrtLoadError(new Error('something else\nstack')), /^failed to load: something else$/);
  });
});
