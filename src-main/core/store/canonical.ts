import { AppError } from '../errors.ts';

/**
 * JSON with object keys sorted at every level and no whitespace, so the same value always
 * gives the same bytes (and the same hash). Refuses what JSON cannot represent exactly
 * (NaN, Infinity, functions, bigints) instead of silently turning it into null.
 */
export function canonicalJson(value: unknown, where = 'value'): string {
  return JSON.stringify(normalise(value, where));
}

function normalise(value: unknown, where: string): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new AppError('INVALID_ARGUMENT', `${where}: ${value} cannot be recorded (not a finite number)`);
    return value;
  }
  if (Array.isArray(value)) return value.map((v, i) => (v === undefined ? null : normalise(v, `${where}[${i}]`)));
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value as object).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = normalise(v, `${where}.${key}`);
    }
    return out;
  }
  throw new AppError('INVALID_ARGUMENT', `${where}: a ${typeof value} cannot be recorded as JSON`);
}
