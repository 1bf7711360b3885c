/** Turning error values into what the examiner reads, and next to the field they concern. */
import { ApiError } from './api.ts';

/**
 * Core messages name the field first ('name: a case named ... already exists'). Returns the
 * field (when it is one of `fields`) and the message without the prefix.
 */
export function fieldError<F extends string>(err: unknown, fields: readonly F[]): { field: F | null; text: string } {
  const message = errorText(err);
  // The dispatcher prefixes schema errors with the method: 'cases.create: threshold: ...'.
  const stripped = message.replace(/^[a-z]+\.[A-Za-z]+: /, '');
  const m = /^([A-Za-z][A-Za-z0-9_]*): (.*)$/s.exec(stripped);
  if (m && (fields as readonly string[]).includes(m[1]!)) return { field: m[1] as F, text: m[2]! };
  return { field: null, text: message };
}

export function errorText(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

export function errorCode(err: unknown): string | null {
  return err instanceof ApiError ? err.code : null;
}
