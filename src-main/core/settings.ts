/**
 * Per-data-directory settings in `<dataDir>/settings.json`: small, user-level choices that
 * are not case data (the active model for new cases, ...). Unknown keys are kept, so other
 * modules can add their own. Writes go to a temporary file renamed over the old one, so a
 * crash never leaves half a file.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { AppError } from './errors.ts';
import { DEFAULT_INCONCLUSIVE_BAND, DEFAULT_MIN_REFERENCES, THRESHOLD_MAX } from './store/index.ts';
import { checkJson } from './util/json-file.ts';

export interface Settings {
  /** Model id used by default for new cases (see model/registry getActiveModel); null or '' = none chosen. */
  activeModel?: string | null;
  [key: string]: unknown;
}

/**
 * What settings.json must hold: an object; the keys this module knows have their types (a value
 * of the right type but out of range falls back to the default, see newCaseDefaults); other keys
 * are kept as they are.
 */
const settingsSchema = z.looseObject({
  activeModel: z.string().nullable().optional(),
  minReferences: z.number().optional(),
  inconclusiveBand: z.number().optional(),
});

export function settingsFile(dataDir: string): string {
  return path.join(dataDir, 'settings.json');
}

/** The settings; {} when the file does not exist yet. */
export function readSettings(dataDir: string): Settings {
  const file = settingsFile(dataDir);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new AppError('IO', `${file}: ${(err as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new AppError('IO', `${file}: not valid JSON (${(err as Error).message}); fix or delete the file`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new AppError('IO', `${file}: expected a JSON object`);
  }
  return checkJson(settingsSchema, value, file, 'IO');
}

/** Merges `patch` into the settings (a key set to undefined is removed) and returns the result. */
export function updateSettings(dataDir: string, patch: Partial<Settings>): Settings {
  const next: Settings = { ...readSettings(dataDir) };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) delete next[key];
    else next[key] = value;
  }
  const file = settingsFile(dataDir);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(tmp, JSON.stringify(next, null, 2) + '\n', { mode: 0o600 });
    renameSync(tmp, file);
  } catch (err) {
    throw new AppError('IO', `${file}: cannot write settings (${(err as Error).message})`);
  }
  return next;
}

export const MIN_REFERENCES_MAX = 1000;

export function validMinReferences(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= MIN_REFERENCES_MAX;
}

export function validBand(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= THRESHOLD_MAX;
}

/**
 * What a new case starts with (minimum references, inconclusive band): the examiner's
 * settings, where a hand-edited value out of range falls back to the built-in default.
 * Used by every way of creating a case (UI and CLI), so both give the same case.
 */
export function newCaseDefaults(raw: Settings): { minReferences: number; inconclusiveBand: number } {
  return {
    minReferences: validMinReferences(raw.minReferences) ? raw.minReferences : DEFAULT_MIN_REFERENCES,
    inconclusiveBand: validBand(raw.inconclusiveBand) ? raw.inconclusiveBand : DEFAULT_INCONCLUSIVE_BAND,
  };
}
