/**
 * Help and usage errors must not load the heavy packages (TensorFlow.js alone costs over a
 * second): main.ts reads only the commands' metadata, and each command imports what it runs
 * inside its run. scripts/cli-startup.mjs --trace runs the CLI as bin/countersign.js does, with
 * tsx reporting every module loaded. Start-up times are in docs/benchmarks.md, not asserted here.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
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

function heavyLoaded(urls: string[]): string[] {
  const packages = urls.filter((u) => u.includes('/node_modules/')).map((u) => u.split('/node_modules/').pop() ?? '');
  return HEAVY.filter((h) => packages.some((p) => (h.endsWith('/') ? p.startsWith(h) : p.startsWith(`${h}/`))));
}

describe('countersign start-up', () => {
  const cases: [string[], number, RegExp][] = [
    [['--help'], 0, /^countersign \S+: signature verification/],
    [['case', '--help'], 0, /Usage: countersign case <command>/],
    [['case', 'list', '--help'], 0, /^countersign case list \[--all\]/],
    [['verify', '--help'], 0, /^countersign verify --case/],
    [['verify', '--no-such-flag'], 2, /^$/],
    [['no-such-command'], 2, /^$/],
  ];
  for (const [args, status, stdout] of cases) {
    it(`countersign ${args.join(' ')} loads no heavy package`, () => {
      const r = trace(args);
      assert.equal(r.status, status);
      assert.match(r.stdout, stdout);
      assert.ok(r.urls.some((u) => u.endsWith('/src-main/cli/main.ts')), 'the trace saw main.ts');
      assert.deepEqual(heavyLoaded(r.urls), []);
    });
  }

  it('a command loads what it runs: models list reads the registry, not the report or the server', () => {
    const r = trace(['models', 'list', '--json', '--data-dir', path.join(root, 'test-artifacts', 'startup-no-data')]);
    assert.equal(r.status, 0);
    const loaded = heavyLoaded(r.urls);
    assert.ok(!loaded.includes('pdfkit') && !loaded.includes('ws'), loaded.join(', '));
  });
});
