/**
 * The built CLI (scripts/build-cli.mjs: an esbuild bundle of src-main/cli/main.ts and the
 * worker entries) runs as the sources do, and bin/countersign.js picks it only while it is
 * current. Built here into its own folder (COUNTERSIGN_CLI_BUILD points bin/countersign.js at
 * it), not into out/cli, which other test files may be running at the same time. A load hook
 * records which files each run loaded, so each test can tell the bundle from the sources.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { commandIndex } from '../../../src-main/cli/commands/index.ts';
import { BIN, ROOT, tempDir } from '../../helpers/cli.ts';

const work = path.join(ROOT, 'test-artifacts', `cli-build-${process.pid}`);
const build = path.join(work, 'build');
const hook = path.join(work, 'trace.mjs');
const tmp = tempDir('countersign-built-');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Files loaded (file: URLs, node_modules aside). */
  loaded: string[];
  /** Packages loaded from node_modules. */
  packages: string[];
}

function run(args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(hook).href, BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, COUNTERSIGN_DEV: '', COUNTERSIGN_CLI_BUILD: build, COUNTERSIGN_HOME: path.join(tmp.dir, 'home'), ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  const urls = r.stderr
    .split('\n')
    .filter((l) => l.startsWith('@@load '))
    .map((l) => l.slice('@@load '.length));
  const packages = [
    ...new Set(
      urls
        .filter((u) => u.includes('/node_modules/'))
        .map((u) => {
          const parts = (u.split('/node_modules/').pop() ?? '').split('/');
          return (parts[0]?.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
        }),
    ),
  ];
  const loaded = urls.filter((u) => !u.includes('/node_modules/'));
  return {
    status: r.status,
    stdout: r.stdout,
    stderr: r.stderr
      .split('\n')
      .filter((l) => !l.startsWith('@@load '))
      .join('\n'),
    loaded,
    packages,
  };
}

const bundleUrl = () => pathToFileURL(path.join(build, 'countersign.js')).href;
const sourcesLoaded = (r: Run) => r.loaded.filter((u) => u.includes('/src-main/'));

describe('the built CLI', () => {
  before(() => {
    mkdirSync(work, { recursive: true });
    // Reports every module loaded, in the main thread and in workers alike.
    writeFileSync(
      path.join(work, 'trace-hooks.mjs'),
      "export async function load(url, context, next) {\n  if (url.startsWith('file:')) process.stderr.write('@@load ' + url + '\\n');\n  return next(url, context);\n}\n",
    );
    writeFileSync(hook, "import { register } from 'node:module';\nregister('./trace-hooks.mjs', import.meta.url);\n");
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build-cli.mjs'), '--out', build], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });
  after(() => {
    rmSync(work, { recursive: true, force: true });
    tmp.cleanup();
  });

  it('--help runs from the bundle, lists every command and loads no source file and no package', () => {
    const r = run(['--help']);
    assert.equal(r.status, 0, r.stderr);
    for (const c of commandIndex)
      assert.match(r.stdout, new RegExp(`^  ${c.name} +${c.summary.slice(0, 20).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm'), c.name);
    assert.ok(r.loaded.includes(bundleUrl()), 'the bundle ran');
    assert.deepEqual(sourcesLoaded(r), []);
    assert.deepEqual(r.packages, []);
  });

  it('prints what the sources print (COUNTERSIGN_DEV=1 runs them through tsx)', () => {
    for (const args of [['--help'], ['case', '--help'], ['train', '--help'], ['verify', '--no-such-flag']]) {
      const built = run(args);
      const dev = run(args, { COUNTERSIGN_DEV: '1' });
      assert.ok(dev.loaded.some((u) => u.endsWith('/src-main/cli/main.ts')) && !dev.loaded.includes(bundleUrl()), 'COUNTERSIGN_DEV=1 runs the sources');
      assert.deepEqual([built.status, built.stdout, built.stderr], [dev.status, dev.stdout, dev.stderr], args.join(' '));
    }
  });

  it('doctor --json prints one JSON report', () => {
    const dataDir = path.join(tmp.dir, 'doctor-data');
    const r = run(['doctor', '--json', '--data-dir', dataDir]);
    assert.equal(r.status, 0, r.stderr);
    const d = JSON.parse(r.stdout) as { version: string; dataDir: string; backend: string };
    assert.equal(d.dataDir, dataDir);
    assert.match(d.version, /^\d+\.\d+\.\d+/);
    assert.ok(d.backend.length > 0);
    assert.ok(r.loaded.includes(bundleUrl()));
    // What it reports on, not the store's schemas, the report or the server.
    assert.ok(r.packages.includes('@tensorflow/tfjs'), r.packages.join(', '));
    for (const p of ['zod', 'sharp', 'pdfkit', 'ws']) assert.ok(!r.packages.includes(p), `doctor loaded ${p}`);
  });

  it('import runs its worker threads from the bundle (import-worker.js beside it)', () => {
    const folder = path.join(tmp.dir, 'case-folder');
    const dataDir = path.join(tmp.dir, 'import-data');
    assert.equal(run(['synth', 'case', folder, '--subjects', '1', '--known', '2', '--questioned', '2', '--json']).status, 0);
    assert.equal(run(['case', 'create', 'Built', '--data-dir', dataDir, '--json']).status, 0);
    const r = run(['import', folder, '--case', 'Built', '--workers', '2', '--data-dir', dataDir, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '') as { files: { status: string }[] };
    assert.equal(out.files.length, 4);
    assert.ok(
      out.files.every((f) => f.status === 'imported'),
      JSON.stringify(out.files),
    );
    assert.ok(r.loaded.includes(pathToFileURL(path.join(build, 'import-worker.js')).href), 'a worker ran import-worker.js');
    assert.deepEqual(sourcesLoaded(r), []);
  });

  it('a build older than a source it was built from is not used: bin/countersign.js runs the sources', () => {
    const file = path.join(build, 'inputs.json');
    const info = JSON.parse(readFileSync(file, 'utf8')) as { builtAt: number; inputs: string[] };
    assert.ok(info.inputs.includes('src-main/cli/main.ts'), 'inputs.json lists main.ts');
    writeFileSync(file, JSON.stringify({ ...info, builtAt: 0 }));
    const stale = run(['--help']);
    assert.equal(stale.status, 0, stale.stderr);
    assert.ok(!stale.loaded.includes(bundleUrl()) && stale.loaded.some((u) => u.endsWith('/src-main/cli/main.ts')));
    writeFileSync(file, JSON.stringify({ ...info, inputs: [...info.inputs, 'src-main/cli/no-such-file.ts'] }));
    assert.ok(!run(['--help']).loaded.includes(bundleUrl()), 'a source gone since the build');
    rmSync(path.join(build, 'countersign.js'));
    writeFileSync(file, JSON.stringify(info));
    assert.ok(
      run(['--help']).loaded.some((u) => u.endsWith('/src-main/cli/main.ts')),
      'no bundle',
    );
  });
});
