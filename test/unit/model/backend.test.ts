// The backend order (tfjs-node-gpu, tfjs-node, wasm, cpu) with every input of the choice
// faked: the native packages cannot be installed here (their install scripts download
// libtensorflow), so this is where their code path is exercised.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseBackend, type BackendAttempt, type BackendProbe } from '../../../src-main/core/model/backend.ts';

const GPU = '@tensorflow/tfjs-node-gpu';
const NODE = '@tensorflow/tfjs-node';
const WASM = '@tensorflow/tfjs-backend-wasm';

interface Machine {
  installed?: string[];
  gpu?: boolean;
  /** Packages whose import throws this error. */
  loadErrors?: Record<string, Error>;
  /** tfjs backends whose activation fails with this reason. */
  activateFails?: Record<string, string>;
}

/** A fake machine that records what the resolver asked, in order. */
function probe(m: Machine): BackendProbe & { calls: string[] } {
  const calls: string[] = [];
  const installed = new Set([WASM, ...(m.installed ?? [])]);
  return {
    calls,
    installed: (pkg) => (calls.push(`installed ${pkg}`), installed.has(pkg)),
    async load(pkg) {
      calls.push(`load ${pkg}`);
      const err = m.loadErrors?.[pkg];
      if (err) throw err;
    },
    gpuVisible: () => m.gpu ?? false,
    async activate(name) {
      calls.push(`activate ${name}`);
      return m.activateFails?.[name] ?? true;
    },
  };
}

const states = (tried: BackendAttempt[]) => tried.map((t) => [t.name, t.ok, t.tried]);
const reasonOf = (tried: BackendAttempt[], name: string) => tried.find((t) => t.name === name)?.reason ?? '';

describe('backend choice', () => {
  it('this machine: no native package installed, so wasm, and a reason for each of the others', async () => {
    const p = probe({});
    const c = await chooseBackend(p);
    assert.equal(c.backend, 'wasm');
    assert.deepEqual(states(c.backendsTried), [
      ['tensorflow-gpu', false, true],
      ['tensorflow', false, true],
      ['wasm', true, true],
      ['cpu', false, false],
    ]);
    assert.match(reasonOf(c.backendsTried, 'tensorflow-gpu'), /not installed.*CUDA/);
    assert.match(reasonOf(c.backendsTried, 'tensorflow'), /not installed.*download libtensorflow \(native CPU; then used before wasm\)/);
    assert.equal(reasonOf(c.backendsTried, 'cpu'), 'not needed: wasm comes first and works');
    assert.deepEqual(p.calls, [`installed ${GPU}`, `installed ${NODE}`, `installed ${WASM}`, `load ${WASM}`, 'activate wasm']);
  });

  it('tfjs-node installed where libtensorflow could be downloaded: native CPU is chosen before wasm', async () => {
    const p = probe({ installed: [NODE] });
    const c = await chooseBackend(p);
    assert.equal(c.backend, 'tensorflow');
    assert.deepEqual(states(c.backendsTried), [
      ['tensorflow-gpu', false, true],
      ['tensorflow', true, true],
      ['wasm', false, false],
      ['cpu', false, false],
    ]);
    assert.equal(reasonOf(c.backendsTried, 'wasm'), 'not needed: tensorflow comes first and works');
    assert.deepEqual(
      p.calls.filter((x) => !x.startsWith('installed')),
      [`load ${NODE}`, 'activate tensorflow'],
    );
  });

  it('a GPU with tfjs-node-gpu comes first; without a visible GPU, tfjs-node-gpu is passed over for tfjs-node', async () => {
    const both = { installed: [GPU, NODE] };
    const withGpu = await chooseBackend(probe({ ...both, gpu: true }));
    assert.equal(withGpu.backend, 'tensorflow-gpu');
    assert.deepEqual(
      withGpu.backendsTried.map((t) => t.reason ?? 'in use'),
      [
        'in use',
        'not needed: tensorflow-gpu comes first and works',
        'not needed: tensorflow-gpu comes first and works',
        'not needed: tensorflow-gpu comes first and works',
      ],
    );
    const p = probe(both);
    const noGpu = await chooseBackend(p);
    assert.equal(noGpu.backend, 'tensorflow');
    assert.equal(reasonOf(noGpu.backendsTried, 'tensorflow-gpu'), 'installed, but no NVIDIA GPU/driver is visible to this process');
    assert.ok(!p.calls.includes(`load ${GPU}`), 'the GPU package is not loaded without a GPU');
  });

  it('says why a present package could not be used: CUDA libraries missing, libtensorflow missing, backend not initialising', async () => {
    const cuda = Object.assign(new Error('libcudart.so.11.0: cannot open shared object file: No such file or directory'), { code: 'ERR_DLOPEN_FAILED' });
    const binding = new Error(`Cannot find module '/app/node_modules/${NODE}/lib/napi-v8/tfjs_binding.node'`);
    const c = await chooseBackend(probe({ installed: [GPU, NODE], gpu: true, loadErrors: { [GPU]: cuda, [NODE]: binding } }));
    assert.equal(c.backend, 'wasm');
    assert.match(reasonOf(c.backendsTried, 'tensorflow-gpu'), /^installed, but CUDA or cuDNN libraries are missing \(libcudart/);
    assert.match(reasonOf(c.backendsTried, 'tensorflow'), /^installed, but its native library is missing .*npm rebuild @tensorflow\/tfjs-node/);
    const noInit = await chooseBackend(probe({ installed: [NODE], activateFails: { tensorflow: 'TF_SessionRun failed' } }));
    assert.equal(noInit.backend, 'wasm');
    assert.equal(reasonOf(noInit.backendsTried, 'tensorflow'), `${NODE} loaded but the 'tensorflow' backend did not initialise: TF_SessionRun failed`);
    const other = await chooseBackend(probe({ installed: [NODE], loadErrors: { [NODE]: new Error('illegal instruction\nstack') } }));
    assert.equal(reasonOf(other.backendsTried, 'tensorflow'), 'failed to load: illegal instruction');
  });

  it('falls back to the plain cpu backend when wasm does not initialise, and fails naming every reason when nothing does', async () => {
    const c = await chooseBackend(probe({ activateFails: { wasm: 'no WebAssembly SIMD' } }));
    assert.equal(c.backend, 'cpu');
    assert.equal(reasonOf(c.backendsTried, 'wasm'), 'the wasm backend did not initialise: no WebAssembly SIMD');
    await assert.rejects(chooseBackend(probe({ activateFails: { wasm: 'no SIMD', cpu: 'broken' } })), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'UNAVAILABLE');
      assert.match(
        e.message,
        /tensorflow-gpu: not installed.*wasm: the wasm backend did not initialise: no SIMD; cpu: the cpu backend did not initialise: broken/,
      );
      return true;
    });
  });

  it('COUNTERSIGN_BACKEND starts the order at the named backend; an unknown name is refused', async () => {
    const p = probe({ installed: [GPU, NODE], gpu: true });
    const c = await chooseBackend(p, 'wasm');
    assert.equal(c.backend, 'wasm');
    assert.deepEqual(
      c.backendsTried.slice(0, 2).map((t) => t.reason),
      ['skipped: COUNTERSIGN_BACKEND=wasm', 'skipped: COUNTERSIGN_BACKEND=wasm'],
    );
    assert.ok(!p.calls.some((x) => x.includes('tfjs-node')), 'skipped packages are not even looked up');
    await assert.rejects(chooseBackend(probe({}), 'cuda'), /COUNTERSIGN_BACKEND: expected one of tensorflow-gpu, tensorflow, wasm, cpu, got 'cuda'/);
  });
});
