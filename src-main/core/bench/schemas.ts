/**
 * What a caller may ask the bench to record, as zod schemas: the IPC contract uses them as
 * its argument schemas, and the repository checks its input with them too (a CLI or a test
 * calls it directly), so an error always names the field.
 */
import { z } from 'zod';
import { AppError } from '../errors.ts';

const id = z.number().int().positive();
const coordinate = z.number().min(-1e6).max(1e6);
/** A point in pixels of the crop: [x, y], x to the right, y down. */
export const pointSchema = z.tuple([coordinate, coordinate]);
const dpi = z.number().min(10).max(10000);
const text = (max: number) => z.string().trim().min(1, 'expected some text').max(max);
const reason = text(2000);
const color = z
  .string()
  .regex(/^#[0-9a-f]{6}$/, 'expected a colour like #c0392b (lower-case hex)')
  .nullable()
  .optional();

export const alignmentInputSchema = z
  .object({
    questionedSignatureId: id,
    referenceSignatureId: id,
    /** The comparison the alignment belongs to (null: made before any comparison). */
    comparisonId: id.nullable().optional(),
    /** Shift of K's centre from Q's centre at true scale: x to the right, y down. */
    dxMm: z.number().min(-1000).max(1000),
    dyMm: z.number().min(-1000).max(1000),
    /** Clockwise on screen. */
    rotationDeg: z.number().min(-180).max(180),
    scale: z.number().min(0.1).max(10),
    opacity: z.number().min(0).max(1).nullable().optional(),
    /** Used only when the document has no DPI of its own. */
    questionedDpi: dpi.nullable().optional(),
    referenceDpi: dpi.nullable().optional(),
    /** The examiner started from the automatic best fit: it is computed again and recorded with the alignment. */
    fromAutoFit: z.boolean().optional(),
    note: text(2000).nullable().optional(),
  })
  .strict();
export type AlignmentInput = z.input<typeof alignmentInputSchema>;

export const autoAlignInputSchema = z
  .object({
    questionedSignatureId: id,
    referenceSignatureId: id,
    questionedDpi: dpi.nullable().optional(),
    referenceDpi: dpi.nullable().optional(),
  })
  .strict();
export type AutoAlignInput = z.input<typeof autoAlignInputSchema>;

export const measurementInputSchema = z
  .object({
    signatureId: id,
    kind: z.enum(['length', 'angle', 'height_ratio', 'baseline']),
    /** Pixels of the signature's crop. length and angle: 2; height_ratio: 4 (two segments); baseline: 2 or more. */
    points: z.array(pointSchema).min(1).max(200),
    /** Used only when the document has no DPI of its own; a length needs one or the other. */
    dpi: dpi.nullable().optional(),
    label: text(500).nullable().optional(),
  })
  .strict();
export type MeasurementInput = z.input<typeof measurementInputSchema>;

const markBase = { signatureId: id, color };
export const annotationInputSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('arrow'), ...markBase, from: pointSchema, to: pointSchema, text: text(500).nullable().optional() }).strict(),
  z
    .object({ kind: z.literal('circle'), ...markBase, center: pointSchema, radius: z.number().positive().max(1e6), text: text(500).nullable().optional() })
    .strict(),
  z.object({ kind: z.literal('text'), ...markBase, at: pointSchema, text: text(500) }).strict(),
  /** A note on the signature (for a questioned one: the item's note in the report). */
  z.object({ kind: z.literal('note'), signatureId: id, text: text(5000) }).strict(),
]);
export type AnnotationInput = z.input<typeof annotationInputSchema>;

export const benchFilterSchema = z
  .object({
    caseId: id.optional(),
    signatureId: id.optional(),
    includeDeleted: z.boolean().optional(),
  })
  .strict()
  .refine((f) => f.caseId !== undefined || f.signatureId !== undefined, { message: 'give caseId or signatureId', path: ['caseId'] });
export type BenchFilter = z.input<typeof benchFilterSchema>;

export const alignmentFilterSchema = z
  .object({
    caseId: id.optional(),
    questionedSignatureId: id.optional(),
    referenceSignatureId: id.optional(),
    comparisonId: id.optional(),
    includeDeleted: z.boolean().optional(),
  })
  .strict()
  .refine((f) => f.caseId !== undefined || f.questionedSignatureId !== undefined || f.comparisonId !== undefined, {
    message: 'give caseId, questionedSignatureId or comparisonId',
    path: ['caseId'],
  });
export type AlignmentFilter = z.input<typeof alignmentFilterSchema>;

export const deleteInputSchema = z.object({ id, reason }).strict();
export type DeleteInput = z.input<typeof deleteInputSchema>;

/** Parses with a schema; a failure names every field at fault (`points.1: ...`). */
export function parseInput<S extends z.ZodType>(schema: S, raw: unknown, what: string): z.output<S> {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const fields = r.error.issues.map((i) => `${i.path.length ? i.path.join('.') : what}: ${i.message}`).join('; ');
  throw new AppError('INVALID_ARGUMENT', fields);
}
