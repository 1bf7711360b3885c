/**
 * The IPC contract: the single source of truth for every method the UI can call
 * (argument schema, result type, error codes) and every event it can receive.
 * The preload, the renderer's API client, the handler registry and the loopback
 * bridge are all typed from this object. Each domain declares its methods in
 * ipc/methods/<domain>.ts; this file assembles them.
 *
 * The renderer imports its types from here only (`import type`: this module's run-time imports,
 * the zod schemas, stay out of the UI bundle) and its few shared run-time helpers from
 * contract/shared.ts; eslint.config.js rejects any other renderer import from src-main/.
 */
import type { z } from 'zod';
import type { ErrorValue } from '../core/errors.ts';
import type { JobEvents } from '../core/jobs/manager.ts';
import type { JobKinds } from './contract/jobs.ts';
import { appMethods } from './methods/app.ts';
import { dialogsMethods } from './methods/dialogs.ts';
import { jobsMethods } from './methods/jobs.ts';
import { imagesMethods } from './methods/images.ts';
import { libraryMethods } from './methods/library.ts';
import { casesMethods } from './methods/cases.ts';
import { documentsMethods } from './methods/documents.ts';
import { modelsMethods } from './methods/models.ts';
import { settingsMethods } from './methods/settings.ts';
import { importMethods } from './methods/import.ts';
import { verifyMethods } from './methods/verify.ts';
import { reportMethods } from './methods/report.ts';
import { trainingMethods } from './methods/training.ts';
import { identifyMethods } from './methods/identify.ts';
import { benchMethods } from './methods/bench.ts';
import type { MethodDef } from './methods/define.ts';

export type { MethodDef } from './methods/define.ts';
export type { AppInfo } from './methods/app.ts';
export type * from './contract/types.ts';
export type * from './contract/jobs.ts';

export const methods = {
  ...appMethods,
  ...dialogsMethods,
  ...jobsMethods,
  ...imagesMethods,
  ...casesMethods,
  ...documentsMethods,
  ...modelsMethods,
  ...settingsMethods,
  ...importMethods,
  ...verifyMethods,
  ...reportMethods,
  ...trainingMethods,
  ...identifyMethods,
  ...libraryMethods,
  ...benchMethods,
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
export type Events = JobEvents<JobKinds>;
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
