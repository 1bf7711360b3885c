// Runs the test suites with Node's test runner through tsx (the same loader the CLI uses).
// Usage: node scripts/test.mjs [unit|integration|e2e ...]   (default: all three, in that order)
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
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

let failed = false;
for (const suite of suites) {
  const files = collect(path.join(root, 'test', suite));
  if (!files.length) continue;
  console.log(`\n# suite: ${suite} (${files.length} files)`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, COUNTERSIGN_TEST: '1' },
  });
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
