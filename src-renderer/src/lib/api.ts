/**
 * The renderer's only door to the core. Two transports behind one interface:
 * Electron IPC (through the preload's `window.countersign`) and the loopback bridge
 * (`countersign serve`: POST /api/<method>, events over a WebSocket). Stored images and reports
 * load by URL (`cs-object://` in the desktop app, `/objects/` on the bridge; objectUrl).
 */
import type { ArgsOf, ErrorValue, EventName, Events, MethodName, MethodResult, PreloadApi, ResultOf } from '../../../src-main/ipc/contract.ts';

export interface Transport {
  readonly kind: 'electron' | 'bridge';
  invoke<M extends MethodName>(name: M, args: ArgsOf<M>): Promise<MethodResult<M>>;
  subscribe<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
  /**
   * An object URL from images.get or report.get, made loadable here: `cs-object://...` as it
   * is in the desktop app; on the bridge `/objects/...` with the session token added to its
   * query (an <img> cannot send the token header).
   */
  objectUrl(url: string): string;
}

declare global {
  interface Window {
    countersign?: PreloadApi;
  }
}

export class ApiError extends Error {
  constructor(
    readonly code: ErrorValue['code'],
    message: string,
  ) {
    super(message);
  }
}

function electronTransport(api: PreloadApi): Transport {
  return {
    kind: 'electron',
    invoke: (name, args) => (api[name] as (a: typeof args) => Promise<MethodResult<typeof name>>)(args),
    subscribe: (event, listener) => api.on(event, listener),
    objectUrl: (url) => url,
  };
}

/**
 * The bridge's per-run token, from the URL `countersign serve` printed. It is sent in a header
 * (API calls) and in the socket's URL, never kept in a cookie: browsers send cookies to every
 * port of 127.0.0.1, so a cookie would reach any other local server.
 */
function bridgeToken(): string {
  return new URLSearchParams(location.search).get('token') ?? '';
}

function bridgeTransport(): Transport {
  type Listener = (payload: unknown) => void;
  const listeners = new Map<string, Set<Listener>>();
  let socket: WebSocket | undefined;
  let retry = 500;
  const token = bridgeToken();

  const connect = () => {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    socket = new WebSocket(`${proto}//${location.host}/events?token=${encodeURIComponent(token)}`);
    socket.onopen = () => (retry = 500);
    socket.onmessage = (msg) => {
      const { event, payload } = JSON.parse(String(msg.data)) as { event: string; payload: unknown };
      listeners.get(event)?.forEach((l) => l(payload));
    };
    socket.onclose = () => {
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 10_000);
    };
  };
  connect();

  return {
    kind: 'bridge',
    async invoke(name, args) {
      try {
        const res = await fetch(`/api/${encodeURIComponent(name)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-countersign-token': token },
          credentials: 'omit',
          body: JSON.stringify(args ?? {}),
        });
        if (res.status === 401)
          return { ok: false, error: { code: 'INVALID_ARGUMENT', message: 'not authorised: open the URL printed by `countersign serve`' } };
        return (await res.json()) as MethodResult<typeof name>;
      } catch (err) {
        return { ok: false, error: { code: 'UNAVAILABLE', message: `the Countersign bridge is not reachable (${String(err)})` } };
      }
    },
    subscribe(event, listener) {
      const set = listeners.get(event) ?? new Set<Listener>();
      listeners.set(event, set);
      set.add(listener as Listener);
      return () => set.delete(listener as Listener);
    },
    objectUrl(url) {
      const u = new URL(url, location.href);
      u.searchParams.set('token', token);
      return u.origin === location.origin ? `${u.pathname}${u.search}` : u.href;
    },
  };
}

export const transport: Transport = window.countersign ? electronTransport(window.countersign) : bridgeTransport();

/** Calls a contract method; resolves with the value or rejects with an ApiError. */
type OptionalIfEmpty<A> = Record<string, never> extends A ? [A?] : [A];

export async function call<M extends MethodName>(name: M, ...args: OptionalIfEmpty<ArgsOf<M>>): Promise<ResultOf<M>> {
  const result = await transport.invoke(name, (args[0] ?? {}) as ArgsOf<M>);
  if (!result.ok) throw new ApiError(result.error.code, result.error.message);
  return result.value;
}

/** Calls a contract method and returns the Result value (no throw). */
export function invoke<M extends MethodName>(name: M, args: ArgsOf<M>): Promise<MethodResult<M>> {
  return transport.invoke(name, args);
}

export function on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
  return transport.subscribe(event, listener);
}
