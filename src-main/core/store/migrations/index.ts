import { migration as m001 } from './001_initial.ts';
import { migration as m002 } from './002_library.ts';
import { migration as m003 } from './003_integrity.ts';
import type { Migration } from './types.ts';

export type { Migration } from './types.ts';

/** Every migration, in order. Append new files here; never renumber or edit a released one. */
export const MIGRATIONS: readonly Migration[] = [m001, m002, m003];

export const LATEST_SCHEMA_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
