/**
 * Cheque scans: a business-size cheque (228.6 x 101.6 mm, 1800 x 800 px at 200 dpi) with
 * a security background, bank name and logo, printed labels and lines, an amount box, a
 * MICR line, the account holder's (or a forger's) handwriting for date, payee and amount,
 * and the signature in the signature zone, sometimes running over the printed line and
 * caption. Returns the ground-truth box of the signature's ink in the file's pixels.
 */
import { paintBackground, drawLogo, drawMicr, drawRosette } from './cheque-print.ts';
import { bankDesign, chequeAmount, chequeDate, payee, type BankDesign } from './cheque-text.ts';
import { encodeImage, type ImageFormat } from './encode.ts';
import { drawText } from './font.ts';
import type { Hand, Pen } from './hand.ts';
import { writeText } from './handwriting.ts';
import { inkLine, paintLines, type InkLine } from './ink.ts';
import { planStrokes, sampleTrajectory } from './kinematics.ts';
import { rngFor } from './math.ts';
import { Canvas, Layer, layerBox, multiplyInk, strokePolyline, strokeRect } from './raster.ts';
import { type SampleKind, type SeriesForger } from './sample.ts';
import { randomPaper, randomScan, rotatePoint, scanToBytes } from './scan.ts';
import { linesBounds, signatureSample, type Box } from './signature.ts';
import type { Writer } from './writer.ts';
import type { Rng } from '../util/random.ts';

export const CHEQUE_MM = { width: 228.6, height: 101.6 } as const;
/** Cheque signatures are their own repetitions, never copies of standalone samples. */
export const CHEQUE_SAMPLES = 1_000_000;

export interface ChequeOptions {
  /** 'genuine': the account holder signed; 'skilled': a skilled forgery of their signature */
  kind?: SampleKind;
  /** which cheque of this writer's chequebook (default 0) */
  sampleIndex?: number;
  /** for 'skilled': the series forger who signed it (default: one of the writer's own forgers) */
  forger?: SeriesForger;
  /** default 200 */
  dpi?: number;
  /** default 'png' */
  format?: ImageFormat;
  quality?: number;
  /** scanner skew, blur, tone and noise (default true) */
  scan?: boolean;
  /** render everything but the signature (same pixels elsewhere): for measuring ground truth */
  omitSignature?: boolean;
  grey?: boolean;
}

export interface ChequeRaster {
  pixels: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3;
  /** [x, y, w, h] of the signature's ink in the image's pixels */
  box: Box;
}

export interface ChequeImage {
  data: Buffer;
  format: ImageFormat;
  width: number;
  height: number;
  channels: 1 | 3;
  box: Box;
}

/** The account's bank and cheque design: the same for every cheque of one writer. */
export function chequeBank(writer: Writer): BankDesign {
  return bankDesign(rngFor(writer.seed, 'bank'));
}

interface Ctx {
  s: number;
  layer: Layer;
}

function line(c: Ctx, x0: number, y: number, x1: number, widthMm = 0.18): void {
  strokePolyline(c.layer, [x0 * c.s, y * c.s, x1 * c.s, y * c.s], Math.max(0.45, (widthMm * c.s) / 2));
}

function label(
  c: Ctx,
  text: string,
  x: number,
  y: number,
  sizeMm: number,
  opts: { bold?: boolean; align?: 'left' | 'center' | 'right'; tracking?: number } = {},
): void {
  drawText(c.layer, text, x * c.s, y * c.s, {
    font: opts.bold ? 'sans-bold' : 'sans',
    size: sizeMm * c.s,
    align: opts.align,
    tracking: (opts.tracking ?? 0) * c.s,
  });
}

/** Handwritten text along a printed line: inked lines in mm. */
function handwrite(text: string, hand: Hand, pen: Pen, rng: Rng, x: number, baseline: number, xHeight: number): InkLine[] {
  const h: Hand = { ...hand, xHeight, baseline: hand.baseline * 0.4 + rng.normal(0, 0.01), leadIn: false };
  const strokes = writeText(text, h, { x, y: baseline });
  return strokes.map((st) => inkLine(sampleTrajectory(st.pts[0]!, planStrokes(st.pts, h.kin, rng, 1), 0.002), h.habit, pen, rng));
}

/** Where things are printed (mm): fixed for an account's chequebook. */
interface ChequeLayout {
  logo: number;
  nameSize: number;
  dateY: number;
  payY: number;
  wordsY: number;
  sigY: number;
  sigX0: number;
  sigX1: number;
  caption: string;
  rosette: [number, number, number];
}

function chequeLayout(writer: Writer): ChequeLayout {
  const r = rngFor(writer.seed, 'bank-layout');
  return {
    logo: 13 + r.uniform(0, 4),
    nameSize: r.uniform(4.6, 5.6),
    dateY: 28 + r.uniform(-1, 1),
    payY: 44 + r.uniform(-1.5, 1.5),
    wordsY: 59 + r.uniform(-1, 1.5),
    sigY: 82 + r.uniform(-1.5, 1.5),
    sigX0: 122 + r.uniform(0, 8),
    sigX1: 214,
    caption: r.chance(0.5) ? 'AUTHORIZED SIGNATURE' : 'SIGNATURE',
    rosette: [r.uniform(0.5, 0.75), r.uniform(0.35, 0.6), r.uniform(0.16, 0.26)],
  };
}

/** The printed blank of an account's cheques (no paper texture, number or writing), cached. */
const blanks = new Map<string, Float32Array>();

function printedBlank(writer: Writer, bank: BankDesign, L: ChequeLayout, s: number, W: number, H: number, layer: Layer): Float32Array {
  const key = `${writer.seed}:${s}`;
  const hit = blanks.get(key);
  if (hit) return hit;
  const canvas = new Canvas(W, H);
  const r = rngFor(writer.seed, 'bank-print');
  paintBackground(canvas, bank, s, r, randomPaper(r, 1).tone);
  const c: Ctx = { s, layer };
  drawRosette(layer, W * L.rosette[0], H * L.rosette[1], H * L.rosette[2], r, s);
  multiplyInk(canvas, layer, bank.pattern, 0.4);
  layer.clear();
  drawLogo(layer, bank, 8 * s, 6 * s, L.logo * s);
  drawText(layer, bank.name, (12 + L.logo) * s, 12.5 * s, { font: 'sans-bold', size: L.nameSize * s });
  multiplyInk(canvas, layer, bank.accent);
  layer.clear();
  label(c, bank.address.toUpperCase(), 12 + L.logo, 17.5, 2.3, { tracking: 0.1 });
  if (bank.border) strokeRect(layer, 3 * s, 3 * s, W - 3 * s, H - 3 * s, Math.max(0.5, 0.12 * s));
  label(c, 'DATE', 148, L.dateY, 2.4);
  line(c, 158, L.dateY + 0.6, 214);
  label(c, 'PAY TO THE', 10, L.payY - 3.3, 2.3);
  label(c, 'ORDER OF', 10, L.payY, 2.3);
  line(c, 28, L.payY + 0.6, 160);
  label(c, bank.currency, 166, L.payY, 4, { bold: true });
  strokeRect(layer, 170 * s, (L.payY - 8) * s, 215 * s, (L.payY + 2) * s, Math.max(0.5, 0.1 * s));
  line(c, 10, L.wordsY + 0.6, 192);
  label(c, 'DOLLARS', 194, L.wordsY, 2.4);
  label(c, 'MEMO', 10, L.sigY, 2.3);
  line(c, 21, L.sigY + 0.6, 95);
  line(c, L.sigX0, L.sigY + 0.6, L.sigX1, 0.22);
  label(c, L.caption, (L.sigX0 + L.sigX1) / 2, L.sigY + 3.8, 2, { align: 'center', tracking: 0.15 });
  multiplyInk(canvas, layer, bank.print);
  layer.clear();
  if (blanks.size >= 3) blanks.delete(blanks.keys().next().value as string);
  blanks.set(key, canvas.data);
  return canvas.data;
}

let pool: { canvas: Canvas; layer: Layer } | undefined;

/** Page-sized buffers, reused (rendering is synchronous, so one set is enough). */
function scratch(W: number, H: number): { canvas: Canvas; layer: Layer } {
  if (!pool || pool.canvas.width !== W || pool.canvas.height !== H) pool = { canvas: new Canvas(W, H), layer: new Layer(W, H) };
  pool.layer.clear();
  return pool;
}

/** Renders a cheque to pixels. */
export function rasteriseCheque(writer: Writer, opts: ChequeOptions = {}): ChequeRaster {
  const kind = opts.kind ?? 'genuine';
  const index = opts.sampleIndex ?? 0;
  const dpi = opts.dpi ?? 200;
  const s = dpi / 25.4;
  const W = Math.round(CHEQUE_MM.width * s);
  const H = Math.round(CHEQUE_MM.height * s);
  const bank = chequeBank(writer);
  const L = chequeLayout(writer);
  const rng = rngFor(writer.seed, 'cheque', kind, index);
  const fillRng = rng.fork('fill');
  const sigRng = rng.fork('signature');
  const scanRng = rng.fork('scan');

  // One coverage layer, cleared and reused for each ink; buffers are reused between calls.
  const { canvas, layer } = scratch(W, H);
  canvas.data.set(printedBlank(writer, bank, L, s, W, H, layer));
  const paper = randomPaper(scanRng, 0.8);
  // Cheque number and MICR line carry the cheque's number.
  const c: Ctx = { s, layer };
  const chequeNo = String(100 + index).padStart(6, '0');
  label(c, `No. ${chequeNo}`, 216, 11, 3, { align: 'right' });
  drawMicr(layer, `T${bank.routing}T ${bank.account}U ${chequeNo.slice(2)}`, 30 * s, 96 * s, 2.9 * s);
  multiplyInk(canvas, layer, bank.print);
  layer.clear();

  // The handwriting: the account holder's, or the forger's for a forged cheque.
  const sample = signatureSample(writer, kind, CHEQUE_SAMPLES + index, opts.forger);
  const hand = sample.hand;
  const pen = sample.pen;
  const amount = chequeAmount(fillRng);
  const xh = fillRng.uniform(2.3, 3.1);
  const fill: InkLine[] = [
    ...handwrite(chequeDate(fillRng), hand, pen, fillRng, 162 + fillRng.uniform(0, 8), L.dateY - 0.8, xh * 0.9),
    ...handwrite(payee(fillRng), hand, pen, fillRng, 34 + fillRng.uniform(0, 15), L.payY - 0.8, xh),
    ...handwrite(amount.figures, hand, pen, fillRng, 173 + fillRng.uniform(0, 4), L.payY - 1.8, xh * 0.85),
    ...handwrite(amount.words, hand, pen, fillRng, 12 + fillRng.uniform(0, 6), L.wordsY - 0.8, xh * 0.95),
  ];
  paintLines(layer, fill, { scale: s, ox: 0, oy: 0 }, pen.grain, fillRng.int(1, 1e9));
  multiplyInk(canvas, layer, pen.ink);
  layer.clear();

  // The signature, fitted to the zone above the signature line.
  const { sigX0, sigX1, sigY } = L;
  const b = linesBounds(sample.lines);
  const zoneW = (sigX1 - sigX0) * sigRng.uniform(0.6, 0.92);
  const k = Math.min(1, zoneW / (b.maxX - b.minX), 24 / (b.maxY - b.minY));
  const touching = sigRng.chance(0.35);
  const bottom = sigY + 0.6 + (touching ? sigRng.uniform(0.8, 4.5) : sigRng.uniform(-3, -0.6));
  const left = sigX0 + sigRng.uniform(0, Math.max(0, sigX1 - sigX0 - (b.maxX - b.minX) * k));
  const fitted = sample.lines.map((l) => ({
    ...l,
    x: l.x.map((v) => left + (v - b.minX) * k),
    y: l.y.map((v) => bottom + (v - b.maxY) * k),
    width: l.width.map((v) => v * Math.max(0.85, k)),
  }));
  paintLines(layer, fitted, { scale: s, ox: 0, oy: 0 }, pen.grain, sigRng.int(1, 1e9));
  if (!opts.omitSignature) multiplyInk(canvas, layer, pen.ink);

  // The scanner.
  const scan = opts.scan ?? true;
  const settings = randomScan(scanRng, scan ? 1 : 0, scan ? 1.2 : 0);
  const channels = opts.grey ? 1 : 3;
  const pixels = scanToBytes(canvas, scanRng, settings, channels === 1, paper);
  const box = signatureBox(layer, settings.rotation, Math.abs(settings.rotation) > 1e-6 ? 0.5 : settings.blur);
  return { pixels, width: W, height: H, channels, box };
}

/** The signature's ink box in the scanned image: its ink pixels through the scanner's skew. */
function signatureBox(layer: Layer, angle: number, blur: number): Box {
  const W = layer.width;
  const H = layer.height;
  const box = layerBox(layer, 0.03);
  if (!box) return [0, 0, 0, 0];
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  const [bx, by, bw, bh] = box;
  for (let y = by; y < by + bh; y++) {
    for (let x = bx; x < bx + bw; x++) {
      if ((layer.data[y * W + x] as number) <= 0.03) continue;
      for (const [cx, cy] of [
        [x, y],
        [x + 1, y + 1],
      ] as const) {
        const [u, v] = rotatePoint(cx, cy, angle, W, H);
        if (u < minX) minX = u;
        if (v < minY) minY = v;
        if (u > maxX) maxX = u;
        if (v > maxY) maxY = v;
      }
    }
  }
  const pad = Math.ceil(blur * 2) + 1;
  const x0 = Math.max(0, Math.floor(minX) - pad);
  const y0 = Math.max(0, Math.floor(minY) - pad);
  const x1 = Math.min(W, Math.ceil(maxX) + pad);
  const y1 = Math.min(H, Math.ceil(maxY) + pad);
  return [x0, y0, x1 - x0, y1 - y0];
}

/** Renders and encodes a cheque scan. */
export async function renderCheque(writer: Writer, opts: ChequeOptions = {}): Promise<ChequeImage> {
  const r = rasteriseCheque(writer, opts);
  const format = opts.format ?? 'png';
  const quality = opts.quality ?? 70 + rngFor(writer.seed, 'cheque-quality', opts.sampleIndex ?? 0).int(0, 22);
  const data = await encodeImage(r.pixels, r.width, r.height, r.channels, { format, quality, dpi: opts.dpi ?? 200 });
  return { data, format, width: r.width, height: r.height, channels: r.channels, box: r.box };
}
