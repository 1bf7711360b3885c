// What `countersign <args>` costs to start: wall time of `node bin/countersign.js <args>`
// (median of --runs, default 5; the built CLI in out/cli when it is current, else the sources
// through tsx) and, from one further run of the sources with a load-tracking hook, how many
// source files and which packages it loaded.
//
//   node scripts/cli-startup.mjs [--runs N] [--json] -- --help
//   node scripts/cli-startup.mjs -- case list --help
//
// --trace prints, instead, the JSON list of the modules `countersign <args>` loads (one run,
// no timing); test/integration/cli/startup.test.ts reads it. docs/benchmarks.md has figures.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Packages `--help` must never load (each costs from tens of ms to a second). */
const HEAVY = ['@tensorflow/tfjs', 'sharp', 'pdfkit', 'better-sqlite3', 'ws', 'zod', 'usearch', 'onnxruntime-node'];

const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const own = dash < 0 ? argv : argv.slice(0, dash);
const cliArgs = dash < 0 ? [] : argv.slice(dash + 1);

if (own.includes('--trace')) {
  // As bin/countersign.js, with tsx told to report every module it loads.
  const { register } = await import('tsx/esm/api');
  const seen = new Set();
  register({ onImport: (url) => seen.add(url) });
  process.argv = [process.argv[0], path.join(root, 'bin', 'countersign.js'), ...cliArgs];
  let reported = false;
  const report = () => {
    if (!reported) process.stderr.write(`\n@@trace ${JSON.stringify([...seen])}\n`);
    reported = true;
  };
  process.on('exit', report);
  await import(pathToFileURL(path.join(root, 'src-main', 'cli', 'main.ts')).href);
  // tsx reports imports by message from its loader thread: wait until they stop arriving (a
  // run that ends at once would otherwise exit before the last ones, a dynamic import among them).
  for (let n = -1; n !== seen.size;) {
    n = seen.size;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  report();
} else {
  const runs = Number(own[own.indexOf('--runs') + 1] ?? 5) || 5;
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    spawnSync(process.execPath, [path.join(root, 'bin', 'countersign.js'), ...cliArgs], { stdio: 'ignore' });
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  times.sort((a, b) => a - b);
  const loads = traceLoads(cliArgs);
  const result = {
    args: cliArgs.join(' '),
    runs,
    medianSeconds: Number(times[Math.floor(runs / 2)].toFixed(2)),
    minSeconds: Number(times[0].toFixed(2)),
    maxSeconds: Number(times[runs - 1].toFixed(2)),
    sourceFiles: loads.sourceFiles,
    packages: loads.packages,
    heavy: loads.heavy,
  };
  if (own.includes('--json')) console.log(JSON.stringify(result));
  else {
    console.log(`countersign ${result.args}: median ${result.medianSeconds} s (min ${result.minSeconds}, max ${result.maxSeconds}; ${runs} runs)`);
    console.log(`  ${result.sourceFiles} source files (src-main), ${result.packages.length} packages; heavy: ${result.heavy.join(', ') || 'none'}`);
  }
}

/** One traced run of `countersign <args>`: the src-main files and the packages it loaded. */
function traceLoads(args) {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--trace', '--', ...args], { encoding: 'utf8' });
  const line = r.stderr.split('\n').find((l) => l.startsWith('@@trace '));
  if (!line) throw new Error(`no trace from countersign ${args.join(' ')}: ${r.stderr}`);
  const urls = JSON.parse(line.slice('@@trace '.length));
  const packages = [...new Set(urls.filter((u) => u.includes('/node_modules/')).map(packageOf))].sort();
  return {
    urls,
    sourceFiles: urls.filter((u) => u.startsWith(pathToFileURL(path.join(root, 'src-main')).href + '/')).length,
    packages,
    heavy: HEAVY.filter((h) => packages.some((p) => p === h || p.startsWith(`${h}-`))),
  };
}

function packageOf(url) {
  const rest = url.split('/node_modules/').pop();
  const parts = rest.split('/');
  return (rest.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
}
