/**
 * True scale: the one place that maps image pixels, millimetres on the paper and CSS pixels on
 * the screen (the examiner's bench, docs/compare.md). Plain functions over plain values, so the
 * viewer, its rulers, its tests and later measurement tools all read the same mapping.
 *
 * A scan at `dpi` dots per inch has 25.4 / dpi mm of paper per image pixel. A bench view shows
 * every pane at one scale `k` (CSS pixels per mm) with one origin (the paper point, in mm from
 * each image's top-left corner, at the pane's top-left corner): the same k and origin in every
 * pane is what "zoom and pan locked" means, and the same k for images of different dpi is what
 * "same physical size" means.
 */

export const MM_PER_INCH = 25.4;
/** Zoom limits, as multiples of the fitted scale. */
export const MIN_ZOOM = 0.25;
export const MAX_ZOOM = 32;

/** A point or a length in some unit; which unit is in the function's name. */
export interface Point {
  x: number;
  y: number;
}

/** One image on the bench: its size in pixels and its resolution (null: unknown). */
export interface ScaledImage {
  widthPx: number;
  heightPx: number;
  dpi: number | null;
}

/** The shared view of every pane: k CSS px per mm, and the paper point (mm) at the pane's top-left. */
export interface BenchView {
  k: number;
  origin: Point;
  /** The scale that fitted the images (zoom = k / fitK). */
  fitK: number;
}

export function mmPerPixel(dpi: number): number {
  if (!(dpi > 0)) throw new Error(`dpi must be positive, got ${dpi}`);
  return MM_PER_INCH / dpi;
}

/** An image's size on the paper in mm. */
export function sizeMm(img: ScaledImage, dpi: number): { w: number; h: number } {
  const m = mmPerPixel(dpi);
  return { w: img.widthPx * m, h: img.heightPx * m };
}

/** Image pixel -> mm on the paper (from the image's top-left). */
export function pxToMm(p: Point, dpi: number): Point {
  const m = mmPerPixel(dpi);
  return { x: p.x * m, y: p.y * m };
}

/** mm on the paper -> image pixel. */
export function mmToPx(p: Point, dpi: number): Point {
  const m = mmPerPixel(dpi);
  return { x: p.x / m, y: p.y / m };
}

/** mm on the paper -> CSS px in a pane showing `view`. */
export function mmToScreen(p: Point, view: Pick<BenchView, 'k' | 'origin'>): Point {
  return { x: (p.x - view.origin.x) * view.k, y: (p.y - view.origin.y) * view.k };
}

/** CSS px in a pane -> mm on the paper. */
export function screenToMm(p: Point, view: Pick<BenchView, 'k' | 'origin'>): Point {
  return { x: p.x / view.k + view.origin.x, y: p.y / view.k + view.origin.y };
}

/** Image pixel -> CSS px in a pane (through mm). */
export function pxToScreen(p: Point, dpi: number, view: Pick<BenchView, 'k' | 'origin'>): Point {
  return mmToScreen(pxToMm(p, dpi), view);
}

/** CSS px in a pane -> image pixel (through mm). */
export function screenToPx(p: Point, dpi: number, view: Pick<BenchView, 'k' | 'origin'>): Point {
  return mmToPx(screenToMm(p, view), dpi);
}

/**
 * What the bench can claim about the images' resolutions:
 * - 'same': all known and equal; 'differ': all known, not all equal (still true scale: each is
 *   scaled by its own dpi, and the UI says they differ);
 * - 'unknown': at least one is unknown: that one is drawn at `fallbackDpi` and its size in mm is not known.
 */
export type ResolutionState = { kind: 'same'; dpi: number } | { kind: 'differ'; dpis: number[] } | { kind: 'unknown'; unknown: number; of: number };

export function resolutionState(dpis: readonly (number | null)[]): ResolutionState {
  const unknown = dpis.filter((d) => d === null || !(d > 0)).length;
  if (unknown) return { kind: 'unknown', unknown, of: dpis.length };
  const known = dpis as number[];
  const distinct = [...new Set(known)].sort((a, b) => a - b);
  if (distinct.length <= 1) return { kind: 'same', dpi: distinct[0] ?? 0 };
  return { kind: 'differ', dpis: distinct };
}

/** The resolution a pane is drawn at: its own, else the fallback (the UI says it is unknown). */
export function effectiveDpi(dpi: number | null, fallbackDpi: number): number {
  return dpi !== null && dpi > 0 ? dpi : fallbackDpi;
}

/**
 * The largest k (CSS px per mm) at which every image fits a pane of `pane` CSS px with
 * `margin` px around it. Every image is drawn at this one k, each through its own dpi.
 */
export function fitScale(images: readonly ScaledImage[], pane: { width: number; height: number }, fallbackDpi: number, margin = 8): number {
  const w = Math.max(1, pane.width - 2 * margin);
  const h = Math.max(1, pane.height - 2 * margin);
  let k = Infinity;
  for (const img of images) {
    const s = sizeMm(img, effectiveDpi(img.dpi, fallbackDpi));
    if (s.w > 0) k = Math.min(k, w / s.w);
    if (s.h > 0) k = Math.min(k, h / s.h);
  }
  return Number.isFinite(k) ? k : 1;
}

/** The view that fits the images: scale from fitScale, origin so the images start `margin` px in. */
export function fitView(images: readonly ScaledImage[], pane: { width: number; height: number }, fallbackDpi: number, margin = 8): BenchView {
  const k = fitScale(images, pane, fallbackDpi, margin);
  return { k, fitK: k, origin: { x: -margin / k, y: -margin / k } };
}

/** Zoom by `factor` keeping the pane point `at` (CSS px) on the same paper point; zoom stays within MIN_ZOOM..MAX_ZOOM of the fit. */
export function zoomView(view: BenchView, factor: number, at: Point): BenchView {
  const k = Math.min(view.fitK * MAX_ZOOM, Math.max(view.fitK * MIN_ZOOM, view.k * factor));
  const paper = screenToMm(at, view);
  return { ...view, k, origin: { x: paper.x - at.x / k, y: paper.y - at.y / k } };
}

/** Set the zoom (k / fitK) keeping the pane point `at` still. */
export function zoomTo(view: BenchView, zoom: number, at: Point): BenchView {
  return zoomView(view, (zoom * view.fitK) / view.k, at);
}

/** Move the paper by (dx, dy) CSS px (a drag to the right moves the paper right). */
export function panView(view: BenchView, dx: number, dy: number): BenchView {
  return { ...view, origin: { x: view.origin.x - dx / view.k, y: view.origin.y - dy / view.k } };
}

/** Zoom as a multiple of the fitted scale. */
export function zoomOf(view: BenchView): number {
  return view.k / view.fitK;
}

/** CSS box of an image in a pane: left, top, width, height in CSS px. */
export function imageRect(img: ScaledImage, dpi: number, view: Pick<BenchView, 'k' | 'origin'>): { left: number; top: number; width: number; height: number } {
  const s = sizeMm(img, dpi);
  const tl = mmToScreen({ x: 0, y: 0 }, view);
  return { left: tl.x, top: tl.y, width: s.w * view.k, height: s.h * view.k };
}

export interface Tick {
  /** CSS px along the ruler. */
  at: number;
  mm: number;
  major: boolean;
  /** The label of a major tick (mm), else null. */
  label: string | null;
}

/** Steps between ticks the ruler may use, in mm. */
const STEPS = [0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100];

/**
 * Ticks of a millimetre ruler `length` CSS px long whose start shows paper point `startMm`
 * at `k` CSS px per mm: the finest step with ticks at least `minGap` px apart; a major
 * (labelled) tick every 5 or 10 steps, at least `minLabelGap` px apart.
 */
export function rulerTicks(length: number, startMm: number, k: number, minGap = 5, minLabelGap = 44): Tick[] {
  if (!(k > 0) || !(length > 0)) return [];
  const step = STEPS.find((s) => s * k >= minGap) ?? STEPS[STEPS.length - 1]!;
  const majorEvery = STEPS.find((s) => s >= step * 5 && s * k >= minLabelGap) ?? step * 10;
  const first = Math.ceil(startMm / step - 1e-9);
  const last = Math.floor((startMm + length / k) / step + 1e-9);
  const ticks: Tick[] = [];
  const digits = majorEvery < 1 ? 1 : 0;
  for (let i = first; i <= last && ticks.length < 2000; i++) {
    const mm = Math.round(i * step * 1e6) / 1e6 + 0;
    const ratio = mm / majorEvery;
    const major = Math.abs(ratio - Math.round(ratio)) < 1e-6;
    ticks.push({ at: (mm - startMm) * k, mm, major, label: major ? (Math.abs(mm) < 1e-9 ? '0' : mm.toFixed(digits)) : null });
  }
  return ticks;
}

/** How the references grid is ordered: by distance to Q (closest first or last), or as listed (K1, K2, ...). */
export type ReferenceOrder = 'listed' | 'closest' | 'farthest';

/**
 * Indices of `items` in the given order; ties by distance keep the listed order, so the sort
 * is stable and the same on every machine.
 */
export function orderReferences(items: readonly { distance: number }[], order: ReferenceOrder): number[] {
  const idx = items.map((_, i) => i);
  if (order === 'listed') return idx;
  const sign = order === 'closest' ? 1 : -1;
  return idx.sort((a, b) => sign * (items[a]!.distance - items[b]!.distance) || a - b);
}

/** The resolution a pane with an unknown one is drawn at: the smallest known one among the images, else 300 dpi. */
export function fallbackDpi(dpis: readonly (number | null)[]): number {
  const known = dpis.filter((d): d is number => d !== null && d > 0);
  return known.length ? Math.min(...known) : 300;
}

/** One sentence on what the bench's scale rests on, for the line above the panes. */
export function resolutionNote(state: ResolutionState, fallback: number, entered = false): string {
  const e = entered ? ' (some entered by the examiner on import)' : '';
  if (state.kind === 'same') return `True scale: both scans at ${fmtDpi(state.dpi)} dpi${e}; rulers in mm.`;
  if (state.kind === 'differ')
    return `True scale: the scans' resolutions differ (${state.dpis.map(fmtDpi).join(', ')} dpi${e}); each is scaled by its own, so the rulers agree.`;
  return `Resolution unknown for ${state.unknown} of ${state.of} image${state.of === 1 ? '' : 's'}: ${state.unknown === 1 ? 'it is' : 'they are'} drawn as if scanned at ${fmtDpi(fallback)} dpi, so ${state.unknown === 1 ? 'its' : 'their'} size is not known and not comparable.`;
}

function fmtDpi(d: number): string {
  return Number.isInteger(d) ? String(d) : d.toFixed(1);
}
