/**
 * Distortions of a motor plan: the small affine and elastic changes between one
 * writer's repetitions (Ferrer et al.: intra-writer variability as a distortion of the
 * motor plan), and the larger ones of a forger's perception and copying errors.
 */
import type { Rng } from '../util/random.ts';
import type { PlanStroke } from './handwriting.ts';
import type { Trace } from './kinematics.ts';
import { ElasticField, type Pt } from './math.ts';

export interface Distortion {
  /** standard deviations: rotation (radians), log scale, extra log x-scale, shear */
  rotation: number;
  scale: number;
  xScale: number;
  shear: number;
  /** elastic displacement amplitude and wavelength (mm) */
  elastic: number;
  wavelength: number;
  /** independent displacement of every target (mm) */
  jitter: number;
  /** extra jitter of delayed strokes and flourishes (mm) */
  detached: number;
}

export function planBounds(strokes: readonly PlanStroke[]): { minX: number; minY: number; maxX: number; maxY: number } {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const s of strokes) {
    for (const p of s.pts) {
      if (p.x < minX) minX = p.x;
      if (p.x > maxX) maxX = p.x;
      if (p.y < minY) minY = p.y;
      if (p.y > maxY) maxY = p.y;
    }
  }
  return { minX, minY, maxX, maxY };
}

/** A distorted copy of the plan (the plan itself is never modified). */
export function distortPlan(strokes: readonly PlanStroke[], rng: Rng, d: Distortion): PlanStroke[] {
  const b = planBounds(strokes);
  const cx = (b.minX + b.maxX) / 2;
  const cy = (b.minY + b.maxY) / 2;
  const rot = rng.normal(0, d.rotation);
  const s = Math.exp(rng.normal(0, d.scale));
  const sx = s * Math.exp(rng.normal(0, d.xScale));
  const sy = s;
  const sh = rng.normal(0, d.shear);
  const cos = Math.cos(rot);
  const sin = Math.sin(rot);
  const field = new ElasticField(rng, d.elastic, d.wavelength, 5);
  return strokes.map((st) => {
    const detached = st.role === 'delayed' || st.role === 'flourish';
    const shift = detached ? { x: rng.normal(0, d.detached), y: rng.normal(0, d.detached) } : { x: 0, y: 0 };
    return {
      role: st.role,
      pts: st.pts.map((p0) => {
        const p = field.displace(p0);
        const x = (p.x - cx + sh * (p.y - cy)) * sx;
        const y = (p.y - cy) * sy;
        return {
          x: cx + x * cos - y * sin + shift.x + rng.normal(0, d.jitter),
          y: cy + x * sin + y * cos + shift.y + rng.normal(0, d.jitter),
        };
      }),
    };
  });
}

/** Points every `spacing` mm along a trace, keeping its ends: what a copyist aims at. */
export function resampleTrace(trace: Trace, spacing: number): Pt[] {
  const pts: Pt[] = [{ x: trace.x[0] as number, y: trace.y[0] as number }];
  let acc = 0;
  for (let i = 1; i < trace.n; i++) {
    acc += Math.hypot((trace.x[i] as number) - (trace.x[i - 1] as number), (trace.y[i] as number) - (trace.y[i - 1] as number));
    if (acc >= spacing) {
      pts.push({ x: trace.x[i] as number, y: trace.y[i] as number });
      acc = 0;
    }
  }
  const last = { x: trace.x[trace.n - 1] as number, y: trace.y[trace.n - 1] as number };
  const prev = pts[pts.length - 1] as Pt;
  if (Math.hypot(prev.x - last.x, prev.y - last.y) > spacing * 0.3 || pts.length === 1) pts.push(last);
  else pts[pts.length - 1] = last;
  return pts;
}
