// `npm run train:base`: reproduces the shipped base models (see docs/model.md).
//
// Stage 1, signet-synth-v1 (only with --from-scratch, or when resources/ lacks it): a synthetic
// data set from the generator (fixed seed), SigNet trained on it from scratch.
// Stage 2, signet-sigcomp11-v1 (the default model): signet-synth-v1 fine-tuned with the triplet
// loss on the real signatures of SigComp2011 Dutch *develop* (../shared/data, provenance in its
// SOURCE.md), on ink-invariant inputs (normalisation v2) with scan augmentation; 9 develop writers
// are held out as the validation split that picks the best epoch. The test split is never read.
//
// Stage 3, signet-sigcomp11-v1-grid9 (the default model): the stage-2 weights with 9 test-time
// views (`countersign models views ... grid9`), threshold, prior and calibration measured on the 9
// develop writers stage 2 held out (its metadata lists them). `--views-only` runs just this stage
// on the shipped stage-2 model.
//
// `npm run train:base -- --resume <run> [--epochs N]` continues a stopped stage-2 run.
// Everything happens through the `countersign` CLI, so each run is recorded like any other
// (training_runs, audit log) in .countersign/base-model, and the model folders are copied into
// resources/models/.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const work = path.join(root, '.countersign');
const dataDir = path.join(work, 'base-model');
const synthData = path.join(work, 'base-data');
const realData = process.env.COUNTERSIGN_SIGCOMP ?? path.resolve(root, '../shared/data/sigcomp2011-dutch/manifest-develop.csv');

export const SYNTH = {
  id: 'signet-synth-v1',
  data: { writers: 200, genuine: 12, forged: 6, seed: 2026 },
  train: { arch: 'signet-linear', epochs: 8, pairs: 2048, batch: 32, lr: 1e-4, optimizer: 'adam', margin: 1, seed: 1, dropout: 0, l2: 0 },
};
export const REAL = {
  id: 'signet-sigcomp11-v1',
  train: { loss: 'triplet', augment: 'scan', epochs: 4, pairs: 4096, batch: 32, lr: 1e-4, optimizer: 'rmsprop', margin: 1, seed: 1, l2: 1 },
};

export const VIEWS = { id: 'signet-sigcomp11-v1-grid9', views: 'grid9', name: 'SigNet on SigComp2011 Dutch (develop), 9 test-time views' };

// Training registers a model under its fixed id; the shipped copies in resources/ must not count
// as taken, so the CLI sees a resources folder holding only what the stage starts from.
const resources = path.join(work, 'base-resources');

function cli(...args) {
  const env = { ...process.env, COUNTERSIGN_RESOURCES: resources };
  const r = spawnSync(process.execPath, [path.join(root, 'bin/countersign.js'), ...args], { stdio: 'inherit', cwd: root, env });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function ship(id) {
  const target = path.join(root, 'resources', 'models', id);
  rmSync(target, { recursive: true, force: true });
  cpSync(path.join(dataDir, 'models', id), target, { recursive: true });
  console.log(`model copied to ${path.relative(root, target)}`);
}

const flags = (o) => Object.entries(o).flatMap(([k, v]) => [`--${k}`, String(v)]);
const resumeAt = process.argv.indexOf('--resume');
const shipped = path.join(root, 'resources', 'models', SYNTH.id);
rmSync(resources, { recursive: true, force: true });
mkdirSync(path.join(resources, 'models'), { recursive: true });

if (process.argv.includes('--from-scratch') || !existsSync(shipped)) {
  const d = SYNTH.data;
  if (!existsSync(path.join(synthData, 'manifest.csv'))) {
    cli('synth', 'dataset', synthData, '--writers', String(d.writers), '--genuine', String(d.genuine), '--forged', String(d.forged), '--seed', String(d.seed));
  }
  cli(
    '--data-dir',
    dataDir,
    'train',
    '--data',
    synthData,
    '--model-id',
    SYNTH.id,
    '--name',
    'SigNet synthetic base',
    '--augment',
    'none',
    ...flags(SYNTH.train),
  );
  ship(SYNTH.id);
} else {
  cpSync(shipped, path.join(resources, 'models', SYNTH.id), { recursive: true });
}

if (!existsSync(realData)) {
  console.error(`SigComp2011 develop manifest not found: ${realData} (set COUNTERSIGN_SIGCOMP)`);
  process.exit(1);
}

/** The develop rows of the writers a model held out for validation, as a manifest with absolute paths. */
function validationManifest(modelDir) {
  const meta = JSON.parse(readFileSync(path.join(modelDir, 'metadata.json'), 'utf8'));
  const writers = new Set(meta.trainingData.validationWriters);
  const [header, ...rows] = readFileSync(realData, 'utf8').split(/\r?\n/).filter(Boolean);
  if (header !== 'path,writer,label') throw new Error(`${realData}: expected the header path,writer,label`);
  const kept = rows
    .filter((r) => writers.has(r.split(',')[1]))
    .map((r) => `${path.resolve(path.dirname(realData), r.split(',')[0])},${r.split(',').slice(1).join(',')}`);
  mkdirSync(work, { recursive: true });
  const file = path.join(work, `validation-${meta.id}.csv`);
  writeFileSync(file, [header, ...kept].join('\n') + '\n');
  console.log(`${file}: ${kept.length} images of the ${writers.size} validation writers of ${meta.id}`);
  return file;
}

if (process.argv.includes('--views-only')) {
  cpSync(path.join(root, 'resources', 'models', REAL.id), path.join(resources, 'models', REAL.id), { recursive: true });
} else {
  if (resumeAt > 0) {
    cli('--data-dir', dataDir, 'train', '--data', realData, '--resume', process.argv[resumeAt + 1], ...process.argv.slice(resumeAt + 2));
  } else {
    cli(
      '--data-dir',
      dataDir,
      'train',
      '--data',
      realData,
      '--base',
      SYNTH.id,
      '--model-id',
      REAL.id,
      '--name',
      'SigNet on SigComp2011 Dutch (develop)',
      ...flags(REAL.train),
    );
  }
  ship(REAL.id);
}
const parentDir = [path.join(dataDir, 'models', REAL.id), path.join(resources, 'models', REAL.id)].find((d) => existsSync(d));
cli('--data-dir', dataDir, 'models', 'views', REAL.id, VIEWS.views, '--data', validationManifest(parentDir), '--id', VIEWS.id, '--name', VIEWS.name);
ship(VIEWS.id);
