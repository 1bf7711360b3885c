/**
 * Pen trajectories from motor plans with Plamondon's sigma-lognormal model: each pair of
 * consecutive target points is one stroke, a circular arc travelled with a lognormal speed
 * profile; strokes start before the previous one ends, and the pen position is the sum of
 * all strokes' displacements. Overlap rounds the corners of the plan, and speed (and so
 * ink width and density) varies the way it does in fluent handwriting: fast in the middle
 * of long strokes, slow at turns and ends.
 */
import type { Rng } from '../util/random.ts';
import { clamp, lognormalCdf, lognormalPdf, wrapAngle, type Pt } from './math.ts';

export interface Kinematics {
  /** log of a stroke's time scale in seconds (about -2.2 fluent .. -1.2 slow, drawn). */
  mu: number;
  /** spread of the lognormal, 0.2..0.45. */
  sigma: number;
  /** interval between stroke onsets as a fraction of e^mu: smaller is smoother and faster. */
  overlap: number;
  /** gain on the arc curvature derived from the plan (0 gives straight chords). */
  roundness: number;
  /** stroke length (mm) at which `mu` applies; longer strokes take a little longer. */
  sizeRef: number;
  /**
   * How far the virtual targets overshoot the intended path (0 = aim at the path itself).
   * Overlapping strokes cut corners; aiming beyond each turn keeps loops open, as the
   * motor plan of a practised writer does.
   */
  emphasis: number;
}

/** Virtual targets: each interior point pushed away from the mean of its neighbours. */
export function emphasise(pts: readonly Pt[], k: number): Pt[] {
  if (k <= 0 || pts.length < 3) return pts.slice();
  return pts.map((p, i) => {
    if (i === 0 || i === pts.length - 1) return p;
    const a = pts[i - 1] as Pt;
    const b = pts[i + 1] as Pt;
    return { x: p.x + k * (p.x - (a.x + b.x) / 2), y: p.y + k * (p.y - (a.y + b.y) / 2) };
  });
}

export interface LognormalStroke {
  t0: number;
  mu: number;
  sigma: number;
  /** arc length (mm) */
  d: number;
  /** start direction and total turn (radians) */
  theta: number;
  delta: number;
}

/** A sampled pen-down movement. */
export interface Trace {
  x: Float64Array;
  y: Float64Array;
  /** mm/s */
  speed: Float64Array;
  n: number;
  dt: number;
}

/**
 * Turns target points into lognormal strokes. `jitter` (0..1) varies each stroke's timing
 * and curvature the way one writer varies between repetitions.
 */
export function planStrokes(path: readonly Pt[], k: Kinematics, rng?: Rng, jitter = 0): LognormalStroke[] {
  const pts = emphasise(path, k.emphasis);
  const n = pts.length;
  if (n < 2) return [];
  const angle = (a: Pt, b: Pt) => Math.atan2(b.y - a.y, b.x - a.x);
  // Tangent at each target, or null at a cusp (a turn sharper than ~100 degrees), where
  // the pen stops and reverses instead of sweeping round.
  const tangent = (i: number): number | null => {
    if (i === 0 || i === n - 1) return null;
    const a = pts[i - 1] as Pt;
    const p = pts[i] as Pt;
    const b = pts[i + 1] as Pt;
    const turn = wrapAngle(angle(p, b) - angle(a, p));
    if (Math.abs(turn) > 1.75) return null;
    return angle(a, b);
  };
  const strokes: LognormalStroke[] = [];
  let t0 = 0;
  for (let j = 1; j < n; j++) {
    const a = pts[j - 1] as Pt;
    const b = pts[j] as Pt;
    const len = Math.hypot(b.x - a.x, b.y - a.y);
    const alpha = angle(a, b);
    const ta = tangent(j - 1);
    const tb = tangent(j);
    let delta = k.roundness * ((ta === null ? 0 : wrapAngle(alpha - ta)) + (tb === null ? 0 : wrapAngle(tb - alpha)));
    if (rng && jitter > 0) delta += rng.normal(0, 0.12 * jitter);
    delta = clamp(delta, -2.6, 2.6);
    const d = Math.abs(delta) < 1e-4 ? len : (len * (delta / 2)) / Math.sin(delta / 2);
    let mu = k.mu + 0.3 * Math.log(Math.max(len, 0.05 * k.sizeRef) / k.sizeRef);
    let sigma = k.sigma;
    if (rng && jitter > 0) {
      mu += rng.normal(0, 0.06 * jitter);
      sigma = clamp(sigma + rng.normal(0, 0.025 * jitter), 0.12, 0.6);
    }
    strokes.push({ t0, mu, sigma, d, theta: alpha - delta / 2, delta });
    // The next stroke starts later after a sharp turn: the pen slows into turns and
    // nearly stops at cusps.
    const c = pts[j + 1];
    const turn = c ? Math.abs(wrapAngle(angle(b, c) - alpha)) : 0;
    let gap = k.overlap * Math.exp(mu) * (1 + 0.9 * (turn / Math.PI) ** 1.5);
    if (rng && jitter > 0) gap *= Math.exp(rng.normal(0, 0.1 * jitter));
    t0 += gap;
  }
  return strokes;
}

function arcAt(s: LognormalStroke, f: number, out: Pt): void {
  if (Math.abs(s.delta) < 1e-4) {
    out.x = s.d * f * Math.cos(s.theta);
    out.y = s.d * f * Math.sin(s.theta);
    return;
  }
  const r = s.d / s.delta;
  const a = s.theta + s.delta * f;
  out.x = r * (Math.sin(a) - Math.sin(s.theta));
  out.y = r * (Math.cos(s.theta) - Math.cos(a));
}

/** Samples the summed strokes from `start` every `dt` seconds until the last stroke ends. */
export function sampleTrajectory(start: Pt, strokes: readonly LognormalStroke[], dt = 0.001): Trace {
  if (!strokes.length) {
    return { x: Float64Array.of(start.x), y: Float64Array.of(start.y), speed: Float64Array.of(0), n: 1, dt };
  }
  // Each stroke is effectively active on [t0 + e^(mu - 3.5 sigma), t0 + e^(mu + 3.5 sigma)].
  const begin = strokes.map((s) => s.t0 + Math.exp(s.mu - 3.5 * s.sigma));
  const end = strokes.map((s) => s.t0 + Math.exp(s.mu + 3.5 * s.sigma));
  const tEnd = Math.max(...end);
  const n = Math.max(2, Math.ceil(tEnd / dt) + 1);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const speed = new Float64Array(n);
  const done = { x: start.x, y: start.y };
  const tmp = { x: 0, y: 0 };
  let first = 0;
  for (let i = 0; i < n; i++) {
    const t = i * dt;
    while (first < strokes.length && (end[first] as number) < t) {
      const s = strokes[first] as LognormalStroke;
      arcAt(s, 1, tmp);
      done.x += tmp.x;
      done.y += tmp.y;
      first++;
    }
    let px = done.x;
    let py = done.y;
    let vx = 0;
    let vy = 0;
    for (let j = first; j < strokes.length; j++) {
      const s = strokes[j] as LognormalStroke;
      if (s.t0 > t) break;
      if ((begin[j] as number) > t) continue;
      const f = lognormalCdf(t, s.t0, s.mu, s.sigma);
      arcAt(s, f, tmp);
      px += tmp.x;
      py += tmp.y;
      const v = s.d * lognormalPdf(t, s.t0, s.mu, s.sigma);
      const a = s.theta + s.delta * f;
      vx += v * Math.cos(a);
      vy += v * Math.sin(a);
    }
    x[i] = px;
    y[i] = py;
    speed[i] = Math.hypot(vx, vy);
  }
  return { x, y, speed, n, dt };
}
