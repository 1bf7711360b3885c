// A training run's files read back from disk (run.json, checkpoints' state.json) are checked
// field by field: a malformed file is refused naming the file and the field, never a TypeError
// later; runs written by earlier versions stay readable.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadCheckpoint, runDir, saveCheckpoint, type CheckpointState } from '../../../src-main/core/model/training/checkpoint.ts';
import { bestValidationSchema, runFileSchema } from '../../../src-main/core/model/training/files.ts';
import { runTraining } from '../../../src-main/core/model/training/run.ts';
import { checkJson } from '../../../src-main/core/util/json-file.ts';
import { tempDir } from '../../helpers/store.ts';

const root = tempDir('cs-training-files-');

const runFile = {
  runId: '2026-01-01-abcdef01',
  options: { dataDir: '/x', baseModel: null, name: 'n', data: [{ path: '/x/data', weight: 1 }] },
  hyper: {
    epochs: 2,
    batchSize: 4,
    learningRate: 1e-4,
    margin: 1,
    optimizer: 'adam',
    seed: 1,
    pairsPerEpoch: 8,
    validationFraction: 0.2,
    references: 5,
    augment: 'scan',
    dropout: 0,
    l2: 1,
    objective: 'contrastive',
    trainFrom: null,
    patience: null,
  },
  split: { train: ['w1'], validation: ['w2'] },
  dataSha256: 'ab',
  inputScale: 6.3,
  normaliseVersion: 2,
  createdAt: '2026-01-01T00:00:00.000Z',
};

const state: CheckpointState = {
  runId: '2026-01-01-abcdef01',
  epoch: 2,
  batchInEpoch: 0,
  step: 4,
  bestEer: 0.5,
  bestEpoch: 1,
  history: [{ epoch: 1, trainLoss: 1.5, valEer: 0.5, valEerRandom: 0.25, valPairEer: null, seconds: 2 }],
};

/** Asserts fn fails with an INTEGRITY AppError whose message names `file` and then `field`. */
async function refused(fn: () => unknown, file: string, field: string): Promise<void> {
  await assert.rejects(
    async () => fn(),
    (e: Error & { code?: string }) => {
      assert.equal(e.code, 'INTEGRITY', e.message);
      assert.ok(e.message.startsWith(`${file}: ${field}: `), e.message);
      return true;
    },
  );
}

describe('run.json', () => {
  it('a malformed run.json stops a resume naming the file and the field', async () => {
    for (const [bad, field] of [
      [{ ...runFile, options: { ...runFile.options, data: 5 } }, 'options.data'],
      [{ ...runFile, split: { train: 'w1', validation: [] } }, 'split.train'],
      [{ ...runFile, hyper: { ...runFile.hyper, batchSize: '4' } }, 'hyper.batchSize'],
      [{ ...runFile, inputScale: null }, 'inputScale'],
      [{ ...runFile, normaliseVersion: 3 }, 'normaliseVersion'],
    ] as const) {
      const dataDir = path.join(root, `run-${field}`);
      const dir = runDir(dataDir, runFile.runId);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'run.json'), JSON.stringify(bad));
      await refused(() => runTraining({ dataDir, data: [], baseModel: null, name: 'n', resume: runFile.runId }), path.join(dir, 'run.json'), field);
    }
  });

  it('not JSON at all is refused naming the file', async () => {
    const dataDir = path.join(root, 'run-not-json');
    const dir = runDir(dataDir, runFile.runId);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'run.json'), '{"runId": ');
    await assert.rejects(runTraining({ dataDir, data: [], baseModel: null, name: 'n', resume: runFile.runId }), {
      code: 'INTEGRITY',
      message: new RegExp(`^${path.join(dir, 'run.json')}: not valid JSON`),
    });
  });

  it('reads runs from earlier versions: one data path, augment as a boolean, hyperparameters and normalisation version missing', () => {
    const { normaliseVersion: _n, ...old } = runFile;
    const r = checkJson(
      runFileSchema,
      { ...old, options: { ...old.options, data: '/x/data', __entry: 'kept' }, hyper: { epochs: 3, augment: true } },
      'run.json',
    );
    assert.equal(r.options.data, '/x/data');
    assert.equal(r.options.__entry, 'kept', 'keys this version does not know are kept');
    assert.deepEqual(r.hyper, { epochs: 3, augment: true });
    assert.equal(r.normaliseVersion, undefined);
  });
});

describe('checkpoint state.json', () => {
  it('round-trips, with a NaN loss (JSON null) read back as NaN', () => {
    const dir = path.join(root, 'ckpt-ok');
    const nan = { ...state, history: [{ ...state.history[0]!, trainLoss: NaN }] };
    saveCheckpoint(dir, 'last', {
      params: [{ name: 'w', shape: [2], data: new Float32Array([1, 2]) }],
      optimizer: { name: 'adam', step: 4, slots: [] },
      state: nan,
    });
    const c = loadCheckpoint(dir, 'last');
    assert.ok(Number.isNaN(c.state.history[0]!.trainLoss));
    assert.deepEqual({ ...c.state, history: [] }, { ...state, history: [] });
    assert.deepEqual([...c.params[0]!.data], [1, 2]);
  });

  it('a malformed state.json is refused naming the file and the field', async () => {
    const dir = path.join(root, 'ckpt-bad');
    saveCheckpoint(dir, 'last', {
      params: [{ name: 'w', shape: [2], data: new Float32Array([1, 2]) }],
      optimizer: { name: 'adam', step: 4, slots: [] },
      state,
    });
    const file = path.join(dir, 'last', 'state.json');
    const good = JSON.parse(readFileSync(file, 'utf8'));
    for (const [bad, field] of [
      [{ ...good, epoch: 'two' }, 'epoch'],
      [{ ...good, history: [{ ...good.history[0], valPairEer: 'x' }] }, 'history.0.valPairEer'],
      [{ ...good, paramsIndex: [{ name: 'w', shape: [2], offset: -1, length: 2 }] }, 'paramsIndex.0.offset'],
      [{ ...good, optimizer: { ...good.optimizer, name: 'sgd' } }, 'optimizer.name'],
      [{ ...good, paramsIndex: undefined }, 'paramsIndex'],
    ] as const) {
      writeFileSync(file, JSON.stringify(bad));
      await refused(() => loadCheckpoint(dir, 'last'), file, field);
    }
  });

  it("the best checkpoint's validation is checked before a model is registered from it", () => {
    const best = { valSame: [0.1], valDiff: [0.9], valMetrics: { eer: 0.2, eerRandom: null, eerThreshold: 0.5, auc: 0.9, pairEer: null, cllrMin: 0.4 } };
    assert.deepEqual(checkJson(bestValidationSchema, best, 'best/state.json').valSame, [0.1]);
    assert.throws(() => checkJson(bestValidationSchema, { ...best, valDiff: undefined }, 'best/state.json'), {
      code: 'INTEGRITY',
      message: /^best\/state\.json: valDiff: /,
    });
    assert.throws(() => checkJson(bestValidationSchema, { ...best, valScoring: { method: 'kk-ratio', prior: -1, priorWeight: 3 } }, 'best/state.json'), {
      message: /^best\/state\.json: valScoring\.prior: /,
    });
  });
});
