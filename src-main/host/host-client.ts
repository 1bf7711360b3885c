/**
 * The main process's side of the core host: starts it, sends it the window's calls, answers
 * its dialog requests, passes its job events on, and restarts it when it dies.
 *
 * What a caller sees when the host dies (docs/architecture.md, "Processes"):
 * - every call the host had received and not answered resolves at once to an UNAVAILABLE error
 *   value naming the method and how the host ended (never a promise left hanging);
 * - every job it was running gets a `job.finished` event with status `failed`, so no view
 *   waits for a job that no longer exists;
 * - a host that is alive but no longer answers (its event loop blocked or the process frozen) is
 *   found by a liveness check (a `ping` every `livenessIntervalMs`, unanswered for `hangTimeoutMs`),
 *   killed, and then treated as a host that died, saying it did not answer;
 * - the host is started again, at most `maxRestarts` times within `restartWindowMs`; calls made
 *   meanwhile wait for it. Past the limit, or when the host reports that the data directory
 *   cannot be opened (`fatal`: starting again would fail the same way), every call fails at once
 *   with that reason.
 */
import type { ErrorValue } from '../core/errors.ts';
import type { EventName, Events, MethodName, MethodResult } from '../ipc/contract.ts';
import type { Dialogs } from '../ipc/handlers.ts';
import type { Dispatch } from '../ipc/registry.ts';
import type { HostProcess } from './port.ts';
import { textAnswer, type ObjectAnswer } from '../ipc/object-requests.ts';
import { idOf, parseFromHost, type FromHostMessage } from './protocol.ts';

/** A cs-object:// request as the main process's protocol handler receives it. */
export interface ObjectRequest {
  url: string;
  method: string;
  ifNoneMatch: string | null;
}

export interface CoreHostClientOptions {
  /** Starts one host process (Electron: ./utility-process.ts; Node: ./node-host.ts). */
  spawn: () => HostProcess;
  /** Answers the host's dialog requests (the real dialogs, on the window). */
  dialogs: Dialogs;
  /** Receives the host's job events, and the `failed` ones made up for jobs lost in a crash. */
  onEvent: <E extends EventName>(name: E, payload: Events[E]) => void;
  log?: (line: string) => void;
  /** Restarts allowed within restartWindowMs before the client gives up (default 3 in 60 s). */
  maxRestarts?: number;
  restartWindowMs?: number;
  /** How long stop() waits for the host to close the store before killing it (default 5 s). */
  stopTimeoutMs?: number;
  /** How often a running host is asked whether it still answers (default 5 s). */
  livenessIntervalMs?: number;
  /** A host that has not answered a liveness check for this long is killed and restarted (default 60 s). */
  hangTimeoutMs?: number;
}

type Response = { ok: true; value: unknown } | { ok: false; error: ErrorValue };

interface PendingCall {
  name: string;
  args: unknown;
  /** A cs-object:// request instead of a method call. */
  object?: ObjectRequest;
  /** Sent to the current host (false: waiting for it to be ready). */
  sent: boolean;
  resolve: (r: Response) => void;
}

/** A job as far as the main process has seen it (from a method's answer or a progress event). */
interface SeenJob {
  jobId: string;
  kind: string;
  label: string;
  done: number;
  total: number;
  message?: string;
  startedAt: string;
}

type State = 'idle' | 'starting' | 'ready' | 'failed' | 'stopped';

function isRunningJob(v: unknown): v is SeenJob & { status: 'running' } {
  if (v === null || typeof v !== 'object') return false;
  const j = v as Record<string, unknown>;
  return typeof j.jobId === 'string' && typeof j.kind === 'string' && typeof j.label === 'string' && j.status === 'running' && typeof j.startedAt === 'string';
}

function isObjectAnswer(v: unknown): v is ObjectAnswer {
  if (v === null || typeof v !== 'object') return false;
  const a = v as Record<string, unknown>;
  return typeof a.status === 'number' && a.headers !== null && typeof a.headers === 'object' && a.body instanceof Uint8Array;
}

export class CoreHostClient {
  private readonly opts: Required<Omit<CoreHostClientOptions, 'log'>> & { log: (line: string) => void };
  private state: State = 'idle';
  private proc: HostProcess | undefined;
  private generation = 0;
  private failure: ErrorValue | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, PendingCall>();
  private readonly jobs = new Map<string, SeenJob>();
  private crashes: number[] = [];
  private startWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private exitWaiters: (() => void)[] = [];
  private liveness: NodeJS.Timeout | undefined;
  /** The unanswered liveness check, if any. */
  private ping: { id: number; sentAt: number } | undefined;
  /** Set when the client killed a host that stopped answering: how its exit is reported. */
  private hung: string | undefined;

  constructor(opts: CoreHostClientOptions) {
    this.opts = {
      maxRestarts: 3,
      restartWindowMs: 60_000,
      stopTimeoutMs: 5_000,
      livenessIntervalMs: 5_000,
      hangTimeoutMs: 60_000,
      log: (line) => console.error(`countersign: ${line}`),
      ...opts,
    };
  }

  /** Starts the host; resolves once it has opened the data directory, rejects with its reason if it cannot. */
  start(): Promise<void> {
    if (this.state === 'idle') this.spawn();
    return this.whenReady();
  }

  /** The host process's id (undefined while none runs). */
  get pid(): number | undefined {
    return this.state === 'ready' || this.state === 'starting' ? this.proc?.pid : undefined;
  }

  /** Same shape as the dispatcher: a Result value, never a rejection. */
  readonly invoke: Dispatch = (<M extends MethodName>(name: M | string, args: unknown) =>
    new Promise<Response>((resolve) => this.enqueue(String(name), args, resolve)) as Promise<MethodResult<M>>) as Dispatch;

  private enqueue(name: string, args: unknown, resolve: (r: Response) => void, object?: ObjectRequest): void {
    const shown = name.slice(0, 80);
    if (this.state === 'failed') return resolve({ ok: false, error: { code: this.failure!.code, message: `${shown}: ${this.failure!.message}` } });
    if (this.state === 'stopped') return resolve({ ok: false, error: { code: 'UNAVAILABLE', message: `${shown}: Countersign is closing` } });
    const id = this.nextId++;
    this.pending.set(id, { name: shown, args, sent: false, resolve, ...(object ? { object } : {}) });
    if (this.state === 'idle') this.spawn();
    else if (this.state === 'ready') this.send(id);
  }

  /**
   * A cs-object:// request answered by the host (which owns the store and the display cache).
   * When the host cannot answer (stopped, restarting past its limit, closing), a 503 naming why.
   */
  fetchObject(req: ObjectRequest): Promise<ObjectAnswer> {
    return new Promise<Response>((resolve) => this.enqueue('object', undefined, resolve, req)).then((r) => {
      if (r.ok && isObjectAnswer(r.value)) return { ...r.value, body: Buffer.from(r.value.body) };
      return textAnswer(503, r.ok ? 'object: the core process gave no answer' : r.error.message);
    });
  }

  /** Asks the host to close the store and exit; kills it if it has not within stopTimeoutMs. */
  async stop(): Promise<void> {
    const proc = this.proc;
    const wasRunning = this.state === 'ready' || this.state === 'starting';
    this.state = 'stopped';
    this.stopLiveness();
    this.failAll({ code: 'UNAVAILABLE', message: 'Countersign is closing' });
    if (!proc || !wasRunning) return;
    const exited = new Promise<void>((r) => this.exitWaiters.push(r));
    try {
      proc.port.postMessage({ type: 'shutdown' });
    } catch {
      proc.kill();
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), this.opts.stopTimeoutMs)));
    if ((await Promise.race([exited, timeout])) === 'timeout') {
      this.opts.log(`the core process did not stop within ${this.opts.stopTimeoutMs} ms; killing it`);
      proc.kill();
      await exited;
    }
    clearTimeout(timer);
  }

  private whenReady(): Promise<void> {
    if (this.state === 'ready') return Promise.resolve();
    if (this.state === 'failed') return Promise.reject(new Error(this.failure!.message));
    if (this.state === 'stopped') return Promise.reject(new Error('Countersign is closing'));
    return new Promise((resolve, reject) => this.startWaiters.push({ resolve, reject }));
  }

  private spawn(): void {
    const generation = ++this.generation;
    this.state = 'starting';
    let proc: HostProcess;
    try {
      proc = this.opts.spawn();
    } catch (err) {
      this.fail({ code: 'UNAVAILABLE', message: `the core process could not be started: ${err instanceof Error ? err.message : String(err)}` });
      return;
    }
    this.proc = proc;
    // Messages and exits of an earlier host (one that crashed and was replaced) are ignored.
    proc.port.onMessage((raw) => {
      if (generation === this.generation) this.receive(raw);
    });
    proc.onExit((how) => {
      if (generation !== this.generation) return;
      this.proc = undefined;
      this.stopLiveness();
      const hung = this.hung;
      this.hung = undefined;
      for (const w of this.exitWaiters.splice(0)) w();
      this.exited(hung ?? how);
    });
  }

  /** Pings the ready host; kills it when a ping has gone unanswered for hangTimeoutMs. */
  private startLiveness(): void {
    this.stopLiveness();
    this.liveness = setInterval(() => {
      const proc = this.proc;
      if (this.state !== 'ready' || !proc) return;
      const now = Date.now();
      if (this.ping) {
        const silent = now - this.ping.sentAt;
        if (silent < this.opts.hangTimeoutMs || this.hung) return;
        this.hung = `it did not answer for ${Math.round(silent / 1000)} s and was killed`;
        this.opts.log(`the core process did not answer for ${Math.round(silent / 1000)} s; killing it`);
        proc.kill();
        return;
      }
      this.ping = { id: this.nextId++, sentAt: now };
      try {
        proc.port.postMessage({ type: 'ping', id: this.ping.id });
      } catch {
        // A channel that just closed: the exit follows.
      }
    }, this.opts.livenessIntervalMs);
    this.liveness.unref();
  }

  private stopLiveness(): void {
    clearInterval(this.liveness);
    this.liveness = undefined;
    this.ping = undefined;
  }

  private send(id: number): void {
    const call = this.pending.get(id);
    if (!call || !this.proc) return;
    call.sent = true;
    try {
      this.proc.port.postMessage(call.object ? { type: 'object', id, ...call.object } : { type: 'invoke', id, name: call.name, args: call.args });
    } catch (err) {
      // Arguments that cannot be cloned, or a channel that just closed.
      this.pending.delete(id);
      call.resolve({
        ok: false,
        error: {
          code: 'INVALID_ARGUMENT',
          message: `${call.name}: the call could not be sent to the core process: ${err instanceof Error ? err.message : String(err)}`,
        },
      });
    }
  }

  private receive(raw: unknown): void {
    const parsed = parseFromHost(raw);
    if (!parsed.ok) {
      this.opts.log(parsed.error);
      const id = idOf(raw);
      const call = id === undefined ? undefined : this.pending.get(id);
      if (call && (raw as { type?: unknown }).type === 'result') {
        this.pending.delete(id!);
        call.resolve({ ok: false, error: { code: 'INTERNAL', message: `${call.name}: ${parsed.error}` } });
      }
      return;
    }
    this.handle(parsed.message);
  }

  private handle(m: FromHostMessage): void {
    switch (m.type) {
      case 'ready':
        this.state = 'ready';
        this.startLiveness();
        for (const [id, call] of this.pending) if (!call.sent) this.send(id);
        for (const w of this.startWaiters.splice(0)) w.resolve();
        return;
      case 'fatal':
        this.fail(m.error);
        this.proc?.kill();
        return;
      case 'result': {
        const call = this.pending.get(m.id);
        if (!call) {
          this.opts.log(`the core host answered call ${m.id}, which is not waiting for an answer`);
          return;
        }
        this.pending.delete(m.id);
        if (m.response.ok && isRunningJob(m.response.value)) this.seeJob(m.response.value);
        call.resolve(m.response);
        return;
      }
      case 'event': {
        const p = m.payload as Record<string, unknown>;
        if (m.name === 'job.finished') this.jobs.delete(m.payload.jobId);
        else {
          const seen = this.jobs.get(m.payload.jobId);
          const update = { done: Number(p.done) || 0, total: Number(p.total) || 0, ...(typeof p.message === 'string' ? { message: p.message } : {}) };
          if (seen) Object.assign(seen, update);
          else
            this.jobs.set(m.payload.jobId, {
              jobId: m.payload.jobId,
              kind: m.payload.kind,
              label: m.payload.kind,
              startedAt: new Date().toISOString(),
              ...update,
            });
        }
        this.opts.onEvent(m.name, m.payload as unknown as Events[typeof m.name]);
        return;
      }
      case 'dialog': {
        const generation = this.generation;
        const d = this.opts.dialogs;
        const shown = m.kind === 'chooseFolder' ? d.chooseFolder(m.title) : d.chooseSavePath(m.title, m.defaultName ?? '');
        shown
          .catch((err: unknown) => {
            this.opts.log(`the ${m.kind} dialog failed: ${err instanceof Error ? err.message : String(err)}`);
            return null;
          })
          .then((path) => {
            // The host that asked may have died while the dialog was open; its successor never asked.
            if (generation === this.generation && this.proc) this.proc.port.postMessage({ type: 'dialog-reply', id: m.id, path });
          })
          .catch((err: unknown) => this.opts.log(`could not answer the core host's dialog request: ${String(err)}`));
        return;
      }
      case 'rejected':
        this.opts.log(`the core host refused a message: ${m.message}`);
        return;
      case 'pong':
        if (this.ping?.id === m.id) this.ping = undefined;
        return;
    }
  }

  private seeJob(j: SeenJob): void {
    if (!this.jobs.has(j.jobId)) this.jobs.set(j.jobId, { jobId: j.jobId, kind: j.kind, label: j.label, done: j.done, total: j.total, startedAt: j.startedAt });
  }

  private exited(how: string): void {
    if (this.state === 'stopped' || this.state === 'failed') return;
    const now = Date.now();
    this.crashes = [...this.crashes.filter((t) => now - t < this.opts.restartWindowMs), now];
    const restart = this.crashes.length <= this.opts.maxRestarts;
    const next = restart
      ? 'it has been started again; try again'
      : `it has stopped ${this.crashes.length} times within ${Math.round(this.opts.restartWindowMs / 1000)} s and is not started again; restart Countersign`;
    this.opts.log(`the core process stopped (${how}); ${next}`);
    for (const [id, call] of this.pending) {
      if (!call.sent) continue;
      this.pending.delete(id);
      call.resolve({ ok: false, error: { code: 'UNAVAILABLE', message: `${call.name}: the core process stopped (${how}) before answering; ${next}` } });
    }
    const finishedAt = new Date().toISOString();
    for (const j of this.jobs.values()) {
      const error: ErrorValue = { code: 'UNAVAILABLE', message: `the core process stopped (${how}) while this job was running` };
      this.opts.onEvent('job.finished', { ...j, status: 'failed', finishedAt, error } as Events['job.finished']);
    }
    this.jobs.clear();
    if (restart) this.spawn();
    else this.fail({ code: 'UNAVAILABLE', message: `the core process stopped (${how}); ${next}` });
  }

  private fail(error: ErrorValue): void {
    this.state = 'failed';
    this.stopLiveness();
    this.failure = error;
    this.failAll(error);
    for (const w of this.startWaiters.splice(0)) w.reject(new Error(error.message));
  }

  private failAll(error: ErrorValue): void {
    for (const call of this.pending.values()) call.resolve({ ok: false, error: { code: error.code, message: `${call.name}: ${error.message}` } });
    this.pending.clear();
  }
}
