import { z } from 'zod';
import type { ErrorCode } from '../../core/errors.ts';

export interface MethodDef<A extends z.ZodType = z.ZodType, R = unknown> {
  summary: string;
  args: A;
  errors: readonly ErrorCode[];
  /** Phantom: the result type. Never set at run time. */
  readonly __result?: R;
}

/** `method<Result>()({ summary, args, errors })`: curried so the args schema is inferred. */
export function method<R>() {
  return <A extends z.ZodType>(def: { summary: string; args: A; errors: readonly ErrorCode[] }): MethodDef<A, R> => def;
}

export const noArgs = z.object({}).strict();
