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

let failed = false;
for (const suite of suites) {
  const files = collect(path.join(root, 'test', suite));
  if (!files.length) continue;
  console.log(`\n# suite: ${suite} (${files.length} files)`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, COUNTERSIGN_TEST: '1', COUNTERSIGN_RESOURCES: testResources, COUNTERSIGN_SHIPPED_RESOURCES: resources },
  });
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
