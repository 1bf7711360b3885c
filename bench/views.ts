/**
 * How test-time views change a model's EER on labelled data (docs/evaluation.md section 6, "Test-time
 * views"): every signature embedded once per shift of the input, then each candidate set of views
 * scored as the model scores (its distance, its writer-normalised prior), averaged over
 * several draws of the references, because one draw of 5 references over 9 writers is noisy.
 * Run it on validation writers only (never on a test split used for reporting): the views were
 * chosen with
 *
 *   npm run train:base -- --views-only   # writes .countersign/validation-signet-sigcomp11-v1.csv (and derives the shipped model)
 *   node --import tsx bench/views.ts --data .countersign/validation-signet-sigcomp11-v1.csv --model signet-sigcomp11-v1 [--draws 8] [--json]
 *
 * The model is looked up in the default data directory's registry (shipped models included).
 */
import { parseArgs } from 'node:util';
import { defaultDataDir } from '../src-main/core/paths.ts';
import { metricsOf, scoreEmbeddings } from '../src-main/core/model/evaluate.ts';
import { prepareInputs, readLabelledData } from '../src-main/core/model/dataset.ts';
import { EmbedPool } from '../src-main/core/model/embedding/embed-pool.ts';
import { meanOfViews, VIEW_SETS, type View } from '../src-main/core/model/embedding/views.ts';
import { getModel, normaliseVersionOf, scoringOf } from '../src-main/core/model/registry/registry.ts';

const AXIS_NEAR: View[] = [
  [0, 4],
  [0, -4],
  [3, 0],
  [-3, 0],
];
const AXIS_FAR: View[] = [
  [0, 8],
  [0, -8],
  [6, 0],
  [-6, 0],
];
/** The candidate sets compared (each with the unshifted input). */
const CANDIDATES: Record<string, readonly View[]> = {
  one: VIEW_SETS.none,
  'axis 3/4': [[0, 0], ...AXIS_NEAR],
  'axis 6/8': [[0, 0], ...AXIS_FAR],
  'axis both': [[0, 0], ...AXIS_NEAR, ...AXIS_FAR],
  grid9: VIEW_SETS.grid9,
  'grid9 + axis 6/8': [...VIEW_SETS.grid9, ...AXIS_FAR],
};

const { values } = parseArgs({
  options: { data: { type: 'string' }, model: { type: 'string' }, draws: { type: 'string', default: '8' }, json: { type: 'boolean', default: false } },
});
if (!values.data || !values.model) throw new Error('usage: bench/views.ts --data <validation manifest.csv> --model <id> [--draws N] [--json]');
const dataDir = defaultDataDir();
const meta = getModel(dataDir, values.model);
const data = readLabelledData(values.data);
const inputs = await prepareInputs(data.items, { canvas: [meta.inputShape[0], meta.inputShape[1]], normaliseVersion: normaliseVersionOf(meta) });
const every = [
  ...new Map(
    Object.values(CANDIDATES)
      .flat()
      .map((v) => [v.join(','), v] as const),
  ).values(),
];

// One embedding of every input at every shift (a pool whose single view is that shift).
const byShift = new Map<string, Float32Array[]>();
for (const v of every) {
  const pool = await EmbedPool.create({ dataDir, modelId: meta.id, views: [v] });
  try {
    byShift.set(v.join(','), await pool.embed(inputs));
  } finally {
    await pool.close();
  }
}

const draws = Number(values.draws);
const rows = Object.entries(CANDIDATES).map(([name, views]) => {
  const dim = byShift.get('0,0')![0]!.length;
  const vectors = data.items.map((_, i) => {
    const flat = new Float32Array(views.length * dim);
    views.forEach((v, k) => flat.set(byShift.get(v.join(','))![i]!, k * dim));
    return meanOfViews(flat, 1, views.length, dim)[0]!;
  });
  const eer: number[] = [];
  const random: number[] = [];
  for (let seed = 1; seed <= draws; seed++) {
    const m = metricsOf(scoreEmbeddings(data.items, vectors, { references: 5, seed, metric: meta.distanceMetric, scoring: scoringOf(meta) }));
    eer.push(m.eer);
    random.push(m.eerRandom ?? NaN);
  }
  const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
  return { views: name, count: views.length, eer: mean(eer), eerRandom: mean(random), eerSeed1: eer[0]! };
});

if (values.json)
  console.log(JSON.stringify({ model: meta.id, data: values.data, writers: new Set(data.items.map((i) => i.writer)).size, draws, rows }, null, 1));
else {
  console.log(`${meta.id} on ${values.data}: mean over ${draws} draws of 5 references`);
  for (const r of rows)
    console.log(
      `${r.views.padEnd(18)} ${String(r.count).padStart(2)} views  EER ${(r.eer * 100).toFixed(1)} % skilled, ${(r.eerRandom * 100).toFixed(2)} % random (seed 1: ${(r.eerSeed1 * 100).toFixed(1)} %)`,
    );
}
