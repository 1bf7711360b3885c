// Builds the `countersign` CLI into out/cli/ so bin/countersign.js starts without compiling
// TypeScript: one esbuild bundle of src-main/cli/main.ts, split into chunks (each command's
// module and what it imports load only when that command runs), plus every worker-thread
// entry (`src-main/core/**/*-worker.ts`) beside it, where startWorker looks for `x-worker.js`.
// Packages stay external (node_modules is used as installed: native modules, wasm files).
// Run by `npm install` / `npm ci` (postinstall) and by `npm run build:cli` [-- --out DIR].
//
// out/cli/inputs.json lists the source files the bundle was built from and when the build
// started: bin/countersign.js runs the bundle only while none of them is newer (else it runs
// the sources through tsx, so an edited checkout never runs stale code).
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** esbuild: the project's own, else the copy tsx (a dependency) brings. */
function loadEsbuild() {
  const require = createRequire(path.join(root, 'package.json'));
  try {
    return require('esbuild');
  } catch {
    return createRequire(require.resolve('tsx/package.json'))('esbuild');
  }
}

/** Worker-thread entries, named by file name as electron.vite.config.ts does. */
function workerEntries(dir = path.join(root, 'src-main', 'core')) {
  const out = {};
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) Object.assign(out, workerEntries(full));
    else if (e.name.endsWith('-worker.ts')) {
      const name = e.name.replace(/\.ts$/, '');
      if (out[name]) throw new Error(`build-cli: two worker entries named ${name}.ts (${out[name]}, ${full}); names must be unique`);
      out[name] = full;
    }
  }
  return out;
}

/** Builds into outDir (default out/cli; tests build elsewhere, see bin/countersign.js). */
export async function buildCli({ outDir = path.join(root, 'out', 'cli'), quiet = false } = {}) {
  const esbuild = loadEsbuild();
  const startedAt = Date.now();
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: { countersign: path.join(root, 'src-main', 'cli', 'main.ts'), ...workerEntries() },
    outdir: outDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    packages: 'external',
    // Chunks stay beside the entries: `new URL('./x-worker.ts', import.meta.url)` in any chunk
    // must resolve into out/cli/, where x-worker.js is.
    chunkNames: 'chunk-[hash]',
    sourcemap: 'linked',
    metafile: true,
    logLevel: quiet ? 'error' : 'warning',
  });
  const inputs = Object.keys(result.metafile.inputs)
    .filter((f) => !f.includes('node_modules/'))
    .sort();
  writeFileSync(path.join(outDir, 'inputs.json'), JSON.stringify({ builtAt: startedAt, inputs }, null, 1) + '\n');
  return { outDir, inputs: inputs.length, outputs: Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js')).length, ms: Date.now() - startedAt };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--out');
  const outDir = i > 0 ? path.resolve(process.argv[i + 1] ?? '') : undefined;
  const r = await buildCli({ ...(outDir ? { outDir } : {}) });
  console.log(
    `countersign: CLI built into ${path.relative(root, r.outDir) || '.'} (${r.inputs} source files, ${r.outputs} files, ${(r.ms / 1000).toFixed(1)} s)`,
  );
}
