/**
 * Signature samples as inked lines in mm: genuine repetitions of a writer's latent
 * signature, and skilled forgeries of it drawn by another hand.
 */
import type { Rng } from '../util/random.ts';
import { createHand, randomPen, type Hand, type Pen, type PenHabit } from './hand.ts';
import type { PlanStroke } from './handwriting.ts';
import { inkLine, type InkLine } from './ink.ts';
import { planStrokes, sampleTrajectory, type Kinematics, type Trace } from './kinematics.ts';
import { Noise1D, clamp, rngFor, type Pt } from './math.ts';
import { distortPlan, resampleTrace, type Distortion } from './variation.ts';
import type { Writer } from './writer.ts';

export type SampleKind = 'genuine' | 'skilled';

export interface SignatureSample {
  lines: InkLine[];
  pen: Pen;
  /** who held the pen: the writer, or the forger's hand */
  hand: Hand;
  /** total writing time (s): forgeries are slow */
  duration: number;
}

/** Forgers per writer: skilled forgery i is by forger i mod FORGERS. */
export const FORGERS = 4;

/** Pen trajectories sampled every `dt` s (2 ms for fluent writing; slow drawing can use more). */
function traces(strokes: readonly PlanStroke[], kin: Kinematics, rng: Rng, jitter: number, dt = 0.002): Trace[] {
  return strokes.filter((s) => s.pts.length > 0).map((s) => sampleTrajectory(s.pts[0] as Pt, planStrokes(s.pts, kin, rng, jitter), dt));
}

function varyPen(pen: Pen, rng: Rng): Pen {
  return { ...pen, width: pen.width * Math.exp(rng.normal(0, 0.08)), flow: clamp(pen.flow * Math.exp(rng.normal(0, 0.04)), 0.6, 1) };
}

/** The writer's natural variation between repetitions. */
function genuineDistortion(xh: number): Distortion {
  return { rotation: 0.022, scale: 0.045, xScale: 0.04, shear: 0.04, elastic: 0.1 * xh, wavelength: 2.6 * xh, jitter: 0.025 * xh, detached: 0.12 * xh };
}

/** The plan as the writer executes it once, with `d` applied, as pen trajectories. */
function fluentTraces(writer: Writer, rng: Rng, d: Distortion, extras: boolean): Trace[] {
  const hand = writer.hand;
  let plan = distortPlan(writer.plan, rng, d);
  if (extras) {
    // Small strokes come and go: a dot or bar left out, an underline skipped, an extra tick.
    plan = plan.filter((s) => !(s.role === 'delayed' && rng.chance(0.12)) && !(s.role === 'flourish' && rng.chance(0.06)));
    if (rng.chance(0.08)) plan = splitStroke(plan, rng);
    if (rng.chance(0.06)) plan.push(extraTick(plan, rng, hand.xHeight));
  }
  const kin: Kinematics = {
    ...hand.kin,
    mu: hand.kin.mu + rng.normal(0, 0.06),
    overlap: hand.kin.overlap * Math.exp(rng.normal(0, 0.06)),
  };
  return traces(plan, kin, rng, 1);
}

/** Genuine sample `index` of a writer: the latent plan with natural variation. */
export function genuineSample(writer: Writer, index: number): SignatureSample {
  const rng = rngFor(writer.seed, 'genuine', index);
  const hand = writer.hand;
  const ts = fluentTraces(writer, rng, genuineDistortion(hand.xHeight), true);
  const pen = rng.chance(0.7) ? varyPen(hand.pen, rng) : randomPen(rng);
  const habit: PenHabit = { ...hand.habit, pressure: clamp(hand.habit.pressure * Math.exp(rng.normal(0, 0.08)), 0.3, 1) };
  const lines = ts.map((t) => inkLine(t, habit, pen, rng));
  return { lines, pen, hand, duration: ts.reduce((a, t) => a + t.n * t.dt, 0) };
}

function splitStroke(plan: PlanStroke[], rng: Rng): PlanStroke[] {
  const candidates = plan.map((s, i) => (s.role === 'letter' && s.pts.length >= 8 ? i : -1)).filter((i) => i >= 0);
  if (!candidates.length) return plan;
  const i = rng.pick(candidates);
  const s = plan[i] as PlanStroke;
  const k = rng.int(3, s.pts.length - 4);
  const out = plan.slice();
  out.splice(i, 1, { role: 'letter', pts: s.pts.slice(0, k + 1) }, { role: 'letter', pts: s.pts.slice(k) });
  return out;
}

function extraTick(plan: PlanStroke[], rng: Rng, xh: number): PlanStroke {
  let maxX = -Infinity;
  let y = 0;
  for (const s of plan) {
    for (const p of s.pts) {
      if (p.x > maxX) {
        maxX = p.x;
        y = p.y;
      }
    }
  }
  const x = maxX + xh * rng.uniform(0.3, 0.8);
  const y0 = y + xh * rng.uniform(-0.6, 0.3);
  return rng.chance(0.5)
    ? {
        role: 'extra',
        pts: [
          { x, y: y0 },
          { x: x + 0.05 * xh, y: y0 + 0.05 * xh },
        ],
      }
    : {
        role: 'extra',
        pts: [
          { x, y: y0 },
          { x: x + 0.5 * xh, y: y0 - 0.3 * xh },
        ],
      };
}

export interface Forger {
  hand: Hand;
  /** 0..1: how closely the forger reproduces the model */
  skill: number;
}

export function forgerOf(writer: Writer, index: number): Forger {
  const rng = rngFor(writer.seed, 'forger', index % FORGERS);
  return { hand: createHand(rng), skill: rng.uniform(0.3, 0.9) };
}

/**
 * A forger of a series case: one person behind several forged documents, with one hand and one
 * way of seeing each signature they copy, so their forgeries of a writer resemble each other.
 */
export interface SeriesForger {
  /** "forger-1", ... (the hand in truth.json) */
  id: string;
  seed: number;
}

/** How a forger of `skill` misperceives a writer's shape: errors beyond the writer's own variation. */
function perceptionErrors(xh: number, lack: number): Distortion {
  return {
    rotation: 0.03 + 0.03 * lack,
    scale: 0.06 + 0.07 * lack,
    xScale: 0.07 + 0.08 * lack,
    shear: 0.07 + 0.1 * lack,
    elastic: (0.18 + 0.15 * lack) * xh,
    wavelength: 2.2 * xh,
    jitter: 0.03 * xh,
    detached: 0.2 * xh,
  };
}

/**
 * Skilled forgery `index` of a writer: a forger copies a genuine specimen by drawing it
 * slowly, aiming at points along its visible line: shape errors of perception, tremor,
 * blunt ends, pauses that pool ink, pen lifts in the wrong places, even pressure.
 * Without `by`, forgery i is by one of the writer's FORGERS, each time with fresh perception
 * errors; with `by` (a series case), the forger keeps one version of the writer's shape and
 * repeats it with about the variation of a fluent writer.
 */
export function skilledSample(writer: Writer, index: number, by?: SeriesForger): SignatureSample {
  const rng = by ? rngFor(writer.seed, 'skilled', index, by.id) : rngFor(writer.seed, 'skilled', index);
  const forger = by ? { hand: createHand(rngFor(by.seed, 'hand')), skill: rngFor(by.seed, 'skill').uniform(0.3, 0.9) } : forgerOf(writer, index);
  const xh = writer.hand.xHeight;
  const lack = 1 - forger.skill;
  // What the forger perceives and means to draw: the writer's shape with errors of
  // proportion, slant and detail beyond the writer's own variation.
  const intended = by
    ? fluentTraces(
        { ...writer, plan: distortPlan(writer.plan, rngFor(by.seed, 'perception', writer.seed), perceptionErrors(xh, lack)) },
        rngFor(writer.seed, 'skilled-model', index, by.id),
        genuineDistortion(xh),
        false,
      )
    : fluentTraces(writer, rngFor(writer.seed, 'skilled-model', index), perceptionErrors(xh, lack), false);
  // Drawn slowly, aiming at points along that line.
  const spacing = xh * rng.uniform(0.2, 0.32) * (1 + lack);
  const plan: PlanStroke[] = intended.map((t) => ({
    role: 'letter' as const,
    pts: resampleTrace(t, spacing).map((p) => ({ x: p.x + rng.normal(0, 0.012 * xh), y: p.y + rng.normal(0, 0.012 * xh) })),
  }));
  // Pen lifts where the writer has none: the forger stops to look at the model.
  const lifted: PlanStroke[] = [];
  for (const s of plan) {
    let rest = s.pts;
    while (rest.length > 12 && rng.chance(0.25 + 0.3 * lack)) {
      const k = rng.int(4, rest.length - 5);
      lifted.push({ role: 'letter', pts: rest.slice(0, k + 1) });
      const re = rest[k] as Pt;
      rest = [{ x: re.x + rng.normal(0, 0.04 * xh), y: re.y + rng.normal(0, 0.04 * xh) }, ...rest.slice(k + 1)];
    }
    lifted.push({ role: s.role, pts: rest });
  }
  const fh = forger.hand;
  const kin: Kinematics = {
    mu: fh.kin.mu + rng.uniform(0.4, 0.8),
    sigma: rng.uniform(0.26, 0.36),
    overlap: rng.uniform(0.55, 0.8),
    roundness: rng.uniform(0.5, 0.8),
    sizeRef: fh.kin.sizeRef,
    emphasis: 0,
  };
  const pen = rng.chance(0.5) ? varyPen(writer.hand.pen, rng) : fh.pen;
  const habit: PenHabit = {
    pressure: rng.uniform(0.7, 0.9),
    pressureVar: fh.habit.pressureVar * 0.35,
    taper: rng.uniform(0, 0.2),
    speedRef: fh.habit.speedRef,
  };
  const ts = traces(lifted, kin, rng, 0.6, 0.004);
  const tremorAmp = rng.uniform(0.04, 0.1) * (0.5 + lack);
  const lines: InkLine[] = [];
  for (const t of ts) {
    addTremor(t, rng, tremorAmp, rng.uniform(7, 11));
    const pauses: number[] = [];
    const expected = (t.n * t.dt) / 3;
    for (let k = 0; k < 4 && rng.chance(Math.min(0.8, expected)); k++) pauses.push(rng.int(0, t.n - 1));
    lines.push(inkLine(t, habit, pen, rng, { blunt: true, pauses }));
  }
  // Retouching: a short stretch gone over again.
  if (rng.chance(0.2 + 0.2 * lack) && lines.length) {
    const l = rng.pick(lines);
    if (l.n > 100) {
      const a = rng.int(0, l.n - 75);
      const b = a + rng.int(30, 70);
      const dx = rng.normal(0, 0.05 * xh);
      const dy = rng.normal(0, 0.05 * xh);
      const x = l.x.slice(a, b).map((v) => v + dx);
      const y = l.y.slice(a, b).map((v) => v + dy);
      lines.push({ x, y, width: l.width.slice(a, b), density: l.density.slice(a, b), n: b - a });
    }
  }
  return { lines, pen, hand: fh, duration: ts.reduce((a, t) => a + t.n * t.dt, 0) };
}

/** Physiological tremor of slow, careful drawing: a small band-limited wobble. */
function addTremor(t: Trace, rng: Rng, amp: number, hz: number): void {
  const nx = new Noise1D(rng, 128);
  const ny = new Noise1D(rng, 128);
  const px = rng.uniform(0, 128);
  const py = rng.uniform(0, 128);
  for (let i = 0; i < t.n; i++) {
    const u = i * t.dt * hz;
    t.x[i] = (t.x[i] as number) + amp * nx.at(px + u);
    t.y[i] = (t.y[i] as number) + amp * ny.at(py + u);
  }
}
