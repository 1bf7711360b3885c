import type { z } from 'zod';
import { AppError, toErrorValue, type ErrorValue } from '../core/errors.ts';
import { methods, type MethodName, type MethodResult, type ParsedArgsOf, type ResultOf } from './contract.ts';

export type Handlers = {
  [M in MethodName]: (args: ParsedArgsOf<M>) => Promise<ResultOf<M>> | ResultOf<M>;
};

export type Dispatch = <M extends MethodName>(name: M | string, rawArgs: unknown) => Promise<MethodResult<M>>;

function describeZodError(err: z.ZodError): string {
  return err.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join('.') : 'arguments'}: ${i.message}`)
    .join('; ');
}

/**
 * The one entry point every transport uses: validates the arguments against the
 * contract's schema, runs the handler, and returns a Result value. Never throws.
 */
export function createDispatcher(handlers: Handlers, onInternalError?: (method: string, err: unknown) => void): Dispatch {
  return (async (name: string, rawArgs: unknown) => {
    if (!Object.hasOwn(methods, name)) {
      return { ok: false, error: { code: 'NOT_FOUND', message: `unknown method '${String(name).slice(0, 80)}'` } };
    }
    const def = methods[name as MethodName];
    const parsed = def.args.safeParse(rawArgs ?? {});
    if (!parsed.success) {
      return { ok: false, error: { code: 'INVALID_ARGUMENT', message: `${name}: ${describeZodError(parsed.error)}` } };
    }
    try {
      const handler = handlers[name as MethodName] as (a: unknown) => unknown;
      const value = await handler(parsed.data);
      return { ok: true, value };
    } catch (err) {
      const error: ErrorValue = toErrorValue(err);
      if (error.code === 'INTERNAL') onInternalError?.(name, err);
      return { ok: false, error };
    }
  }) as Dispatch;
}

export { AppError };
