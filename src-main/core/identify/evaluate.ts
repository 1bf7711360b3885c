/**
 * One-shot (and few-shot) writer identification on a labelled data set, the end of the
 * SigNet method: C enrolled writers with N exemplars each, a questioned signature, the most
 * similar writer predicted without retraining (`countersign eval --identify`).
 *
 * Protocol (seeded, genuine signatures only; forgeries are not writers' own hands):
 * - writers with at least N + 1 genuine signatures are used; a share of them (--held-out,
 *   default 20 %) is left out of the enrolment for the open-set figures;
 * - each enrolled writer's N references are drawn with the seed; its other genuine
 *   signatures are its questioned ones;
 * - C-way episodes: C enrolled writers drawn at random, one questioned signature of each,
 *   ranked against the C writers by the verification aggregate (rank.ts, as identify does);
 *   accuracy = rank 1 is the true writer, top-5 = within the first five;
 * - all-enrolled: every questioned signature against every enrolled writer at once;
 * - open set at the threshold (the model's validation EER point unless given): how often
 *   "no enrolled writer is close enough" is the answer for held-out writers' signatures
 *   (rejection rate, higher is better) and for enrolled writers' own (false rejection rate).
 */
import { performance } from 'node:perf_hooks';
import { AppError } from '../errors.ts';
import { eer, labelScores } from '../scoring/metrics.ts';
import { readLabelledData, summarise, type DataSummary } from '../model/dataset.ts';
import { embedLabelled } from '../model/evaluate.ts';
import { getModel, normaliseVersionOf } from '../model/registry/registry.ts';
import { Rng } from '../util/random.ts';
import { modelThreshold } from '../scoring/threshold.ts';
import type { DistanceMetric } from '../scoring/distance.ts';
import { rankWriters, type Exemplar } from './rank.ts';

export interface OneShotProtocol {
  shots: number;
  ways: number;
  episodes: number;
  /** Share of the usable writers left out of the enrolment (0..0.9). */
  heldOut: number;
  seed: number;
  metric: DistanceMetric;
  threshold: number | null;
}

export interface RankFigures {
  queries: number;
  accuracy: number;
  top5Accuracy: number;
  /** Accuracy of guessing: 1 / ways, and min(5, ways) / ways for top-5. */
  chance: number;
  top5Chance: number;
}

export interface OneShotFigures {
  writers: { usable: number; enrolled: number; heldOut: number; skipped: { writer: string; reason: string }[] };
  episodes: RankFigures & { ways: number; shots: number; episodes: number };
  allEnrolled: RankFigures & { ways: number };
  openSet: {
    threshold: number;
    heldOutQueries: number;
    rejected: number;
    rejectionRate: number;
    enrolledQueries: number;
    falseRejections: number;
    falseRejectionRate: number;
    /** Enrolled writers' signatures ranked first AND within the threshold. */
    identifiedRate: number;
    /**
     * The open-set trade-off over all thresholds: enrolled writers' best aggregate (should be
     * accepted) against held-out writers' (should be rejected); the EER and its threshold.
     */
    eer: number;
    eerThreshold: number;
  } | null;
  /** Why there are no open-set figures. */
  openSetNote: string | null;
}

interface Writer {
  name: string;
  refs: Exemplar[];
  queries: Float32Array[];
}

function rankOf(metric: DistanceMetric, q: Float32Array, writers: readonly Writer[], truth: number, top: number): { rank: number; best: number } {
  const ranked = rankWriters(
    metric,
    q,
    writers.map((w, i) => ({ subjectId: i, exemplars: w.refs })),
    top,
  );
  const at = ranked.findIndex((r) => r.subjectId === truth);
  return { rank: at < 0 ? Infinity : at + 1, best: ranked[0]!.aggregate };
}

const figures = (queries: number, first: number, five: number, ways: number): RankFigures => ({
  queries,
  accuracy: queries ? first / queries : NaN,
  top5Accuracy: queries ? five / queries : NaN,
  chance: 1 / ways,
  top5Chance: Math.min(5, ways) / ways,
});

/** The protocol above on embeddings (pure; `genuine` items only are used). */
export function oneShotEvaluation(
  items: readonly { writer: string; genuine: boolean }[],
  vectors: readonly Float32Array[],
  p: OneShotProtocol,
): OneShotFigures {
  if (!Number.isInteger(p.shots) || p.shots < 1) throw new AppError('INVALID_ARGUMENT', `--shots: expected a whole number of at least 1, got ${p.shots}`);
  if (!Number.isInteger(p.ways) || p.ways < 2) throw new AppError('INVALID_ARGUMENT', `--ways: expected a whole number of at least 2, got ${p.ways}`);
  if (!(p.heldOut >= 0 && p.heldOut <= 0.9)) throw new AppError('INVALID_ARGUMENT', `--held-out: expected a share in 0..0.9, got ${p.heldOut}`);
  const rng = new Rng(p.seed);
  const byWriter = new Map<string, number[]>();
  items.forEach((it, i) => it.genuine && byWriter.set(it.writer, [...(byWriter.get(it.writer) ?? []), i]));
  const skipped: { writer: string; reason: string }[] = [];
  const usable: string[] = [];
  for (const [w, idx] of [...byWriter].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (idx.length < p.shots + 1) skipped.push({ writer: w, reason: `${idx.length} genuine signatures; needs ${p.shots} references and one questioned` });
    else usable.push(w);
  }
  const order = rng.fork('split').shuffle([...usable]);
  const nHeld = p.heldOut > 0 && usable.length > p.ways ? Math.min(usable.length - p.ways, Math.max(1, Math.round(p.heldOut * usable.length))) : 0;
  const held = order.slice(0, nHeld);
  const enrolledNames = order.slice(nHeld).sort();
  if (enrolledNames.length < p.ways) {
    throw new AppError(
      'INVALID_ARGUMENT',
      `--ways ${p.ways}: the data has ${enrolledNames.length} writers with at least ${p.shots + 1} genuine signatures to enrol; give fewer --ways or more data`,
    );
  }
  const enrolled: Writer[] = enrolledNames.map((name) => {
    const idx = rng.fork(`refs:${name}`).shuffle([...byWriter.get(name)!]);
    return { name, refs: idx.slice(0, p.shots).map((i) => ({ signatureId: i, vector: vectors[i]! })), queries: idx.slice(p.shots).map((i) => vectors[i]!) };
  });

  // C-way episodes.
  const er = rng.fork('episodes');
  let first = 0;
  let five = 0;
  for (let e = 0; e < p.episodes; e++) {
    const pick = er.shuffle(enrolled.map((_, i) => i)).slice(0, p.ways);
    const ways = pick.map((i) => enrolled[i]!);
    ways.forEach((w, t) => {
      const r = rankOf(p.metric, er.pick(w.queries), ways, t, 5).rank;
      if (r === 1) first++;
      if (r <= 5) five++;
    });
  }
  const episodes = { ...figures(p.episodes * p.ways, first, five, p.ways), ways: p.ways, shots: p.shots, episodes: p.episodes };

  // Every questioned signature of the enrolled writers against all of them.
  let aFirst = 0;
  let aFive = 0;
  let aQueries = 0;
  let falseRejections = 0;
  let identified = 0;
  const enrolledBest: number[] = [];
  enrolled.forEach((w, t) => {
    for (const q of w.queries) {
      const r = rankOf(p.metric, q, enrolled, t, 5);
      enrolledBest.push(r.best);
      aQueries++;
      if (r.rank === 1) aFirst++;
      if (r.rank <= 5) aFive++;
      if (p.threshold !== null && r.best > p.threshold) falseRejections++;
      if (p.threshold !== null && r.rank === 1 && r.best <= p.threshold) identified++;
    }
  });
  const allEnrolled = { ...figures(aQueries, aFirst, aFive, enrolled.length), ways: enrolled.length };

  let openSet: OneShotFigures['openSet'] = null;
  let openSetNote: string | null = null;
  if (p.threshold === null) openSetNote = 'no threshold: the model has no validation EER threshold and none was given (--threshold)';
  else if (!held.length) openSetNote = 'no writer was held out of the enrolment (--held-out 0, or too few writers)';
  else {
    let heldQueries = 0;
    let rejected = 0;
    const heldBest: number[] = [];
    for (const name of held) {
      for (const i of byWriter.get(name)!) {
        heldQueries++;
        const best = rankWriters(
          p.metric,
          vectors[i]!,
          enrolled.map((w, k) => ({ subjectId: k, exemplars: w.refs })),
          1,
        )[0]!;
        heldBest.push(best.aggregate);
        if (best.aggregate > p.threshold) rejected++;
      }
    }
    const trade = eer(labelScores(enrolledBest, heldBest));
    openSet = {
      threshold: p.threshold,
      heldOutQueries: heldQueries,
      rejected,
      rejectionRate: rejected / heldQueries,
      enrolledQueries: aQueries,
      falseRejections,
      falseRejectionRate: aQueries ? falseRejections / aQueries : NaN,
      identifiedRate: aQueries ? identified / aQueries : NaN,
      eer: trade.eer,
      eerThreshold: trade.threshold,
    };
  }
  return { writers: { usable: usable.length, enrolled: enrolled.length, heldOut: held.length, skipped }, episodes, allEnrolled, openSet, openSetNote };
}

export interface IdentifyEvalOptions {
  dataDir: string;
  modelId: string;
  data: string;
  shots?: number;
  ways?: number;
  episodes?: number;
  heldOut?: number;
  seed?: number;
  threshold?: number;
  workers?: number;
  signal?: AbortSignal;
  onProgress?: (stage: 'prepare' | 'embed', done: number, total: number) => void;
}

export interface IdentifyEvalReport extends OneShotFigures {
  model: { id: string; sha256: string; architecture: string; metric: DistanceMetric };
  threshold: number | null;
  thresholdSource: 'model' | 'given' | null;
  backend: string;
  data: DataSummary;
  protocol: { shots: number; ways: number; episodes: number; heldOut: number; seed: number };
  seconds: number;
}

/** `countersign eval --identify`: a registered model on a labelled data set. */
export async function evaluateIdentification(o: IdentifyEvalOptions): Promise<IdentifyEvalReport> {
  const t0 = performance.now();
  const meta = getModel(o.dataDir, o.modelId);
  const data = readLabelledData(o.data);
  const items = data.items.filter((i) => i.label === 'genuine');
  const { vectors, backend } = await embedLabelled(items, { inputShape: meta.inputShape, normaliseVersion: normaliseVersionOf(meta) }, o);
  const fromModel = modelThreshold(meta);
  const threshold = o.threshold ?? fromModel;
  const protocol = { shots: o.shots ?? 1, ways: o.ways ?? 10, episodes: o.episodes ?? 200, heldOut: o.heldOut ?? 0.2, seed: o.seed ?? 1 };
  const fig = oneShotEvaluation(
    items.map((i) => ({ writer: i.writer, genuine: true })),
    vectors,
    { ...protocol, metric: meta.distanceMetric, threshold },
  );
  return {
    ...fig,
    model: { id: meta.id, sha256: meta.sha256, architecture: meta.architecture, metric: meta.distanceMetric },
    threshold,
    thresholdSource: o.threshold !== undefined ? 'given' : fromModel !== null ? 'model' : null,
    backend,
    data: summarise(data),
    protocol,
    seconds: (performance.now() - t0) / 1000,
  };
}
