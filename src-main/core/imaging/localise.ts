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
import { componentStats, label, type Component } from './components.ts';
import { lineRowAt, type Line } from './lines.ts';
import { checkRaw, type Box, type RawImage } from './pixels.ts';

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
  debug?: LocaliseDebug;
}

const smooth = (a: number, b: number, v: number): number => {
  const t = Math.max(0, Math.min(1, (v - a) / (b - a)));
  return t * t * (3 - 2 * t);
};

/** Pen-stroke pieces inside a zone, relabelled there, as working-image components. */
interface ZoneParts {
  x0: number;
  y0: number;
  w: number;
  h: number;
  labels: Int32Array;
  comps: Component[];
  /** The page component each zone component is part of. */
  global: Int32Array;
}

interface Group {
  parts: Component[];
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  area: number;
}

function union(g: Group, c: { x0: number; y0: number; x1: number; y1: number; area: number }): void {
  g.x0 = Math.min(g.x0, c.x0);
  g.y0 = Math.min(g.y0, c.y0);
  g.x1 = Math.max(g.x1, c.x1);
  g.y1 = Math.max(g.y1, c.y1);
  g.area += c.area;
}

/** Groups components whose boxes come within gx horizontally and gy vertically. */
export function groupByProximity(comps: Component[], gx: number, gy: number): Group[] {
  const s = [...comps].sort((p, q) => p.x0 - q.x0);
  const n = s.length;
  const parent = Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  let maxW = 0;
  for (const c of s) maxW = Math.max(maxW, c.x1 - c.x0 + 1);
  for (let i = 0; i < n; i++) {
    const p = s[i]!;
    for (let j = i + 1; j < n; j++) {
      const q = s[j]!;
      if (q.x0 > p.x0 + maxW + gx) break;
      if (q.x0 > p.x1 + gx || p.x0 > q.x1 + gx) continue;
      if (q.y0 > p.y1 + gy || p.y0 > q.y1 + gy) continue;
      parent[find(i)] = find(j);
    }
  }
  const byRoot = new Map<number, Group>();
  for (let i = 0; i < n; i++) {
    const c = s[i]!;
    const r = find(i);
    let g = byRoot.get(r);
    if (!g) {
      g = { parts: [], x0: c.x0, y0: c.y0, x1: c.x1, y1: c.y1, area: 0 };
      byRoot.set(r, g);
    }
    g.parts.push(c);
    union(g, c);
  }
  return [...byRoot.values()];
}

/**
 * The zone's pen-stroke pixels (text and logos left out), relabelled inside the zone. Rules
 * lying wholly inside the zone other than the signature line itself (`keepLines`) are pen
 * strokes after all: a straight underline flourish looks like a printed rule.
 */
function zoneParts(a: PageAnalysis, x0: number, y0: number, x1: number, y1: number, penLines: Line[]): ZoneParts {
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;
  const sub = new Uint8Array(w * h);
  const kinds = a.components;
  for (let y = 0; y < h; y++) {
    const src = (y0 + y) * a.width + x0;
    for (let x = 0; x < w; x++) {
      const l = a.labels[src + x]!;
      if (l >= 0 && kinds[l]!.kind !== 'text' && kinds[l]!.kind !== 'logo') sub[y * w + x] = 1;
    }
  }
  for (const m of penLines) {
    for (let y = Math.max(y0, m.y0); y <= Math.min(y1, m.y1); y++) {
      for (let x = Math.max(x0, m.x0); x <= Math.min(x1, m.x1); x++) {
        if (a.lineMask[y * a.width + x]) sub[(y - y0) * w + (x - x0)] = 1;
      }
    }
  }
  const { labels, count } = label(sub, w, h);
  const grey = new Uint8Array(w * h);
  const comps = componentStats(labels, count, w, h, grey, null);
  const global = new Int32Array(count).fill(-1);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const l = labels[y * w + x]!;
      if (l >= 0 && global[l]! < 0) global[l] = a.labels[(y0 + y) * a.width + x0 + x]!;
    }
  }
  for (const c of comps) {
    c.x0 += x0;
    c.x1 += x0;
    c.y0 += y0;
    c.y1 += y0;
  }
  return { x0, y0, w, h, labels, comps, global };
}

interface Pick {
  score: number;
  factors: Record<string, number>;
  /** Working-image mask test for the chosen pixels. */
  chosen: (x: number, y: number) => boolean;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  method: 'signature-line' | 'clusters';
  zone?: [number, number, number, number];
}

/** The signature standing on one candidate signature line, if any. */
function onSignatureLine(a: PageAnalysis, L: Line): Pick | null {
  const u = a.scale.workDpi;
  const W = a.width;
  const H = a.height;
  const zx0 = Math.max(0, Math.round(L.x0 - 0.6 * u));
  const zx1 = Math.min(W - 1, Math.round(L.x1 + 0.4 * u));
  const row = (x: number): number => lineRowAt(L, x);
  // The rule above (amount or payee line) bounds the zone: its handwriting is not the signature.
  let top = Math.max(0, Math.round(Math.min(row(zx0), row(zx1)) - 1.5 * u));
  let bounded = 0;
  for (const m of a.lines) {
    if (!m.horizontal || m === L) continue;
    const overlap = Math.min(m.x1, L.x1) - Math.max(m.x0, L.x0);
    if (overlap < (L.x1 - L.x0) * 0.25) continue;
    const mRow = Math.max(lineRowAt(m, Math.max(m.x0, zx0)), lineRowAt(m, Math.min(m.x1, zx1)));
    if (mRow >= row((L.x0 + L.x1) / 2) - 0.35 * u) continue;
    const y = Math.ceil(mRow + m.thickness / 2 + 1);
    if (y > top) {
      top = y;
      bounded = 1;
    }
  }
  const bottom = Math.min(H - 1, Math.round(Math.max(row(zx0), row(zx1)) + 0.45 * u));
  if (bottom - top < 0.3 * u) return null;
  const penLines = a.lines.filter((m) => m !== L && m.horizontal && m.y0 > top && m.y1 < bottom && m.x0 >= zx0 && m.x1 <= zx1);
  const zone = zoneParts(a, zx0, top, zx1, bottom, penLines);
  const minArea = Math.max(4, Math.round((u * 0.025) ** 2));
  const flat = Math.max(2, Math.round(u * 0.025)) + 2;
  const kept = zone.comps.filter((c) => {
    if (c.area < minArea && c.x1 - c.x0 < u * 0.05 && c.y1 - c.y0 < u * 0.05) return false;
    // leftovers of the signature line itself (its tapered ends)
    const onRule = c.y1 - c.y0 + 1 <= flat && Math.abs((c.y0 + c.y1) / 2 - row((c.x0 + c.x1) / 2)) <= flat;
    return !onRule;
  });
  // Tails of the writing above (descenders of the amount in words reaching down past its
  // rule): cut pieces whose stroke lies mostly above the zone, and small next to the zone's ink.
  // Page components that cross the zone's top are either the signature's own strokes
  // reaching up past the rule above (mostly inside the zone, starting over the signature
  // line), or the writing on that rule hanging down into the zone (its tails are dropped;
  // pieces reaching well down are kept, as a signature joined to that writing, and flagged).
  const inside = new Map<number, number>();
  for (const c of kept) {
    const gl = zone.global[c.id]!;
    inside.set(gl, (inside.get(gl) ?? 0) + c.area);
  }
  const crossing = new Map<number, 'own' | 'foreign'>();
  for (const [gl, inZone] of inside) {
    const G = a.components[gl];
    if (!G || G.y0 >= top) continue;
    const own = G.area - inZone <= inZone && G.x0 >= L.x0 - 0.25 * u && G.x1 <= zx1 && G.y0 >= top - 0.8 * u;
    crossing.set(gl, own ? 'own' : 'foreign');
  }
  const parts = kept.filter((c) => crossing.get(zone.global[c.id]!) !== 'foreign' || c.y1 - top > 0.35 * u);
  const groups = groupByProximity(parts, 0.45 * u, 0.16 * u);
  if (!groups.length) return null;
  // The main group: large, standing near the line, not a fringe cut from writing above.
  let main: Group | null = null;
  let mainScore = 0;
  for (const g of groups) {
    const gap = row((g.x0 + g.x1) / 2) - g.y1; // > 0: the group ends above the line
    const near = gap > 0.7 * u ? 0.3 : gap < -0.5 * u ? 0.4 : 1;
    const fringe = g.y0 <= top + 1 && g.y1 - top < 0.3 * u ? 0.15 : 1;
    const s = g.area * near * fringe;
    if (s > mainScore) {
      mainScore = s;
      main = g;
    }
  }
  if (!main) return null;
  // Close neighbours that belong with it: i-dots, a detached initial, a flourish.
  const sig: Group = { parts: [...main.parts], x0: main.x0, y0: main.y0, x1: main.x1, y1: main.y1, area: main.area };
  for (const g of groups) {
    if (g === main) continue;
    const fringe = g.y0 <= top + 1 && g.y1 - top < 0.3 * u;
    if (fringe) continue;
    const dx = Math.max(0, g.x0 - sig.x1, sig.x0 - g.x1);
    const dy = Math.max(0, g.y0 - sig.y1, sig.y0 - g.y1);
    const sizeable = g.area >= main.area * 0.03;
    if ((sizeable && dx <= 0.7 * u && dy <= 0.1 * u) || (dx <= 0.15 * u && dy <= 0.3 * u) || (g.area > main.area * 0.3 && dy <= 0.2 * u)) {
      sig.parts.push(...g.parts);
      union(sig, g);
    }
  }
  const ids = new Set(sig.parts.map((c) => c.id));
  // A tall signature crosses the rule above: follow its own strokes up.
  const above = new Set<number>();
  let cut = false;
  for (const c of sig.parts) {
    const gl = zone.global[c.id]!;
    const kind = crossing.get(gl);
    if (kind === 'foreign') cut = true;
    else if (kind === 'own' && !above.has(gl)) {
      above.add(gl);
      const G = a.components[gl]!;
      union(sig, { x0: G.x0, y0: G.y0, x1: G.x1, y1: G.y1, area: 0 });
    }
  }
  const zoneInk = parts.reduce((s, c) => s + c.area, 0);
  const hIn = (sig.y1 - sig.y0 + 1) / u;
  const wIn = (sig.x1 - sig.x0 + 1) / u;
  const cx = (L.x0 + L.x1) / 2 / W;
  const cy = row((L.x0 + L.x1) / 2) / H;
  const factors = {
    position: smooth(0.3, 0.55, cx) * smooth(0.55, 0.75, cy),
    size: smooth(0.1, 0.3, hIn) * smooth(0.3, 0.9, wIn) * (1 - smooth(1.6, 3, hIn)),
    /** share of the zone's pen ink in the signature: stray writing lowers it */
    clean: sig.area / Math.max(1, zoneInk),
    /** the signature runs into writing above its zone and was cut there */
    reachesTop: cut ? 1 : 0,
    bounded,
  };
  const score = factors.position * (0.15 + 0.85 * factors.size) * (0.6 + 0.4 * factors.clean) * (factors.reachesTop ? 0.4 : 1);
  const chosen = (x: number, y: number): boolean => {
    if (above.size && above.has(a.labels[y * W + x]!)) return true;
    if (x < zone.x0 || y < zone.y0 || x >= zone.x0 + zone.w || y >= zone.y0 + zone.h) return false;
    const l = zone.labels[(y - zone.y0) * zone.w + (x - zone.x0)]!;
    return l >= 0 && ids.has(l);
  };
  return { score, factors, chosen, x0: sig.x0, y0: sig.y0, x1: sig.x1, y1: sig.y1, method: 'signature-line', zone: [zx0, top, zx1, bottom] };
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

/** Box of the chosen strokes' ink on the original pixels, in original coordinates. */
function refineBox(img: RawImage, a: PageAnalysis, p: Pick): Box {
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
  if (bx1 < 0) return [p.x0 * f, p.y0 * f, (p.x1 - p.x0 + 1) * f, (p.y1 - p.y0 + 1) * f];
  return [bx0, by0, bx1 - bx0 + 1, by1 - by0 + 1];
}

/** Finds the signature on a scan (see the file comment). */
export function localiseSignature(img: RawImage, opts: LocaliseOptions = {}): LocaliseResult {
  const t0 = performance.now();
  checkRaw(img, opts.name ?? 'page');
  const a = analysePage(img, { dpi: opts.dpi ?? null });
  classifyComponents(a);
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
      if (process.env.DBG) console.log("L", L.x0, L.x1, L.pos);
      const p = onSignatureLine(a, L);
      if (process.env.DBG) console.log("pick", p && p.score, p && [p.x0, p.y0, p.x1, p.y1]);
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
    const box = refineBox(img, a, best);
    // the runner-up: the best pick elsewhere (picks of the same strokes do not compete)
    const other = picks.find((p) => p !== best && !overlaps(p, best));
    const lead = 1 - (other?.score ?? 0) / best.score;
    const confidence = Math.max(0, Math.min(1, best.score * (0.45 + 0.65 * lead)));
    const flagged = confidence < flagBelow;
    result = { box, confidence: Math.round(confidence * 1000) / 1000, flagged, method: best.method };
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
