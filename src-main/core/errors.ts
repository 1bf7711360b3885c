/**
 * Errors that cross a boundary (IPC, bridge, CLI) carry a stable code and a message
 * that names the file or field at fault. Core code throws AppError; transports turn
 * it into `{ ok: false, error: { code, message } }`.
 */
export const ERROR_CODES = [
  'INVALID_ARGUMENT', // a field or argument fails validation
  'NOT_FOUND', // a case, document, model ... does not exist
  'CONFLICT', // duplicate name, would overwrite, already exists
  'BUSY', // another process holds the database or the job slot
  'UNSUPPORTED', // a format or feature this build cannot handle
  'INTEGRITY', // a hash does not match, the audit chain is broken
  'IO', // unreadable or unwritable file, full disk
  'CANCELLED', // a job was cancelled
  'VERSION', // data written by a newer version of the app
  'UNAVAILABLE', // a backend, binary or resource is missing on this machine
  'INTERNAL', // a bug: anything else
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export interface ErrorValue {
  code: ErrorCode;
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorValue };

/** Converts anything thrown into an error value; unknown errors become INTERNAL. */
export function toErrorValue(err: unknown): ErrorValue {
  if (err instanceof AppError) return { code: err.code, message: err.message };
  const e = err as NodeJS.ErrnoException | undefined;
  if (e && typeof e.code === 'string') {
    if (e.code === 'SQLITE_BUSY' || e.code === 'SQLITE_LOCKED') {
      return { code: 'BUSY', message: 'the case database is busy in another process; try again' };
    }
    if (['ENOSPC', 'EACCES', 'EPERM', 'EROFS', 'ENOENT', 'EISDIR', 'ENOTDIR', 'ELOOP'].includes(e.code)) {
      return { code: 'IO', message: e.message };
    }
  }
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}
