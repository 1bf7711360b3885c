/**
 * Test images for the imaging tests, made with sharp's SVG renderer and seeded randomness:
 * handwriting-like strokes, signature crops and composed cheques with a ground-truth box.
 * core/synth is the project's generator; these fixtures keep the imaging tests independent
 * of it (and cover layouts it may not draw: grey scans, bold logos, dense guilloche).
 */
import sharp from 'sharp';
import { Rng } from '../../src-main/core/util/random.ts';

export type Box = [number, number, number, number];

export interface Stroke {
  points: [number, number][];
  width: number;
}

/** A cursive-looking pen trajectory inside [0, w] x [0, h] (local coordinates). */
export function handwriting(rng: Rng, w: number, h: number, opts: { loops?: number; flourish?: boolean } = {}): Stroke[] {
  const strokes: Stroke[] = [];
  const parts = rng.int(1, 3);
  const loops = opts.loops ?? rng.int(6, 14);
  const baseWidth = rng.uniform(2.2, 4.5);
  let x = rng.uniform(0, w * 0.05);
  const span = (w * 0.92) / parts;
  for (let p = 0; p < parts; p++) {
    const pts: [number, number][] = [];
    const n = Math.max(3, Math.round(loops / parts));
    const amp = h * rng.uniform(0.25, 0.42);
    const step = span / n;
    const phase = rng.uniform(0, Math.PI);
    for (let i = 0; i <= n * 24; i++) {
      const t = i / 24;
      const big = p === 0 && t < 1.2 ? 1.6 : 1;
      const px = x + t * step + Math.sin(t * Math.PI * 2 + phase) * step * 0.45;
      const py = h * 0.55 - Math.cos(t * Math.PI * 2 + phase) * amp * big * (0.7 + 0.3 * Math.sin(t * 1.7));
      pts.push([px, Math.max(1, Math.min(h - 1, py))]);
    }
    strokes.push({ points: pts, width: baseWidth * rng.uniform(0.8, 1.2) });
    x += span + rng.uniform(0, w * 0.03);
  }
  if (opts.flourish ?? rng.chance(0.6)) {
    const pts: [number, number][] = [];
    const y0 = h * rng.uniform(0.78, 0.95);
    for (let i = 0; i <= 40; i++) {
      const t = i / 40;
      pts.push([w * (0.05 + 0.9 * t), y0 - Math.sin(t * Math.PI) * h * 0.08]);
    }
    strokes.push({ points: pts, width: baseWidth * 0.8 });
  }
  return strokes;
}

/** SVG for strokes placed at (ox, oy), drawn as short segments of varying width. */
export function strokesSvg(strokes: Stroke[], ox: number, oy: number, colour: string, rng: Rng): string {
  let s = '';
  for (const st of strokes) {
    const pts = st.points;
    for (let i = 0; i + 4 < pts.length; i += 4) {
      const seg = pts.slice(i, i + 5);
      const wv = st.width * (0.6 + 0.6 * rng.next());
      const d = seg.map(([x, y], k) => `${k ? 'L' : 'M'}${(x + ox).toFixed(1)} ${(y + oy).toFixed(1)}`).join(' ');
      s += `<path d="${d}" stroke="${colour}" stroke-width="${wv.toFixed(2)}" fill="none" stroke-linecap="round" stroke-linejoin="round"/>`;
    }
  }
  return s;
}

/** Box of the pixels an SVG layer covers (alpha above a quarter), as the ground truth. */
async function inkBox(svg: string): Promise<Box> {
  const { data, info } = await sharp(Buffer.from(svg)).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < info.height; y++) {
    for (let x = 0; x < info.width; x++) {
      if (data[(y * info.width + x) * 4 + 3]! > 64) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  return [x0, y0, x1 - x0 + 1, y1 - y0 + 1];
}

export function strokesBox(strokes: Stroke[], ox: number, oy: number): Box {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const st of strokes) {
    for (const [x, y] of st.points) {
      const r = st.width * 0.6;
      x0 = Math.min(x0, x - r);
      y0 = Math.min(y0, y - r);
      x1 = Math.max(x1, x + r);
      y1 = Math.max(y1, y + r);
    }
  }
  return [Math.floor(x0 + ox), Math.floor(y0 + oy), Math.ceil(x1 - x0), Math.ceil(y1 - y0)];
}

/** A signature crop as a PNG (dark ink on white), like a known exemplar on its own. */
export async function signatureCrop(seed: number, w = 420, h = 160, opts: { colour?: string } = {}): Promise<Buffer> {
  const rng = new Rng(seed);
  const strokes = handwriting(rng, w * 0.8, h * 0.7);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><rect width="100%" height="100%" fill="white"/>${strokesSvg(strokes, w * 0.1, h * 0.15, opts.colour ?? '#1a1f3a', rng)}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

export interface ChequeFixture {
  png: Buffer;
  width: number;
  height: number;
  /** Ground-truth signature box [x, y, w, h] (ink extent, rendered). */
  box: Box;
}

/**
 * A 1800 x 800 cheque (300 dpi, 6 x 2.67 in) with tinted guilloche background, logo, printed
 * labels and lines, MICR line, handwritten date, payee, amount and memo, and a signature
 * above the signature line in the lower right. `grey` renders a greyscale scan.
 */
export async function composeCheque(seed: number, opts: { grey?: boolean; width?: number; height?: number } = {}): Promise<ChequeFixture> {
  const rng = new Rng(seed);
  const W = opts.width ?? 1800;
  const H = opts.height ?? 800;
  const sx = W / 1800;
  const sy = H / 800;
  const tint = rng.pick(['#eef3f8', '#f4efe6', '#eef6ee', '#f7f7f7', '#fdf6f0']);
  const gcol = rng.pick(['#c9d7e6', '#e3d3b8', '#cfe3cf', '#dddddd', '#efd6c6']);
  const ink = rng.pick(['#1b2a8c', '#15206b', '#202020', '#0d1a5c', '#2a2a40']);
  const print = rng.pick(['#111111', '#1a1a1a', '#202830']);
  const accent = rng.pick(['#1c4a8a', '#7a1a1a', '#1a6a3a', '#333333']);
  let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><g transform="scale(${sx} ${sy})">`;
  svg += `<rect width="1800" height="800" fill="${tint}"/>`;
  // guilloche: families of sinusoids
  for (let k = 0; k < 26; k++) {
    const a = rng.uniform(20, 60);
    const f = rng.uniform(0.004, 0.012);
    const ph = rng.uniform(0, 6.28);
    const y0 = 30 + k * 29;
    let d = '';
    for (let x = 0; x <= 1800; x += 12) d += `${x ? 'L' : 'M'}${x} ${(y0 + a * Math.sin(x * f + ph)).toFixed(1)} `;
    svg += `<path d="${d}" stroke="${gcol}" stroke-width="1.4" fill="none"/>`;
  }
  svg += `<rect x="8" y="8" width="1784" height="784" fill="none" stroke="${accent}" stroke-width="4"/>`;
  // logo and bank name
  svg += `<circle cx="95" cy="95" r="42" fill="${accent}"/><text x="95" y="112" font-family="DejaVu Serif" font-size="46" font-weight="bold" fill="white" text-anchor="middle">B</text>`;
  svg += `<text x="155" y="100" font-family="DejaVu Serif" font-size="44" font-weight="bold" fill="${accent}">${rng.pick(['First Meridian Bank', 'Harbour Savings', 'Union Trust Co.'])}</text>`;
  svg += `<text x="155" y="140" font-family="DejaVu Sans" font-size="22" fill="${print}">12 High Street, Springfield  ·  Branch ${rng.int(100, 999)}</text>`;
  svg += `<text x="1560" y="80" font-family="DejaVu Sans Mono" font-size="34" fill="${print}">No ${rng.int(100000, 999999)}</text>`;
  // date
  svg += `<text x="1230" y="205" font-family="DejaVu Sans" font-size="28" fill="${print}">Date</text><line x1="1310" y1="212" x2="1720" y2="212" stroke="${print}" stroke-width="2.5"/>`;
  const hw = (x: number, y: number, w: number, h: number, seedOff: number): string =>
    strokesSvg(handwriting(rng.fork(seedOff), w, h, { loops: Math.round(w / 40), flourish: false }), x, y, ink, rng);
  svg += hw(1350, 140, rng.uniform(220, 330), 66, 1);
  // payee
  svg += `<text x="50" y="330" font-family="DejaVu Sans" font-size="28" fill="${print}">Pay to the order of</text><line x1="330" y1="338" x2="1360" y2="338" stroke="${print}" stroke-width="2.5"/>`;
  svg += hw(380, 258, rng.uniform(380, 800), 78, 2);
  // amount box
  svg += `<rect x="1400" y="270" width="340" height="80" fill="white" stroke="${print}" stroke-width="2.5"/><text x="1412" y="325" font-family="DejaVu Sans" font-size="36" fill="${print}">$</text>`;
  svg += hw(1450, 280, rng.uniform(160, 260), 60, 3);
  // amount words
  svg += `<line x1="50" y1="448" x2="1500" y2="448" stroke="${print}" stroke-width="2.5"/><text x="1515" y="446" font-family="DejaVu Sans" font-size="28" fill="${print}">Dollars</text>`;
  svg += hw(80, 368, rng.uniform(600, 1200), 78, 4);
  // memo
  svg += `<text x="50" y="650" font-family="DejaVu Sans" font-size="26" fill="${print}">Memo</text><line x1="140" y1="655" x2="780" y2="655" stroke="${print}" stroke-width="2.5"/>`;
  if (rng.chance(0.6)) svg += hw(170, 590, rng.uniform(150, 400), 60, 5);
  // signature line and signature
  const lineY = 660;
  svg += `<line x1="1030" y1="${lineY}" x2="1730" y2="${lineY}" stroke="${print}" stroke-width="2.5"/>`;
  svg += `<text x="1300" y="${lineY + 30}" font-family="DejaVu Sans" font-size="18" fill="${print}">AUTHORISED SIGNATURE</text>`;
  const sw = rng.uniform(330, 620);
  const sh = rng.uniform(110, 190);
  const sigX = rng.uniform(1040, 1720 - sw);
  const sigY = lineY - sh + rng.uniform(5, 35);
  const sig = handwriting(rng.fork(6), sw, sh);
  svg += strokesSvg(sig, sigX, sigY, ink, rng.fork(7));
  // MICR line
  svg += `<text x="180" y="755" font-family="DejaVu Sans Mono" font-size="40" fill="${print}">C${rng.int(100000000, 999999999)}C  A${rng.int(10000000, 99999999)}A  ${rng.int(1000, 9999)}</text>`;
  svg += '</g></svg>';
  let pipe = sharp(Buffer.from(svg));
  if (opts.grey) pipe = pipe.greyscale();
  const png = await pipe.png({ compressionLevel: 3 }).toBuffer();
  const box = await inkBox(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><g transform="scale(${sx} ${sy})">${strokesSvg(sig, sigX, sigY, ink, rng.fork(7))}</g></svg>`,
  );
  return { png, width: W, height: H, box };
}

export function iou(a: Box, b: Box): number {
  const x0 = Math.max(a[0], b[0]);
  const y0 = Math.max(a[1], b[1]);
  const x1 = Math.min(a[0] + a[2], b[0] + b[2]);
  const y1 = Math.min(a[1] + a[3], b[1] + b[3]);
  const inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  const uni = a[2] * a[3] + b[2] * b[3] - inter;
  return uni > 0 ? inter / uni : 0;
}

/** Draws boxes onto a PNG (for looking at results). */
export async function drawBoxes(png: Buffer, boxes: { box: Box; colour: string }[]): Promise<Buffer> {
  const m = await sharp(png).metadata();
  const rects = boxes
    .map(({ box, colour }) => `<rect x="${box[0]}" y="${box[1]}" width="${box[2]}" height="${box[3]}" fill="none" stroke="${colour}" stroke-width="4"/>`)
    .join('');
  const overlay = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${m.width}" height="${m.height}">${rects}</svg>`);
  return sharp(png)
    .composite([{ input: overlay }])
    .png()
    .toBuffer();
}
