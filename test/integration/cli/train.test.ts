// `countersign train` as a user runs it: JSON events, Ctrl-C (SIGINT) mid-run keeps `last`
// and leaves the registry and the database consistent; --resume finishes the run.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { BIN, ROOT, cli, lastJson, tempDir } from '../../helpers/cli.ts';

describe('countersign train', () => {
  const tmp = tempDir('countersign-train-');
  const data = path.join(tmp.dir, 'data');
  const dataDir = path.join(tmp.dir, 'home');
  after(() => tmp.cleanup());
  let trained: string | undefined;

  before(() => {
    const r = cli(['synth', 'dataset', data, '--writers', '8', '--genuine', '5', '--forged', '2', '--seed', '4', '--json']);
    assert.equal(r.status, 0, r.stderr);
  });

  it('stops cleanly on SIGINT with `last` saved, then --resume completes one new model', async () => {
    const args = [
      '--data-dir',
      dataDir,
      'train',
      '--data',
      data,
      '--arch',
      'signet-tiny',
      '--epochs',
      '2',
      '--pairs',
      '384',
      '--batch',
      '16',
      '--lr',
      '1e-3',
      '--optimizer',
      'adam',
      '--workers',
      '1',
      '--json',
    ];
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      // Interrupt in the second epoch, after `last` was written once.
      if (!interrupted && /"type":"batch","epoch":2/.test(stdout)) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    assert.ok(interrupted, `never reached epoch 2; stderr: ${stderr}`);
    assert.equal(code, 130, stderr);
    const events = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; runId?: string; status?: string; resume?: string });
    const result = events.at(-1)!;
    assert.equal(result.type, 'result');
    assert.equal(result.status, 'cancelled');
    assert.match(stderr, /resume with: countersign train --resume /);
    assert.ok(existsSync(path.join(dataDir, 'training', result.runId!, 'last')), 'the last checkpoint is on disk');

    const db = new Database(path.join(dataDir, 'countersign.db'), { readonly: true });
    try {
      assert.equal((db.prepare('SELECT status FROM training_runs WHERE id = ?').get(result.runId) as { status: string }).status, 'cancelled');
      assert.equal((db.prepare('SELECT COUNT(*) AS n FROM models').get() as { n: number }).n, 0);
      assert.equal((db.pragma('integrity_check') as { integrity_check: string }[])[0]!.integrity_check, 'ok');
    } finally {
      db.close();
    }
    assert.deepEqual(lastJson<unknown[]>(cli(['--data-dir', dataDir, 'models', 'list', '--json'])), [], 'nothing registered');

    const resumed = cli(['--data-dir', dataDir, 'train', '--data', data, '--resume', result.runId!, '--workers', '1', '--json'], { timeoutMs: 600_000 });
    assert.equal(resumed.status, 0, resumed.stderr);
    const done = lastJson<{ status: string; modelId: string }>(resumed);
    assert.equal(done.status, 'done');
    const list = lastJson<{ id: string; active: boolean }[]>(cli(['--data-dir', dataDir, 'models', 'list', '--json']));
    assert.deepEqual(
      list.map((m) => [m.id, m.active ?? false]),
      [[done.modelId, false]],
    );
    assert.equal(lastJson<{ ok: boolean }>(cli(['--data-dir', dataDir, 'audit', 'verify', '--json'])).ok, true);
    trained = done.modelId;

    // A completed run extended by one epoch: a second model; the first stays registered, and the
    // run's record names the new one.
    const extended = cli(['--data-dir', dataDir, 'train', '--data', data, '--resume', result.runId!, '--epochs', '3', '--workers', '1', '--json'], {
      timeoutMs: 600_000,
    });
    assert.equal(extended.status, 0, extended.stderr);
    const more = lastJson<{ status: string; modelId: string }>(extended);
    assert.equal(more.status, 'done');
    assert.notEqual(more.modelId, done.modelId);
    const ids = lastJson<{ id: string }[]>(cli(['--data-dir', dataDir, 'models', 'list', '--json'])).map((m) => m.id);
    assert.deepEqual(ids.sort(), [done.modelId, more.modelId].sort());
    const db2 = new Database(path.join(dataDir, 'countersign.db'), { readonly: true });
    try {
      assert.deepEqual(db2.prepare('SELECT status, result_model_id AS model FROM training_runs WHERE id = ?').get(result.runId), {
        status: 'completed',
        model: more.modelId,
      });
    } finally {
      db2.close();
    }
    assert.equal(lastJson<{ ok: boolean }>(cli(['--data-dir', dataDir, 'audit', 'verify', '--json'])).ok, true);
  });

  it('eval --json measures the new model on labelled data; a missing data folder is named', () => {
    assert.ok(trained, 'the previous test registered a model');
    const r = cli(['--data-dir', dataDir, 'eval', '--data', data, '--model', trained, '--references', '3', '--json']);
    assert.equal(r.status, 0, r.stderr);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const e = lastJson<any>(r);
    assert.equal(e.model.id, trained);
    assert.equal(e.model.calibrated, true, 'a trained model carries its calibration');
    assert.deepEqual([e.data.writers, e.data.genuine, e.data.forged], [8, 40, 16]);
    assert.deepEqual([e.counts.genuine, e.counts.forged], [8 * 2, 16], '5 genuine each: 3 references, 2 questioned');
    for (const k of ['eer', 'eerRandom', 'auc', 'far', 'frr', 'cllrMin']) assert.ok(e[k] >= 0 && e[k] <= 1, `${k} = ${e[k]}`);
    assert.ok(Number.isFinite(e.cllr) && e.cllr > 0, `cllr = ${e.cllr}`);
    assert.equal(typeof e.threshold, 'number', "at the model's EER threshold");
    const missing = cli(['--data-dir', dataDir, 'eval', '--data', path.join(tmp.dir, 'nowhere'), '--model', trained, '--json']);
    assert.equal(missing.status, 1);
    assert.match(missing.stdout + missing.stderr, /nowhere/);
  });
});
