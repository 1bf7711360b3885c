/**
 * Series linking: were these questioned signatures written by one hand? The questioned
 * signatures of a case are grouped by agglomerative clustering with average linkage (UPGMA) on
 * the writer-normalised distance between two questioned signatures, and the merging stops at a
 * stated cut.
 *
 * The distance between Q1 and Q2 is their embedding distance divided by the natural variation
 * of the writers they claim to be (for 'kk-ratio' models: each claimed subject's K-K spread shrunk
 * to the model's prior, exactly the denominator of the verification score; the mean of the two
 * when they claim different subjects; the prior alone when a subject has no references). It is
 * read like a verification score: 1 means the two are as far apart as the writer's own
 * signatures are from each other. The default cut is the case's decision threshold, so two
 * questioned signatures are linked when they are no further apart than a questioned signature
 * the case would still accept as the writer's is from that writer's references.
 * 'mean-distance' models (before the writer-normalised score) use the raw distance and the
 * case threshold on it.
 */
import path from 'node:path';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import { ensureEmbeddings } from '../model/embedding/embeddings.ts';
import type { Store } from '../store/index.ts';
import { throwIfCancelled } from '../jobs/manager.ts';
import { caseSignatures, type CaseSignature } from './case-data.ts';
import { caseVerificationSettings } from './case-settings.ts';
import { distance, mean } from '../scoring/distance.ts';
import { pairDistances, type Scoring } from '../scoring/score.ts';
import { checkJson } from '../util/json-file.ts';

export const SERIES_LINKAGE = 'average';

export interface SeriesMember {
  documentId: number;
  documentPath: string;
  subjectName: string | null;
  cropSha256: string | null;
}

export interface SeriesGroup {
  members: SeriesMember[];
  /** Writer-normalised distances between the group's members (null for a singleton). */
  within: { mean: number; max: number; pairs: number } | null;
}

export interface SeriesResult {
  caseId: number;
  caseName: string;
  model: { id: string; sha256: string };
  linkage: typeof SERIES_LINKAGE;
  cut: number;
  cutSource: 'case threshold' | 'model threshold' | 'given';
  /** How distances are normalised, in words. */
  basis: string;
  /** Largest first; singletons last. */
  groups: SeriesGroup[];
  /** Questioned documents left out, with the reason (no signature image yet). */
  skipped: { documentId: number; documentPath: string; reason: string }[];
}

export interface SeriesOptions {
  cut?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Average-linkage agglomerative clustering of n items with distance matrix `d` (row-major
 * n x n), merging while the closest two clusters are at most `cut` apart. Returns the clusters
 * as lists of item indices. O(n^3), fine for the tens to hundreds of questioned items of a case.
 */
export function averageLinkage(d: Float64Array, n: number, cut: number): number[][] {
  let clusters = Array.from({ length: n }, (_, i) => [i]);
  const between = (a: number[], b: number[]) => {
    let s = 0;
    for (const i of a) for (const j of b) s += d[i * n + j]!;
    return s / (a.length * b.length);
  };
  for (;;) {
    let best = Infinity;
    let bi = -1;
    let bj = -1;
    for (let i = 0; i < clusters.length; i++) {
      for (let j = i + 1; j < clusters.length; j++) {
        const v = between(clusters[i]!, clusters[j]!);
        if (v < best) [best, bi, bj] = [v, i, j];
      }
    }
    if (bi < 0 || !(best <= cut)) return clusters;
    const merged = [...clusters[bi]!, ...clusters[bj]!].sort((a, b) => a - b);
    clusters = clusters.filter((_, k) => k !== bi && k !== bj);
    clusters.push(merged);
  }
}

/** Adjusted Rand index of a clustering against the true labels (1: identical, about 0: chance). */
export function adjustedRandIndex(predicted: readonly (string | number)[], truth: readonly (string | number)[]): number {
  if (predicted.length !== truth.length) throw new AppError('INVALID_ARGUMENT', 'adjusted Rand index: the two labellings differ in length');
  const n = predicted.length;
  const choose2 = (k: number) => (k * (k - 1)) / 2;
  const count = (keys: string[]) => {
    const m = new Map<string, number>();
    for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
    return [...m.values()];
  };
  const cells = count(predicted.map((p, i) => `${p}\u0000${truth[i]}`)).reduce((s, c) => s + choose2(c), 0);
  const a = count(predicted.map(String)).reduce((s, c) => s + choose2(c), 0);
  const b = count(truth.map(String)).reduce((s, c) => s + choose2(c), 0);
  const expected = (a * b) / choose2(n || 1);
  const max = (a + b) / 2;
  if (max === expected) return 1; // both labellings all singletons or all one group
  return (cells - expected) / (max - expected);
}

/** The denominator of the score for a subject's references (1 for 'mean-distance'). */
function variationOf(scoring: Scoring, kk: readonly number[]): number {
  if (scoring.method === 'mean-distance') return 1;
  return (kk.reduce((s, x) => s + x, 0) + scoring.priorWeight * scoring.prior) / (kk.length + scoring.priorWeight);
}

/** Groups a case's questioned signatures by hand. Nothing is stored; embeddings are cached as usual. */
export async function linkSeries(store: Store, caseRef: string | number, opts: SeriesOptions = {}): Promise<SeriesResult> {
  throwIfCancelled(opts.signal, 'series linking');
  const settings = caseVerificationSettings(store, caseRef, { pin: false });
  if (opts.cut !== undefined && !(Number.isFinite(opts.cut) && opts.cut > 0)) {
    throw new AppError('INVALID_ARGUMENT', `cut: expected a positive number, got ${opts.cut}`, { field: 'cut' });
  }
  const all = caseSignatures(store, settings.case.id);
  const questioned = all.filter((s) => s.role === 'questioned' && s.normalisedSha256);
  const skipped = all
    .filter((s) => s.role === 'questioned' && !s.normalisedSha256)
    .map((s) => ({ documentId: s.documentId, documentPath: s.documentPath, reason: 'the signature has no normalised image: adjust the crop' }));
  const known = new Map<number, CaseSignature[]>();
  for (const s of all) if (s.role === 'known' && s.subjectId !== null && s.normalisedSha256) known.set(s.subjectId, [...(known.get(s.subjectId) ?? []), s]);
  const ids = [...questioned, ...[...known.values()].flat()].map((s) => s.signatureId);
  const vectors = await ensureEmbeddings(store, settings.model.id, ids, {
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  });
  throwIfCancelled(opts.signal, 'series linking');

  const { metric, scoring } = settings;
  const variation = new Map<number | null, number>();
  const variationFor = (subjectId: number | null) => {
    if (!variation.has(subjectId)) {
      const refs = subjectId === null ? [] : (known.get(subjectId) ?? []);
      variation.set(
        subjectId,
        variationOf(
          scoring,
          pairDistances(
            metric,
            refs.map((r) => vectors.get(r.signatureId)!),
          ),
        ),
      );
    }
    return variation.get(subjectId)!;
  };
  const n = questioned.length;
  const d = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const qi = questioned[i]!;
      const qj = questioned[j]!;
      const scale = (variationFor(qi.subjectId) + variationFor(qj.subjectId)) / 2;
      d[i * n + j] = d[j * n + i] = distance(metric, vectors.get(qi.signatureId)!, vectors.get(qj.signatureId)!) / scale;
    }
  }
  const cut = opts.cut ?? settings.threshold;
  const clusters = averageLinkage(d, n, cut);
  const groups: SeriesGroup[] = clusters
    .map((c) => {
      const pairs: number[] = [];
      for (let a = 0; a < c.length; a++) for (let b = a + 1; b < c.length; b++) pairs.push(d[c[a]! * n + c[b]!]!);
      return {
        members: c.map((i) => {
          const q = questioned[i]!;
          return { documentId: q.documentId, documentPath: q.documentPath, subjectName: q.subjectName, cropSha256: q.cropSha256 };
        }),
        within: pairs.length ? { mean: mean(pairs), max: Math.max(...pairs), pairs: pairs.length } : null,
      };
    })
    .sort((a, b) => b.members.length - a.members.length || a.members[0]!.documentPath.localeCompare(b.members[0]!.documentPath));
  return {
    caseId: settings.case.id,
    caseName: settings.case.name,
    model: { id: settings.model.id, sha256: settings.model.sha256 },
    linkage: SERIES_LINKAGE,
    cut,
    cutSource: opts.cut !== undefined ? 'given' : settings.thresholdSource === 'case' ? 'case threshold' : 'model threshold',
    basis:
      scoring.method === 'kk-ratio'
        ? "embedding distance divided by the claimed writers' natural variation (their references' spread, shrunk to the model's typical spread)"
        : 'raw embedding distance (this model predates the writer-normalised score)',
    groups,
    skipped,
  };
}

/** truth.json of `synth case --series`: questioned path -> { hand, ... } (other fields kept). */
const truthSchema = z.record(z.string(), z.looseObject({ hand: z.string({ error: "no 'hand' (made by an older `synth case`?)" }) }));

/**
 * The adjusted Rand index of a series result against a synthetic case's truth.json (keyed by
 * the questioned file's path relative to the case folder, each entry with its `hand`).
 */
export function seriesAri(result: SeriesResult, truthFile: string, truthJson: unknown): number {
  const truthMap = checkJson(truthSchema, truthJson, truthFile, 'INVALID_ARGUMENT');
  const hands = new Map<string, string>();
  for (const [key, entry] of Object.entries(truthMap)) hands.set(path.resolve(path.dirname(truthFile), key), entry.hand);
  const predicted: number[] = [];
  const truth: string[] = [];
  result.groups.forEach((g, gi) => {
    for (const m of g.members) {
      const hand = hands.get(path.resolve(path.dirname(truthFile), m.documentPath));
      if (hand === undefined) throw new AppError('INVALID_ARGUMENT', `${truthFile}: no entry for questioned document ${m.documentPath}`, { field: 'truth' });
      predicted.push(gi);
      truth.push(hand);
    }
  });
  return adjustedRandIndex(predicted, truth);
}
