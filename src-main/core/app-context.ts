import { openStore, type Client, type Store } from './store/index.ts';

export interface ContextOptions {
  /** Who is acting, for the audit log: 'cli', 'app' (Electron) or 'bridge' (countersign serve). */
  client?: Client;
}

/**
 * Everything that belongs to one data directory. The CLI, the Electron main process and
 * the loopback bridge each hold one; services open lazily on first use.
 */
export interface AppContext {
  readonly dataDir: string;
  readonly client: Client;
  /** The case database, object store (`store.objects`) and audit log (`store.audit`). */
  readonly store: Store;
  close(): void;
}

export function createContext(dataDir: string, opts: ContextOptions = {}): AppContext {
  let store: Store | undefined;
  const client: Client = opts.client ?? (process.versions.electron ? 'app' : 'cli');
  return {
    dataDir,
    client,
    get store() {
      return (store ??= openStore(dataDir, { client }));
    },
    close() {
      store?.close();
      store = undefined;
    },
  };
}
