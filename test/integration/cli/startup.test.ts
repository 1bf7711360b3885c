/**
 * Help and usage errors must not load the heavy packages (TensorFlow.js alone costs over a
 * second): main.ts reads only the commands' metadata (commands/index.ts), imports the module
 * of the one command asked for, and each command imports what it runs inside its run. scripts/cli-startup.mjs --trace runs the CLI as bin/countersign.js does, with
 * tsx reporting every module loaded. Start-up times are in docs/benchmarks.md, not asserted here.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const HEAVY = ['@tensorflow/', 'sharp', 'pdfkit', 'better-sqlite3', 'ws', 'zod', 'usearch', 'onnxruntime-node'];

function trace(args: string[]): { status: number | null; stdout: string; urls: string[] } {
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'cli-startup.mjs'), '--trace', '--', ...args], { encoding: 'utf8' });
  const line = r.stderr.split('\n').find((l) => l.startsWith('@@trace '));
  assert.ok(line, `no trace: ${r.stderr}`);
  return { status: r.status, stdout: r.stdout, urls: JSON.parse(line.slice('@@trace '.length)) as string[] };
}

/** The command modules (src-main/cli/commands/*.ts, index.ts aside) a run loaded. */
function commandModules(urls: string[]): string[] {
  return urls
    .map((u) => /\/src-main\/cli\/commands\/([^/]+)\.ts$/.exec(u)?.[1])
    .filter((m): m is string => m !== undefined && m !== 'index')
    .sort();
}

function heavyLoaded(urls: string[]): string[] {
  const packages = urls.filter((u) => u.includes('/node_modules/')).map((u) => u.split('/node_modules/').pop() ?? '');
  return HEAVY.filter((h) => packages.some((p) => (h.endsWith('/') ? p.startsWith(h) : p.startsWith(`${h}/`))));
}

describe('countersign start-up', () => {
  // [args, exit status, stdout, the command modules it may load]
  const cases: [string[], number, RegExp, string[]][] = [
    [['--help'], 0, /^countersign \S+: signature verification/, []],
    [['case', '--help'], 0, /Usage: countersign case <command>/, []],
    [['case', 'list', '--help'], 0, /^countersign case list \[--all\]/, ['case']],
    [['verify', '--help'], 0, /^countersign verify --case/, ['verify']],
    [['verify', '--no-such-flag'], 2, /^$/, ['verify']],
    [['no-such-command'], 2, /^$/, []],
  ];
  for (const [args, status, stdout, modules] of cases) {
    it(`countersign ${args.join(' ')} loads no heavy package and ${modules.length ? `only commands/${modules.join(', ')}.ts` : 'no command module'}`, () => {
      const r = trace(args);
      assert.equal(r.status, status);
      assert.match(r.stdout, stdout);
      assert.ok(
        r.urls.some((u) => u.endsWith('/src-main/cli/main.ts')),
        'the trace saw main.ts',
      );
      assert.deepEqual(heavyLoaded(r.urls), []);
      assert.deepEqual(commandModules(r.urls), modules);
    });
  }

  it('doctor loads its probes, not the store, its schemas, the report or the server', () => {
    const r = trace(['doctor', '--json', '--data-dir', path.join(root, 'test-artifacts', 'startup-no-data')]);
    assert.equal(r.status, 0);
    assert.equal(JSON.parse(r.stdout).dataDir, path.join(root, 'test-artifacts', 'startup-no-data'));
    const loaded = heavyLoaded(r.urls);
    assert.ok(loaded.includes('@tensorflow/'), 'doctor reports the TensorFlow.js backend');
    for (const p of ['zod', 'sharp', 'pdfkit', 'ws']) assert.ok(!loaded.includes(p), `doctor loaded ${p}`);
    const store = r.urls.filter((u) => /\/src-main\/core\/(context|store\/index|store\/store)\.ts$/.test(u));
    assert.deepEqual(store, []);
  });

  it('a command loads what it runs: models list reads the registry, not the report or the server', () => {
    const r = trace(['models', 'list', '--json', '--data-dir', path.join(root, 'test-artifacts', 'startup-no-data')]);
    assert.equal(r.status, 0);
    const loaded = heavyLoaded(r.urls);
    assert.ok(!loaded.includes('pdfkit') && !loaded.includes('ws'), loaded.join(', '));
  });

  it('npx countersign runs the linked bin of the countersign-cli package, not the project installed into the npx cache', () => {
    // A bin in the root package.json sends npm 11's npx through arborist on every call (0.8-2 s).
    const rootPkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { bin?: unknown; dependencies: Record<string, string> };
    assert.equal(rootPkg.bin, undefined, 'package.json must not declare a bin: bin/package.json does');
    assert.equal(rootPkg.dependencies['countersign-cli'], 'file:bin');
    assert.equal(realpathSync(path.join(root, 'node_modules', '.bin', 'countersign')), path.join(root, 'bin', 'countersign.js'));
    const r = spawnSync('npx', ['--no-install', 'countersign', '--help'], { cwd: root, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^countersign \S+: signature verification/);
  });
});
