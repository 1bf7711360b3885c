import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { cli, lastJson, tempDir } from '../../helpers/cli.ts';

describe('countersign doctor and the CLI frame', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('doctor --json reports the resolved backend and why better ones were unavailable', () => {
    const r = cli(['doctor', '--json', '--data-dir', tmp.dir]);
    assert.equal(r.status, 0, r.stderr);
    const d = lastJson<{
      version: string;
      backend: string;
      backendsTried: { name: string; ok: boolean; tried: boolean; reason?: string }[];
      electronBinary: boolean;
      dataDir: string;
      gpu: boolean;
      vectorSearch: { available: boolean; version: string | null; reason: string | null };
      writerSearch: { engine: string; hnsw: { available: boolean; library: string | null; reason: string | null } };
    }>(r);
    assert.match(d.version, /^\d+\.\d+\.\d+/);
    assert.equal(d.dataDir, tmp.dir);
    assert.equal(typeof d.electronBinary, 'boolean');
    assert.equal(typeof d.gpu, 'boolean');
    // sqlite-vec ships prebuilt for linux-x64 (an npm dependency): identification's index loads.
    assert.deepEqual([d.vectorSearch.available, d.vectorSearch.reason], [true, null]);
    assert.match(d.vectorSearch.version ?? '', /^v\d+\.\d+/);
    // usearch ships prebuilt for linux-x64 too: identification uses the HNSW writer index.
    assert.equal(d.writerSearch.engine, 'hnsw');
    assert.match(d.writerSearch.hnsw.library ?? '', /^usearch \d/);
    const used = d.backendsTried.find((b) => b.ok);
    assert.equal(used?.name, d.backend);
    for (const b of d.backendsTried.filter((x) => !x.ok)) assert.ok(b.reason && b.reason.length > 10, `${b.name} needs a reason`);
    if (!d.gpu) {
      // On machines like CI's: no libtensorflow, so wasm with a reason for each native backend.
      assert.equal(d.backend, 'wasm');
      assert.deepEqual(
        d.backendsTried.map((b) => [b.name, b.ok, b.tried]),
        [
          ['tensorflow-gpu', false, true],
          ['tensorflow', false, true],
          ['wasm', true, true],
          ['cpu', false, false],
        ],
      );
      assert.match(d.backendsTried[1]!.reason!, /^not installed: optional dependency/);
      assert.equal(d.backendsTried[3]!.reason, 'not needed: wasm comes first and works');
    }
  });

  it('doctor names the search in use and its fallbacks; with COUNTERSIGN_ANN=off, sqlite-vec', () => {
    const on = cli(['doctor', '--data-dir', tmp.dir]);
    assert.match(on.stdout, /^Search: +hnsw \(usearch \d+\.\d+\.\d+\): approximate candidates, ranked by exact distances$/m);
    assert.match(on.stdout, /^ +- +sqlite-vec +v\d+\.\d+\.\d+: the fallback where usearch cannot load$/m);
    assert.match(on.stdout, /^ +used +wasm/m);
    const off = cli(['doctor', '--data-dir', tmp.dir], { env: { COUNTERSIGN_ANN: 'off' } });
    assert.match(off.stdout, /^Search: +sqlite-vec v\d+\.\d+\.\d+ \(exact\)$/m);
    assert.match(off.stdout, /^ +no +hnsw +turned off \(COUNTERSIGN_ANN=off\)$/m);
  });

  it('doctor names the embedding engine and why; by default (auto) onnxruntime where it loads; COUNTERSIGN_INFERENCE=tfjs keeps tfjs; a bad value is reported', () => {
    type Inference = {
      engine: string;
      setting: string;
      onnxruntime: string | null;
      error?: string;
      engines: { name: string; ok: boolean; tried: boolean; reason?: string }[];
      architectures: { name: string; engine: string }[];
    };
    const auto = { env: { COUNTERSIGN_INFERENCE: '' } };
    const d = lastJson<{ inference: Inference }>(cli(['doctor', '--json', '--data-dir', tmp.dir], auto)).inference;
    // onnxruntime-node ships its linux-x64 CPU binaries inside its npm package (an optional dependency).
    assert.equal(d.engine, 'onnxruntime');
    assert.equal(d.setting, 'auto');
    assert.match(d.onnxruntime ?? '', /^\d+\.\d+\.\d+/);
    assert.deepEqual(
      d.engines.map((e) => [e.name, e.ok, e.tried]),
      [
        ['onnxruntime', true, true],
        ['tfjs', false, false],
      ],
    );
    assert.ok(d.architectures.length >= 3 && d.architectures.every((a) => a.engine === 'onnxruntime'));
    const human = cli(['doctor', '--data-dir', tmp.dir], auto).stdout;
    assert.match(human, /^Embedding: +onnxruntime \d+\.\d+\.\d+ \(CPU execution provider\); COUNTERSIGN_INFERENCE=auto; training runs on tfjs$/m);
    assert.match(human, /^ +used +onnxruntime +onnxruntime-node \d+\.\d+\.\d+ loaded$/m);
    const tfjs = cli(['doctor', '--data-dir', tmp.dir], { env: { COUNTERSIGN_INFERENCE: 'tfjs' } }).stdout;
    assert.match(tfjs, /^Embedding: +tfjs \(wasm\); COUNTERSIGN_INFERENCE=tfjs/m);
    assert.match(tfjs, /^ +- +onnxruntime +skipped: COUNTERSIGN_INFERENCE=tfjs$/m);
    const bad = lastJson<{ inference: Inference }>(cli(['doctor', '--json', '--data-dir', tmp.dir], { env: { COUNTERSIGN_INFERENCE: 'gpu' } })).inference;
    assert.match(bad.error ?? '', /COUNTERSIGN_INFERENCE: expected one of auto, onnx, tfjs, got 'gpu'/);
  });

  it('doctor says whether the data directory is owner-only and shows the installation key', () => {
    const data = `${tmp.dir}/evidence`;
    const fresh = lastJson<{ installationKey: unknown; permissions: { entries: unknown[] } }>(cli(['doctor', '--json', '--data-dir', data]));
    assert.equal(fresh.installationKey, null, 'doctor makes nothing');
    assert.deepEqual(fresh.permissions.entries, []);
    assert.equal(cli(['case', 'create', 'Case', '--data-dir', data]).status, 0);
    const d = lastJson<{
      installationKey: { publicKey: string; fingerprint: string };
      permissions: { ownerOnly: boolean; entries: { path: string; mode: string }[] };
    }>(cli(['doctor', '--json', '--data-dir', data]));
    assert.match(d.installationKey.publicKey, /^[A-Za-z0-9+/]{43}=$/);
    assert.equal(d.permissions.ownerOnly, true);
    assert.deepEqual(
      d.permissions.entries.filter((e) => e.path === data || e.path.endsWith('countersign.db')).map((e) => e.mode),
      ['0700', '0600'],
    );
    const human = cli(['doctor', '--data-dir', data]).stdout;
    assert.match(human, /Access: +owner only \(\. 0700, countersign\.db 0600/);
    assert.ok(human.includes(`fingerprint ${d.installationKey.fingerprint}`), human);
  });

  it('COUNTERSIGN_HOME sets the data directory when --data-dir is absent', () => {
    const r = cli(['doctor', '--json'], { env: { COUNTERSIGN_HOME: tmp.dir } });
    assert.equal(lastJson<{ dataDir: string }>(r).dataDir, tmp.dir);
  });

  it('prints help for every command and fails clearly on bad usage', () => {
    const top = cli(['--help']);
    assert.equal(top.status, 0);
    const commandBlock = top.stdout.split('Commands:\n')[1]!.split('\n\n')[0]!;
    const names = [...commandBlock.matchAll(/^ {2}(\S+(?: \S+)*?) {2,}/gm)].map((m) => m[1] as string);
    assert.ok(names.includes('doctor') && names.includes('serve'), top.stdout);
    for (const name of names) {
      const h = cli([...name.split(' '), '--help']);
      assert.equal(h.status, 0, `${name} --help`);
      assert.match(h.stdout, new RegExp(`countersign ${name}`));
    }
    const unknown = cli(['frobnicate']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown command 'frobnicate'/);
    const badFlag = cli(['doctor', '--bogus']);
    assert.equal(badFlag.status, 2);
    assert.equal(badFlag.stderr.trim().split('\n').length, 1, 'one-line error');
    const badPort = cli(['serve', '--port', 'abc', '--data-dir', tmp.dir]);
    assert.equal(badPort.status, 2, 'a malformed value is a usage error');
    assert.match(badPort.stderr, /--port/);
    const notLoopback = cli(['serve', '--host', '0.0.0.0', '--data-dir', tmp.dir]);
    assert.equal(notLoopback.status, 1);
    assert.match(notLoopback.stderr, /loopback/);
  });
});
