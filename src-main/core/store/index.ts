// Placeholder until the data-layer issue lands: the store module replaces this file.
import { AppError } from '../errors.ts';

export interface Store {
  close(): void;
}

export function openStore(dataDir: string): Store {
  throw new AppError('UNAVAILABLE', `the case database is not implemented yet (data directory ${dataDir})`);
}
