/**
 * The messages between the Electron main process and the core host (the process that owns the
 * store, the jobs and the dispatcher). Both sides parse every message they receive with these
 * schemas: a message that does not match is refused with a line naming the field at fault,
 * never acted on. Messages are plain structured-clone data (Electron's utility-process port and
 * Node's `fork` with `serialization: 'advanced'` carry the same values).
 */
import { z } from 'zod';
import { ERROR_CODES, type ErrorValue } from '../core/errors.ts';
import { eventNames, type EventName } from '../ipc/contract.ts';

const id = z.number().int().nonnegative();
const errorValue = z.object({ code: z.enum(ERROR_CODES), message: z.string() });

/** What a Dialogs call asks the main process for (the host has no window to put a dialog on). */
export const DIALOG_KINDS = ['chooseFolder', 'chooseSavePath'] as const;
export type DialogKind = (typeof DIALOG_KINDS)[number];

// main -> host

const invokeMessage = z.strictObject({
  type: z.literal('invoke'),
  id,
  name: z.string().min(1).max(200),
  args: z.unknown(),
});
const dialogReplyMessage = z.strictObject({
  type: z.literal('dialog-reply'),
  id,
  /** The chosen path, or null: cancelled, or no window to show the dialog on. */
  path: z.string().nullable(),
});
const shutdownMessage = z.strictObject({ type: z.literal('shutdown') });
/** A cs-object:// request (ipc/object-requests.ts), answered by a `result` whose value is an ObjectAnswer. */
const objectMessage = z.strictObject({
  type: z.literal('object'),
  id,
  url: z.string().min(1).max(2000),
  method: z.string().min(1).max(16),
  ifNoneMatch: z.string().max(1000).nullable(),
});

/** A liveness check: the host answers `pong` with the same id from its event loop (a hung host cannot). */
const pingMessage = z.strictObject({ type: z.literal('ping'), id });

export const toHostMessage = z.discriminatedUnion('type', [invokeMessage, dialogReplyMessage, shutdownMessage, objectMessage, pingMessage]);
export type ToHostMessage = z.infer<typeof toHostMessage>;

// host -> main

const readyMessage = z.strictObject({ type: z.literal('ready'), pid: z.number().int() });
/** The host could not start (the data directory cannot be opened); it exits after sending this. */
const fatalMessage = z.strictObject({ type: z.literal('fatal'), error: errorValue });
const resultMessage = z.strictObject({
  type: z.literal('result'),
  id,
  response: z.union([z.strictObject({ ok: z.literal(true), value: z.unknown() }), z.strictObject({ ok: z.literal(false), error: errorValue })]),
});
const jobPayload = z.looseObject({ jobId: z.string().min(1), kind: z.string().min(1) });
const eventMessage = z.strictObject({
  type: z.literal('event'),
  name: z.enum(eventNames as [EventName, ...EventName[]]),
  payload: jobPayload,
});
const dialogMessage = z.strictObject({
  type: z.literal('dialog'),
  id,
  kind: z.enum(DIALOG_KINDS),
  title: z.string().max(500),
  defaultName: z.string().max(500).optional(),
});
/** The host refused a message from main (malformed, or a reply to a dialog it never asked for). */
const rejectedMessage = z.strictObject({ type: z.literal('rejected'), message: z.string() });

const pongMessage = z.strictObject({ type: z.literal('pong'), id });

export const fromHostMessage = z.discriminatedUnion('type', [
  readyMessage,
  fatalMessage,
  resultMessage,
  eventMessage,
  dialogMessage,
  rejectedMessage,
  pongMessage,
]);
export type FromHostMessage = z.infer<typeof fromHostMessage>;

export type Parsed<T> = { ok: true; message: T } | { ok: false; error: string };

/** A short description of what arrived, for the error line (never the whole message). */
function describeRaw(raw: unknown): string {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return raw === null ? 'null' : Array.isArray(raw) ? 'an array' : `a ${typeof raw}`;
  const type = (raw as { type?: unknown }).type;
  return typeof type === 'string' ? `'${type.slice(0, 40)}' message` : 'message without a type';
}

function parseWith<T>(schema: z.ZodType<T>, raw: unknown, from: string): Parsed<T> {
  const r = schema.safeParse(raw);
  if (r.success) return { ok: true, message: r.data };
  const issues = r.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join('.') : 'message'}: ${i.message}`)
    .join('; ');
  return { ok: false, error: `malformed ${describeRaw(raw)} from ${from}: ${issues}` };
}

export const parseToHost = (raw: unknown): Parsed<ToHostMessage> => parseWith(toHostMessage, raw, 'the main process');
export const parseFromHost = (raw: unknown): Parsed<FromHostMessage> => parseWith(fromHostMessage, raw, 'the core host');

/** The numeric id of a message that failed to parse, when it has one (to answer the call anyway). */
export function idOf(raw: unknown): number | undefined {
  const v = raw !== null && typeof raw === 'object' ? (raw as { id?: unknown }).id : undefined;
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined;
}

export type { ErrorValue };
