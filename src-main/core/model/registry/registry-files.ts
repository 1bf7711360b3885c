/**
 * The registry's folders and files: where models live, reading and validating them,
 * verifying weights.bin against its SHA-256, and installing a new model folder atomically.
 * The public API is in registry.ts.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../../errors.ts';
import { RESOURCES_DIR } from '../../paths.ts';
import { checkOwnIdentity } from './identity.ts';
import { MODEL_ID_PATTERN, parseMetadata, type ModelMetadata } from './registry-metadata.ts';

export interface RegistryOptions {
  /** Folder holding `models/<id>/` base models; default RESOURCES_DIR. */
  resourcesDir?: string;
}

export type ModelSource = 'base' | 'user';

export interface ModelEntry {
  id: string;
  source: ModelSource;
  /** The model's folder. */
  dir: string;
  metadata: ModelMetadata;
  /** The identity of metadata.json as it is on disk (model/registry/identity.ts). */
  identity: string;
}

export const METADATA_FILE = 'metadata.json';
export const WEIGHTS_FILE = 'weights.bin';

export function modelsDir(dataDir: string): string {
  return path.join(dataDir, 'models');
}

export function baseModelsDir(options: RegistryOptions): string {
  return path.join(options.resourcesDir ?? RESOURCES_DIR, 'models');
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function readEntry(dir: string, source: ModelSource): ModelEntry {
  const file = path.join(dir, METADATA_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new AppError('INTEGRITY', `${file}: cannot read model metadata (${(err as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new AppError('INTEGRITY', `${file}: not valid JSON (${(err as Error).message})`);
  }
  const metadata = parseMetadata(json, file);
  // Over the file as written, not as parsed: parsing may fill in defaults.
  const identity = checkOwnIdentity(json as Record<string, unknown>, file);
  if (metadata.id !== path.basename(dir)) {
    throw new AppError('INTEGRITY', `${file}: id '${metadata.id}' does not match its folder '${path.basename(dir)}'`);
  }
  return { id: metadata.id, source, dir, metadata, identity };
}

export function modelFolders(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && MODEL_ID_PATTERN.test(d.name))
    .map((d) => d.name)
    .sort();
}

export interface ModelScan {
  models: ModelEntry[];
  /** Folders that could not be read as models, with why (shown by `models list`). */
  problems: { dir: string; message: string }[];
}

/** Every model, base models first, each group oldest first; unreadable folders as problems. */
export function scanModels(dataDir: string, options: RegistryOptions = {}): ModelScan {
  const scan: ModelScan = { models: [], problems: [] };
  const seen = new Set<string>();
  for (const [root, source] of [
    [baseModelsDir(options), 'base'],
    [modelsDir(dataDir), 'user'],
  ] as const) {
    const group: ModelEntry[] = [];
    for (const name of modelFolders(root)) {
      const dir = path.join(root, name);
      if (seen.has(name)) {
        scan.problems.push({ dir, message: `id '${name}' is also a base model; the base model is used` });
        continue;
      }
      try {
        group.push(readEntry(dir, source));
        seen.add(name);
      } catch (err) {
        scan.problems.push({ dir, message: err instanceof Error ? err.message : String(err) });
      }
    }
    group.sort((x, y) => x.metadata.createdAt.localeCompare(y.metadata.createdAt) || x.id.localeCompare(y.id));
    scan.models.push(...group);
  }
  return scan;
}

export function listModels(dataDir: string, options: RegistryOptions = {}): ModelEntry[] {
  return scanModels(dataDir, options).models;
}

/** The model with this id (base models first); NOT_FOUND names the ids that exist. */
export function findModel(dataDir: string, id: string, options: RegistryOptions = {}): ModelEntry {
  if (typeof id !== 'string' || !MODEL_ID_PATTERN.test(id)) {
    throw new AppError('INVALID_ARGUMENT', `model id: '${String(id)}' is not a valid model id`);
  }
  for (const [root, source] of [
    [baseModelsDir(options), 'base'],
    [modelsDir(dataDir), 'user'],
  ] as const) {
    const dir = path.join(root, id);
    if (existsSync(dir)) return readEntry(dir, source);
  }
  const known = listModels(dataDir, options).map((m) => m.id);
  throw new AppError('NOT_FOUND', `model '${id}' not found${known.length ? ` (available: ${known.join(', ')})` : ' (no models registered)'}`);
}

export function getModel(dataDir: string, id: string, options: RegistryOptions = {}): ModelMetadata {
  return findModel(dataDir, id, options).metadata;
}

/** weights.bin of a model after checking its size and SHA-256 against the metadata. */
export function readVerifiedWeights(entry: ModelEntry): Buffer {
  const file = path.join(entry.dir, WEIGHTS_FILE);
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch (err) {
    throw new AppError('INTEGRITY', `${file}: cannot read model weights (${(err as Error).message})`);
  }
  checkWeights(data, entry.metadata, file);
  return data;
}

export function checkWeights(data: Buffer, metadata: ModelMetadata, file: string): void {
  const actual = sha256(data);
  if (actual !== metadata.sha256) {
    throw new AppError(
      'INTEGRITY',
      `${file}: SHA-256 mismatch: metadata.json records ${metadata.sha256}, the file has ${actual}; the weights were altered or damaged and are refused`,
    );
  }
  if (data.length !== metadata.weightsBytes) {
    throw new AppError('INTEGRITY', `${file}: ${data.length} bytes, metadata.json records ${metadata.weightsBytes}`);
  }
}

/** Re-hashes a model's weights; throws INTEGRITY on a mismatch. */
export function verifyModel(dataDir: string, id: string, options: RegistryOptions = {}): { id: string; sha256: string } {
  const entry = findModel(dataDir, id, options);
  readVerifiedWeights(entry);
  return { id, sha256: entry.metadata.sha256 };
}

export function slug(name: string): string {
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return s || 'model';
}

export function idTaken(dataDir: string, id: string, options: RegistryOptions): boolean {
  return existsSync(path.join(baseModelsDir(options), id)) || existsSync(path.join(modelsDir(dataDir), id));
}

/** 1 + the highest N among existing ids `<base>-v<N>` (base and user models). */
export function nextVersion(dataDir: string, base: string, options: RegistryOptions): number {
  const re = new RegExp(`^${base.replace(/[.]/g, '\\.')}-v(\\d+)$`);
  let max = 0;
  for (const root of [baseModelsDir(options), modelsDir(dataDir)]) {
    for (const name of modelFolders(root)) {
      const m = re.exec(name);
      if (m) max = Math.max(max, Number(m[1]));
    }
  }
  return max + 1;
}

export function conflict(id: string): AppError {
  return new AppError('CONFLICT', `model '${id}' already exists; models are never overwritten, save under a new id`);
}

/** Writes a model folder through a temporary folder and one rename; never replaces one. */
export function installModel(dataDir: string, id: string, metadataText: string, weights: Uint8Array, options: RegistryOptions): string {
  if (idTaken(dataDir, id, options)) throw conflict(id);
  const root = modelsDir(dataDir);
  const final = path.join(root, id);
  let tmp: string | undefined;
  try {
    mkdirSync(root, { recursive: true, mode: 0o700 });
    tmp = mkdtempSync(path.join(root, `.tmp-${id}-`));
    writeFileSync(path.join(tmp, WEIGHTS_FILE), weights);
    writeFileSync(path.join(tmp, METADATA_FILE), metadataText);
    renameSync(tmp, final);
    tmp = undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTEMPTY') throw conflict(id);
    if (err instanceof AppError) throw err;
    throw new AppError('IO', `${final}: cannot write model (${(err as Error).message})`);
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
  return final;
}
