// Runs the test suites with Node's test runner through tsx (the same loader the CLI uses).
// Usage: node scripts/test.mjs [unit|integration|e2e ...]   (default: all three, in that order)
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const suites = process.argv.slice(2).length ? process.argv.slice(2) : ['unit', 'integration', 'e2e'];

function collect(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...collect(full));
    else if (name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

// The tests must not depend on which base model happens to be shipped in resources/models (it
// changes whenever it is retrained): they see the shipped resources without models. Tests of
// the shipped model itself (the demo) point COUNTERSIGN_RESOURCES back at resources/.
const resources = path.join(root, 'resources');
const testResources = path.join(root, 'test-artifacts', 'resources-without-models');
rmSync(testResources, { recursive: true, force: true });
mkdirSync(testResources, { recursive: true });
for (const name of readdirSync(resources)) if (name !== 'models') symlinkSync(path.join(resources, name), path.join(testResources, name));

// The e2e files share one UI build: made here, before the suite, so no test file pays for it
// (each file's `serve` finds it fresh; ui-build.ts still builds on its own when run alone).
function buildUi() {
  const t0 = Date.now();
  const r = spawnSync(
    process.execPath,
    [path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'src-renderer/vite.config.ts', '--logLevel', 'warn'],
    { cwd: root, stdio: 'inherit' },
  );
  if (r.status !== 0) throw new Error('the UI build failed');
  console.log(`# UI built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

let failed = false;
const times = [];
for (const suite of suites) {
  const files = collect(path.join(root, 'test', suite));
  if (!files.length) continue;
  console.log(`\n# suite: ${suite} (${files.length} files)`);
  const t0 = Date.now();
  if (suite === 'e2e') buildUi();
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, COUNTERSIGN_TEST: '1', COUNTERSIGN_RESOURCES: testResources, COUNTERSIGN_SHIPPED_RESOURCES: resources },
  });
  if (r.status !== 0) failed = true;
  times.push(`${suite} ${((Date.now() - t0) / 1000).toFixed(0)} s${r.status !== 0 ? ' (failed)' : ''}`);
}
if (times.length) console.log(`\n# tier times: ${times.join(', ')}`);
process.exit(failed ? 1 : 0);
