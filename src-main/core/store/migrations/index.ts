import { migration as m001 } from './001_initial.ts';
import { migration as m002 } from './002_library.ts';
import { migration as m003 } from './003_score_method.ts';
import { migration as m004 } from './004_search_method.ts';
import { migration as m005 } from './005_integrity.ts';
import { migration as m006 } from './006_bench.ts';
import { migration as m007 } from './007_dpi_source.ts';
import type { Migration } from './types.ts';

export type { Migration } from './types.ts';

/** Every migration, in order. Append new files here; never renumber or edit a released one. */
export const MIGRATIONS: readonly Migration[] = [m001, m002, m003, m004, m005, m006, m007];

export const LATEST_SCHEMA_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
