/**
 * Finding the handwritten signature on a cheque or page scan.
 *
 * On a 100-150 ppi working copy (analyse.ts): ink is what is clearly darker than the paper
 * (light guilloche, rosettes and tints are not); printed rule lines are found and taken out;
 * connected components are classed as noise, logo, printed text or pen strokes (classify.ts).
 *
 * Cheques (and forms) have a signature line: a printed rule in the lower right with pen
 * strokes standing on it. Each such rule is tried: its zone runs from the next rule above
 * (the amount line, whose handwriting must stay out) to a little below it (descenders and
 * flourishes cross it); the pen strokes in the zone are grouped by proximity, and the main
 * group with its close neighbours is the signature. Zones are compared on the position prior
 * (lower right), the size of the group and how cleanly it stands in its zone.
 *
 * Without a usable signature line, pen-stroke clusters anywhere on the page are scored on
 * the position prior (lower right on a landscape cheque, lower part of a page), standing on
 * a rule, size and ink colour against the printed text's colour; confidence is then lower.
 *
 * The box is refined on the original pixels of the chosen strokes and returned in original
 * pixels, with a confidence; below `flagBelow` it is flagged for the examiner.
 */
import { analysePage, MIN_PAGE_CONTRAST, type PageAnalysis } from './analyse.ts';
import { classifyComponents } from './classify.ts';
import { lineRowAt } from './lines.ts';
import { checkRaw, type Box, type RawImage } from './pixels.ts';
import { groupByProximity, onSignatureLine, smooth, type Pick } from './signature-line.ts';

export { groupByProximity } from './signature-line.ts';

/** Version of the localiser's rules, recorded with every box it proposes. */
export const LOCALISE_VERSION = 2;

export interface LocaliseOptions {
  /** Pixels per inch of the original, when known (else estimated from the page shape). */
  dpi?: number | null;
  /** Below this confidence the result is flagged for the examiner (default 0.5). */
  flagBelow?: number;
  /** Return the analysis details for inspection. */
  debug?: boolean;
  /** Name used in messages. */
  name?: string;
}

export interface Candidate {
  /** Box in original pixels. */
  box: Box;
  score: number;
  method: 'signature-line' | 'clusters';
  factors: Record<string, number>;
  /** The signature-line zone searched, in original pixels. */
  zone?: Box;
}

export interface LocaliseDebug {
  factor: number;
  dpi: number;
  dpiEstimated: boolean;
  paper: number;
  threshold: number;
  lines: { horizontal: boolean; box: Box }[];
  counts: { noise: number; text: number; logo: number; stroke: number };
  candidates: Candidate[];
  ms: number;
}

export interface LocaliseResult {
  /** [x, y, w, h] in original pixels (orientation applied). */
  box: Box;
  /** 0..1: how sure the localiser is that the box holds the signature, and all of it. */
  confidence: number;
  /** Low confidence: the examiner should check or adjust the box. */
  flagged: boolean;
  method: 'signature-line' | 'clusters' | 'none';
  /** Why it is flagged, in words. */
  reason?: string;
  /** Where the chosen strokes are (none for method 'none'): to clean the crop before normalising. */
  strokes?: StrokeMask;
  debug?: LocaliseDebug;
}

/**
 * The chosen pen strokes on the working grid (each cell `factor` x `factor` original pixels),
 * dilated by one cell and without printed rules: an original pixel belongs to the signature
 * when its cell is set. Printed captions, rules and background inside the box are not.
 */
export interface StrokeMask {
  factor: number;
  /** Top-left cell and size of the mask on the working grid. */
  x0: number;
  y0: number;
  w: number;
  h: number;
  cells: Uint8Array;
}

/** True when the original pixel (x, y) lies on a cell of the mask. */
export function onStrokes(m: StrokeMask, x: number, y: number): boolean {
  const cx = Math.floor(x / m.factor) - m.x0;
  const cy = Math.floor(y / m.factor) - m.y0;
  return cx >= 0 && cy >= 0 && cx < m.w && cy < m.h && m.cells[cy * m.w + cx] === 1;
}

/** Fallback: pen-stroke clusters anywhere, scored on position, rule under, size and colour. */
function byClusters(a: PageAnalysis): Pick[] {
  const u = a.scale.workDpi;
  const W = a.width;
  const H = a.height;
  const landscape = W / H >= 1.5;
  const strokes = a.components.filter((c) => c.kind === 'stroke');
  const groups = groupByProximity(strokes, 0.3 * u, 0.12 * u);
  const text = a.components.filter((c) => c.kind === 'text');
  const textBlue = text.length ? median(text.map((c) => c.blueness)) : 0;
  const picks: Pick[] = [];
  for (const g of groups) {
    const cx = (g.x0 + g.x1) / 2 / W;
    const cy = (g.y0 + g.y1) / 2 / H;
    const hIn = (g.y1 - g.y0 + 1) / u;
    const wIn = (g.x1 - g.x0 + 1) / u;
    const position = landscape ? smooth(0.3, 0.62, cx) * smooth(0.35, 0.68, cy) : 0.3 + 0.7 * smooth(0.3, 0.75, cy);
    const rule = a.lines.some((l) => {
      if (!l.horizontal) return false;
      const below = lineRowAt(l, (g.x0 + g.x1) / 2) - g.y1;
      const overlap = Math.min(l.x1, g.x1) - Math.max(l.x0, g.x0);
      return below <= 0.3 * u && below >= -0.6 * (g.y1 - g.y0) && overlap >= (g.x1 - g.x0) * 0.5;
    })
      ? 1
      : 0;
    const size = smooth(0.1, 0.3, hIn) * smooth(0.3, 0.9, wIn) * (1 - smooth(1.6, 3, hIn));
    let blue = 0;
    for (const c of g.parts) blue += c.blueness * c.area;
    blue /= g.area;
    const colour = a.rgb ? smooth(8, 30, blue - textBlue) : 0;
    const score = 0.7 * (0.1 + 0.9 * position) * (0.5 + 0.5 * rule) * (0.15 + 0.85 * size) * (0.85 + 0.15 * colour);
    const ids = new Set(g.parts.map((c) => c.id));
    const chosen = (x: number, y: number): boolean => {
      const l = a.labels[y * W + x]!;
      return l >= 0 && ids.has(l);
    };
    picks.push({ score, factors: { position, rule, size, colour }, chosen, x0: g.x0, y0: g.y0, x1: g.x1, y1: g.y1, method: 'clusters' });
  }
  return picks;
}

function median(v: number[]): number {
  const s = [...v].sort((p, q) => p - q);
  return s.length ? s[Math.floor(s.length / 2)]! : 0;
}

/** Box of the chosen strokes' ink on the original pixels, in original coordinates, and their mask. */
function refineBox(img: RawImage, a: PageAnalysis, p: Pick): { box: Box; strokes: StrokeMask } {
  const f = a.scale.factor;
  const w = a.width;
  const h = a.height;
  const wx0 = Math.max(0, p.x0 - 1);
  const wy0 = Math.max(0, p.y0 - 1);
  const wx1 = Math.min(w - 1, p.x1 + 1);
  const wy1 = Math.min(h - 1, p.y1 + 1);
  const ww = wx1 - wx0 + 1;
  // chosen cells dilated by one (reduction lightens stroke edges), minus rule lines
  const near = new Uint8Array(ww * (wy1 - wy0 + 1));
  for (let y = wy0; y <= wy1; y++) {
    for (let x = wx0; x <= wx1; x++) {
      if (!p.chosen(x, y)) continue;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const yy = y + dy;
          const xx = x + dx;
          if (yy < wy0 || xx < wx0 || yy > wy1 || xx > wx1) continue;
          if ((dx || dy) && a.lineMask[yy * w + xx]) continue;
          near[(yy - wy0) * ww + (xx - wx0)] = 1;
        }
      }
    }
  }
  const c = img.channels;
  const X1 = Math.min(img.width - 1, (wx1 + 1) * f - 1);
  const Y1 = Math.min(img.height - 1, (wy1 + 1) * f - 1);
  let bx0 = Infinity;
  let by0 = Infinity;
  let bx1 = -1;
  let by1 = -1;
  const t = a.threshold;
  for (let y = wy0 * f; y <= Y1; y++) {
    const cy = Math.min(wy1, Math.floor(y / f)) - wy0;
    for (let x = wx0 * f; x <= X1; x++) {
      if (!near[cy * ww + (Math.min(wx1, Math.floor(x / f)) - wx0)]) continue;
      const si = (y * img.width + x) * c;
      const v = c >= 3 ? (77 * img.data[si]! + 150 * img.data[si + 1]! + 29 * img.data[si + 2]! + 128) >> 8 : img.data[si]!;
      if (v > t) continue;
      if (x < bx0) bx0 = x;
      if (x > bx1) bx1 = x;
      if (y < by0) by0 = y;
      if (y > by1) by1 = y;
    }
  }
  const strokes: StrokeMask = { factor: f, x0: wx0, y0: wy0, w: ww, h: wy1 - wy0 + 1, cells: near };
  if (bx1 < 0) return { box: [p.x0 * f, p.y0 * f, (p.x1 - p.x0 + 1) * f, (p.y1 - p.y0 + 1) * f], strokes };
  return { box: [bx0, by0, bx1 - bx0 + 1, by1 - by0 + 1], strokes };
}

/** The page analysis the localiser works on (components classed): see analyse.ts. */
export function analyseForLocalisation(img: RawImage, opts: { dpi?: number | null; name?: string } = {}): PageAnalysis {
  checkRaw(img, opts.name ?? 'page');
  const a = analysePage(img, { dpi: opts.dpi ?? null });
  classifyComponents(a);
  return a;
}

/** Finds the signature on a scan (see the file comment). */
export function localiseSignature(img: RawImage, opts: LocaliseOptions = {}): LocaliseResult {
  const t0 = performance.now();
  return localiseOnAnalysis(img, analyseForLocalisation(img, opts), opts, t0);
}

/** The same on a page already analysed (the importer analyses once to tell crops from pages). */
export function localiseOnAnalysis(img: RawImage, a: PageAnalysis, opts: LocaliseOptions = {}, t0 = performance.now()): LocaliseResult {
  const u = a.scale.workDpi;
  const picks: Pick[] = [];
  if (a.paper - a.inkLevel >= MIN_PAGE_CONTRAST) {
    const horizontal = a.lines.filter((l) => l.horizontal);
    for (const L of horizontal) {
      if (L.x1 - L.x0 < 1.0 * u || L.x1 - L.x0 > 0.85 * a.width) continue;
      // a shorter rule just above a longer one is an underline flourish, not the signature line
      const under = horizontal.find(
        (m) =>
          m !== L &&
          m.x1 - m.x0 <= 0.85 * a.width &&
          m.pos > L.pos &&
          m.pos - L.pos < 0.5 * u &&
          L.x1 - L.x0 < 0.9 * (m.x1 - m.x0) &&
          Math.min(m.x1, L.x1) - Math.max(m.x0, L.x0) > 0.6 * (L.x1 - L.x0),
      );
      if (under) continue;
      const p = onSignatureLine(a, L);
      if (p) picks.push(p);
    }
    picks.push(...byClusters(a));
  }
  picks.sort((p, q) => q.score - p.score);
  const f = a.scale.factor;
  const flagBelow = opts.flagBelow ?? 0.5;
  const best = picks[0];
  let result: LocaliseResult;
  if (!best || best.score < 0.02) {
    result = { box: [0, 0, img.width, img.height], confidence: 0, flagged: true, method: 'none', reason: 'no handwriting found; draw the box by hand' };
  } else {
    const { box, strokes } = refineBox(img, a, best);
    // the runner-up: the best pick elsewhere (picks of the same strokes do not compete)
    const other = picks.find((p) => p !== best && !overlaps(p, best));
    const lead = 1 - (other?.score ?? 0) / best.score;
    const confidence = Math.max(0, Math.min(1, best.score * (0.45 + 0.65 * lead)));
    const flagged = confidence < flagBelow;
    result = { box, confidence: Math.round(confidence * 1000) / 1000, flagged, method: best.method, strokes };
    if (flagged) {
      result.reason =
        lead < 0.3
          ? 'more than one place looks like a signature; check the box'
          : best.factors.reachesTop
            ? 'the signature runs into other writing; check that the box holds all of it and nothing else'
            : 'the signature is not where it usually is, or is unusually small; check the box';
    }
  }
  if (opts.debug) {
    const counts = { noise: 0, text: 0, logo: 0, stroke: 0 };
    for (const c of a.components) counts[c.kind ?? 'stroke']++;
    const scaled = (p: Pick): Box => [p.x0 * f, p.y0 * f, (p.x1 - p.x0 + 1) * f, (p.y1 - p.y0 + 1) * f];
    result.debug = {
      factor: f,
      dpi: a.scale.dpi,
      dpiEstimated: a.scale.dpiEstimated,
      paper: Math.round(a.paper),
      threshold: a.threshold,
      lines: a.lines.map((l) => ({ horizontal: l.horizontal, box: [l.x0 * f, l.y0 * f, (l.x1 - l.x0 + 1) * f, (l.y1 - l.y0 + 1) * f] as Box })),
      counts,
      candidates: picks.slice(0, 8).map((p) => ({
        box: scaled(p),
        score: Math.round(p.score * 1000) / 1000,
        method: p.method,
        factors: p.factors,
        ...(p.zone ? { zone: [p.zone[0] * f, p.zone[1] * f, (p.zone[2] - p.zone[0] + 1) * f, (p.zone[3] - p.zone[1] + 1) * f] as Box } : {}),
      })),
      ms: Math.round((performance.now() - t0) * 10) / 10,
    };
  }
  return result;
}

function overlaps(p: Pick, q: Pick): boolean {
  const ix = Math.min(p.x1, q.x1) - Math.max(p.x0, q.x0);
  const iy = Math.min(p.y1, q.y1) - Math.max(p.y0, q.y0);
  if (ix <= 0 || iy <= 0) return false;
  const inter = ix * iy;
  const area = (g: Pick): number => (g.x1 - g.x0) * (g.y1 - g.y0);
  return inter >= 0.3 * Math.min(area(p), area(q));
}
