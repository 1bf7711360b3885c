import { openStore, type Store } from './store/index.ts';

/**
 * Everything that belongs to one data directory. The CLI, the Electron main process and
 * the loopback bridge each hold one; services open lazily on first use.
 */
export interface AppContext {
  readonly dataDir: string;
  readonly store: Store;
  close(): void;
}

export function createContext(dataDir: string): AppContext {
  let store: Store | undefined;
  return {
    dataDir,
    get store() {
      return (store ??= openStore(dataDir));
    },
    close() {
      store?.close();
      store = undefined;
    },
  };
}
