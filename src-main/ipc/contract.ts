/**
 * The IPC contract: the single source of truth for every method the UI can call
 * (argument schema, result type, error codes) and every event it can receive.
 * The preload, the renderer's API client, the handler registry and the loopback
 * bridge are all typed from this file. Import it from the renderer with `import type`
 * only where the schemas are not needed.
 */
import { z } from 'zod';
import type { DoctorReport } from '../core/doctor.ts';
import type { ErrorCode, ErrorValue } from '../core/errors.ts';
import type { JobEvents, JobInfo } from '../core/jobs/manager.ts';

export interface MethodDef<A extends z.ZodType = z.ZodType, R = unknown> {
  summary: string;
  args: A;
  errors: readonly ErrorCode[];
  /** Phantom: the result type. Never set at run time. */
  readonly __result?: R;
}

/** `method<Result>()({ summary, args, errors })`: curried so the args schema is inferred. */
function method<R>() {
  return <A extends z.ZodType>(def: { summary: string; args: A; errors: readonly ErrorCode[] }): MethodDef<A, R> => def;
}

const none = z.object({}).strict();
const jobId = z.object({ jobId: z.string().uuid() }).strict();

export interface AppInfo extends DoctorReport {
  /** How this UI talks to the core. */
  transport: 'electron' | 'bridge';
}

export const methods = {
  'app.info': method<AppInfo>()({
    summary: 'Versions, the TensorFlow.js backend in use (and why better ones are unavailable), data directory',
    args: none,
    errors: ['INTERNAL'],
  }),
  'jobs.list': method<JobInfo[]>()({ summary: 'Every job of this session', args: none, errors: [] }),
  'jobs.get': method<JobInfo>()({ summary: 'One job', args: jobId, errors: ['NOT_FOUND'] }),
  'jobs.cancel': method<JobInfo>()({
    summary: 'Ask a job to stop at its next safe point; what it finished stays',
    args: jobId,
    errors: ['NOT_FOUND'],
  }),
} satisfies Record<string, MethodDef>;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
/** What a caller passes (before defaults are applied). */
export type ArgsOf<M extends MethodName> = z.input<Methods[M]['args']>;
/** What a handler receives (validated, defaults applied). */
export type ParsedArgsOf<M extends MethodName> = z.output<Methods[M]['args']>;
export type ResultOf<M extends MethodName> = NonNullable<Methods[M]['__result']>;
export type MethodResult<M extends MethodName> = { ok: true; value: ResultOf<M> } | { ok: false; error: ErrorValue };

/** Events pushed to the UI. */
export type Events = JobEvents;
export type EventName = keyof Events;
export const eventNames: readonly EventName[] = ['job.progress', 'job.finished'];

export const methodNames = Object.keys(methods) as MethodName[];

/** What the preload exposes as `window.countersign`: one function per method, plus events. */
export type PreloadApi = {
  [M in MethodName]: (args: ArgsOf<M>) => Promise<MethodResult<M>>;
} & {
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
};

/** Channel names used by the preload and the main process. */
export const IPC_INVOKE = 'countersign:invoke';
export const IPC_EVENT = 'countersign:event';
