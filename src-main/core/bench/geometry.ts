/**
 * Measurements on a signature crop, from points in the crop's pixels (x to the right, y down,
 * the top-left corner of the top-left pixel is 0,0) and the DPI the crop was scanned at.
 * Pure functions: the stored value is always computed here from the stored points, never
 * taken from the caller.
 *
 * Conventions (docs/bench.md):
 * - length: straight distance between two points, in mm (px / dpi * 25.4).
 * - angle (slant): the direction of the line from the first point to the second, in degrees
 *   counter-clockwise from the crop's horizontal as seen on screen, folded into [0, 180): a
 *   line has no direction. 90 is upright; below 90 leans to the right, above 90 to the left.
 * - height_ratio: the length of the first segment (points 1-2) divided by that of the second
 *   (points 3-4), e.g. the height of a capital over that of a lower-case letter. Unitless and
 *   independent of the DPI.
 * - baseline: the line fitted through two or more points on the writing line (orthogonal least
 *   squares); its angle in degrees in (-90, 90], counter-clockwise from the horizontal as seen
 *   on screen: positive rises to the right.
 */
import { AppError } from '../errors.ts';

export type Point = readonly [number, number];
export type MeasurementKind = 'length' | 'angle' | 'height_ratio' | 'baseline';
export type MeasurementUnit = 'mm' | 'deg' | 'ratio';

export const MM_PER_INCH = 25.4;

/** The unit a kind is stored in. */
export const UNIT_OF: Record<MeasurementKind, MeasurementUnit> = { length: 'mm', angle: 'deg', height_ratio: 'ratio', baseline: 'deg' };

/** How many points each kind takes: [min, max]. */
export const POINTS_OF: Record<MeasurementKind, readonly [number, number]> = { length: [2, 2], angle: [2, 2], height_ratio: [4, 4], baseline: [2, 200] };

function invalid(field: string, message: string): never {
  throw new AppError('INVALID_ARGUMENT', `${field}: ${message}`);
}

export function pixelsToMm(px: number, dpi: number): number {
  if (!(dpi > 0) || !Number.isFinite(dpi)) invalid('dpi', `expected a positive number, got ${dpi}`);
  return (px / dpi) * MM_PER_INCH;
}

export function mmToPixels(mm: number, dpi: number): number {
  if (!(dpi > 0) || !Number.isFinite(dpi)) invalid('dpi', `expected a positive number, got ${dpi}`);
  return (mm / MM_PER_INCH) * dpi;
}

export function distancePx(a: Point, b: Point): number {
  return Math.hypot(b[0] - a[0], b[1] - a[1]);
}

/** Length of the segment a-b in mm at `dpi`. */
export function lengthMm(a: Point, b: Point, dpi: number): number {
  return pixelsToMm(distancePx(a, b), dpi);
}

/** Screen angle of the direction a -> b, counter-clockwise from the horizontal, in (-180, 180]. */
function direction(a: Point, b: Point): number {
  const deg = (Math.atan2(-(b[1] - a[1]), b[0] - a[0]) * 180) / Math.PI;
  return deg === -180 ? 180 : deg;
}

/** Slant of the line through a and b, degrees in [0, 180) (see the file comment). */
export function slantDeg(a: Point, b: Point): number {
  const d = ((direction(a, b) % 180) + 180) % 180;
  return d >= 180 ? 0 : d;
}

/** Ratio of the lengths of two segments. */
export function heightRatio(a: readonly [Point, Point], b: readonly [Point, Point]): number {
  return distancePx(a[0], a[1]) / distancePx(b[0], b[1]);
}

/** Angle of the orthogonal least-squares line through the points, degrees in (-90, 90]. */
export function baselineDeg(points: readonly Point[]): number {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p[0], 0) / n;
  const my = points.reduce((s, p) => s + p[1], 0) / n;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (const [x, y] of points) {
    sxx += (x - mx) ** 2;
    syy += (y - my) ** 2;
    sxy += (x - mx) * (y - my);
  }
  // principal axis in image axes (y down); flip the sign for the screen convention
  const image = (0.5 * Math.atan2(2 * sxy, sxx - syy) * 180) / Math.PI;
  let deg = -image;
  if (deg <= -90) deg += 180;
  if (deg > 90) deg -= 180;
  return deg === 0 ? 0 : deg; // no -0
}

/**
 * Checks the points for a kind and computes the value in its unit. `size` is the crop's size
 * in pixels: every point must lie on it. `dpi` is needed for a length only.
 */
export function computeMeasurement(
  kind: MeasurementKind,
  points: readonly Point[],
  dpi: number | null,
  size: { width: number; height: number },
): { value: number; unit: MeasurementUnit } {
  const [min, max] = POINTS_OF[kind];
  if (points.length < min || points.length > max) {
    invalid('points', min === max ? `a ${kind} takes ${min} points, got ${points.length}` : `a ${kind} takes ${min} to ${max} points, got ${points.length}`);
  }
  points.forEach((p, i) => {
    if (!(p[0] >= 0 && p[0] <= size.width && p[1] >= 0 && p[1] <= size.height)) {
      invalid(`points[${i}]`, `[${p[0]}, ${p[1]}] lies outside the crop (${size.width} x ${size.height} pixels)`);
    }
  });
  const segment = (i: number, what: string) => {
    if (distancePx(points[i]!, points[i + 1]!) < 1) invalid(`points[${i + 1}]`, `${what} is shorter than one pixel`);
  };
  switch (kind) {
    case 'length':
      segment(0, 'the line');
      if (dpi === null) invalid('dpi', 'a length in mm needs the DPI of the scan: the document has none recorded, so give one');
      return { value: lengthMm(points[0]!, points[1]!, dpi), unit: 'mm' };
    case 'angle':
      segment(0, 'the line');
      return { value: slantDeg(points[0]!, points[1]!), unit: 'deg' };
    case 'height_ratio':
      segment(0, 'the first segment');
      segment(2, 'the second segment');
      return { value: heightRatio([points[0]!, points[1]!], [points[2]!, points[3]!]), unit: 'ratio' };
    case 'baseline': {
      const xs = points.map((p) => p[0]);
      const ys = points.map((p) => p[1]);
      if (Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys)) < 1)
        invalid('points', 'the baseline points are less than one pixel apart');
      return { value: baselineDeg(points), unit: 'deg' };
    }
  }
}
