/**
 * The examiner's bench records (migration 006): overlay alignments of K onto Q, measurements
 * and annotations on signature crops. Every write is one transaction with its audit row, and
 * the rows are bound to the audit chain like comparisons (store/row-bindings.ts). Rows are
 * never changed: a deletion is a tombstone with the examiner's reason, also audit-logged, and
 * lists leave deleted rows out unless asked for them.
 *
 * Values are computed here from what the examiner marked (geometry.ts, fit.ts): a measurement's
 * value and unit come from its points and the DPI, never from the caller.
 */
import sharp from 'sharp';
import { AppError } from '../errors.ts';
import {
  benchRow,
  comparisonOfAlignment,
  insertBenchRow,
  listBenchRows,
  markBenchRowDeleted,
  type BenchFilterColumn,
  type BenchTable,
  type RawBenchRow,
} from '../store/bench-rows.ts';
import type { Store } from '../store/index.ts';
import type { DocumentRow, SignatureRow } from '../store/types.ts';
import { autoFitCrops, type AutoFit } from './fit.ts';
import { computeMeasurement, type MeasurementKind, type MeasurementUnit, type Point } from './geometry.ts';
import {
  alignmentFilterSchema,
  alignmentInputSchema,
  annotationInputSchema,
  autoAlignInputSchema,
  benchFilterSchema,
  deleteInputSchema,
  measurementInputSchema,
  parseInput,
  type AlignmentFilter,
  type AlignmentInput,
  type AnnotationInput,
  type AutoAlignInput,
  type BenchFilter,
  type DeleteInput,
  type MeasurementInput,
} from './schemas.ts';

export type DpiSource = 'document' | 'given';

export interface AlignmentRow {
  id: number;
  caseId: number;
  questionedSignatureId: number;
  referenceSignatureId: number;
  comparisonId: number | null;
  dxMm: number;
  dyMm: number;
  rotationDeg: number;
  scale: number;
  opacity: number | null;
  questionedDpi: number;
  referenceDpi: number;
  /** The automatic best fit the examiner started from, when they did. */
  autoFit: AutoFit | null;
  note: string | null;
  createdAt: string;
  deletedAt: string | null;
  deletedReason: string | null;
}

export interface MeasurementRow {
  id: number;
  caseId: number;
  signatureId: number;
  /** The crop the points are pixels of. */
  cropSha256: string;
  kind: MeasurementKind;
  value: number;
  unit: MeasurementUnit;
  points: Point[];
  /** The DPI used (null for angles and ratios when none was known). */
  dpi: number | null;
  dpiSource: DpiSource | null;
  label: string | null;
  createdAt: string;
  deletedAt: string | null;
  deletedReason: string | null;
}

export type AnnotationKind = 'arrow' | 'circle' | 'text' | 'note';
export type AnnotationGeometry = { from: Point; to: Point } | { center: Point; radius: number } | { at: Point };

export interface AnnotationRow {
  id: number;
  caseId: number;
  signatureId: number;
  cropSha256: string | null;
  kind: AnnotationKind;
  /** Pixels of the crop; null for a note. */
  geometry: AnnotationGeometry | null;
  text: string | null;
  color: string | null;
  createdAt: string;
  deletedAt: string | null;
  deletedReason: string | null;
}

export interface AutoAlignResult extends AutoFit {
  questionedDpi: number;
  referenceDpi: number;
  dpiSource: { questioned: DpiSource; reference: DpiSource };
}

type Raw = RawBenchRow;

const base = (r: Raw) => ({
  id: r.id as number,
  caseId: r.case_id as number,
  createdAt: r.created_at as string,
  deletedAt: r.deleted_at as string | null,
  deletedReason: r.deleted_reason as string | null,
});

function toAlignment(r: Raw): AlignmentRow {
  return {
    ...base(r),
    questionedSignatureId: r.questioned_signature_id as number,
    referenceSignatureId: r.reference_signature_id as number,
    comparisonId: r.comparison_id as number | null,
    dxMm: r.dx_mm as number,
    dyMm: r.dy_mm as number,
    rotationDeg: r.rotation_deg as number,
    scale: r.scale as number,
    opacity: r.opacity as number | null,
    questionedDpi: r.questioned_dpi as number,
    referenceDpi: r.reference_dpi as number,
    autoFit: r.auto_fit === null ? null : (JSON.parse(r.auto_fit as string) as AutoFit),
    note: r.note as string | null,
  };
}

function toMeasurement(r: Raw): MeasurementRow {
  return {
    ...base(r),
    signatureId: r.signature_id as number,
    cropSha256: r.crop_sha256 as string,
    kind: r.kind as MeasurementKind,
    value: r.value as number,
    unit: r.unit as MeasurementUnit,
    points: JSON.parse(r.points as string) as Point[],
    dpi: r.dpi as number | null,
    dpiSource: r.dpi_source as DpiSource | null,
    label: r.label as string | null,
  };
}

function toAnnotation(r: Raw): AnnotationRow {
  return {
    ...base(r),
    signatureId: r.signature_id as number,
    cropSha256: r.crop_sha256 as string | null,
    kind: r.kind as AnnotationKind,
    geometry: r.geometry === null ? null : (JSON.parse(r.geometry as string) as AnnotationGeometry),
    text: r.text as string | null,
    color: r.color as string | null,
  };
}

const TABLE: Record<'alignment' | 'measurement' | 'annotation', BenchTable> = {
  alignment: 'bench_alignments',
  measurement: 'bench_measurements',
  annotation: 'bench_annotations',
};
type Kind = keyof typeof TABLE;

interface SignatureInfo {
  signature: SignatureRow;
  document: DocumentRow;
  caseId: number;
}

export class BenchRepository {
  constructor(private readonly store: Store) {}

  // ---- shared ----

  /** The signature, its document and case; `field` names the argument in errors. */
  private signatureInfo(id: number, field: string): SignatureInfo {
    const signature = this.store.documents.signature(id);
    if (!signature) throw new AppError('NOT_FOUND', `${field}: no signature ${id}`, { field });
    const document = this.store.documents.requireDocument(signature.documentId);
    if (document.caseId === null)
      throw new AppError('INVALID_ARGUMENT', `${field}: signature ${id} belongs to the reference library, not to a case`, { field });
    return { signature, document, caseId: document.caseId };
  }

  private crop(info: SignatureInfo, field: string): { sha256: string; bytes: Buffer } {
    const sha256 = info.signature.cropSha256;
    if (!sha256) throw new AppError('INVALID_ARGUMENT', `${field}: signature ${info.signature.id} has no crop to work on`, { field });
    return { sha256, bytes: this.store.objects.get(sha256) };
  }

  private async cropSize(bytes: Buffer, field: string): Promise<{ width: number; height: number }> {
    try {
      const m = await sharp(bytes).metadata();
      if (!m.width || !m.height) throw new Error('no size');
      return { width: m.width, height: m.height };
    } catch (err) {
      throw new AppError('INVALID_ARGUMENT', `${field}: the signature's crop cannot be read (${(err as Error).message})`, { field });
    }
  }

  /** The document's DPI when it has one (a different one given is refused), else the one given, else null. */
  private dpi(doc: DocumentRow, given: number | null | undefined, field: string): { dpi: number; source: DpiSource } | null {
    if (doc.dpi !== null) {
      if (given !== null && given !== undefined && Math.abs(given - doc.dpi) > 1e-6) {
        throw new AppError('INVALID_ARGUMENT', `${field}: document ${doc.id} was recorded at ${doc.dpi} dpi; ${given} was given`, { field });
      }
      return { dpi: doc.dpi, source: 'document' };
    }
    return given === null || given === undefined ? null : { dpi: given, source: 'given' };
  }

  private requireDpi(doc: DocumentRow, given: number | null | undefined, field: string): { dpi: number; source: DpiSource } {
    const d = this.dpi(doc, given, field);
    if (!d)
      throw new AppError('INVALID_ARGUMENT', `${field}: document ${doc.id} has no recorded DPI; give the DPI it was scanned at to work at true scale`, {
        field,
      });
    return d;
  }

  private insert(table: BenchTable, row: Record<string, unknown>): number {
    return insertBenchRow(this.store, table, row);
  }

  private getRow(kind: Kind, id: number): Raw | undefined {
    return benchRow(this.store, TABLE[kind], id);
  }

  /** Records the deletion of a bench row (a tombstone with the reason) and its audit row. */
  private remove(kind: Kind, raw: DeleteInput): Raw {
    const { id, reason } = parseInput(deleteInputSchema, raw, 'arguments');
    return this.store.write(() => {
      const row = this.getRow(kind, id);
      if (!row) throw new AppError('NOT_FOUND', `id: no ${kind} ${id}`, { field: 'id' });
      if (row.deleted_at !== null) throw new AppError('CONFLICT', `id: ${kind} ${id} was already deleted on ${String(row.deleted_at)}`, { field: 'id' });
      markBenchRowDeleted(this.store, TABLE[kind], id, new Date().toISOString(), reason);
      this.store.audit.append({ action: 'bench.delete', caseId: row.case_id as number, entity: `${kind}:${id}`, details: { kind, reason } });
      return this.getRow(kind, id)!;
    });
  }

  // ---- alignments ----

  /** The automatic best fit of K onto Q at true scale (nothing is recorded). */
  async autoAlign(raw: AutoAlignInput): Promise<AutoAlignResult> {
    const a = parseInput(autoAlignInputSchema, raw, 'arguments');
    const { q, k, qDpi, kDpi } = this.alignmentPair(a.questionedSignatureId, a.referenceSignatureId, a.questionedDpi, a.referenceDpi);
    const fit = await autoFitCrops(
      { image: this.crop(q, 'questionedSignatureId').bytes, dpi: qDpi.dpi },
      { image: this.crop(k, 'referenceSignatureId').bytes, dpi: kDpi.dpi },
    );
    return { ...fit, questionedDpi: qDpi.dpi, referenceDpi: kDpi.dpi, dpiSource: { questioned: qDpi.source, reference: kDpi.source } };
  }

  private alignmentPair(qId: number, kId: number, qGiven: number | null | undefined, kGiven: number | null | undefined) {
    const q = this.signatureInfo(qId, 'questionedSignatureId');
    const k = this.signatureInfo(kId, 'referenceSignatureId');
    if (q.document.role !== 'questioned')
      throw new AppError('INVALID_ARGUMENT', `questionedSignatureId: signature ${qId} is on a known document, not a questioned one`, {
        field: 'questionedSignatureId',
      });
    if (k.document.role !== 'known')
      throw new AppError('INVALID_ARGUMENT', `referenceSignatureId: signature ${kId} is on a questioned document, not a known one`, {
        field: 'referenceSignatureId',
      });
    if (q.caseId !== k.caseId)
      throw new AppError(
        'INVALID_ARGUMENT',
        `referenceSignatureId: signature ${kId} belongs to case ${k.caseId}, the questioned signature to case ${q.caseId}`,
        { field: 'referenceSignatureId' },
      );
    return { q, k, qDpi: this.requireDpi(q.document, qGiven, 'questionedDpi'), kDpi: this.requireDpi(k.document, kGiven, 'referenceDpi') };
  }

  async createAlignment(raw: AlignmentInput): Promise<AlignmentRow> {
    const a = parseInput(alignmentInputSchema, raw, 'arguments');
    const { q, qDpi, kDpi } = this.alignmentPair(a.questionedSignatureId, a.referenceSignatureId, a.questionedDpi, a.referenceDpi);
    const comparisonId = a.comparisonId ?? null;
    if (comparisonId !== null) {
      const c = comparisonOfAlignment(this.store, comparisonId);
      if (!c) throw new AppError('NOT_FOUND', `comparisonId: no comparison ${comparisonId}`, { field: 'comparisonId' });
      if (c.q !== a.questionedSignatureId)
        throw new AppError('INVALID_ARGUMENT', `comparisonId: comparison ${comparisonId} is of signature ${c.q}, not of ${a.questionedSignatureId}`, {
          field: 'comparisonId',
        });
      const refs = ((JSON.parse(c.distances) as { perReference?: { signatureId: number }[] }).perReference ?? []).map((r) => r.signatureId);
      if (!refs.includes(a.referenceSignatureId)) {
        throw new AppError(
          'INVALID_ARGUMENT',
          `referenceSignatureId: signature ${a.referenceSignatureId} is not one of comparison ${comparisonId}'s references`,
          { field: 'referenceSignatureId' },
        );
      }
    }
    const autoFit = a.fromAutoFit
      ? await autoFitCrops(
          { image: this.crop(q, 'questionedSignatureId').bytes, dpi: qDpi.dpi },
          { image: this.crop(this.signatureInfo(a.referenceSignatureId, 'referenceSignatureId'), 'referenceSignatureId').bytes, dpi: kDpi.dpi },
        )
      : null;
    return this.store.write(() => {
      const id = this.insert('bench_alignments', {
        case_id: q.caseId,
        questioned_signature_id: a.questionedSignatureId,
        reference_signature_id: a.referenceSignatureId,
        comparison_id: comparisonId,
        dx_mm: a.dxMm,
        dy_mm: a.dyMm,
        rotation_deg: a.rotationDeg,
        scale: a.scale,
        opacity: a.opacity ?? null,
        questioned_dpi: qDpi.dpi,
        reference_dpi: kDpi.dpi,
        auto_fit: autoFit ? JSON.stringify(autoFit) : null,
        note: a.note ?? null,
        created_at: new Date().toISOString(),
      });
      this.store.audit.append({
        action: 'bench.align',
        caseId: q.caseId,
        entity: `alignment:${id}`,
        details: {
          questioned: a.questionedSignatureId,
          reference: a.referenceSignatureId,
          comparison: comparisonId,
          dxMm: a.dxMm,
          dyMm: a.dyMm,
          rotationDeg: a.rotationDeg,
          scale: a.scale,
          dpi: { questioned: qDpi, reference: kDpi },
          fromAutoFit: autoFit !== null,
        },
      });
      return toAlignment(this.getRow('alignment', id)!);
    });
  }

  /** Alignments, oldest first; the newest one of a pair is the examiner's current choice. */
  listAlignments(raw: AlignmentFilter): AlignmentRow[] {
    const f = parseInput(alignmentFilterSchema, raw, 'arguments');
    const filter: Partial<Record<BenchFilterColumn, number>> = {};
    if (f.caseId !== undefined) filter.case_id = f.caseId;
    if (f.questionedSignatureId !== undefined) filter.questioned_signature_id = f.questionedSignatureId;
    if (f.referenceSignatureId !== undefined) filter.reference_signature_id = f.referenceSignatureId;
    if (f.comparisonId !== undefined) filter.comparison_id = f.comparisonId;
    return listBenchRows(this.store, 'bench_alignments', filter, f.includeDeleted === true).map(toAlignment);
  }

  deleteAlignment(raw: DeleteInput): AlignmentRow {
    return toAlignment(this.remove('alignment', raw));
  }

  // ---- measurements ----

  async createMeasurement(raw: MeasurementInput): Promise<MeasurementRow> {
    const m = parseInput(measurementInputSchema, raw, 'arguments');
    const info = this.signatureInfo(m.signatureId, 'signatureId');
    const crop = this.crop(info, 'signatureId');
    const size = await this.cropSize(crop.bytes, 'signatureId');
    const dpi = this.dpi(info.document, m.dpi, 'dpi');
    const points = m.points as Point[];
    const { value, unit } = computeMeasurement(m.kind, points, dpi?.dpi ?? null, size);
    return this.store.write(() => {
      const id = this.insert('bench_measurements', {
        case_id: info.caseId,
        signature_id: m.signatureId,
        crop_sha256: crop.sha256,
        kind: m.kind,
        value,
        unit,
        points: JSON.stringify(points),
        dpi: dpi?.dpi ?? null,
        dpi_source: dpi?.source ?? null,
        label: m.label ?? null,
        created_at: new Date().toISOString(),
      });
      this.store.audit.append({
        action: 'bench.measure',
        caseId: info.caseId,
        entity: `measurement:${id}`,
        details: { signature: m.signatureId, kind: m.kind, value, unit, points, dpi: dpi?.dpi ?? null, dpiSource: dpi?.source ?? null },
      });
      return toMeasurement(this.getRow('measurement', id)!);
    });
  }

  listMeasurements(raw: BenchFilter): MeasurementRow[] {
    return this.list('bench_measurements', raw).map(toMeasurement);
  }

  deleteMeasurement(raw: DeleteInput): MeasurementRow {
    return toMeasurement(this.remove('measurement', raw));
  }

  // ---- annotations ----

  async createAnnotation(raw: AnnotationInput): Promise<AnnotationRow> {
    const a = parseInput(annotationInputSchema, raw, 'arguments');
    const info = this.signatureInfo(a.signatureId, 'signatureId');
    let geometry: AnnotationGeometry | null = null;
    let cropSha: string | null = null;
    if (a.kind !== 'note') {
      const crop = this.crop(info, 'signatureId');
      cropSha = crop.sha256;
      const size = await this.cropSize(crop.bytes, 'signatureId');
      const on = (p: readonly [number, number], field: string) => {
        if (!(p[0] >= 0 && p[0] <= size.width && p[1] >= 0 && p[1] <= size.height)) {
          throw new AppError('INVALID_ARGUMENT', `${field}: [${p[0]}, ${p[1]}] lies outside the crop (${size.width} x ${size.height} pixels)`, { field });
        }
        return [p[0], p[1]] as Point;
      };
      if (a.kind === 'arrow') {
        geometry = { from: on(a.from, 'from'), to: on(a.to, 'to') };
        if (Math.hypot(a.to[0] - a.from[0], a.to[1] - a.from[1]) < 1)
          throw new AppError('INVALID_ARGUMENT', 'to: the arrow is shorter than one pixel', { field: 'to' });
      } else if (a.kind === 'circle') {
        if (a.radius > Math.max(size.width, size.height))
          throw new AppError('INVALID_ARGUMENT', `radius: ${a.radius} is larger than the crop (${size.width} x ${size.height} pixels)`, { field: 'radius' });
        geometry = { center: on(a.center, 'center'), radius: a.radius };
      } else geometry = { at: on(a.at, 'at') };
    }
    const text = 'text' in a ? (a.text ?? null) : null;
    const color = 'color' in a ? (a.color ?? null) : null;
    return this.store.write(() => {
      const id = this.insert('bench_annotations', {
        case_id: info.caseId,
        signature_id: a.signatureId,
        crop_sha256: cropSha,
        kind: a.kind,
        geometry: geometry ? JSON.stringify(geometry) : null,
        text,
        color,
        created_at: new Date().toISOString(),
      });
      this.store.audit.append({
        action: a.kind === 'note' ? 'bench.note' : 'bench.annotate',
        caseId: info.caseId,
        entity: `annotation:${id}`,
        details: { signature: a.signatureId, kind: a.kind, geometry, text },
      });
      return toAnnotation(this.getRow('annotation', id)!);
    });
  }

  listAnnotations(raw: BenchFilter): AnnotationRow[] {
    return this.list('bench_annotations', raw).map(toAnnotation);
  }

  deleteAnnotation(raw: DeleteInput): AnnotationRow {
    return toAnnotation(this.remove('annotation', raw));
  }

  private list(table: BenchTable, raw: BenchFilter): Raw[] {
    const f = parseInput(benchFilterSchema, raw, 'arguments');
    const filter: Partial<Record<BenchFilterColumn, number>> = {};
    if (f.caseId !== undefined) filter.case_id = f.caseId;
    if (f.signatureId !== undefined) filter.signature_id = f.signatureId;
    return listBenchRows(this.store, table, filter, f.includeDeleted === true);
  }
}
