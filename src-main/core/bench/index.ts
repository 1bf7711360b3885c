export {
  BenchRepository,
  type AlignmentRow,
  type AnnotationGeometry,
  type AnnotationKind,
  type AnnotationRow,
  type AutoAlignResult,
  type DpiSource,
  type MeasurementRow,
} from './repository.ts';
export { autoFitCrops, bestFit, FIT_METHOD, type AutoFit, type FitResult, type InkImage } from './fit.ts';
export {
  baselineDeg,
  computeMeasurement,
  heightRatio,
  lengthMm,
  mmToPixels,
  pixelsToMm,
  slantDeg,
  UNIT_OF,
  type MeasurementKind,
  type MeasurementUnit,
  type Point,
} from './geometry.ts';
export * from './schemas.ts';
