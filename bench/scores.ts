/**
 * Other ways to turn one model's embeddings into the verification score, against the shipped
 * writer-normalised score (docs/evaluation.md section 6, "Other scores"): the K-K prior's weight,
 * other aggregates of the Q-K distances, and cohort normalisation (Q-K measured against how far
 * other writers' genuine signatures lie from the same references). Each is the mean EER over
 * several draws of 5 references. Run it on validation writers only:
 *
 *   COUNTERSIGN_HOME=<data dir holding the model> node --import tsx bench/scores.ts \
 *     --data .countersign/validation-signet-sigcomp11-v1.csv --model signet-sigcomp11-v1-grid9 [--draws 8]
 *
 * The cohort for a writer's references is the genuine signatures of the other writers in --data
 * (leave the writer out): a deployed cohort would be the validation writers, disjoint from every
 * case. The random-forgery trials come from the same writers as that cohort, so the cohort
 * rows' random-forgery figures are optimistic.
 */
import { parseArgs } from 'node:util';
import { defaultDataDir } from '../src-main/core/paths.ts';
import { prepareInputs, readLabelledData } from '../src-main/core/model/dataset.ts';
import { EmbedPool } from '../src-main/core/model/embedding/embed-pool.ts';
import { getModel, normaliseVersionOf, scoringOf } from '../src-main/core/model/registry/registry.ts';
import { distance, mean } from '../src-main/core/scoring/distance.ts';
import { eer, labelScores, scoreRandomForgeries, scoreWriterDependent, writerDependentSplit } from '../src-main/core/scoring/metrics.ts';
import { pairDistances } from '../src-main/core/scoring/score.ts';

const { values } = parseArgs({ options: { data: { type: 'string' }, model: { type: 'string' }, draws: { type: 'string', default: '8' } } });
if (!values.data || !values.model) throw new Error('usage: bench/scores.ts --data <validation manifest.csv> --model <id> [--draws N]');
const dataDir = defaultDataDir();
const meta = getModel(dataDir, values.model);
const scoring = scoringOf(meta);
if (scoring.method !== 'kk-ratio' || meta.distanceMetric !== 'euclidean')
  throw new Error(`${meta.id}: bench/scores.ts compares against a euclidean kk-ratio model`);
const data = readLabelledData(values.data);
const inputs = await prepareInputs(data.items, { canvas: [meta.inputShape[0], meta.inputShape[1]], normaliseVersion: normaliseVersionOf(meta) });
const pool = await EmbedPool.create({ dataDir, modelId: meta.id });
const vectors = await pool.embed(inputs).finally(() => pool.close());

/** What a score may use: Q-K distances, K-K distances, and the cohort's mean distances to K. */
interface Parts {
  qk: number[];
  kk: number[];
  cohort: number[];
}
const sorted = (a: readonly number[]) => [...a].sort((x, y) => x - y);
const median = (a: readonly number[]) => {
  const s = sorted(a);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
};
/** The K-K scale shrunk towards the model's prior with `weight` pairs (the shipped score uses its stored weight). */
const spread = (kk: number[], weight = scoring.priorWeight, centre = mean) =>
  ((kk.length ? centre(kk) * kk.length : 0) + weight * scoring.prior) / (kk.length + weight);
const nearest = (a: number[], n: number) => mean(sorted(a).slice(0, n));

const SCORES: Record<string, (p: Parts) => number> = {
  'shipped: mean Q-K / K-K (prior weight 3)': (p) => mean(p.qk) / spread(p.kk),
  'prior weight 0': (p) => mean(p.qk) / spread(p.kk, 0),
  'prior weight 1': (p) => mean(p.qk) / spread(p.kk, 1),
  'prior weight 10': (p) => mean(p.qk) / spread(p.kk, 10),
  'prior weight 30': (p) => mean(p.qk) / spread(p.kk, 30),
  'min Q-K / K-K': (p) => Math.min(...p.qk) / spread(p.kk),
  'median Q-K / K-K': (p) => median(p.qk) / spread(p.kk),
  'nearest 2 Q-K / K-K': (p) => nearest(p.qk, 2) / spread(p.kk),
  'rms Q-K / K-K': (p) => Math.sqrt(mean(p.qk.map((x) => x * x))) / spread(p.kk),
  'mean Q-K - K-K': (p) => mean(p.qk) - spread(p.kk),
  'mean Q-K / median K-K': (p) => mean(p.qk) / spread(p.kk, scoring.priorWeight, median),
  'cohort z-norm: (Q-K - mean C-K) / sd C-K': (p) => {
    const m = mean(p.cohort);
    return (mean(p.qk) - m) / Math.sqrt(mean(p.cohort.map((x) => (x - m) ** 2)));
  },
  'cohort ratio: Q-K / mean C-K': (p) => mean(p.qk) / mean(p.cohort),
  'cohort ratio, nearest 10 C-K': (p) => mean(p.qk) / nearest(p.cohort, 10),
  'two anchors: (Q-K - K-K) / (C-K - K-K)': (p) => (mean(p.qk) - spread(p.kk)) / (mean(p.cohort) - spread(p.kk)),
  'two anchors, nearest 10 C-K': (p) => (mean(p.qk) - spread(p.kk)) / (nearest(p.cohort, 10) - spread(p.kk)),
  'Q-K / geometric mean of K-K and C-K': (p) => mean(p.qk) / Math.sqrt(spread(p.kk) * mean(p.cohort)),
};

const d = (a: number, b: number) => distance('euclidean', vectors[a]!, vectors[b]!);
const draws = Number(values.draws);
const totals = Object.keys(SCORES).map(() => ({ skilled: 0, random: 0 }));
for (let seed = 1; seed <= draws; seed++) {
  const split = writerDependentSplit(
    data.items.map((it, i) => ({ writer: it.writer, genuine: it.label === 'genuine', item: i })),
    { references: 5, seed },
  );
  // Per writer: its K-K distances and the cohort's mean distance to its references.
  const perWriter = new Map(
    split.writers.map((w) => [
      w.writer,
      {
        kk: pairDistances(
          'euclidean',
          w.references.map((r) => vectors[r]!),
        ),
        cohort: data.items.flatMap((it, c) => (it.writer !== w.writer && it.label === 'genuine' ? [mean(w.references.map((r) => d(c, r)))] : [])),
      },
    ]),
  );
  Object.values(SCORES).forEach((f, k) => {
    const score = (q: number, refs: readonly number[], writer: string) => f({ qk: refs.map((r) => d(q, r)), ...perWriter.get(writer)! });
    const trials = scoreWriterDependent(split, score);
    const genuine = trials.filter((t) => t.genuine).map((t) => t.score);
    totals[k]!.skilled += eer(
      labelScores(
        genuine,
        trials.filter((t) => !t.genuine).map((t) => t.score),
      ),
    ).eer;
    totals[k]!.random += eer(labelScores(genuine, scoreRandomForgeries(split, score, { seed }))).eer;
  });
}
console.log(`${meta.id} on ${values.data} (${new Set(data.items.map((i) => i.writer)).size} writers): mean EER over ${draws} draws of 5 references`);
Object.keys(SCORES).forEach((name, k) =>
  console.log(`${name.padEnd(44)} ${((totals[k]!.skilled / draws) * 100).toFixed(2)} % skilled  ${((totals[k]!.random / draws) * 100).toFixed(2)} % random`),
);
