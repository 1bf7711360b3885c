#!/usr/bin/env node
// The `countersign` command. It runs the built CLI, out/cli/countersign.js (scripts/build-cli.mjs,
// run by `npm install` / `npm ci`, or `npm run build:cli`), when that build is current: present,
// and none of the source files it was built from changed since (out/cli/inputs.json lists them;
// a stat each, a few milliseconds). Otherwise, and always with COUNTERSIGN_DEV=1, it runs the
// TypeScript sources through tsx, as before the build existed: slower to start (tsx compiles
// every file it loads), never stale. COUNTERSIGN_CLI_BUILD=DIR uses a build made elsewhere
// (`node scripts/build-cli.mjs --out DIR`; test/integration/cli/built.test.ts).
// bin/package.json makes this folder the `countersign-cli` package, linked into node_modules by
// npm install, so `npx countersign` runs the link without npm reading the installed tree
// (docs/architecture.md, "CLI").
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = new URL('../', import.meta.url);
const build = process.env.COUNTERSIGN_CLI_BUILD ? pathToFileURL(path.resolve(process.env.COUNTERSIGN_CLI_BUILD) + '/') : new URL('out/cli/', root);

function builtCliIsCurrent() {
  if (process.env.COUNTERSIGN_DEV === '1') return false;
  try {
    const { builtAt, inputs } = JSON.parse(readFileSync(new URL('inputs.json', build), 'utf8'));
    if (typeof builtAt !== 'number' || !Array.isArray(inputs) || inputs.length === 0) return false;
    statSync(new URL('countersign.js', build));
    // A source newer than the start of the build, or gone, means the build is stale.
    return inputs.every((f) => statSync(new URL(f, root)).mtimeMs < builtAt);
  } catch {
    return false;
  }
}

if (builtCliIsCurrent()) {
  await import(new URL('countersign.js', build).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src-main/cli/main.ts');
}
