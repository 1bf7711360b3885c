/**
 * The measurement and marking tools of the true-scale bench (docs/compare.md, "Measure and
 * mark"): what each tool needs, and the marks drawn on a pane. Points are pixels of the crop
 * (docs/bench.md); the pane converts a pointer position with screenToPx (lib/true-scale.ts).
 */
import type { AnnotationRow, MeasurementRow } from '../../../src-main/ipc/contract.ts';
import type { Point } from './true-scale.ts';

export type MeasureKind = 'length' | 'angle' | 'height_ratio' | 'baseline';
export type MarkKind = 'arrow' | 'circle' | 'text';
export type Tool = 'pan' | MeasureKind | MarkKind;

export interface ToolDef {
  tool: Tool;
  label: string;
  /** Points it takes; 'many': two or more, then Finish. */
  points: number | 'many';
  /** What a click does, for the hint line. */
  hint: string;
  /** Needs the scan's resolution (a length in mm). */
  needsDpi: boolean;
}

export const TOOLS: readonly ToolDef[] = [
  { tool: 'pan', label: 'Pan', points: 0, hint: 'Drag to pan, wheel to zoom.', needsDpi: false },
  { tool: 'length', label: 'Length', points: 2, hint: 'Click the two ends of the length.', needsDpi: true },
  { tool: 'angle', label: 'Slant', points: 2, hint: 'Click the bottom and the top of the stroke.', needsDpi: false },
  { tool: 'height_ratio', label: 'Height ratio', points: 4, hint: 'Click the two ends of the first height, then of the second.', needsDpi: false },
  { tool: 'baseline', label: 'Baseline', points: 'many', hint: 'Click points along the baseline, then Finish.', needsDpi: false },
  { tool: 'arrow', label: 'Arrow', points: 2, hint: 'Click where the arrow starts, then what it points at.', needsDpi: false },
  { tool: 'circle', label: 'Circle', points: 2, hint: 'Click the centre, then a point on the rim.', needsDpi: false },
  { tool: 'text', label: 'Text', points: 1, hint: 'Type the text in the Text field, then click where it goes.', needsDpi: false },
];

export function toolDef(t: Tool): ToolDef {
  return TOOLS.find((d) => d.tool === t)!;
}

export const isMeasure = (t: Tool): t is MeasureKind => t === 'length' || t === 'angle' || t === 'height_ratio' || t === 'baseline';
export const isMark = (t: Tool): t is MarkKind => t === 'arrow' || t === 'circle' || t === 'text';

/** A point in crop pixels lies on the crop (the store refuses one that does not). */
export function onCrop(p: Point, widthPx: number, heightPx: number): boolean {
  return p.x >= 0 && p.y >= 0 && p.x <= widthPx && p.y <= heightPx;
}

/** A mark drawn on a pane, in crop pixels. */
export type PaneMark =
  | { kind: 'polyline'; id: string; points: Point[]; label: string; color: string; segments?: number }
  | { kind: 'arrow'; id: string; from: Point; to: Point; label: string; color: string }
  | { kind: 'circle'; id: string; center: Point; radius: number; label: string; color: string }
  | { kind: 'text'; id: string; at: Point; label: string; color: string };

export const MEASURE_COLOR = '#d35400';
export const MARK_COLOR = '#c0392b';

/**
 * The stored measurements (M1, M2, ...) and marks (A1, ...) of one crop as marks to draw on
 * its pane; notes have no place on the crop and are left out.
 */
export function paneMarks(measurements: readonly MeasurementRow[], annotations: readonly AnnotationRow[]): PaneMark[] {
  const ms: PaneMark[] = measurements.map((m, i) => ({
    kind: 'polyline',
    id: `m${m.id}`,
    points: m.points.map(([x, y]) => ({ x, y })),
    label: `M${i + 1}`,
    color: MEASURE_COLOR,
    segments: m.kind === 'height_ratio' ? 2 : 1,
  }));
  const as: PaneMark[] = [];
  annotations.forEach((a, i) => {
    const g = a.geometry;
    const label = `A${i + 1}${a.text ? ` ${a.text}` : ''}`;
    const color = a.color ?? MARK_COLOR;
    if (!g) return;
    if ('from' in g) as.push({ kind: 'arrow', id: `a${a.id}`, from: { x: g.from[0], y: g.from[1] }, to: { x: g.to[0], y: g.to[1] }, label, color });
    else if ('center' in g) as.push({ kind: 'circle', id: `a${a.id}`, center: { x: g.center[0], y: g.center[1] }, radius: g.radius, label, color });
    else as.push({ kind: 'text', id: `a${a.id}`, at: { x: g.at[0], y: g.at[1] }, label: a.text ?? '', color });
  });
  return [...ms, ...as];
}

/** How a measurement's value is written: length in mm to 0.1, angles to 0.1°, ratios to 0.01. */
export function formatMeasurement(value: number, unit: 'mm' | 'deg' | 'ratio'): string {
  if (unit === 'mm') return `${value.toFixed(1)} mm`;
  if (unit === 'deg') return `${value.toFixed(1)}°`;
  return value.toFixed(2);
}

export const MEASURE_NAMES: Record<MeasureKind, string> = { length: 'Length', angle: 'Slant', height_ratio: 'Height ratio', baseline: 'Baseline' };
export const MARK_NAMES: Record<MarkKind | 'note', string> = { arrow: 'Arrow', circle: 'Circle', text: 'Text', note: 'Note' };

/** The points of a pending tool as segments to draw: height ratio draws two segments, the others one polyline. */
export function pendingLines(tool: Tool, points: readonly Point[]): Point[][] {
  if (tool === 'height_ratio') return [points.slice(0, 2), points.slice(2, 4)].filter((s) => s.length);
  return points.length ? [[...points]] : [];
}
