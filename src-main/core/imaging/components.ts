/**
 * Connected components: 8-connected labelling (two passes with union-find, typed arrays) and
 * the per-component statistics the localiser scores.
 */

export interface Component {
  id: number;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  area: number;
  /** Boundary pixels (with a 4-neighbour outside the component). */
  perimeter: number;
  /** Mean grey level of its pixels (working image). */
  grey: number;
  /** Mean of (B - (R + G) / 2) over its pixels: positive for blue inks (0 on grey scans). */
  blueness: number;
  /** Mean chroma max(R,G,B) - min(R,G,B). */
  chroma: number;
  /** Set by the localiser. */
  kind?: 'noise' | 'text' | 'logo' | 'stroke';
}

/** 8-connected labelling (two passes, union-find). Background is -1. */
export function label(mask: Uint8Array, w: number, h: number): { labels: Int32Array; count: number } {
  const labels = new Int32Array(w * h).fill(-1);
  let parent = new Int32Array(1024);
  let next = 0;
  const find = (a: number): number => {
    while (parent[a] !== a) {
      parent[a] = parent[parent[a]!]!;
      a = parent[a]!;
    }
    return a;
  };
  const union = (a: number, b: number): number => {
    const ra = find(a);
    const rb = find(b);
    if (ra === rb) return ra;
    if (ra < rb) {
      parent[rb] = ra;
      return ra;
    }
    parent[ra] = rb;
    return rb;
  };
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      const i = row + x;
      if (!mask[i]) continue;
      let l = x > 0 ? labels[i - 1]! : -1;
      if (y > 0) {
        const up = i - w;
        if (x > 0) {
          const lj = labels[up - 1]!;
          if (lj >= 0) l = l < 0 ? lj : l === lj ? l : union(l, lj);
        }
        const lu = labels[up]!;
        if (lu >= 0) l = l < 0 ? lu : l === lu ? l : union(l, lu);
        if (x < w - 1) {
          const lj = labels[up + 1]!;
          if (lj >= 0) l = l < 0 ? lj : l === lj ? l : union(l, lj);
        }
      }
      if (l < 0) {
        if (next === parent.length) {
          const grown = new Int32Array(parent.length * 2);
          grown.set(parent);
          parent = grown;
        }
        l = next;
        parent[next] = next;
        next++;
      }
      labels[i] = l;
    }
  }
  const remap = new Int32Array(next).fill(-1);
  let count = 0;
  for (let i = 0; i < next; i++) {
    const r = find(i);
    if (remap[r]! < 0) remap[r] = count++;
    remap[i] = remap[r]!;
  }
  for (let i = 0; i < labels.length; i++) if (labels[i]! >= 0) labels[i] = remap[labels[i]!]!;
  return { labels, count };
}

/** Statistics of each labelled component. */
export function componentStats(labels: Int32Array, count: number, w: number, h: number, grey: Uint8Array, rgb: Uint8Array | null): Component[] {
  const comps: Component[] = [];
  for (let l = 0; l < count; l++) {
    comps.push({ id: l, x0: w, y0: h, x1: -1, y1: -1, area: 0, perimeter: 0, grey: 0, blueness: 0, chroma: 0 });
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const l = labels[i]!;
      if (l < 0) continue;
      const c = comps[l]!;
      if (x < c.x0) c.x0 = x;
      if (x > c.x1) c.x1 = x;
      if (y < c.y0) c.y0 = y;
      if (y > c.y1) c.y1 = y;
      c.area++;
      c.grey += grey[i]!;
      if (rgb) {
        const r = rgb[i * 3]!;
        const g = rgb[i * 3 + 1]!;
        const b = rgb[i * 3 + 2]!;
        c.blueness += b - (r + g) / 2;
        c.chroma += Math.max(r, g, b) - Math.min(r, g, b);
      }
      if (x === 0 || y === 0 || x === w - 1 || y === h - 1 || labels[i - 1] !== l || labels[i + 1] !== l || labels[i - w] !== l || labels[i + w] !== l) {
        c.perimeter++;
      }
    }
  }
  for (const c of comps) {
    c.grey /= c.area;
    c.blueness /= c.area;
    c.chroma /= c.area;
  }
  return comps;
}
