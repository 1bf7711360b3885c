/**
 * Writers: a name, a hand, and a latent signature (the motor plan the person repeats,
 * with their own form, legibility, dissolving tail and flourish). Samples of it are
 * drawn in sample.ts.
 */
import { Rng } from '../util/random.ts';
import { createHand, type Hand } from './hand.ts';
import { layoutText, toWorld, type PlanStroke } from './handwriting.ts';
import { clamp, type Pt } from './math.ts';

export type SignatureForm = 'initial-dot-surname' | 'first-surname' | 'initial-surname' | 'initials-scribble';
export type Flourish = 'none' | 'underline' | 'underline-joined' | 'paraph' | 'tail';

export interface SignatureStyle {
  form: SignatureForm;
  /** surname letters written clearly before the signature dissolves into waves */
  legible: number;
  /** waves of the dissolving tail */
  waves: number;
  flourish: Flourish;
}

export interface Writer {
  id: string;
  seed: number;
  first: string;
  last: string;
  /** "A. Surname" style display name */
  name: string;
  hand: Hand;
  style: SignatureStyle;
  /** the latent signature: mm, y down, baseline near y = 0 */
  plan: PlanStroke[];
}

const FIRST_NAMES = [
  'Anna',
  'Marek',
  'Julia',
  'Tomas',
  'Elena',
  'Pavel',
  'Sofia',
  'David',
  'Laura',
  'Ivan',
  'Clara',
  'Hugo',
  'Nina',
  'Oscar',
  'Greta',
  'Felix',
  'Irene',
  'Karl',
  'Lena',
  'Rosa',
  'Viktor',
  'Maria',
  'Peter',
  'Simon',
  'Emil',
  'Olga',
  'Bruno',
  'Teresa',
  'Walter',
  'Yara',
  'Zora',
  'Leon',
  'Ruth',
  'Henri',
  'Daniel',
  'Berta',
  'Carlos',
  'Dora',
  'Frank',
  'Gil',
  'Hanna',
  'Igor',
  'Jonas',
  'Kira',
  'Nora',
  'Otto',
  'Paula',
  'Quentin',
  'Ralf',
  'Sara',
  'Ugo',
  'Vera',
  'Wanda',
  'Xenia',
  'Edith',
  'Agnes',
  'Milan',
  'Lucia',
  'Boris',
  'Ines',
];
const ONSETS = ['b', 'br', 'c', 'ch', 'd', 'f', 'g', 'h', 'k', 'l', 'm', 'n', 'p', 'r', 's', 'st', 't', 'v', 'w', 'z', 'gr', 'kr', 'sh', 'tr'];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'a', 'e', 'o', 'ei', 'ou', 'y'];
const CODAS = ['', '', '', 'n', 'r', 'l', 's', 'm', 'k', 'rt', 'nd', 'ck', 'll', 'ss', 'th', 'x'];

function surname(rng: Rng): string {
  const syllables = rng.int(2, 3);
  let s = '';
  for (let i = 0; i < syllables; i++) {
    s += rng.pick(ONSETS) + rng.pick(VOWELS) + (i === syllables - 1 || rng.chance(0.4) ? rng.pick(CODAS) : '');
  }
  s = s.slice(0, 10);
  return (s[0] as string).toUpperCase() + s.slice(1);
}

function pickStyle(rng: Rng, last: string): SignatureStyle {
  const r = rng.next();
  const form: SignatureForm = r < 0.32 ? 'initial-dot-surname' : r < 0.55 ? 'first-surname' : r < 0.8 ? 'initial-surname' : 'initials-scribble';
  const lower = last.length - 1;
  const legible = form === 'initials-scribble' ? rng.int(0, 1) : rng.chance(0.45) ? lower : rng.int(Math.min(2, lower), lower);
  const f = rng.next();
  const flourish: Flourish = f < 0.22 ? 'none' : f < 0.45 ? 'underline' : f < 0.68 ? 'underline-joined' : f < 0.82 ? 'paraph' : 'tail';
  return { form, legible, waves: rng.int(2, 5), flourish };
}

/** Wave targets of a signature dissolving into garlands or arcades (x-height units, y up). */
function dissolve(rng: Rng, x: number, count: number): Pt[] {
  const arcade = rng.chance(0.5);
  const pts: Pt[] = [];
  let amp = rng.uniform(0.8, 1.1);
  for (let i = 0; i < count; i++) {
    const w = rng.uniform(0.4, 0.65);
    if (arcade) pts.push({ x: x + 0.2 * w, y: amp }, { x: x + 0.55 * w, y: 0.02 });
    else pts.push({ x: x + 0.25 * w, y: 0.02 }, { x: x + 0.6 * w, y: amp });
    x += w;
    amp *= rng.uniform(0.7, 0.95);
  }
  pts.push({ x: x + rng.uniform(0.4, 1.2), y: rng.uniform(-0.2, 0.8) });
  return pts;
}

function bounds(strokes: PlanStroke[]): { minX: number; maxX: number; minY: number; maxY: number } {
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (const s of strokes) {
    for (const p of s.pts) {
      minX = Math.min(minX, p.x);
      maxX = Math.max(maxX, p.x);
      minY = Math.min(minY, p.y);
      maxY = Math.max(maxY, p.y);
    }
  }
  return { minX, maxX, minY, maxY };
}

/** The flourish after the name, in mm (y down), from the name's strokes. */
function addFlourish(rng: Rng, strokes: PlanStroke[], style: SignatureStyle, hand: Hand): void {
  if (style.flourish === 'none') return;
  const b = bounds(strokes);
  const xh = hand.xHeight;
  const width = b.maxX - b.minX;
  const lastLetter = [...strokes].reverse().find((s) => s.role === 'letter');
  const end = lastLetter?.pts[lastLetter.pts.length - 1] ?? { x: b.maxX, y: 0 };
  const below = Math.max(b.maxY, 0) + xh * rng.uniform(0.5, 1.1);
  switch (style.flourish) {
    case 'underline-joined': {
      lastLetter?.pts.push(
        { x: end.x + xh * rng.uniform(0.4, 0.9), y: below + xh * rng.uniform(0.1, 0.5) },
        { x: b.minX + width * rng.uniform(0.35, 0.6), y: below + xh * rng.uniform(0.3, 0.8) },
        { x: b.minX + width * rng.uniform(0.0, 0.2), y: below + xh * rng.uniform(0.2, 0.9) },
      );
      return;
    }
    case 'underline': {
      const x0 = b.minX + width * rng.uniform(-0.05, 0.2);
      const x1 = b.maxX + xh * rng.uniform(0, 1.5);
      const sag = xh * rng.uniform(-0.3, 0.4);
      strokes.push({
        role: 'flourish',
        pts: [
          { x: x0, y: below + xh * 0.2 },
          { x: (x0 + x1) / 2, y: below + sag },
          { x: x1, y: below - xh * rng.uniform(0.1, 0.6) },
        ],
      });
      return;
    }
    case 'paraph': {
      const pts: Pt[] = [];
      const n = rng.int(3, 5);
      const x0 = b.minX + width * rng.uniform(0.3, 0.6);
      const step = (b.maxX + xh - x0) / n;
      // A zigzag paraph: sharp turns (cusps), slightly leaning strokes.
      const lean = rng.uniform(0.2, 0.6) * step;
      for (let i = 0; i <= n; i++) pts.push({ x: x0 + i * step + (i % 2 ? -lean : 0) + rng.normal(0, 0.08 * xh), y: below + (i % 2 ? 1.1 : 0) * xh });
      strokes.push({ role: 'flourish', pts });
      return;
    }
    case 'tail': {
      lastLetter?.pts.push(
        { x: end.x + xh * rng.uniform(0.8, 1.4), y: end.y - xh * rng.uniform(-0.2, 0.4) },
        { x: end.x + xh * rng.uniform(2.0, 3.2), y: end.y - xh * rng.uniform(0.8, 1.8) },
      );
      return;
    }
  }
}

/** The latent signature of a writer: what every genuine sample varies around. */
function signaturePlan(rng: Rng, first: string, last: string, hand: Hand, style: SignatureStyle): PlanStroke[] {
  const parts: PlanStroke[] = [];
  const initial = first[0] as string;
  const clear = last.slice(0, 1 + style.legible);
  const dissolved = last.length - clear.length;
  let x = 0;
  let open: PlanStroke | undefined;
  const write = (text: string, join: boolean) => {
    const l = layoutText(text, hand, { x, continueFrom: join ? open : undefined });
    parts.push(...l.strokes);
    x = l.end;
    open = l.open;
  };
  switch (style.form) {
    case 'initial-dot-surname':
      write(initial, false);
      x -= 0.2;
      write('.', false);
      x += hand.wordGap * 0.6;
      write(clear, false);
      break;
    case 'first-surname':
      write(first, false);
      x += hand.wordGap;
      write(clear, false);
      break;
    case 'initial-surname':
      write(initial, false);
      x += hand.wordGap * 0.3;
      write(clear, false);
      break;
    case 'initials-scribble':
      write(initial, false);
      x -= 0.3;
      write(clear, true);
      break;
  }
  if (dissolved > 0 || style.form === 'initials-scribble') {
    const waves = dissolve(rng, x - 0.2, Math.max(style.waves, Math.min(6, dissolved)));
    if (open) open.pts.push(...waves);
    else parts.push({ role: 'letter', pts: [{ x, y: 0.3 }, ...waves] });
  }
  const world = toWorld(parts, hand);
  addFlourish(rng, world, style, hand);
  return world;
}

/** A writer from a seed (or a stream); the same seed and id always give the same writer. */
export function createWriter(seed: number | string | Rng, id = 'w000'): Writer {
  const rng = seed instanceof Rng ? seed.fork(id) : new Rng(`${String(seed)}/writer/${id}`);
  const ownSeed = (rng.next() * 4294967296) >>> 0;
  const first = rng.pick(FIRST_NAMES);
  const last = surname(rng);
  const hand = createHand(rng);
  const style = pickStyle(rng, last);
  // Signatures are written larger and faster than ordinary text.
  hand.xHeight = clamp(hand.xHeight * rng.uniform(1.0, 1.3), 3.2, 7);
  const plan = signaturePlan(rng, first, last, hand, style);
  return { id, seed: ownSeed, first, last, name: `${first[0]}. ${last}`, hand, style, plan };
}
