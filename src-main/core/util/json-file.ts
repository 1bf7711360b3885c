/**
 * JSON read from disk is checked against a zod schema before anything uses it: a malformed file
 * fails at once with an AppError naming the file and the field (the zod issue path, e.g.
 * `history.2.valEer`), never with a TypeError somewhere later. Imports zod only as a type; the
 * schemas live with the code that owns each file.
 */
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { AppError, type ErrorCode } from '../errors.ts';

/** The first issue's field path, `(root)` for the value itself. */
export function issueField(issue: z.ZodError['issues'][number]): string {
  return issue.path.length ? issue.path.map(String).join('.') : '(root)';
}

/** `value` as the schema's output; else AppError(code) `<where>: <field>: <what is wrong>`. */
export function checkJson<S extends z.ZodType>(schema: S, value: unknown, where: string, code: ErrorCode = 'INTEGRITY'): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = issueField(issue);
  throw new AppError(code, `${where}: ${field}: ${issue.message}`, { file: where, field });
}

/** Parses JSON text; invalid JSON is AppError(code) `<where>: not valid JSON (...)`. */
export function parseJsonText(text: string, where: string, code: ErrorCode = 'INTEGRITY'): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new AppError(code, `${where}: not valid JSON (${(err as Error).message})`, { file: where });
  }
}

/** Reads, parses and checks a JSON file; an unreadable file is AppError('IO') naming it. */
export function readJsonFile<S extends z.ZodType>(schema: S, file: string, code: ErrorCode = 'INTEGRITY'): z.output<S> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new AppError('IO', `${file}: cannot be read (${(err as Error).message})`, { file });
  }
  return checkJson(schema, parseJsonText(text, file, code), file, code);
}
