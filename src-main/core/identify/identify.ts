/**
 * "Who among our known writers could have written this?" (docs/identification.md): the
 * questioned signature against every writer of the reference library (or of one case),
 * ranked by the verification score (scoring/score.ts; for a 'kk-ratio' model the nearest 3k writers
 * by mean distance are re-ranked by it), the top k with their distances and calibrated
 * likelihood ratios, and an open-set outcome: when even the closest writer is beyond the
 * threshold, no enrolled writer is close enough. Every identification is recorded
 * (identifications table) with its audit row, in one transaction.
 */
import { AppError } from '../errors.ts';
import { ensureEmbeddings } from '../model/embedding/embeddings.ts';
import { ensureModelRow } from '../model/registry/model-rows.ts';
import { getActiveModel, getModel, scoringOf, verifyModel, type ModelMetadata } from '../model/registry/registry.ts';
import { APP_VERSION } from '../paths.ts';
import { DEFAULT_MIN_REFERENCES, type Store } from '../store/index.ts';
import { calibrate, type Calibration } from '../scoring/calibration.ts';
import { caseVerificationSettings } from '../verify/case-settings.ts';
import { modelThreshold } from '../scoring/threshold.ts';
import { NO_SUPPORT_LLR } from '../verify/compare.ts';
import { explainScore, pairDistances, scoreFromDistances } from '../scoring/score.ts';
import { defaultPropositions, supportLevel, UNCALIBRATED_STATEMENT, verbalEquivalent } from '../verify/verbal.ts';
import {
  countsFingerprint,
  ExemplarReader,
  exemplarsWithoutEmbedding,
  keepCountsAfterOwnWrite,
  maxSignatureId,
  writersInScope,
  type Scope,
} from '../store/exemplars.ts';
import { IdentificationRepository } from '../store/identifications.ts';
import { exemplarFile } from '../store/identify-rows.ts';
import { subjectName } from '../store/subject-names.ts';
import { prepareQuery, type IdentifyQuery } from './query.ts';
import { searchWriters } from './search.ts';
import type { Candidate, IdentificationResult, IdentifyOutcome, IdentifyScope } from './types.ts';

export type { IdentifyQuery } from './query.ts';

export const DEFAULT_TOP = 5;
export const MAX_TOP = 100;

export interface IdentifyOptions {
  /** The library (default) or one case's writers. */
  caseRef?: string | number | null;
  top?: number;
  /** Library only: the model (default: the active one). A case uses its own (pinned) model. */
  modelId?: string;
  /** Overrides the threshold (distance units); otherwise the case's, else the model's EER point. */
  threshold?: number;
  method?: 'auto' | 'exact' | 'index';
  signal?: AbortSignal;
  onProgress?: (stage: 'embed', done: number, total: number) => void;
}

interface Settings {
  scope: Scope;
  scopeInfo: IdentifyScope;
  model: ModelMetadata;
  threshold: number | null;
  thresholdSource: IdentificationResult['thresholdSource'];
  calibration: Calibration | null;
  minReferences: number;
}

function settingsFor(store: Store, opts: IdentifyOptions): Settings {
  const given = opts.threshold;
  if (given !== undefined && !(Number.isFinite(given) && given > 0))
    throw new AppError('INVALID_ARGUMENT', `threshold: expected a positive distance, got ${given}`, { field: 'threshold' });
  if (opts.caseRef !== undefined && opts.caseRef !== null) {
    if (opts.modelId) throw new AppError('INVALID_ARGUMENT', '--model: a case is searched with its own model; leave --model out');
    const s = caseVerificationSettings(store, opts.caseRef, { pin: true });
    return {
      scope: { kind: 'case', caseId: s.case.id },
      scopeInfo: { kind: 'case', caseId: s.case.id, caseName: s.case.name },
      model: s.model,
      threshold: given ?? s.threshold,
      thresholdSource: given !== undefined ? 'given' : s.thresholdSource,
      calibration: s.calibration,
      minReferences: s.minReferences,
    };
  }
  const id = opts.modelId ?? getActiveModel(store.dataDir)?.id;
  if (!id) throw new AppError('NOT_FOUND', 'model: no model is installed or selected; import one with `countersign models import` or train one');
  const model = getModel(store.dataDir, id);
  // A result is never computed with weights whose files changed.
  verifyModel(store.dataDir, id);
  store.write(() => ensureModelRow(store, store.dataDir, id));
  const fromModel = modelThreshold(model);
  return {
    scope: { kind: 'library' },
    scopeInfo: { kind: 'library' },
    model,
    threshold: given ?? fromModel,
    thresholdSource: given !== undefined ? 'given' : fromModel !== null ? 'model' : null,
    calibration: model.calibration,
    minReferences: DEFAULT_MIN_REFERENCES,
  };
}

/** "moderate support for same writer": the ENFSI band of a candidate's LR, in a few words. */
export function supportText(llr: number | null): string {
  if (llr === null) return 'no LR (uncalibrated)';
  const band = supportLevel(llr);
  if (band.level === 'none') return 'no support either way';
  return `${band.phrase} for ${llr > 0 ? 'same writer' : 'another writer'}`;
}

// Exemplars up to this signature id are known to have embeddings for the model (per store):
// signatures are never deleted and new ones get larger ids, so only newer ones need checking.
const covered = new WeakMap<Store, Map<string, number>>();

/** Embeds every exemplar of the scope that has no embedding for the model yet (first use of a model). */
export async function ensureScopeEmbeddings(
  store: Store,
  scope: Scope,
  modelId: string,
  opts: Pick<IdentifyOptions, 'signal' | 'onProgress'> = {},
): Promise<number> {
  const key = `${modelId}\u0000${scope.kind === 'case' ? scope.caseId : 'library'}`;
  const map = covered.get(store) ?? new Map<string, number>();
  covered.set(store, map);
  const upTo = maxSignatureId(store);
  const missing = exemplarsWithoutEmbedding(store, scope, modelId, map.get(key) ?? 0);
  if (missing.length) {
    await ensureEmbeddings(store, modelId, missing, {
      ...(opts.signal ? { signal: opts.signal } : {}),
      onProgress: (d, t) => opts.onProgress?.('embed', d, t),
    });
  }
  map.set(key, upTo);
  return missing.length;
}

/** The threshold by where it comes from: the case's, the one given, or the model's (where its LR is 1). */
function thresholdName(s: Pick<Settings, 'thresholdSource' | 'calibration'>): string {
  if (s.thresholdSource === 'case') return "the case's threshold";
  if (s.thresholdSource === 'given') return 'the threshold given';
  return s.calibration && s.calibration.b < 0 ? "the model's threshold (where its likelihood ratio is 1)" : "the model's validation EER threshold";
}

const scoreText = (c: Candidate) => `score ${c.score.toFixed(3)}: ${c.scoreExplanation}`;

function statementOf(outcome: IdentifyOutcome, s: Settings, best: Candidate | undefined, within: number, writers: number): string {
  const t = s.threshold;
  const source = thresholdName(s);
  const among = `${writers} enrolled writer${writers === 1 ? '' : 's'}${s.scopeInfo.kind === 'case' ? ` of case '${s.scopeInfo.caseName}'` : ' of the reference library'}`;
  switch (outcome) {
    case 'empty':
      return `No writer could be ranked: ${among} have exemplars with embeddings for model ${s.model.id}.`;
    case 'undecided':
      return `The questioned signature was ranked against ${among}; the closest is ${best!.name} (${scoreText(best!)}). No threshold is known for model ${s.model.id}, so whether any enrolled writer is close enough cannot be said.`;
    case 'no-match':
      return `No enrolled writer is close enough: among ${among}, the closest, ${best!.name}, has a score of ${best!.score.toFixed(3)} (${best!.scoreExplanation}), beyond ${source} of ${t!.toFixed(3)}. The questioned signature may be by a writer who is not enrolled.`;
    default:
      return `${within} of ${among} ${within === 1 ? 'is' : 'are'} within ${source} of ${t!.toFixed(3)}; the closest is ${best!.name} (${scoreText(best!)}). A ranking is support for the examiner's comparison, not a conclusion: the more writers are searched, the more likely a close match by chance.`;
  }
}

/** Identifies the questioned signature (see the file comment). */
export async function identify(store: Store, query: IdentifyQuery, opts: IdentifyOptions = {}): Promise<IdentificationResult> {
  const t0 = performance.now();
  const top = opts.top ?? DEFAULT_TOP;
  if (!Number.isInteger(top) || top < 1 || top > MAX_TOP)
    throw new AppError('INVALID_ARGUMENT', `top: expected a whole number in 1..${MAX_TOP}, got ${top}`, { field: 'top' });
  const s = settingsFor(store, opts);
  const q = await prepareQuery(store, s.model, query, opts.signal);
  await ensureScopeEmbeddings(store, s.scope, s.model.id, opts);
  const counts = writersInScope(store, s.scope);
  const dim = q.vector.length;
  const scoring = scoringOf(s.model);
  const byScore = scoring.method === 'kk-ratio';
  const found = searchWriters(store, s.scope, { id: s.model.id, dim, metric: s.model.distanceMetric }, q.vector, {
    top: byScore ? Math.min(top * 3, MAX_TOP) : top,
    method: opts.method ?? 'auto',
    exclude: q.exclude,
  });

  const reader = byScore ? new ExemplarReader(store, s.scope, s.model.id, q.exclude) : null;
  const scored = found.ranked
    .map((w) => {
      const ds = w.distances.map((d) => d.distance);
      const kk = reader
        ? pairDistances(
            s.model.distanceMetric,
            reader.exemplarsOf(w.subjectId).map((e) => e.vector),
          )
        : [];
      return { w, ds, parts: scoreFromDistances(ds, kk, scoring) };
    })
    .sort((a, b) => a.parts.score - b.parts.score || a.w.subjectId - b.w.subjectId)
    .slice(0, top);
  const candidates: Candidate[] = scored.map(({ w, ds, parts }, i) => {
    const writer = subjectName(store, w.subjectId) as string;
    const c = s.calibration ? calibrate(s.calibration, parts.score) : null;
    const warnings: string[] = [];
    if (w.distances.length < s.minReferences)
      warnings.push(
        `only ${w.distances.length} exemplar${w.distances.length === 1 ? '' : 's'} (minimum ${s.minReferences}): the writer's natural variation is poorly known`,
      );
    const identical = w.distances.find((d) => d.distance < 1e-6);
    if (identical) warnings.push(`identical to exemplar #${identical.signatureId}: possibly the same image or a copy`);
    const within = s.threshold === null ? null : parts.score <= s.threshold;
    // One story: "within the threshold" and the LR's verbal band must not silently disagree.
    if (c && within !== null && (within ? c.log10LR <= -NO_SUPPORT_LLR : c.log10LR >= NO_SUPPORT_LLR)) {
      warnings.push(
        `${within ? 'within' : 'beyond'} ${thresholdName(s)} (${s.threshold!.toFixed(3)}), yet the likelihood ratio gives ${supportText(c.log10LR)}: the threshold is not the model's (where the two always agree); rely on the likelihood ratio`,
      );
    }
    return {
      rank: i + 1,
      subjectId: w.subjectId,
      name: writer,
      aggregate: w.aggregate,
      score: parts.score,
      scoreExplanation: explainScore(parts, scoring),
      distances: { min: Math.min(...ds), mean: w.aggregate, max: Math.max(...ds) },
      exemplars: w.distances.map((d) => {
        const m = exemplarFile(store, d.signatureId)!;
        return { signatureId: d.signatureId, documentId: m.document_id, path: m.original_path, cropSha256: m.crop_sha256, distance: d.distance };
      }),
      llr: c ? c.log10LR : null,
      llrAtBound: c ? c.atBound : false,
      support: supportText(c ? c.log10LR : null),
      verbal: c ? verbalEquivalent(c.log10LR, defaultPropositions(writer)).sentence : UNCALIBRATED_STATEMENT,
      withinThreshold: within,
      warnings,
    };
  });
  const best = candidates[0];
  const within = candidates.filter((c) => c.withinThreshold).length;
  const outcome: IdentifyOutcome = !best ? 'empty' : s.threshold === null ? 'undecided' : best.withinThreshold ? 'candidates' : 'no-match';
  const createdAt = new Date().toISOString();
  const draft: Omit<IdentificationResult, 'id' | 'createdAt'> = {
    appVersion: APP_VERSION,
    scope: s.scopeInfo,
    query: q.info,
    model: { id: s.model.id, name: s.model.name, sha256: s.model.sha256, calibrated: s.calibration !== null },
    metric: s.model.distanceMetric,
    threshold: s.threshold,
    thresholdSource: s.thresholdSource,
    top,
    writersSearched: counts.writers,
    exemplarsSearched: counts.exemplars,
    method: found.method,
    methodNote: found.note,
    candidates,
    outcome,
    statement: statementOf(outcome, s, best, within, counts.writers),
    excluded: { signatureId: q.exclude.signatureId ?? null, sha256: q.exclude.sha256 ?? null },
    seconds: { embed: q.seconds, search: found.seconds, total: (performance.now() - t0) / 1000 },
  };
  const repo = new IdentificationRepository(store);
  const fingerprint = countsFingerprint(store);
  const id = store.write(() => {
    const rowId = repo.insert(draft, createdAt);
    store.audit.append({
      action: 'identify.query',
      caseId: s.scopeInfo.kind === 'case' ? s.scopeInfo.caseId : q.info.kind === 'signature' ? q.info.caseId : null,
      entity: `identification:${rowId}`,
      details: {
        scope: s.scopeInfo.kind === 'case' ? `case:${s.scopeInfo.caseId}` : 'library',
        query:
          q.info.kind === 'signature'
            ? { signatureId: q.info.signatureId, documentId: q.info.documentId }
            : { image: q.info.path, sha256: q.info.originalSha256 },
        normalisedSha256: q.info.normalisedSha256,
        model: s.model.id,
        modelSha256: s.model.sha256,
        metric: s.model.distanceMetric,
        threshold: s.threshold,
        thresholdSource: s.thresholdSource,
        method: found.method,
        writersSearched: counts.writers,
        outcome,
        top: candidates.map((c) => ({ subjectId: c.subjectId, name: c.name, aggregate: c.aggregate, llr: c.llr })),
      },
    });
    return rowId;
  });
  keepCountsAfterOwnWrite(store, fingerprint);
  return { ...draft, id, createdAt };
}
