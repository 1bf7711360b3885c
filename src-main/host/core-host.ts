/**
 * The core host: the process that owns one data directory's store, the job manager and the
 * contract dispatcher, so that synchronous SQLite calls, PDF rendering and the jobs' own
 * threads never block the Electron main process (which keeps the window, the native dialogs
 * and the sender checks). It answers the messages of ./protocol.ts over a HostPort; the
 * main-process side is ./host-client.ts. Started by ./core-host-main.ts.
 */
import { createContext, type AppContext } from '../core/app-context.ts';
import { StoredObjects } from '../core/app/objects.ts';
import { toErrorValue } from '../core/errors.ts';
import { JobManager } from '../core/jobs/manager.ts';
import { visible, visibleError } from '../core/util/visible.ts';
import { eventNames } from '../ipc/contract.ts';
import type { JobKinds } from '../ipc/contract/jobs.ts';
import { createHandlers, type Dialogs } from '../ipc/handlers.ts';
import { answerObjectRequest, textAnswer } from '../ipc/object-requests.ts';
import { createDispatcher } from '../ipc/registry.ts';
import type { HostPort } from './port.ts';
import { idOf, parseToHost, type DialogKind, type FromHostMessage } from './protocol.ts';

export interface CoreHostOptions {
  dataDir: string;
  /** What `app.info` reports as the transport. */
  transport: 'electron' | 'bridge';
  /** Called after a shutdown message once the store is closed (the entry exits the process). */
  onShutdown?: () => void;
  log?: (line: string) => void;
}

/**
 * Opens the data directory now (so a directory that cannot be opened is reported at once, as a
 * `fatal` message, rather than on the first call), then serves the port until shutdown.
 * Returns the context, or undefined when it could not start.
 */
export function runCoreHost(port: HostPort, opts: CoreHostOptions): AppContext | undefined {
  const log = opts.log ?? ((line: string) => console.error(`countersign core: ${line}`));
  const send = (m: FromHostMessage) => port.postMessage(m);

  let app: AppContext;
  try {
    app = createContext(opts.dataDir, { client: opts.transport === 'electron' ? 'app' : 'bridge' });
    void app.store;
  } catch (err) {
    send({ type: 'fatal', error: toErrorValue(err) });
    return undefined;
  }

  const jobs = new JobManager<JobKinds>();
  // Payloads are the contract's job types; the protocol checks only their jobId and kind.
  for (const name of eventNames) jobs.on(name, (payload) => send({ type: 'event', name, payload: { ...payload } }));

  // The dialogs belong to the window, so the host asks the main process and waits for its reply.
  let nextDialog = 1;
  const openDialogs = new Map<number, (path: string | null) => void>();
  const ask = (kind: DialogKind, title: string, defaultName?: string) =>
    new Promise<string | null>((resolve) => {
      const id = nextDialog++;
      openDialogs.set(id, resolve);
      send({ type: 'dialog', id, kind, title, ...(defaultName !== undefined ? { defaultName } : {}) });
    });
  const dialogs: Dialogs = {
    chooseFolder: (title) => ask('chooseFolder', title),
    chooseSavePath: (title, defaultName) => ask('chooseSavePath', title, defaultName),
  };

  // One cache for images.get and the object URLs: the URL images.get returns is served without rendering again.
  const objects = new StoredObjects(() => app.store);
  const dispatch = createDispatcher(
    createHandlers({ app, jobs, transport: opts.transport, objects, ...(opts.transport === 'electron' ? { dialogs } : {}) }),
    (m, err) => log(`${visible(m)} failed: ${visibleError(err)}`),
  );

  port.onMessage((raw) => {
    const parsed = parseToHost(raw);
    if (!parsed.ok) {
      log(parsed.error);
      send({ type: 'rejected', message: parsed.error });
      // A call that cannot be read still gets its answer, so the caller is not left waiting.
      const id = idOf(raw);
      if (id !== undefined && (raw as { type?: unknown }).type === 'invoke') {
        send({ type: 'result', id, response: { ok: false, error: { code: 'INVALID_ARGUMENT', message: parsed.error } } });
      }
      return;
    }
    const m = parsed.message;
    switch (m.type) {
      case 'invoke':
        void dispatch(m.name, m.args).then((response) => send({ type: 'result', id: m.id, response }));
        return;
      case 'object': {
        let url: URL;
        try {
          url = new URL(m.url);
        } catch {
          send({ type: 'result', id: m.id, response: { ok: true, value: textAnswer(400, `object: not a URL: ${JSON.stringify(m.url.slice(0, 80))}`) } });
          return;
        }
        void answerObjectRequest(objects, { url, method: m.method, ifNoneMatch: m.ifNoneMatch }).then((value) =>
          send({ type: 'result', id: m.id, response: { ok: true, value } }),
        );
        return;
      }
      case 'dialog-reply': {
        const resolve = openDialogs.get(m.id);
        if (!resolve) {
          const message = `dialog-reply ${m.id}: no dialog ${m.id} is open`;
          log(message);
          send({ type: 'rejected', message });
          return;
        }
        openDialogs.delete(m.id);
        resolve(m.path);
        return;
      }
      case 'ping':
        send({ type: 'pong', id: m.id });
        return;
      case 'shutdown':
        for (const j of jobs.list()) if (j.status === 'running') jobs.cancel(j.jobId);
        app.close();
        opts.onShutdown?.();
        return;
    }
  });

  send({ type: 'ready', pid: process.pid });
  return app;
}
