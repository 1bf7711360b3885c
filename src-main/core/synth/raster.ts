/**
 * The generator's own anti-aliased rasteriser: coverage layers (one float per pixel),
 * a round brush drawn as distance-to-segment capsules with varying radius and density,
 * an area-coverage polygon filler (for printed glyphs and logos), and an RGB canvas that
 * inks are multiplied onto, as ink and toner absorb light on paper.
 * Pixel (i, j) covers [i, i+1) x [j, j+1); coordinates are in pixels.
 */

export type Rgb = readonly [number, number, number];

/** Coverage in 0..1 per pixel, with the bounds of what has been drawn. */
export class Layer {
  readonly data: Float32Array;
  minX = Infinity;
  minY = Infinity;
  maxX = -Infinity;
  maxY = -Infinity;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.data = new Float32Array(width * height);
  }
  /** Clears what has been drawn (only the drawn bounds are visited). */
  clear(): void {
    if (!this.empty) {
      for (let y = this.minY; y <= this.maxY; y++) this.data.fill(0, y * this.width + this.minX, y * this.width + this.maxX + 1);
    }
    this.minX = this.minY = Infinity;
    this.maxX = this.maxY = -Infinity;
  }
  /** Marks [x0..x1] x [y0..y1] (inclusive pixel indices) as possibly drawn. */
  touch(x0: number, y0: number, x1: number, y1: number): void {
    if (x0 < this.minX) this.minX = Math.max(0, x0);
    if (y0 < this.minY) this.minY = Math.max(0, y0);
    if (x1 > this.maxX) this.maxX = Math.min(this.width - 1, x1);
    if (y1 > this.maxY) this.maxY = Math.min(this.height - 1, y1);
  }
  get empty(): boolean {
    return this.maxX < this.minX || this.maxY < this.minY;
  }
}

/** RGB, 0..255 floats, interleaved. */
export class Canvas {
  readonly data: Float32Array;
  constructor(
    readonly width: number,
    readonly height: number,
    fill: Rgb = [255, 255, 255],
  ) {
    this.data = new Float32Array(width * height * 3);
    if (fill[0] === fill[1] && fill[1] === fill[2]) {
      this.data.fill(fill[0]);
      return;
    }
    for (let i = 0; i < this.data.length; i += 3) {
      this.data[i] = fill[0];
      this.data[i + 1] = fill[1];
      this.data[i + 2] = fill[2];
    }
  }
}

/**
 * One brush segment from (x0, y0) with radius r0 and density a0 to (x1, y1), r1, a1.
 * Coverage is max-combined, so the joints of a polyline do not darken.
 */
export function brushSegment(layer: Layer, x0: number, y0: number, r0: number, a0: number, x1: number, y1: number, r1: number, a1: number): void {
  const rmax = Math.max(r0, r1) + 1;
  const w = layer.width;
  const minX = Math.max(0, Math.floor(Math.min(x0, x1) - rmax));
  const maxX = Math.min(w - 1, Math.ceil(Math.max(x0, x1) + rmax));
  const minY = Math.max(0, Math.floor(Math.min(y0, y1) - rmax));
  const maxY = Math.min(layer.height - 1, Math.ceil(Math.max(y0, y1) + rmax));
  if (minX > maxX || minY > maxY) return;
  layer.touch(minX, minY, maxX, maxY);
  const dx = x1 - x0;
  const dy = y1 - y0;
  const l2 = dx * dx + dy * dy;
  const inv = l2 > 1e-12 ? 1 / l2 : 0;
  const data = layer.data;
  for (let py = minY; py <= maxY; py++) {
    const cy = py + 0.5;
    let idx = py * w + minX;
    for (let px = minX; px <= maxX; px++, idx++) {
      const cx = px + 0.5;
      let t = ((cx - x0) * dx + (cy - y0) * dy) * inv;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const ex = x0 + t * dx - cx;
      const ey = y0 + t * dy - cy;
      const r = r0 + (r1 - r0) * t;
      let cov = r + 0.5 - Math.sqrt(ex * ex + ey * ey);
      if (cov <= 0) continue;
      if (cov > 1) cov = 1;
      if (r < 0.5) cov *= 2 * r;
      const v = cov * (a0 + (a1 - a0) * t);
      if (v > (data[idx] as number)) data[idx] = v;
    }
  }
}

/** A constant-width polyline (printed rules, guilloche, underlines). pts = [x0, y0, x1, y1, ...]. */
export function strokePolyline(layer: Layer, pts: ArrayLike<number>, radius: number, alpha = 1, closed = false): void {
  const n = pts.length / 2;
  for (let i = 0; i + 1 < n; i++) {
    brushSegment(layer, pts[2 * i] as number, pts[2 * i + 1] as number, radius, alpha, pts[2 * i + 2] as number, pts[2 * i + 3] as number, radius, alpha);
  }
  if (closed && n > 2) {
    brushSegment(layer, pts[2 * n - 2] as number, pts[2 * n - 1] as number, radius, alpha, pts[0] as number, pts[1] as number, radius, alpha);
  }
}

/**
 * Fills closed contours (flat [x, y, ...] arrays, implicitly closed) with exact area
 * coverage, accumulating signed area per scanline (the font-rs method). Overlapping
 * contours of the same winding saturate at full coverage (non-zero-like).
 */
export function fillContours(layer: Layer, contours: ArrayLike<number>[], alpha = 1): void {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const c of contours) {
    for (let i = 0; i < c.length; i += 2) {
      const x = c[i] as number;
      const y = c[i + 1] as number;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
  }
  if (!Number.isFinite(minX)) return;
  const ox = Math.floor(minX) - 1;
  const oy = Math.floor(minY) - 1;
  const w = Math.ceil(maxX) - ox + 3;
  const h = Math.ceil(maxY) - oy + 2;
  const acc = new Float32Array(w * h + 1);
  for (const c of contours) {
    const n = c.length / 2;
    for (let i = 0; i < n; i++) {
      const j = (i + 1) % n;
      accumulateLine(acc, w, h, (c[2 * i] as number) - ox, (c[2 * i + 1] as number) - oy, (c[2 * j] as number) - ox, (c[2 * j + 1] as number) - oy);
    }
  }
  const data = layer.data;
  const lw = layer.width;
  layer.touch(ox, oy, ox + w - 1, oy + h - 1);
  for (let y = 0; y < h; y++) {
    const ly = y + oy;
    let sum = 0;
    for (let x = 0; x < w; x++) {
      sum += acc[y * w + x] as number;
      const lx = x + ox;
      if (ly < 0 || ly >= layer.height || lx < 0 || lx >= lw) continue;
      let cov = Math.abs(sum);
      if (cov < 1e-4) continue;
      if (cov > 1) cov = 1;
      const v = cov * alpha;
      const k = ly * lw + lx;
      if (v > (data[k] as number)) data[k] = v;
    }
  }
}

function accumulateLine(acc: Float32Array, w: number, h: number, px0: number, py0: number, px1: number, py1: number): void {
  if (py0 === py1) return;
  let dir: number;
  let x0: number, y0: number, x1: number, y1: number;
  if (py0 < py1) {
    dir = 1;
    x0 = px0;
    y0 = py0;
    x1 = px1;
    y1 = py1;
  } else {
    dir = -1;
    x0 = px1;
    y0 = py1;
    x1 = px0;
    y1 = py0;
  }
  const dxdy = (x1 - x0) / (y1 - y0);
  let x = x0;
  if (y0 < 0) x -= y0 * dxdy;
  const yEnd = Math.min(h, Math.ceil(y1));
  for (let y = Math.max(0, Math.floor(y0)); y < yEnd; y++) {
    const row = y * w;
    const dy = Math.min(y + 1, y1) - Math.max(y, y0);
    const xnext = x + dxdy * dy;
    const d = dy * dir;
    const xa = x < xnext ? x : xnext;
    const xb = x < xnext ? xnext : x;
    const xaf = Math.floor(xa);
    const xai = xaf | 0;
    const xbc = Math.ceil(xb);
    const xbi = xbc | 0;
    if (xbi <= xai + 1) {
      const xmf = 0.5 * (x + xnext) - xaf;
      acc[row + xai] = (acc[row + xai] as number) + d - d * xmf;
      acc[row + xai + 1] = (acc[row + xai + 1] as number) + d * xmf;
    } else {
      const s = 1 / (xb - xa);
      const x0f = xa - xaf;
      const a0 = 0.5 * s * (1 - x0f) * (1 - x0f);
      const x1f = xb - xbc + 1;
      const am = 0.5 * s * x1f * x1f;
      acc[row + xai] = (acc[row + xai] as number) + d * a0;
      if (xbi === xai + 2) {
        acc[row + xai + 1] = (acc[row + xai + 1] as number) + d * (1 - a0 - am);
      } else {
        const a1 = s * (1.5 - x0f);
        acc[row + xai + 1] = (acc[row + xai + 1] as number) + d * (a1 - a0);
        for (let xi = xai + 2; xi < xbi - 1; xi++) acc[row + xi] = (acc[row + xi] as number) + d * s;
        const a2 = a1 + (xbi - xai - 3) * s;
        acc[row + xbi - 1] = (acc[row + xbi - 1] as number) + d * (1 - a2 - am);
      }
      acc[row + xbi] = (acc[row + xbi] as number) + d * am;
    }
    x = xnext;
  }
}

/**
 * Multiplies an ink of colour `ink` with coverage `layer` (scaled by `strength`) onto the
 * canvas: out = base * ((1 - a) + a * ink / 255). Only the layer's bounding rows are visited.
 */
export function multiplyInk(canvas: Canvas, layer: Layer, ink: Rgb, strength = 1, ox = 0, oy = 0): void {
  if (layer.empty) return;
  const cw = canvas.width;
  const ch = canvas.height;
  const cd = canvas.data;
  const ld = layer.data;
  const kr = ink[0] / 255 - 1;
  const kg = ink[1] / 255 - 1;
  const kb = ink[2] / 255 - 1;
  for (let y = layer.minY; y <= layer.maxY; y++) {
    const cy = y + oy;
    if (cy < 0 || cy >= ch) continue;
    for (let x = layer.minX; x <= layer.maxX; x++) {
      const a = (ld[y * layer.width + x] as number) * strength;
      if (a <= 0) continue;
      const cx = x + ox;
      if (cx < 0 || cx >= cw) continue;
      const k = (cy * cw + cx) * 3;
      cd[k] = (cd[k] as number) * (1 + a * kr);
      cd[k + 1] = (cd[k + 1] as number) * (1 + a * kg);
      cd[k + 2] = (cd[k + 2] as number) * (1 + a * kb);
    }
  }
}

/** An axis-aligned filled rectangle with exact edge coverage. */
export function fillRect(layer: Layer, x0: number, y0: number, x1: number, y1: number, alpha = 1): void {
  fillContours(layer, [[x0, y0, x1, y0, x1, y1, x0, y1]], alpha);
}

/** A rectangle outline of line radius r. */
export function strokeRect(layer: Layer, x0: number, y0: number, x1: number, y1: number, r: number, alpha = 1): void {
  strokePolyline(layer, [x0, y0, x1, y0, x1, y1, x0, y1], r, alpha, true);
}

/** A filled circle (polygon of enough sides to look round). */
export function fillCircle(layer: Layer, cx: number, cy: number, radius: number, alpha = 1): void {
  fillContours(layer, [circlePath(cx, cy, radius)], alpha);
}

export function circlePath(cx: number, cy: number, radius: number, reverse = false): number[] {
  const n = Math.max(16, Math.ceil(radius * 1.5));
  const pts: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = ((reverse ? -i : i) / n) * Math.PI * 2;
    pts.push(cx + radius * Math.cos(a), cy + radius * Math.sin(a));
  }
  return pts;
}

/** Bounding box [x, y, w, h] of layer pixels above `threshold`, or null. */
export function layerBox(layer: Layer, threshold = 0.05): [number, number, number, number] | null {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -1;
  let maxY = -1;
  if (layer.empty) return null;
  const { width: w, data } = layer;
  for (let y = layer.minY; y <= layer.maxY; y++) {
    for (let x = layer.minX; x <= layer.maxX; x++) {
      if ((data[y * w + x] as number) > threshold) {
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      }
    }
  }
  return maxX < 0 ? null : [minX, minY, maxX - minX + 1, maxY - minY + 1];
}
