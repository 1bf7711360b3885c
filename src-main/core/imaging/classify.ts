/**
 * Component classes: noise (specks), logo (large filled blobs), printed text (rows of glyphs)
 * and pen strokes (everything else).
 */
import type { PageAnalysis } from './analyse.ts';
import type { Component } from './components.ts';

/** Marks each component as noise, logo, text or stroke. */
export function classifyComponents(a: PageAnalysis): void {
  const u = a.scale.workDpi;
  const noiseDim = Math.max(3, Math.round(u * 0.03));
  const comps = a.components;
  for (const c of comps) {
    const bw = c.x1 - c.x0 + 1;
    const bh = c.y1 - c.y0 + 1;
    const fill = c.area / (bw * bh);
    if (Math.max(bw, bh) < noiseDim || c.area < noiseDim) c.kind = 'noise';
    else if (fill > 0.5 && Math.min(bw, bh) > u * 0.15) c.kind = 'logo';
    else c.kind = 'stroke';
  }
  markText(comps, u);
}

/**
 * Printed text: glyph-sized components in chains of three or more whose neighbours are
 * close, of similar height and share a baseline or a top line (printing is regular;
 * handwriting's letters wander and mostly join up).
 */
function markText(comps: Component[], u: number): void {
  const cand = comps.filter((c) => {
    if (c.kind !== 'stroke') return false;
    const bh = c.y1 - c.y0 + 1;
    const bw = c.x1 - c.x0 + 1;
    return bh <= u * 0.35 && bw <= u * 0.5 && bh >= 2;
  });
  cand.sort((p, q) => p.x0 - q.x0);
  const n = cand.length;
  const parent = Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  const degree = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = cand[i]!;
    const hc = c.y1 - c.y0 + 1;
    for (let j = i + 1; j < n; j++) {
      const d = cand[j]!;
      const hd = d.y1 - d.y0 + 1;
      const hmax = Math.max(hc, hd);
      const gap = d.x0 - c.x1;
      if (d.x0 - c.x1 > hmax * 1.2 + 2) {
        if (d.x0 > c.x1 + u * 0.6) break;
        continue;
      }
      if (gap < -hmax * 0.3) continue;
      if (hmax / Math.min(hc, hd) > 2.2) continue;
      const tol = Math.max(1.5, hmax * 0.12);
      const base = Math.abs(c.y1 - d.y1) <= tol;
      const top = Math.abs(c.y0 - d.y0) <= tol && Math.abs(hc - hd) <= tol * 2;
      if (!base && !top) continue;
      degree[i]!++;
      degree[j]!++;
      parent[find(i)] = find(j);
    }
  }
  const size = new Int32Array(n);
  for (let i = 0; i < n; i++) size[find(i)]!++;
  for (let i = 0; i < n; i++) if (size[find(i)]! >= 3) cand[i]!.kind = 'text';
}
