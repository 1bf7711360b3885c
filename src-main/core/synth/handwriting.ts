/**
 * Text to motor plan: lays letters out in one hand's proportions, joining lowercase
 * letters into one pen-down movement per word, and queueing delayed strokes (i dots,
 * t bars) to the end of the word. Output is in millimetres, y down, baseline at y = 0,
 * slanted and rotated to the hand's baseline.
 */
import { CAPITALS, LOWERCASE, PRINTED_SIGNS, type Glyph } from './alphabet.ts';
import type { Hand } from './hand.ts';
import { Rng } from '../util/random.ts';
import { ElasticField, type Pt } from './math.ts';

export type StrokeRole = 'letter' | 'delayed' | 'flourish' | 'extra';

/** One pen-down movement of a plan: virtual targets in mm (y down). */
export interface PlanStroke {
  pts: Pt[];
  role: StrokeRole;
}

export interface LayoutOptions {
  /** where the text starts, in x-heights (y up) */
  x?: number;
  /** join the first letter to the end of `continueFrom` */
  continueFrom?: PlanStroke;
  /** digits: height of a digit in x-heights (default 1.5 as drawn) */
  digitScale?: number;
}

export interface Layout {
  /** strokes in x-height units, y up, unslanted */
  strokes: PlanStroke[];
  /** cursor after the text, x-height units */
  end: number;
  /** last stroke if it may be continued by the next text */
  open?: PlanStroke;
}

function lowerY(y: number, hand: Hand): number {
  if (y > 1) return 1 + ((y - 1) * (hand.ascender - 1)) / 1.2;
  if (y < 0) return y * hand.descender;
  return y;
}

/** Lays out `text` in x-height units (y up), before slant and scaling. */
export function layoutText(text: string, hand: Hand, opts: LayoutOptions = {}): Layout {
  const strokes: PlanStroke[] = [];
  let delayed: PlanStroke[] = [];
  let cursor = opts.x ?? 0;
  let open: PlanStroke | undefined = opts.continueFrom;
  let wordStart = !open;
  let added = 0;
  const closeWord = () => {
    open = undefined;
    strokes.push(...delayed);
    delayed = [];
    wordStart = true;
  };
  for (const ch of text) {
    if (ch === ' ') {
      closeWord();
      cursor += hand.wordGap;
      continue;
    }
    const lower = LOWERCASE.get(ch);
    const cap = CAPITALS.get(ch);
    const sign = PRINTED_SIGNS.get(ch);
    const glyph: Glyph | undefined = lower ?? cap ?? sign;
    if (!glyph) throw new Error(`handwriting: no glyph for '${ch}'`);
    let sx: number;
    let mapY: (y: number) => number;
    if (lower) {
      sx = hand.widthScale;
      mapY = (y) => lowerY(y, hand);
    } else if (cap) {
      sx = hand.capScale * hand.capWidth * 0.9;
      mapY = (y) => y * hand.capScale;
      open = undefined;
    } else {
      const k = (opts.digitScale ?? 1.5) / 1.5;
      sx = 0.85 * k * Math.max(0.85, hand.widthScale);
      mapY = (y) => y * k;
      open = undefined;
    }
    const mains = glyph.components.filter((c) => !c.delayed);
    mains.forEach((c, i) => {
      const pts = c.pts.map(([x, y]) => ({ x: cursor + x * sx, y: mapY(y) }));
      if (i === 0 && open && lower) {
        if (open === opts.continueFrom) added += pts.length;
        open.pts.push(...pts);
        return;
      }
      if (i === 0 && lower && wordStart && hand.leadIn) {
        const p = pts[0] as Pt;
        pts.unshift({ x: p.x - 0.35, y: Math.max(0, p.y - 0.6) });
      }
      const s: PlanStroke = { pts, role: 'letter' };
      strokes.push(s);
      open = s;
    });
    for (const c of glyph.components) {
      if (c.delayed) delayed.push({ pts: c.pts.map(([x, y]) => ({ x: cursor + x * sx, y: mapY(y) })), role: 'delayed' });
    }
    wordStart = false;
    if (!(lower || (cap && glyph.joins))) open = undefined;
    cursor += glyph.width * sx + hand.spacing + (lower ? 0 : 0.25);
  }
  const last = open;
  strokes.push(...delayed);
  // Personal letter forms: the same smooth deformation wherever this hand writes.
  const field = new ElasticField(new Rng(hand.forms.seed), hand.forms.amount, 1.4, 6);
  for (const s of strokes) {
    if (s === opts.continueFrom) continue;
    s.pts = s.pts.map((p) => field.displace(p));
  }
  if (opts.continueFrom) {
    const n0 = opts.continueFrom.pts.length - added;
    for (let i = n0; i < opts.continueFrom.pts.length; i++) opts.continueFrom.pts[i] = field.displace(opts.continueFrom.pts[i] as Pt);
  }
  return { strokes, end: cursor, open: last };
}

/** Slants, scales to mm, flips y to point down and rotates to the baseline, about (0, 0). */
export function toWorld(strokes: PlanStroke[], hand: Hand, origin: Pt = { x: 0, y: 0 }): PlanStroke[] {
  const sh = Math.tan(hand.slant);
  const c = Math.cos(hand.baseline);
  const s = Math.sin(hand.baseline);
  return strokes.map((st) => ({
    role: st.role,
    pts: st.pts.map((p) => {
      const x = (p.x + p.y * sh) * hand.xHeight;
      const y = -p.y * hand.xHeight;
      return { x: origin.x + x * c - y * s, y: origin.y + x * s + y * c };
    }),
  }));
}

/** Handwritten text in mm (y down, baseline through `origin`). */
export function writeText(text: string, hand: Hand, origin: Pt = { x: 0, y: 0 }, opts: LayoutOptions = {}): PlanStroke[] {
  return toWorld(layoutText(text, hand, opts).strokes, hand, origin);
}
