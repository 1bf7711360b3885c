/**
 * A hand: the habits of one person's handwriting (size, proportions, slant, speed and
 * fluency, pressure, pen), independent of what they write. Writers use theirs for
 * signatures and cheque fill-in; skilled forgers copy someone else's shape with their own.
 */
import type { Rng } from '../util/random.ts';
import type { Kinematics } from './kinematics.ts';
import { clamp } from './math.ts';
import type { Rgb } from './raster.ts';

export interface PenHabit {
  /** mean pressure 0..1 */
  pressure: number;
  /** how much pressure varies along the line (0 = uniform) */
  pressureVar: number;
  /** 1: the pen lands and leaves while moving (tapered ends); 0: set down and lifted at rest (blunt) */
  taper: number;
  /** speed (mm/s) at which the line has thinned and lightened halfway */
  speedRef: number;
}

export interface Pen {
  kind: 'ballpoint' | 'gel' | 'fineliner';
  /** nominal line width (mm) */
  width: number;
  ink: Rgb;
  /** ink strength: 1 leaves full colour at full pressure */
  flow: number;
  /** 0..1 speckle of ink-free pixels (ballpoint skipping) */
  grain: number;
}

export interface Hand {
  /** mm */
  xHeight: number;
  /** capital height / x-height */
  capScale: number;
  /** horizontal stretch of capitals */
  capWidth: number;
  /** ascender and descender reach, in x-heights */
  ascender: number;
  descender: number;
  /** horizontal stretch of lowercase letters */
  widthScale: number;
  /** extra advance between letters and between words, in x-heights */
  spacing: number;
  wordGap: number;
  /** forward lean (radians, positive leans right) */
  slant: number;
  /** baseline direction (radians, negative rises to the right on paper) */
  baseline: number;
  /** writes a lead-in stroke before a word's first lowercase letter */
  leadIn: boolean;
  /** personal letter forms: a fixed smooth deformation of the copybook shapes */
  forms: { seed: number; amount: number };
  kin: Kinematics;
  habit: PenHabit;
  pen: Pen;
}

const deg = Math.PI / 180;

export const INKS: { name: string; ink: Rgb }[] = [
  { name: 'blue ballpoint', ink: [28, 48, 150] },
  { name: 'royal blue', ink: [22, 40, 170] },
  { name: 'blue-black', ink: [24, 32, 88] },
  { name: 'black ballpoint', ink: [30, 30, 38] },
  { name: 'black gel', ink: [14, 14, 18] },
];

export function randomPen(rng: Rng): Pen {
  const r = rng.next();
  const kind: Pen['kind'] = r < 0.72 ? 'ballpoint' : r < 0.9 ? 'gel' : 'fineliner';
  const choice = rng.chance(0.62) ? rng.pick(INKS.slice(0, 3)) : rng.pick(INKS.slice(3));
  const jitter = (v: number) => clamp(Math.round(v + rng.normal(0, 6)), 0, 255);
  return {
    kind,
    width: kind === 'ballpoint' ? rng.uniform(0.3, 0.45) : kind === 'gel' ? rng.uniform(0.4, 0.6) : rng.uniform(0.45, 0.7),
    ink: [jitter(choice.ink[0]), jitter(choice.ink[1]), jitter(choice.ink[2])],
    flow: kind === 'ballpoint' ? rng.uniform(0.82, 0.97) : rng.uniform(0.92, 1),
    grain: kind === 'ballpoint' ? rng.uniform(0.12, 0.3) : rng.uniform(0.02, 0.08),
  };
}

/** A fluent writer's hand (a signature writer, or a forger writing in their own style). */
export function createHand(rng: Rng): Hand {
  const fluency = rng.uniform(0, 1);
  return {
    xHeight: rng.uniform(3.2, 5.8),
    capScale: rng.uniform(2.0, 3.2),
    capWidth: rng.uniform(0.8, 1.25),
    ascender: rng.uniform(1.9, 2.7),
    descender: rng.uniform(0.9, 1.5),
    widthScale: rng.uniform(0.75, 1.3),
    spacing: rng.uniform(-0.05, 0.2),
    wordGap: rng.uniform(0.6, 1.2),
    slant: clamp(rng.normal(14, 10), -12, 34) * deg,
    baseline: clamp(rng.normal(-2.5, 3), -9, 5) * deg,
    leadIn: rng.chance(0.5),
    forms: { seed: rng.int(1, 2 ** 31 - 1), amount: rng.uniform(0.06, 0.16) },
    kin: {
      mu: -2.55 + 0.35 * (1 - fluency) + rng.normal(0, 0.06),
      sigma: rng.uniform(0.24, 0.36),
      overlap: rng.uniform(0.38, 0.55),
      roundness: rng.uniform(0.55, 1.05),
      sizeRef: 4,
      emphasis: rng.uniform(0.3, 0.5),
    },
    habit: {
      pressure: rng.uniform(0.6, 0.9),
      pressureVar: rng.uniform(0.12, 0.3),
      taper: rng.uniform(0.6, 1),
      speedRef: rng.uniform(120, 220),
    },
    pen: randomPen(rng),
  };
}
