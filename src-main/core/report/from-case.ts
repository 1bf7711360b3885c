/**
 * Builds a report's input from a case as it is recorded: the newest comparison of every
 * questioned signature, the images from the object store, the model's metadata and the
 * audit chain's head. Nothing is computed here that verification did not record, except the
 * display of those records (the share of K-K pair distances below the aggregate, the
 * document-context image).
 */
import sharp from 'sharp';
import { decodePage } from '../imaging/decode.ts';
import { resolveBackend } from '../model/backend.ts';
import { detCurve, labelScores } from '../scoring/metrics.ts';
import { getModel, type ModelMetadata } from '../model/registry/registry.ts';
import { APP_VERSION } from '../paths.ts';
import { assertCaseIntegrity, type Store } from '../store/index.ts';
import { caseSignatures, type CaseSignature } from '../verify/case-data.ts';
import { DECISION_LABELS } from '../verify/compare.ts';
import { newestReportAuditRow, readyKnownDocumentCount, reportDocuments, signatureCovering } from '../store/report-rows.ts';
import { subjectName } from '../store/subject-names.ts';
import { ComparisonRepository, type StoredComparison } from '../store/comparison-store.ts';
import { median } from '../scoring/distance.ts';
import { scoringOf } from '../model/registry/registry.ts';
import { linkSeries } from '../verify/series.ts';
import { scoreView, variationStory } from '../verify/story.ts';
import { AppError } from '../errors.ts';
import type { DocumentRow } from '../store/types.ts';
import { BenchRepository } from '../bench/repository.ts';
import {
  DEFAULT_PROPOSITIONS,
  type ReportBench,
  type ReportCorrection,
  type ReportExcluded,
  type ReportInput,
  type ReportItem,
  type ReportModel,
  type ReportModelCard,
  type ReportSeries,
  type ReportThresholdChange,
} from './types.ts';

export interface BuildOptions {
  generatedAt?: string;
  laboratory?: string;
}

function basename(p: string): string {
  return p.split('/').pop() ?? p;
}

/** The region of the original around the signature box, with the box drawn, as PNG. */
async function contextImage(store: Store, doc: { sha256: string; pageIndex: number; path: string }, box: CaseSignature['box']): Promise<Buffer | null> {
  let page;
  try {
    page = await decodePage(store.objects.get(doc.sha256), doc.path, doc.pageIndex);
  } catch {
    return null; // the report says the context is unavailable rather than failing the whole report
  }
  const mx = Math.round(box.w * 0.6);
  const my = Math.round(box.h * 0.8);
  const left = Math.max(0, box.x - mx);
  const top = Math.max(0, box.y - my);
  const width = Math.min(page.width, box.x + box.w + mx) - left;
  const height = Math.min(page.height, box.y + box.h + my) - top;
  const stroke = Math.max(2, Math.round(Math.min(width, height) / 150));
  const svg = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect x="${box.x - left}" y="${box.y - top}" width="${box.w}" height="${box.h}" fill="none" stroke="#d0342c" stroke-width="${stroke}"/></svg>`,
  );
  return sharp(page.data, { raw: { width: page.width, height: page.height, channels: page.channels as 1 | 3 } })
    .extract({ left, top, width, height })
    .composite([{ input: svg, top: 0, left: 0 }])
    .png()
    .toBuffer();
}

function flatPreprocessing(p: Record<string, unknown>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(p)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
    else if (v !== null && v !== undefined) out[k] = JSON.stringify(v);
  }
  return out;
}

function reportModel(meta: ModelMetadata, backend: string): ReportModel {
  const m = meta.metrics;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const vd = meta.validationDistances;
  const c = meta.calibration;
  const td = meta.trainingData as Record<string, unknown> | null;
  return {
    id: meta.id,
    name: meta.name,
    version: String(meta.version),
    sha256: meta.sha256,
    architecture: meta.architecture,
    backend,
    preprocessing: flatPreprocessing(meta.preprocessing),
    calibration: c
      ? {
          method: 'logistic regression (prior-weighted), bounded by Laplace-PAV',
          summary: `log10 LR = ${c.a.toFixed(4)} ${c.b < 0 ? '-' : '+'} ${Math.abs(c.b).toFixed(4)} x ${scoringOf(meta).method === 'kk-ratio' ? 'score' : 'distance'}, within [${c.bounds.lower.toFixed(2)}, ${c.bounds.upper.toFixed(2)}]; fitted on ${c.fittedOn.same} same-writer and ${c.fittedOn.diff} different-writer validation comparisons`,
          parameters: { a: c.a, b: c.b, lower: c.bounds.lower, upper: c.bounds.upper },
        }
      : null,
    metrics: {
      eer: num(m.eer) ?? NaN,
      cllr: num(m.cllr) ?? c?.cllr ?? null,
      cllrMin: num(m.cllrMin) ?? c?.cllrMin ?? null,
      auc: num(m.auc) ?? NaN,
      ...(vd ? { genuineComparisons: vd.same.length, impostorComparisons: vd.diff.length } : {}),
      ...(td ? { dataset: String(td.description ?? td.source ?? `${td.writers ?? '?'} writers, ${td.images ?? '?'} images`) } : {}),
    },
    scoreDistributions: vd ? { genuine: vd.same, impostor: vd.diff } : null,
    det:
      vd && vd.same.length && vd.diff.length
        ? (() => {
            const pts = detCurve(labelScores(vd.same, vd.diff));
            return { far: pts.map((p) => p.far), frr: pts.map((p) => p.frr) };
          })()
        : null,
    ...(td
      ? {
          trainingSummary: `${td.writers ?? '?'} writers, ${td.images ?? '?'} images${td.manifestSha256 ? `, manifest SHA-256 ${String(td.manifestSha256).slice(0, 16)}…` : ''}`,
        }
      : {}),
    card: modelCard(meta),
  };
}

/** A count from a list of names or a number; null when neither. */
function countOf(v: unknown): number | null {
  if (Array.isArray(v)) return v.length;
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Where the training and validation data came from, in words (never a bare 'manifest'). */
function describeData(td: Record<string, unknown> | null): { training: string; validation: string; validationWriters: number | null } {
  if (!td) return { training: 'not recorded', validation: 'not recorded', validationWriters: null };
  const sources = Array.isArray(td.sources) ? (td.sources as Array<Record<string, unknown>>) : [];
  const label = (x: Record<string, unknown>) => String(x.label ?? x.description ?? x.source ?? 'a labelled data set');
  const sha = typeof td.manifestSha256 === 'string' ? `, manifest SHA-256 ${td.manifestSha256.slice(0, 16)}\u2026` : '';
  const what =
    td.source === 'manifest'
      ? `a labelled signature collection listed in a manifest${sha}`
      : String(td.description ?? td.source ?? 'a labelled signature collection');
  const trainWriters = countOf(td.trainWriters);
  const validationWriters = countOf(td.validationWriters);
  const counts = [
    trainWriters !== null ? `${trainWriters} training writers` : td.writers !== undefined ? `${String(td.writers)} writers` : null,
    td.images !== undefined ? `${String(td.images)} images` : null,
  ].filter(Boolean);
  const training = `${sources.length ? sources.map(label).join(', ') : what}${counts.length ? ` (${counts.join(', ')})` : ''}`;
  const valSource = td.validationSource ? String(td.validationSource) : sources.length ? label(sources[0]!) : what;
  const validation = `${validationWriters !== null ? `${validationWriters} writers held out from training, ` : 'writers held out from training, '}from ${valSource}`;
  return { training, validation, validationWriters };
}

function modelCard(meta: ModelMetadata): ReportModelCard {
  const d = describeData(meta.trainingData as Record<string, unknown> | null);
  const scoring = scoringOf(meta);
  const c = meta.calibration;
  return {
    trainingData: d.training,
    validationData: d.validation,
    validationWriters: d.validationWriters,
    scoring:
      scoring.method === 'kk-ratio'
        ? `Q-K \u00f7 K-K: mean Q-K distance divided by the references\u2019 mean K-K distance, shrunk toward the model\u2019s typical within-writer distance ${scoring.prior.toFixed(3)} with the weight of ${scoring.priorWeight} pairs`
        : 'the mean Q-K distance (a model from before writer-normalised scores)',
    threshold:
      c && c.b < 0
        ? `the score where the calibrated LR is 1: ${(-c.a / c.b).toFixed(3)}`
        : `the validation EER point${typeof meta.metrics.eerThreshold === 'number' ? `: ${meta.metrics.eerThreshold.toFixed(3)}` : ''}`,
  };
}

const boxText = (b: unknown): string => (Array.isArray(b) && b.length === 4 ? `${b[0]}, ${b[1]}, ${b[2]} \u00d7 ${b[3]} px` : 'none');

/** Every change of the case threshold, from the audit trail. */
function thresholdHistory(store: Store, caseId: number): ReportThresholdChange[] {
  return store.audit
    .list({ caseId })
    .filter((r) => r.action === 'case.threshold')
    .map((r) => ({
      at: r.at,
      old: typeof r.details.old === 'number' ? r.details.old : null,
      new: typeof r.details.new === 'number' ? r.details.new : null,
      reason: typeof r.details.reason === 'string' ? r.details.reason : null,
      resultsSeen: typeof r.details.resultsSeen === 'number' ? r.details.resultsSeen : null,
    }));
}

/** Manual box corrections, from the audit trail, with the crops before and after. */
function corrections(store: Store, caseId: number): ReportCorrection[] {
  const obj = (sha: unknown) => (typeof sha === 'string' && store.objects.has(sha) ? store.objects.get(sha) : null);
  return store.audit
    .list({ caseId })
    .filter((r) => r.action === 'signature.crop')
    .map((r) => {
      const d = r.details as { path?: string; old?: { signatureId?: number; box?: unknown } | null; new?: { box?: unknown; cropSha256?: string } };
      const before = d.old?.signatureId ? store.documents.signature(d.old.signatureId) : undefined;
      return {
        documentLabel: String(d.path ?? r.entity ?? ''),
        at: r.at,
        before: d.old ? boxText(d.old.box) : 'no box',
        after: boxText(d.new?.box),
        beforePng: obj(before?.cropSha256),
        afterPng: obj(d.new?.cropSha256),
      };
    });
}

/** Why a document of the case is in no comparison of the report. */
function notComparedReason(store: Store, d: DocumentRow, reportedSubjects: Set<number>, comparedDocs: Set<number>): string {
  if (d.status === 'failed') return `import failed: ${d.failureReason ?? 'no reason recorded'}`;
  if (d.status === 'excluded') return 'excluded by the examiner';
  if (d.status === 'pending') return 'imported, but its signature has not been located yet';
  if (d.role === 'questioned') {
    if (d.claimedSubjectId === null) return 'no claimed subject: nothing to compare it with';
    const refs = readyKnownDocumentCount(store, d.caseId, d.claimedSubjectId);
    if (!refs) return 'no usable known signatures of the claimed subject';
    if (comparedDocs.has(d.id)) return 'its newest signature box has not been verified yet';
    return 'not verified yet';
  }
  if (d.subjectId !== null && !reportedSubjects.has(d.subjectId)) return 'known signature of a subject with no compared questioned item';
  return 'not used by the newest comparison (no signature found, or the reference set changed since)';
}

/**
 * The newest audit row the report depends on: that of its newest comparison. Anchoring to it
 * rather than the chain head keeps the report reproducible (the head moves with every later
 * write, including the report's own audit row) while still chaining every import and
 * comparison before it.
 */
function auditAnchor(store: Store, comparisons: readonly StoredComparison[], caseId: number): Omit<ReportInput['integrity'], 'inputs'> {
  const newest = Math.max(...comparisons.map((c) => c.id));
  // The bench records shown in the item pages (and their deletions) are figures too: a later
  // bench row moves the anchor to it.
  const row = newestReportAuditRow(store, `comparison:${newest}`, caseId);
  // The end of the write that recorded the anchor is signed: that signature covers it.
  const signed = row ? signatureCovering(store, row.seq) : undefined;
  return {
    auditHeadHash: row?.hash ?? null,
    auditHeadSeq: row?.seq ?? null,
    installationKey: store.installationKey,
    headSignature: signed ?? null,
  };
}

/**
 * What the examiner recorded on the bench for an item: marks and measurements on the crops
 * shown (Q and its references), notes on them, and the newest alignment of each reference
 * onto Q. Deleted records are left out (their tombstones stay in the database and the log).
 */
async function benchOf(store: Store, cmp: StoredComparison, q: CaseSignature, refs: CaseSignature[]): Promise<{ bench?: ReportBench }> {
  const bench = new BenchRepository(store);
  const onOf = new Map<number, string>([[q.signatureId, 'Q'], ...refs.map((r, j) => [r.signatureId, `K${j + 1}`] as [number, string])]);
  const shown = [q, ...refs];
  const annotations = shown.flatMap((s) => bench.listAnnotations({ signatureId: s.signatureId }).map((a) => ({ a, s })));
  const measurements = shown.flatMap((s) => bench.listMeasurements({ signatureId: s.signatureId }).map((m) => ({ m, s })));
  const alignments = bench
    .listAlignments({ questionedSignatureId: q.signatureId })
    .filter((a) => onOf.has(a.referenceSignatureId) && (a.comparisonId === null || a.comparisonId === cmp.id));
  const newestPerReference = [...new Map(alignments.map((a) => [a.referenceSignatureId, a])).values()].sort(
    (x, y) => x.referenceSignatureId - y.referenceSignatureId,
  );
  // marks and measurements are drawn only on the crop they were made on
  const onCrop = (sha: string | null, s: CaseSignature) => sha !== null && sha === s.cropSha256;
  const marks = annotations.filter(({ a, s }) => a.kind !== 'note' && onCrop(a.cropSha256, s));
  const measured = measurements.filter(({ m, s }) => onCrop(m.cropSha256, s));
  const notes = annotations.filter(({ a }) => a.kind === 'note').sort((x, y) => x.a.id - y.a.id);
  if (!marks.length && !measured.length && !notes.length && !newestPerReference.length) return {};
  const imageSizes: ReportBench['imageSizes'] = {};
  for (const s of new Set([...marks.map((x) => x.s), ...measured.map((x) => x.s)])) {
    const meta = await sharp(store.objects.get(s.cropSha256!)).metadata();
    imageSizes[String(s.signatureId)] = { width: meta.width ?? 1, height: meta.height ?? 1 };
  }
  const sortById = <T extends { id: number }>(list: { x: T; s: CaseSignature }[]) => list.sort((a, b) => a.x.id - b.x.id);
  return {
    bench: {
      questionedSignatureId: String(q.signatureId),
      imageSizes,
      marks: sortById(marks.map(({ a, s }) => ({ x: a, s }))).map(({ x: a, s }, i) => ({
        label: `A${i + 1}`,
        signatureId: String(s.signatureId),
        on: onOf.get(s.signatureId)!,
        kind: a.kind as 'arrow' | 'circle' | 'text',
        geometry: a.geometry as ReportBench['marks'][number]['geometry'],
        text: a.text,
        color: a.color,
      })),
      measurements: sortById(measured.map(({ m, s }) => ({ x: m, s }))).map(({ x: m, s }, i) => ({
        label: `M${i + 1}`,
        signatureId: String(s.signatureId),
        on: onOf.get(s.signatureId)!,
        kind: m.kind,
        value: m.value,
        unit: m.unit,
        points: m.points.map((p) => [p[0], p[1]] as [number, number]),
        dpi: m.dpi,
        dpiSource: m.dpiSource,
        what: m.label,
      })),
      notes: notes.map(({ a, s }) => ({ on: onOf.get(s.signatureId)!, text: a.text ?? '', at: a.createdAt })),
      alignments: newestPerReference.map((a) => ({
        on: onOf.get(a.referenceSignatureId)!,
        dxMm: a.dxMm,
        dyMm: a.dyMm,
        rotationDeg: a.rotationDeg,
        scale: a.scale,
        opacity: a.opacity,
        fromAutoFit: a.autoFit !== null,
        at: a.createdAt,
      })),
    },
  };
}

export async function buildCaseReport(
  store: Store,
  caseRef: string | number,
  opts: BuildOptions = {},
): Promise<{ input: ReportInput; comparisons: StoredComparison[] }> {
  const c = store.cases.get(caseRef);
  // Nothing that leaves the lab may rest on a row edited outside Countersign.
  assertCaseIntegrity(store, c.id, c.name);
  const sigs = new Map(caseSignatures(store, c.id).map((s) => [s.signatureId, s]));
  // Comparisons of signatures superseded by a corrected box are history, not results: leave them out.
  const all = new ComparisonRepository(store).latestForCase(c.id);
  const comparisons = all.filter((x) => sigs.has(x.questionedSignatureId));
  if (!comparisons.length)
    throw new AppError('INVALID_ARGUMENT', `case '${c.name}': nothing has been verified yet; run \`countersign verify --case ${c.id}\` first`);
  const modelIds = [...new Set(comparisons.map((x) => x.modelId))];
  if (modelIds.length > 1) {
    // One report, one method: mixing models would leave the appendix describing only one of them.
    throw new AppError(
      'CONFLICT',
      `case '${c.name}': the newest comparisons come from several models (${modelIds.join(', ')}); verify the case again with one model`,
    );
  }
  const decisionRules = new Set(comparisons.map((x) => `${x.threshold}/${x.inconclusiveBand}`));
  if (decisionRules.size > 1) {
    throw new AppError(
      'CONFLICT',
      `case '${c.name}': the newest comparisons were decided at different thresholds or bands; verify the case again so that one rule applies to every item`,
    );
  }
  const meta = getModel(store.dataDir, modelIds[0]!);
  const docs = new Map(reportDocuments(store, c.id).map((d) => [d.id, d]));
  const crop = (s: CaseSignature | undefined) =>
    s?.cropSha256 ? store.objects.get(s.cropSha256) : s?.normalisedSha256 ? store.objects.get(s.normalisedSha256) : null;

  const items: ReportItem[] = [];
  const comparedDocs = new Set<number>();
  for (const cmp of all) {
    const d = store.documents.signature(cmp.questionedSignatureId)?.documentId;
    if (d !== undefined) comparedDocs.add(d);
  }
  for (const cmp of comparisons) {
    const q = sigs.get(cmp.questionedSignatureId);
    if (!q) continue; // superseded by a newer crop that has not been verified yet: not reported
    const qPng = crop(q);
    if (!qPng) continue;
    const doc = docs.get(q.documentId)!;
    const kk = cmp.distances.naturalVariation.pairDistances;
    const sorted = [...kk].sort((a, b) => a - b);
    const references = cmp.distances.perReference.flatMap((r) => {
      const s = sigs.get(r.signatureId);
      const png = crop(s);
      return s && png ? [{ signatureId: String(r.signatureId), label: basename(s.documentPath), png, distance: r.distance }] : [];
    });
    const sv = scoreView(cmp);
    items.push({
      documentId: String(q.documentId),
      documentLabel: q.documentPath,
      claimedSubject: q.subjectName ?? '',
      questionedPng: qPng,
      contextPng: await contextImage(store, { sha256: doc.sha256, pageIndex: doc.page_index, path: doc.original_path }, q.box),
      references,
      aggregate: { method: cmp.distances.aggregateMethod, value: cmp.aggregate },
      score: { method: sv.method, label: sv.label, value: sv.value, meanDistance: sv.qk, scale: sv.scale, explanation: sv.explanation },
      kkSpread: sorted.length ? { min: sorted[0]!, median: median(sorted), max: sorted.at(-1)!, values: kk } : { min: 0, median: 0, max: 0, values: [] },
      // K-K pair distances against Q's mean distance (the same units whatever the score).
      qPercentile: kk.length ? (100 * kk.filter((d) => d < sv.qk).length) / kk.length : null,
      log10Lr: cmp.llr,
      llrAtBound: cmp.distances.llrAtBound === true,
      verbal: cmp.verbal ?? '',
      variation: variationStory(sv, cmp.distances.naturalVariation.leaveOneOut, cmp.decision, cmp.threshold).sentence,
      decision: DECISION_LABELS[cmp.decision] as ReportItem['decision'],
      warnings: cmp.warnings.map((w) => ({ code: w.code, message: w.message })),
      ...(await benchOf(
        store,
        cmp,
        q,
        references.map((r) => sigs.get(Number(r.signatureId))!),
      )),
    });
  }
  const used = new Set(items.flatMap((it) => [Number(it.documentId), ...it.references.map((r) => sigs.get(Number(r.signatureId))!.documentId)]));
  const inputs = [...docs.values()]
    .filter((d) => used.has(d.id))
    .sort((a, b) => (a.role === b.role ? a.original_path.localeCompare(b.original_path) : a.role === 'questioned' ? -1 : 1))
    .map((d) => ({ path: d.original_path, sha256: d.sha256, role: d.role }));
  inputs.push({ path: `model ${meta.id} (weights.bin)`, sha256: meta.sha256, role: 'model' });
  const threshold = comparisons[0]!.threshold;
  const band = comparisons[0]!.inconclusiveBand;
  const zone = comparisons[0]!.distances.inconclusiveZone ?? (band > 0 ? [threshold - band, threshold + band] : null);
  const reportedSubjects = new Set(
    comparisons.filter((x) => items.some((it) => it.documentId === String(sigs.get(x.questionedSignatureId)?.documentId))).map((x) => x.subjectId),
  );
  const excluded: ReportExcluded[] = store.documents
    .documentsOfCase(c.id)
    .filter((d) => !used.has(d.id))
    .map((d) => {
      const subject = d.role === 'known' ? d.subjectId : d.claimedSubjectId;
      return {
        path: d.originalPath,
        role: d.role,
        subject: subject === null ? '' : String(subjectName(store, subject) ?? ''),
        reason: notComparedReason(store, d, reportedSubjects, comparedDocs),
      };
    });
  const backend = (await resolveBackend()).backend;
  const series = await seriesOf(store, c.id, meta.id);
  const input: ReportInput = {
    case: {
      id: String(c.id),
      name: c.name,
      examiner: c.examiner ?? '',
      notes: c.notes ?? '',
      threshold,
      inconclusiveBand: zone && zone[1] > zone[0] ? { low: zone[0], high: zone[1] } : null,
      createdAt: c.createdAt,
      thresholdSource: comparisons[0]!.distances.thresholdSource,
    },
    generatedAt: opts.generatedAt ?? new Date().toISOString(),
    ...(opts.laboratory ? { laboratory: opts.laboratory } : {}),
    propositions: DEFAULT_PROPOSITIONS,
    items,
    excluded,
    corrections: corrections(store, c.id),
    thresholdHistory: thresholdHistory(store, c.id),
    ...(series ? { series } : {}),
    model: reportModel(meta, backend),
    appVersion: APP_VERSION,
    integrity: { inputs, ...auditAnchor(store, comparisons, c.id) },
  };
  return { input, comparisons };
}

/**
 * The series section: the case's questioned signatures grouped by hand with the model of the
 * reported comparisons (left out when the case has fewer than two, or uses another model now).
 */
async function seriesOf(store: Store, caseId: number, modelId: string): Promise<ReportSeries | null> {
  const r = await linkSeries(store, caseId);
  if (r.model.id !== modelId || r.groups.reduce((n, g) => n + g.members.length, 0) < 2) return null;
  return {
    linkage: r.linkage,
    cut: r.cut,
    cutSource: r.cutSource,
    basis: r.basis,
    groups: r.groups.map((g) => ({
      members: g.members.map((m) => ({ documentLabel: m.documentPath, claimedSubject: m.subjectName ?? '' })),
      within: g.within ? { mean: g.within.mean, max: g.within.max } : null,
    })),
  };
}
