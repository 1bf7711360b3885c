// A whole training run of signet-tiny on synthetic data: it learns, it can be cancelled and
// resumed, and the result is a new, inactive, calibrated model version.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { WriterScores } from '../../../src-main/core/model/evaluate.ts';
import { modelFigures } from '../../../src-main/core/model/figures.ts';
import { modelIdentity } from '../../../src-main/core/model/registry/identity.ts';
import { loadCheckpoint, selectionScore } from '../../../src-main/core/model/training/checkpoint.ts';
import { splitWriters } from '../../../src-main/core/model/training/pairs.ts';
import { intervalsOf, runTraining, type TrainEvent } from '../../../src-main/core/model/training/run.ts';
import { getActiveModel, getModel, listModels } from '../../../src-main/core/model/registry/registry.ts';
import { generateDataset } from '../../../src-main/core/synth/index.ts';

const root = mkdtempSync(path.join(os.tmpdir(), 'cs-train-run-'));
after(() => rmSync(root, { recursive: true, force: true }));
const data = path.join(root, 'data');
const hyper = { epochs: 4, batchSize: 16, pairsPerEpoch: 512, learningRate: 1e-3, optimizer: 'adam' as const, seed: 3, validationFraction: 0.3, references: 3 };

before(async () => {
  await generateDataset(data, { writers: 20, genuine: 6, forged: 2, seed: 'training-run', dpi: 120 });
});

describe('training run (signet-tiny, synthetic data)', () => {
  // A run this small (4 x 512 pairs, 14 training writers) reliably fits its training writers;
  // what it does on 6 validation writers x 2 forgeries is within their noise. Measured on seeds
  // 3-6 (2026-12-07): the mean training loss fell from 0.40-0.76 in the first epoch to 0.19-0.24
  // in the fourth (to 0.26-0.51 of it), while on seeds 3-8 the kept epoch's random-forgery EER
  // ranged from less than half the untrained start's (seed 3) to worse than it (seeds 6, 8).
  // So learning is asserted on the training loss falling by a third or more, and the validation
  // figures are asserted only to be what the kept epoch measured; learning on unseen writers is
  // measured on real runs (docs/evaluation.md, docs/benchmarks.md).
  it('fits its training writers and registers the best validation epoch as a new inactive model with calibration', async () => {
    const dir = path.join(root, 'd1');
    const events: TrainEvent[] = [];
    const r = await runTraining({
      dataDir: dir,
      data,
      baseModel: null,
      architecture: 'signet-tiny',
      name: 'tiny run',
      hyper,
      workers: 2,
      onEvent: (e) => events.push(e),
    });
    assert.equal(r.status, 'done');
    const baseline = events.find((e) => e.type === 'baseline')!;
    assert.ok(baseline && baseline.type === 'baseline');
    const epochs = events.filter((e): e is Extract<TrainEvent, { type: 'epoch' }> => e.type === 'epoch');
    assert.equal(epochs.length, 4);
    assert.ok(events.some((e) => e.type === 'batch' && e.imagesPerSec > 0));
    const m = r.model!;
    const report = `skilled ${baseline.valEer.toFixed(3)} -> ${(m.metrics.eer as number).toFixed(3)}, random ${baseline.valEerRandom?.toFixed(3)} -> ${(m.metrics.eerRandom as number).toFixed(3)}`;
    console.log(`# validation EER ${report}; training loss ${epochs.map((e) => e.trainLoss.toFixed(3)).join(' ')}`);
    assert.ok(
      epochs[3]!.trainLoss < (epochs[0]!.trainLoss * 2) / 3,
      `the training loss should fall by a third or more (${epochs.map((e) => e.trainLoss).join(', ')})`,
    );
    // The registered model is the epoch with the best selection score, with that epoch's figures.
    const score = (e: { valEer: number; valEerRandom: number | null }) => selectionScore({ eer: e.valEer, eerRandom: e.valEerRandom });
    const kept = epochs.filter((e) => e.best).at(-1)!;
    assert.equal(score(kept), Math.min(...epochs.map(score)), 'the kept epoch is the best by validation');
    assert.deepEqual([m.metrics.eer, m.metrics.eerRandom], [kept.valEer, kept.valEerRandom]);
    assert.equal(m.parentId, null);
    assert.equal(m.architecture, 'signet-tiny');
    assert.ok(m.calibration, 'calibrated on the validation distances');
    assert.ok(m.validationDistances && m.validationDistances.same.length > 0);
    assert.equal((m.trainingData as { sources: { writers: number }[] }).sources[0]!.writers, 20);
    assert.equal(m.scoring?.method, 'kk-ratio', 'the calibration is on the validation scores, so the model scores the same way');
    assert.deepEqual(getModel(dir, m.id).scoring, m.scoring, 'and says so in its saved metadata');
    assert.equal(getActiveModel(dir), null, 'never made active by training');

    // 95 % intervals of the validation figures, resampling the validation writers of the best epoch.
    const iv = m.metricIntervals!;
    assert.ok(iv, 'the model records intervals');
    assert.deepEqual([iv.method, iv.level, iv.rounds, iv.seed], ['bootstrap over writers', 0.95, 1000, hyper.seed]);
    for (const k of ['eer', 'eerRandom', 'auc', 'cllr', 'cllrMin', 'pairEer'] as const) {
      const i = iv[k];
      assert.ok(i && i[0] <= i[1] && i[0] >= 0 && (k.startsWith('cllr') || i[1] <= 1), `${k}: ${JSON.stringify(i)}`);
    }
    assert.ok(iv.eer![1] > iv.eer![0], 'validation writers differ, so the EER interval has a width');
    const bestState = loadCheckpoint(r.checkpointDir, 'best').state as unknown as { valSets: WriterScores };
    const validation = (m.trainingData as { validationWriters: string[] }).validationWriters;
    assert.deepEqual([...new Set(bestState.valSets.writerOf.genuine)].sort(), [...validation].sort(), "the scores resampled are the validation writers'");
    assert.deepEqual(iv, intervalsOf(bestState.valSets, m.calibration, hyper.seed), "the best epoch's scores and the model's calibration");
    assert.equal(m.metrics.validationPairsSame, bestState.valSets.pairSame!.length);
    assert.deepEqual(getModel(dir, m.id).metricIntervals, iv, 'saved and read back');
    assert.equal(m.identitySha256, modelIdentity({ ...JSON.parse(JSON.stringify(m)), metricIntervals: undefined }), 'not part of the identity');
    const eerLine = modelFigures(m).find((f) => f.key === 'eer')!.line;
    assert.match(eerLine, new RegExp(`^EER \\d+\\.\\d % \\(95 % CI \\d+\\.\\d–\\d+\\.\\d %; ${validation.length} writers, \\d+ genuine / \\d+ forged\\)$`));
  });

  it('cancel keeps `last`; resume continues to the end and registers one model', async () => {
    const dir = path.join(root, 'd2');
    const ctl = new AbortController();
    let batches = 0;
    const first = await runTraining({
      dataDir: dir,
      data,
      baseModel: null,
      architecture: 'signet-tiny',
      name: 'resumable',
      hyper: { ...hyper, epochs: 2 },
      workers: 1,
      signal: ctl.signal,
      onEvent: (e) => {
        if (e.type === 'batch' && e.epoch === 2 && ++batches === 3) ctl.abort();
      },
    });
    assert.equal(first.status, 'cancelled');
    assert.equal(first.modelId, null);
    assert.ok(existsSync(path.join(first.checkpointDir, 'last')), 'last checkpoint kept');
    assert.match(first.resumeHint ?? '', /--resume /);
    assert.equal(listModels(dir).length, 0, 'nothing registered by a cancelled run');
    const resumed: TrainEvent[] = [];
    const second = await runTraining({
      dataDir: dir,
      data,
      baseModel: null,
      name: 'resumable',
      resume: first.runId,
      workers: 1,
      onEvent: (e) => resumed.push(e),
    });
    assert.equal(second.status, 'done');
    const start = resumed.find((e) => e.type === 'start');
    assert.deepEqual(start && start.type === 'start' ? start.resumedFrom : null, { epoch: 2, batch: 3 });
    assert.equal(resumed.filter((e) => e.type === 'baseline').length, 0, 'the baseline is not measured again');
    assert.deepEqual(
      second.history.map((h) => h.epoch),
      [1, 2],
    );
    assert.deepEqual(
      listModels(dir).map((m) => m.id),
      [second.modelId],
    );
  });

  it('--split-seed holds out the writers of that seed whatever the run seed', async () => {
    const dir = path.join(root, 'd3');
    const r = await runTraining({
      dataDir: dir,
      data,
      baseModel: null,
      architecture: 'signet-tiny',
      name: 'split seed',
      hyper: { ...hyper, epochs: 1, pairsPerEpoch: 32, seed: 5, splitSeed: 3 },
      workers: 1,
    });
    assert.equal(r.status, 'done');
    const { trainWriters, validationWriters: validation } = r.model!.trainingData as { trainWriters: string[]; validationWriters: string[] };
    const all = [...validation, ...trainWriters].sort();
    assert.equal(all.length, 20);
    assert.deepEqual(validation, splitWriters(all, hyper.validationFraction, 3).validation);
    assert.notDeepEqual(validation, splitWriters(all, hyper.validationFraction, 5).validation, 'seed 5 would hold out other writers');
  });
});
