// `npm run train:base`: reproduces the shipped base model (resources/models/signet-synth-v1):
// a synthetic data set from the generator (fixed seed), SigNet trained on it from scratch
// with fixed hyperparameters and seed, then the model folder copied into resources/models/.
// `npm run train:base -- --resume <run> [--epochs N]` continues a stopped run (Ctrl-C keeps
// `last`); --epochs extends it or ends it sooner (the best epoch so far is registered).
// Everything happens through the `countersign` CLI, so the run is recorded like any other
// (training_runs, audit log) in .countersign/base-model. See docs/model.md.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const work = path.join(root, '.countersign');
const dataDir = path.join(work, 'base-model');
const data = path.join(work, 'base-data');
const MODEL_ID = 'signet-synth-v1';
const ARCH = 'signet-linear';

export const DATA = { writers: 200, genuine: 12, forged: 6, seed: 2026 };
export const TRAIN = { epochs: 8, pairs: 2048, batch: 32, lr: 1e-4, optimizer: 'adam', margin: 1, seed: 1, dropout: 0, l2: 0 };

// Training registers the model under its fixed id; the shipped copy in resources/ must not
// count as taken, so the CLI runs with an empty resources folder.
const env = { ...process.env, COUNTERSIGN_RESOURCES: path.join(work, 'no-resources') };

function cli(...args) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin/countersign.js'), ...args], { stdio: 'inherit', cwd: root, env });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

mkdirSync(env.COUNTERSIGN_RESOURCES, { recursive: true });
const resumeAt = process.argv.indexOf('--resume');
if (!existsSync(path.join(data, 'manifest.csv'))) {
  cli('synth', 'dataset', data, '--writers', String(DATA.writers), '--genuine', String(DATA.genuine), '--forged', String(DATA.forged), '--seed', String(DATA.seed));
}
if (resumeAt > 0) {
  cli('--data-dir', dataDir, 'train', '--data', data, '--resume', process.argv[resumeAt + 1], ...process.argv.slice(resumeAt + 2));
} else {
  cli(
    '--data-dir', dataDir, 'train', '--data', data, '--arch', ARCH, '--model-id', MODEL_ID,
    '--name', 'SigNet synthetic base',
    '--epochs', String(TRAIN.epochs), '--pairs', String(TRAIN.pairs), '--batch', String(TRAIN.batch),
    '--lr', String(TRAIN.lr), '--optimizer', TRAIN.optimizer, '--margin', String(TRAIN.margin),
    '--seed', String(TRAIN.seed), '--dropout', String(TRAIN.dropout), '--l2', String(TRAIN.l2),
  );
}
const target = path.join(root, 'resources', 'models', MODEL_ID);
rmSync(target, { recursive: true, force: true });
cpSync(path.join(dataDir, 'models', MODEL_ID), target, { recursive: true });
console.log(`base model copied to ${path.relative(root, target)}`);
