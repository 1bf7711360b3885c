/**
 * `countersign bench` finds the PyTorch reference script from the package root (or
 * COUNTERSIGN_BENCH_DIR), never from the working directory or from where the running file
 * is: the built CLI runs from out/cli/, the sources from src-main/cli/commands/.
 *
 * It runs the reference at the start of each of --rounds rounds, interleaved with the product's
 * measures, takes the ratios within each round and reports their medians. A stand-in reference
 * script (never the real PyTorch one) records its runs and reports different figures each time.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { formatModelBench, runModelBench, type ModelBenchResult } from '../../../bench/model.ts';
import { median } from '../../../bench/rounds.ts';
import { defaultReference } from '../../../src-main/cli/commands/bench.ts';
import { ROOT_DIR } from '../../../src-main/core/paths.ts';
import { cli, lastJson } from '../../helpers/cli.ts';

describe('bench: the default reference script', () => {
  const saved = process.env.COUNTERSIGN_BENCH_DIR;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cs-bench-ref-'));
  after(() => {
    if (saved === undefined) delete process.env.COUNTERSIGN_BENCH_DIR;
    else process.env.COUNTERSIGN_BENCH_DIR = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it('is torch_signet_reference.py in COUNTERSIGN_BENCH_DIR when set, none when it is not there', () => {
    process.env.COUNTERSIGN_BENCH_DIR = dir;
    assert.equal(defaultReference(), undefined);
    writeFileSync(path.join(dir, 'torch_signet_reference.py'), '# stand-in\n');
    assert.equal(defaultReference(), path.join(dir, 'torch_signet_reference.py'));
  });

  it('else is ../shared/bench beside the package root, whatever the working directory', () => {
    delete process.env.COUNTERSIGN_BENCH_DIR;
    const expected = path.join(ROOT_DIR, '..', 'shared', 'bench', 'torch_signet_reference.py');
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      assert.equal(defaultReference(), existsSync(expected) ? expected : undefined);
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('bench: interleaved rounds', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cs-bench-rounds-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const log = path.join(dir, 'runs.log');
  const script = path.join(dir, 'fake_reference.py');
  // Run k (1, 2, ...) reports 10^k embeddings/s and 2 x 10^k pairs/s, so each round's ratios differ.
  writeFileSync(
    script,
    [
      'import json, os, sys',
      "log = os.environ['CS_FAKE_REFERENCE_LOG']",
      "with open(log, 'a') as f: f.write(' '.join(sys.argv[1:]) + '\\n')",
      'k = sum(1 for _ in open(log))',
      "print('warming up')",
      "print(json.dumps({'impl': 'fake-%d' % k, 'threads': int(sys.argv[2]), 'params': 1, 'embed_per_s': 10.0 ** k, 'train_pairs_per_s': 2 * 10.0 ** k}))",
      '',
    ].join('\n'),
  );

  it("--rounds 2 --json: the reference once per round, each round's figures, the ratios the medians of the per-round ratios", () => {
    const r = cli(['bench', '--json', '--rounds', '2', '--seconds', '1', '--arch', 'signet-tiny', '--workers', '1', '--reference', script], {
      env: { CS_FAKE_REFERENCE_LOG: log, COUNTERSIGN_DEV: '1' },
      timeoutMs: 300_000,
    });
    assert.equal(r.status, 0, r.stderr);
    const out = lastJson<ModelBenchResult & { memory: unknown }>(r);
    const runs = readFileSync(log, 'utf8').trim().split('\n');
    assert.equal(runs.length, 2, 'the reference ran once per round');
    assert.match(runs[0]!, /^--threads \d+$/);
    assert.equal(out.rounds, 2);
    assert.equal(out.perRound.length, 2);
    assert.ok(out.reference);
    assert.equal(out.reference.rounds, 2);
    assert.deepEqual(
      out.perRound.map((p) => [p.reference?.embed_per_s, p.reference?.train_pairs_per_s]),
      [
        [10, 20],
        [100, 200],
      ],
    );
    for (const p of out.perRound) {
      assert.ok(p.embedPerSec! > 0 && p.trainPairsPerSec! > 0);
      assert.equal(p.embedPerSec, Math.max(p.embed!.singleWorker, p.embed!.pool));
      assert.equal(p.trainPairsPerSec, Math.max(p.train!.singleWorker, p.train!.dataParallel));
      assert.equal(p.embedRatio, p.embedPerSec! / p.reference!.embed_per_s);
      assert.equal(p.trainRatio, p.trainPairsPerSec! / p.reference!.train_pairs_per_s);
    }
    const close = (a: number | null, b: number) => assert.ok(a !== null && Math.abs(a - b) <= 1e-12 * Math.abs(b), `${a} vs ${b}`);
    close(out.reference.embedRatio, median(out.perRound.map((p) => p.embedRatio!)));
    close(out.reference.trainRatio, median(out.perRound.map((p) => p.trainRatio!)));
    close(out.reference.embed_per_s, 55);
    close(out.reference.train_pairs_per_s, 110);
    close(out.embedPerSec, median(out.perRound.map((p) => p.embedPerSec!)));
    close(out.trainPairsPerSec, median(out.perRound.map((p) => p.trainPairsPerSec!)));
    close(out.embed!.pool, median(out.perRound.map((p) => p.embed!.pool)));
    assert.equal(out.memory, null);

    const text = formatModelBench(out);
    assert.equal(text.filter((l) => /^ {2}round \d: /.test(l)).length, 2);
    assert.match(text[0]!, /2 interleaved rounds/);
    assert.ok(text.includes('median over 2 rounds:'));
    assert.ok(text.some((l) => l.startsWith('ratio to PyTorch (median of the per-round ratios): embed ')));
  });

  it("without a reference, the rounds repeat the product's measures and the output says so", async () => {
    const r = await runModelBench({ architecture: 'signet-tiny', rounds: 2, seconds: 0.2, batch: 4, workers: 1 });
    assert.equal(r.reference, null);
    assert.equal(r.perRound.length, 2);
    for (const p of r.perRound) assert.deepEqual([p.reference, p.embedRatio, p.trainRatio], [null, null, null]);
    assert.equal(r.embedPerSec, median(r.perRound.map((p) => p.embedPerSec!)));
    assert.equal(r.train!.singleWorker, median(r.perRound.map((p) => p.train!.singleWorker)));
    const text = formatModelBench(r, { noReference: '--no-reference' });
    assert.ok(text.includes("no PyTorch reference (--no-reference): each round repeats the product's measures only"), text.join('\n'));
    assert.equal(text.filter((l) => /^ {2}round \d: /.test(l)).length, 2);
    assert.ok(!text.some((l) => l.includes('ratio to PyTorch')));
  });
});
