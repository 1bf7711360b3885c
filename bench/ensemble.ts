/**
 * Whether two independently trained models, used together, verify better than either alone
 * (docs/evaluation.md section 6, "Training recipes"): every signature is embedded by each model
 * (grid9 views), then scored by each model alone and by the concatenation of their embeddings
 * (as is, and with each part scaled to unit length), each as the mean EER over several draws of
 * 5 references. Run it on validation writers only:
 *
 *   COUNTERSIGN_HOME=<data dir holding the models> node --import tsx bench/ensemble.ts \
 *     --data .countersign/validation-signet-sigcomp11-v1.csv --model signet-sigcomp11-v1 --model signet-sigcomp11-s2 [--draws 8]
 *
 * The concatenation is scored with a writer-normalised prior measured on each draw's references
 * (no model's stored prior fits it); each model alone is shown both ways.
 */
import { parseArgs } from 'node:util';
import { defaultDataDir } from '../src-main/core/paths.ts';
import { metricsOf, scoreEmbeddings } from '../src-main/core/model/evaluate.ts';
import { prepareInputs, readLabelledData } from '../src-main/core/model/dataset.ts';
import { EmbedPool } from '../src-main/core/model/embedding/embed-pool.ts';
import { VIEW_SETS } from '../src-main/core/model/embedding/views.ts';
import { getModel, normaliseVersionOf, scoringOf } from '../src-main/core/model/registry/registry.ts';
import type { Scoring } from '../src-main/core/scoring/score.ts';

const { values } = parseArgs({
  options: { data: { type: 'string' }, model: { type: 'string', multiple: true }, draws: { type: 'string', default: '8' } },
});
const ids = values.model ?? [];
if (!values.data || ids.length < 2) throw new Error('usage: bench/ensemble.ts --data <validation manifest.csv> --model <id> --model <id> [--draws N]');
const dataDir = defaultDataDir();
const data = readLabelledData(values.data);
const draws = Number(values.draws);

/** Mean skilled and random EER (%) over the draws. */
function meanEer(vectors: Float32Array[], scoring: Scoring | 'measure'): string {
  let skilled = 0;
  let random = 0;
  for (let seed = 1; seed <= draws; seed++) {
    const m = metricsOf(scoreEmbeddings(data.items, vectors, { references: 5, seed, metric: 'euclidean', scoring }));
    skilled += m.eer;
    random += m.eerRandom ?? NaN;
  }
  return `${((skilled / draws) * 100).toFixed(2)} % skilled, ${((random / draws) * 100).toFixed(2)} % random`;
}

const perModel: Float32Array[][] = [];
for (const id of ids) {
  const meta = getModel(dataDir, id);
  if (meta.distanceMetric !== 'euclidean') throw new Error(`${id}: bench/ensemble.ts concatenates euclidean embeddings only`);
  const inputs = await prepareInputs(data.items, { canvas: [meta.inputShape[0], meta.inputShape[1]], normaliseVersion: normaliseVersionOf(meta) });
  const pool = await EmbedPool.create({ dataDir, modelId: id, views: VIEW_SETS.grid9 });
  try {
    perModel.push(await pool.embed(inputs));
  } finally {
    await pool.close();
  }
  console.log(`${id} (grid9): its own scoring ${meanEer(perModel.at(-1)!, scoringOf(meta))}; prior measured per draw ${meanEer(perModel.at(-1)!, 'measure')}`);
}

const length = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
for (const unit of [false, true]) {
  const joined = data.items.map((_, i) => {
    const parts = perModel.map((vectors) => vectors[i]!);
    const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
    let at = 0;
    for (const p of parts) {
      const scale = unit ? 1 / length(p) : 1;
      p.forEach((x, k) => (out[at + k] = x * scale));
      at += p.length;
    }
    return out;
  });
  console.log(`concatenated${unit ? ', each part unit length' : ''}: ${meanEer(joined, 'measure')}`);
}
console.log(`(${new Set(data.items.map((i) => i.writer)).size} writers, mean of ${draws} draws of 5 references)`);
