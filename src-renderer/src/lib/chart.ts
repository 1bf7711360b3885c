/** Scales and ticks for the SVG charts (no chart library: a few lines the examiner can trust). */

/** A step of 1, 2 or 5 times a power of ten that gives about `count` intervals over [min, max]. */
export function niceStep(min: number, max: number, count = 5): number {
  const range = max - min;
  if (!(range > 0) || !Number.isFinite(range)) return 1;
  const raw = range / count;
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

/** Tick values from the first multiple of the step at or above min to max. */
export function ticks(min: number, max: number, count = 5): number[] {
  const step = niceStep(min, max, count);
  const out: number[] = [];
  const first = Math.ceil(min / step - 1e-9) * step;
  for (let v = first; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** Decimals a tick label needs at this step (0.05 -> 2). */
export function tickDigits(min: number, max: number, count = 5): number {
  const step = niceStep(min, max, count);
  return Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
}

/** [min, max] widened to nice round ends (both ends on the tick grid). */
export function niceDomain(min: number, max: number, count = 5): [number, number] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (min === max) {
    const pad = Math.abs(min) * 0.1 || 1;
    return niceDomain(min - pad, max + pad, count);
  }
  const step = niceStep(min, max, count);
  return [Math.floor(min / step) * step, Math.ceil(max / step) * step];
}

export function linear(domain: readonly [number, number], range: readonly [number, number]): (v: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}
