import { z } from 'zod';
import type { AlignmentRow, AnnotationRow, AutoAlignResult, MeasurementRow } from '../../core/bench/repository.ts';
import {
  alignmentFilterSchema,
  alignmentInputSchema,
  annotationInputSchema,
  autoAlignInputSchema,
  benchFilterSchema,
  deleteInputSchema,
  measurementInputSchema,
} from '../../core/bench/schemas.ts';
import { method, type MethodDef } from './define.ts';

export type { AlignmentRow, AnnotationRow, AutoAlignResult, MeasurementRow };

/**
 * The examiner's bench (docs/bench.md): overlay alignments of K onto Q, measurements and
 * annotations on crops. Every create and delete is audit-logged and bound to the chain; a
 * delete is recorded with its reason and the row stays (lists show it with includeDeleted).
 */
export const benchMethods = {
  'bench.autoAlign': method<AutoAlignResult>()({
    summary: 'The automatic best fit of a reference crop onto a questioned crop at true scale (ink overlap over shift, rotation and scale); records nothing',
    args: autoAlignInputSchema,
    errors: ['NOT_FOUND', 'INVALID_ARGUMENT'],
  }),
  'bench.alignments.create': method<AlignmentRow>()({
    summary:
      "Record the examiner's overlay alignment of K onto Q (mm, degrees clockwise, scale), per comparison; fromAutoFit records the automatic fit it started from",
    args: alignmentInputSchema,
    errors: ['NOT_FOUND', 'INVALID_ARGUMENT', 'CONFLICT', 'INTEGRITY'],
  }),
  'bench.alignments.list': method<AlignmentRow[]>()({
    summary: 'Alignments of a case, a questioned signature, a pair or a comparison, oldest first (the newest of a pair is the current one)',
    args: alignmentFilterSchema,
    errors: ['INVALID_ARGUMENT'],
  }),
  'bench.alignments.delete': method<AlignmentRow>()({
    summary: 'Record the deletion of an alignment, with the reason (the row stays, marked deleted)',
    args: deleteInputSchema,
    errors: ['NOT_FOUND', 'INVALID_ARGUMENT', 'CONFLICT', 'INTEGRITY'],
  }),
  'bench.measurements.create': method<MeasurementRow>()({
    summary: 'Record a length (mm), slant angle (degrees), height ratio or baseline (degrees) on a crop; the value is computed from the points and the DPI',
    args: measurementInputSchema,
    errors: ['NOT_FOUND', 'INVALID_ARGUMENT', 'CONFLICT', 'INTEGRITY'],
  }),
  'bench.measurements.list': method<MeasurementRow[]>()({
    summary: 'Measurements of a case or a signature, oldest first',
    args: benchFilterSchema,
    errors: ['INVALID_ARGUMENT'],
  }),
  'bench.measurements.delete': method<MeasurementRow>()({
    summary: 'Record the deletion of a measurement, with the reason',
    args: deleteInputSchema,
    errors: ['NOT_FOUND', 'INVALID_ARGUMENT', 'CONFLICT', 'INTEGRITY'],
  }),
  'bench.annotations.create': method<AnnotationRow>()({
    summary: 'Record a mark on a crop (arrow, circle, free text) or a note on a signature',
    args: annotationInputSchema,
    errors: ['NOT_FOUND', 'INVALID_ARGUMENT', 'CONFLICT', 'INTEGRITY'],
  }),
  'bench.annotations.list': method<AnnotationRow[]>()({
    summary: 'Annotations and notes of a case or a signature, oldest first',
    args: benchFilterSchema,
    errors: ['INVALID_ARGUMENT'],
  }),
  'bench.annotations.delete': method<AnnotationRow>()({
    summary: 'Record the deletion of an annotation or note, with the reason',
    args: deleteInputSchema,
    errors: ['NOT_FOUND', 'INVALID_ARGUMENT', 'CONFLICT', 'INTEGRITY'],
  }),
} satisfies Record<string, MethodDef<z.ZodType>>;
