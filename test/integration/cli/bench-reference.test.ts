/**
 * `countersign bench` finds the PyTorch reference script from the package root (or
 * COUNTERSIGN_BENCH_DIR), never from the working directory or from where the running file
 * is: the built CLI runs from out/cli/, the sources from src-main/cli/commands/.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { defaultReference } from '../../../src-main/cli/commands/bench.ts';
import { ROOT_DIR } from '../../../src-main/core/paths.ts';

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
