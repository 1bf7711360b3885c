/**
 * Printed text for cheques without a system font rasteriser: a minimal TrueType reader
 * (cmap format 4, loca/glyf outlines with quadratic curves, hmtx advances) over the DejaVu
 * fonts shipped in resources/fonts, filled with the generator's own polygon filler. No
 * fontconfig, no system fonts: the same pixels on every machine.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors.ts';
import { RESOURCES_DIR } from '../paths.ts';
import { fillContours, type Layer } from './raster.ts';

export type FontName = 'sans' | 'sans-bold' | 'mono';

const FILES: Record<FontName, string> = {
  sans: 'DejaVuSans.ttf',
  'sans-bold': 'DejaVuSans-Bold.ttf',
  mono: 'DejaVuSansMono.ttf',
};

interface GlyphOutline {
  /** contours in font units (y up): flat [x, y, onCurve, ...] triples */
  contours: number[][];
  advance: number;
}

export class Font {
  private readonly view: DataView;
  private readonly tables = new Map<string, { offset: number; length: number }>();
  readonly unitsPerEm: number;
  private readonly longLoca: boolean;
  private readonly numHMetrics: number;
  private readonly cmap = new Map<number, number>();
  private readonly cache = new Map<number, GlyphOutline>();

  constructor(bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const v = this.view;
    const numTables = v.getUint16(4);
    for (let i = 0; i < numTables; i++) {
      const rec = 12 + i * 16;
      const tag = String.fromCharCode(v.getUint8(rec), v.getUint8(rec + 1), v.getUint8(rec + 2), v.getUint8(rec + 3));
      this.tables.set(tag, { offset: v.getUint32(rec + 8), length: v.getUint32(rec + 12) });
    }
    const head = this.table('head');
    this.unitsPerEm = v.getUint16(head + 18);
    this.longLoca = v.getInt16(head + 50) === 1;
    this.numHMetrics = v.getUint16(this.table('hhea') + 34);
    this.readCmap();
  }

  private table(tag: string): number {
    const t = this.tables.get(tag);
    if (!t) throw new AppError('UNSUPPORTED', `font: no '${tag}' table`);
    return t.offset;
  }

  private readCmap(): void {
    const v = this.view;
    const base = this.table('cmap');
    const n = v.getUint16(base + 2);
    let sub = -1;
    for (let i = 0; i < n; i++) {
      const platform = v.getUint16(base + 4 + i * 8);
      const encoding = v.getUint16(base + 6 + i * 8);
      const off = base + v.getUint32(base + 8 + i * 8);
      if (v.getUint16(off) === 4 && ((platform === 3 && encoding === 1) || platform === 0)) {
        sub = off;
        break;
      }
    }
    if (sub < 0) throw new AppError('UNSUPPORTED', 'font: no Unicode BMP cmap');
    const segX2 = v.getUint16(sub + 6);
    const ends = sub + 14;
    const starts = ends + segX2 + 2;
    const deltas = starts + segX2;
    const ranges = deltas + segX2;
    // Only what cheques print: Basic Latin and Latin-1.
    for (let s = 0; s < segX2 / 2; s++) {
      const end = v.getUint16(ends + s * 2);
      const start = v.getUint16(starts + s * 2);
      const delta = v.getInt16(deltas + s * 2);
      const ro = v.getUint16(ranges + s * 2);
      for (let c = start; c <= Math.min(end, 0xff); c++) {
        let g: number;
        if (ro === 0) g = (c + delta) & 0xffff;
        else {
          const addr = ranges + s * 2 + ro + (c - start) * 2;
          g = v.getUint16(addr);
          if (g !== 0) g = (g + delta) & 0xffff;
        }
        if (g) this.cmap.set(c, g);
      }
    }
  }

  private advanceOf(glyph: number): number {
    const i = Math.min(glyph, this.numHMetrics - 1);
    return this.view.getUint16(this.table('hmtx') + i * 4);
  }

  private glyphOffset(glyph: number): [number, number] {
    const loca = this.table('loca');
    const v = this.view;
    const a = this.longLoca ? v.getUint32(loca + glyph * 4) : v.getUint16(loca + glyph * 2) * 2;
    const b = this.longLoca ? v.getUint32(loca + glyph * 4 + 4) : v.getUint16(loca + glyph * 2 + 2) * 2;
    return [this.table('glyf') + a, b - a];
  }

  outline(glyph: number): GlyphOutline {
    const hit = this.cache.get(glyph);
    if (hit) return hit;
    const out: GlyphOutline = { contours: this.readGlyph(glyph, 0), advance: this.advanceOf(glyph) };
    this.cache.set(glyph, out);
    return out;
  }

  private readGlyph(glyph: number, depth: number): number[][] {
    const [off, len] = this.glyphOffset(glyph);
    if (len === 0 || depth > 4) return [];
    const v = this.view;
    const nContours = v.getInt16(off);
    if (nContours < 0) return this.readComposite(off + 10, depth);
    const endPts: number[] = [];
    for (let i = 0; i < nContours; i++) endPts.push(v.getUint16(off + 10 + i * 2));
    const nPts = nContours ? (endPts[nContours - 1] as number) + 1 : 0;
    let p = off + 10 + nContours * 2;
    p += 2 + v.getUint16(p);
    const flags: number[] = [];
    while (flags.length < nPts) {
      const f = v.getUint8(p++);
      flags.push(f);
      if (f & 8) {
        let r = v.getUint8(p++);
        while (r-- > 0) flags.push(f);
      }
    }
    const xs: number[] = [];
    const ys: number[] = [];
    let x = 0;
    for (const f of flags) {
      if (f & 2) x += (f & 16 ? 1 : -1) * v.getUint8(p++);
      else if (!(f & 16)) {
        x += v.getInt16(p);
        p += 2;
      }
      xs.push(x);
    }
    let y = 0;
    for (const f of flags) {
      if (f & 4) y += (f & 32 ? 1 : -1) * v.getUint8(p++);
      else if (!(f & 32)) {
        y += v.getInt16(p);
        p += 2;
      }
      ys.push(y);
    }
    const contours: number[][] = [];
    let start = 0;
    for (const end of endPts) {
      const c: number[] = [];
      for (let i = start; i <= end; i++) c.push(xs[i] as number, ys[i] as number, (flags[i] as number) & 1);
      contours.push(c);
      start = end + 1;
    }
    return contours;
  }

  private readComposite(p: number, depth: number): number[][] {
    const v = this.view;
    const out: number[][] = [];
    for (;;) {
      const flags = v.getUint16(p);
      const glyph = v.getUint16(p + 2);
      p += 4;
      const words = (flags & 1) !== 0;
      const dx = words ? v.getInt16(p) : v.getInt8(p);
      const dy = words ? v.getInt16(p + 2) : v.getInt8(p + 1);
      p += words ? 4 : 2;
      const f2 = (o: number) => v.getInt16(p + o) / 16384;
      let a = 1,
        b = 0,
        c = 0,
        d = 1;
      if (flags & 8) {
        a = d = f2(0);
        p += 2;
      } else if (flags & 0x40) {
        a = f2(0);
        d = f2(2);
        p += 4;
      } else if (flags & 0x80) {
        [a, b, c, d] = [f2(0), f2(2), f2(4), f2(6)];
        p += 8;
      }
      for (const con of this.readGlyph(glyph, depth + 1)) {
        const t: number[] = [];
        for (let i = 0; i < con.length; i += 3) {
          const x = con[i] as number;
          const y = con[i + 1] as number;
          t.push(a * x + c * y + dx, b * x + d * y + dy, con[i + 2] as number);
        }
        out.push(t);
      }
      if (!(flags & 0x20)) break;
    }
    return out;
  }

  glyphFor(ch: string): number {
    return this.cmap.get(ch.charCodeAt(0)) ?? this.cmap.get(63) ?? 0;
  }

  /** Width of `text` in pixels at `size` px per em (no kerning). */
  measure(text: string, size: number, tracking = 0): number {
    let w = 0;
    for (const ch of text) w += (this.outline(this.glyphFor(ch)).advance / this.unitsPerEm) * size + tracking;
    return w - tracking;
  }
}

const fonts = new Map<FontName, Font>();

export function loadFont(name: FontName): Font {
  const hit = fonts.get(name);
  if (hit) return hit;
  const file = path.join(RESOURCES_DIR, 'fonts', FILES[name]);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch {
    throw new AppError('UNAVAILABLE', `${file}: font missing (cheque printing needs the DejaVu fonts in resources/fonts)`);
  }
  const f = new Font(bytes);
  fonts.set(name, f);
  return f;
}

export interface TextStyle {
  font: FontName;
  /** pixels per em */
  size: number;
  /** extra pixels between letters */
  tracking?: number;
  /** horizontal shear (synthetic italic), e.g. 0.2 */
  italic?: number;
  /** horizontal stretch */
  stretch?: number;
  align?: 'left' | 'center' | 'right';
}

/** Flattens a TrueType contour (on/off-curve points, quadratic) to a polygon. */
function flatten(c: number[], tx: (x: number, y: number) => [number, number], steps: number): number[] {
  const n = c.length / 3;
  const pts: number[] = [];
  const on = (i: number) => (c[(i % n) * 3 + 2] as number) === 1;
  const px = (i: number) => c[(i % n) * 3] as number;
  const py = (i: number) => c[(i % n) * 3 + 1] as number;
  let first = 0;
  while (first < n && !on(first)) first++;
  const allOff = first === n;
  if (allOff) first = 0;
  const sx = allOff ? (px(0) + px(1)) / 2 : px(first);
  const sy = allOff ? (py(0) + py(1)) / 2 : py(first);
  let cx = sx;
  let cy = sy;
  const emit = (x: number, y: number) => {
    const [u, v] = tx(x, y);
    pts.push(u, v);
  };
  emit(sx, sy);
  for (let k = 1; k <= n; k++) {
    const i = first + k;
    if (on(i)) {
      cx = px(i);
      cy = py(i);
      emit(cx, cy);
      continue;
    }
    const qx = px(i);
    const qy = py(i);
    const nextOn = on(i + 1);
    const ex = nextOn ? px(i + 1) : (qx + px(i + 1)) / 2;
    const ey = nextOn ? py(i + 1) : (qy + py(i + 1)) / 2;
    if (nextOn) k++;
    for (let s = 1; s <= steps; s++) {
      const t = s / steps;
      const u = 1 - t;
      emit(u * u * cx + 2 * u * t * qx + t * t * ex, u * u * cy + 2 * u * t * qy + t * t * ey);
    }
    cx = ex;
    cy = ey;
  }
  return pts;
}

/**
 * Draws `text` with its baseline at (x, y) pixels (x is the left, centre or right end per
 * `align`), optionally rotated by `angle` radians about (x, y). Returns the advance width.
 */
export function drawText(layer: Layer, text: string, x: number, y: number, style: TextStyle, alpha = 1, angle = 0): number {
  const font = loadFont(style.font);
  const stretch = style.stretch ?? 1;
  const tracking = style.tracking ?? 0;
  const width = font.measure(text, style.size, tracking) * stretch;
  let pen = style.align === 'center' ? -width / 2 : style.align === 'right' ? -width : 0;
  const k = style.size / font.unitsPerEm;
  const italic = style.italic ?? 0;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const steps = style.size > 40 ? 6 : style.size > 16 ? 4 : 2;
  const contours: number[][] = [];
  for (const ch of text) {
    const g = font.outline(font.glyphFor(ch));
    const ox = pen;
    const tx = (gx: number, gy: number): [number, number] => {
      const lx = ox + (gx * k + gy * k * italic) * stretch;
      const ly = -gy * k;
      return [x + lx * cos - ly * sin, y + lx * sin + ly * cos];
    };
    for (const c of g.contours) contours.push(flatten(c, tx, steps));
    pen += (g.advance * k + tracking) * stretch;
  }
  fillContours(layer, contours, alpha);
  return width;
}
