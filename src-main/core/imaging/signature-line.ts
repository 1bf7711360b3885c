/**
 * The signature standing on a signature line: the zone above a printed rule in which the
 * pen strokes are grouped, the main group chosen, and its close neighbours (i-dots, a
 * detached initial, a flourish) and its own strokes reaching past the rule above added.
 * See localise.ts for how the candidates are compared.
 */
import type { PageAnalysis } from './analyse.ts';
import { componentStats, label, type Component } from './components.ts';
import { lineRowAt, type Line } from './lines.ts';

export const smooth = (a: number, b: number, v: number): number => {
  const t = Math.max(0, Math.min(1, (v - a) / (b - a)));
  return t * t * (3 - 2 * t);
};

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

export interface Group {
  parts: Component[];
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  area: number;
}

export function union(g: Group, c: { x0: number; y0: number; x1: number; y1: number; area: number }): void {
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

export interface Pick {
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

/**
 * Page components of the writing along the rule above the zone that reaches the zone from
 * the left: pen strokes in the band just above the zone's top, grouped by proximity, in
 * groups that start well left of the signature line.
 */
function writingFromTheLeft(a: PageAnalysis, L: Line, top: number, zx1: number): Set<number> {
  const u = a.scale.workDpi;
  const band = a.components.filter((c) => c.kind === 'stroke' && c.y1 >= top - 0.8 * u && c.y0 <= top + 0.1 * u && c.x0 <= zx1);
  const out = new Set<number>();
  for (const g of groupByProximity(band, 0.3 * u, 0.15 * u)) {
    if (g.x0 < L.x0 - 0.5 * u) for (const c of g.parts) out.add(c.id);
  }
  return out;
}

/**
 * The top of the zone above signature line L: 1.5 inches up, or just below the rule above it
 * (the amount or payee line) when there is one (`bounded` 1): that rule's handwriting is not the signature.
 */
function zoneTop(a: PageAnalysis, L: Line, zx0: number, zx1: number): { top: number; bounded: number } {
  const u = a.scale.workDpi;
  const W = a.width;
  const row = (x: number): number => lineRowAt(L, x);
  let top = Math.max(0, Math.round(Math.min(row(zx0), row(zx1)) - 1.5 * u));
  let bounded = 0;
  for (const m of a.lines) {
    if (!m.horizontal || m === L) continue;
    const overlap = Math.min(m.x1, L.x1) - Math.max(m.x0, L.x0);
    // A long rule seen only to the left of the zone (handwriting covering the rest of it,
    // as the amount in words covers the amount line) still runs on above the zone.
    const longFromLeft = m.x1 - m.x0 >= 0.4 * W && m.x1 < L.x0 + 0.5 * (L.x1 - L.x0) && m.x1 >= zx0 - 2 * u;
    if (overlap < (L.x1 - L.x0) * 0.25 && !longFromLeft) continue;
    const mRow = Math.max(lineRowAt(m, Math.max(m.x0, zx0)), lineRowAt(m, Math.min(m.x1, zx1)));
    const above = row((L.x0 + L.x1) / 2) - mRow;
    if (above < 0.35 * u) continue;
    // A short straight run just above the line is more likely the signature's own baseline
    // stroke than a printed rule (the amount line lies further up, even when handwriting
    // crossing it leaves only a piece of it).
    if (m.x1 - m.x0 < (L.x1 - L.x0) * 0.6 && above < 0.7 * u) continue;
    const y = Math.ceil(mRow + m.thickness / 2 + 1);
    if (y > top) {
      top = y;
      bounded = 1;
    }
  }
  return { top, bounded };
}

/**
 * Page components crossing the zone's top, classified: the signature's own strokes reaching up
 * past the rule above (mostly inside the zone, starting over the signature line), or the writing
 * on that rule hanging down into the zone ('foreign': its tails are dropped; pieces reaching well
 * down are kept, as a signature joined to that writing, and flagged).
 */
function crossingComponents(
  a: PageAnalysis,
  L: Line,
  zone: ReturnType<typeof zoneParts>,
  kept: readonly Component[],
  top: number,
  zx1: number,
  bounded: number,
): Map<number, 'own' | 'foreign'> {
  const u = a.scale.workDpi;
  const inside = new Map<number, number>();
  for (const c of kept) {
    const gl = zone.global[c.id]!;
    inside.set(gl, (inside.get(gl) ?? 0) + c.area);
  }
  const fromLeft = bounded ? writingFromTheLeft(a, L, top, zx1) : null;
  const crossing = new Map<number, 'own' | 'foreign'>();
  for (const [gl, inZone] of inside) {
    const G = a.components[gl];
    if (!G || G.y0 >= top) continue;
    const placed = G.x0 >= L.x0 - 0.25 * u && G.x1 <= zx1 && G.y0 >= top - 0.8 * u;
    // Writing on the rule above runs in from the left (the amount in words starts at the
    // cheque's left edge) and hangs down only a little; a signature reaching up past that
    // rule does neither, however much of it stands above the rule. Signature strokes that
    // touch that writing still reach deep into the zone.
    const deep = G.y1 - top > 0.35 * u;
    const own = placed && (G.area - inZone <= inZone || (fromLeft !== null && (!fromLeft.has(gl) || deep)));
    crossing.set(gl, own ? 'own' : 'foreign');
  }
  return crossing;
}

/**
 * The signature's groups: the main one (large, standing near the line, not a fringe cut from
 * writing above) and the close neighbours that belong with it (i-dots, a detached initial, a flourish).
 */
function signatureGroup(groups: readonly Group[], row: (x: number) => number, top: number, u: number): Group | null {
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
  return sig;
}

/** The signature standing on one candidate signature line, if any. */
export function onSignatureLine(a: PageAnalysis, L: Line): Pick | null {
  const u = a.scale.workDpi;
  const W = a.width;
  const H = a.height;
  const zx0 = Math.max(0, Math.round(L.x0 - 0.6 * u));
  const zx1 = Math.min(W - 1, Math.round(L.x1 + 0.4 * u));
  const row = (x: number): number => lineRowAt(L, x);
  const { top, bounded } = zoneTop(a, L, zx0, zx1);
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
  const crossing = crossingComponents(a, L, zone, kept, top, zx1, bounded);
  const parts = kept.filter((c) => crossing.get(zone.global[c.id]!) !== 'foreign' || c.y1 - top > 0.35 * u);
  const groups = groupByProximity(parts, 0.45 * u, 0.16 * u);
  const sig = signatureGroup(groups, row, top, u);
  if (!sig) return null;
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
