/**
 * Model bundles: one tar file holding `<id>/metadata.json` and `<id>/weights.bin`, for moving
 * a model between machines. Export verifies the weights first; import treats the file as
 * hostile (sizes from headers first, bounded memory), verifies the weights against the
 * bundle's own metadata and the architecture, and never replaces a registered id.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors.ts';
import { parseMetadata, type ModelMetadata } from './registry-metadata.ts';
import { checkManifestAgainstArchitecture, checkOwnIdentity } from './identity.ts';
import {
  conflict,
  findModel,
  idTaken,
  listModels,
  METADATA_FILE,
  modelsDir,
  readVerifiedWeights,
  WEIGHTS_FILE,
  type RegistryOptions,
} from './registry-files.ts';
import { copyTarEntry, readTarEntry, tarHeaders, writeTar } from './registry-tar.ts';

/**
 * Writes a model as one tar file holding `<id>/metadata.json` and `<id>/weights.bin`
 * (readable with any tar). The weights are verified first; an existing file is replaced
 * only with `overwrite`.
 */
export function exportModel(
  dataDir: string,
  id: string,
  file: string,
  options: RegistryOptions & { overwrite?: boolean } = {},
): { id: string; file: string; bytes: number; sha256: string } {
  const entry = findModel(dataDir, id, options);
  const weights = readVerifiedWeights(entry);
  const metadataBytes = readFileSync(path.join(entry.dir, METADATA_FILE));
  const target = path.resolve(file);
  if (!options.overwrite && existsSync(target)) {
    throw new AppError('CONFLICT', `${target}: already exists (use overwrite to replace it)`);
  }
  const mtime = Math.max(0, Math.floor((Date.parse(entry.metadata.createdAt) || 0) / 1000));
  const tar = writeTar(
    [
      { name: `${id}/${METADATA_FILE}`, data: metadataBytes },
      { name: `${id}/${WEIGHTS_FILE}`, data: weights },
    ],
    mtime,
  );
  const tmp = `${target}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, tar);
    renameSync(tmp, target);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new AppError('IO', `${target}: cannot write model bundle (${(err as Error).message})`);
  }
  return { id, file: target, bytes: tar.length, sha256: entry.metadata.sha256 };
}

/** A bundle's metadata.json above this is refused from its tar header, before it is read. */
export const MAX_METADATA_BYTES = 16 * 1024 * 1024;
/** weights.bin above this is refused from its header (SigNet's are 26 MB). */
export const MAX_WEIGHTS_BYTES = 1024 * 1024 * 1024;
/** A bundle holds two files (and perhaps their folder). */
const MAX_BUNDLE_ENTRIES = 16;

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

/** A bundle read and checked, its files in a temporary folder beside the registry, not yet a model. */
export interface StagedBundle {
  source: string;
  metadata: ModelMetadata;
  /** Identity of metadata.json as it came (model/identity.ts). */
  identity: string;
  /** Holds metadata.json (byte for byte) and weights.bin, verified. */
  tmpDir: string;
}

/**
 * Reads a bundle without trusting it: sizes are checked from the tar headers before anything
 * is read (a sparse file claiming gigabytes, or a metadata.json of hundreds of megabytes, is
 * refused at once), the metadata is validated and its weights manifest checked against the
 * architecture (which fixes the weights' exact size), then the weights are streamed into a
 * temporary folder while they are hashed. Memory stays bounded by the metadata limit.
 */
export function stageBundle(dataDir: string, file: string): StagedBundle {
  const source = path.resolve(file);
  let fd: number;
  let total: number;
  try {
    fd = openSync(source, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new AppError(code === 'ENOENT' ? 'NOT_FOUND' : 'IO', `${source}: cannot read model bundle (${(err as Error).message})`);
  }
  let tmpDir: string | undefined;
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new AppError('IO', `${source}: cannot read model bundle (not a file)`);
    total = st.size;
    const entries = tarHeaders(fd, total, source, MAX_BUNDLE_ENTRIES);
    const pick = (base: string) => {
      const found = entries.filter((e) => path.posix.basename(e.name) === base);
      if (found.length !== 1) throw new AppError('INVALID_ARGUMENT', `${source}: not a model bundle (expected one ${base}, found ${found.length})`);
      return found[0]!;
    };
    const metaEntry = pick(METADATA_FILE);
    const weightsEntry = pick(WEIGHTS_FILE);
    const extra = entries.filter((e) => e !== metaEntry && e !== weightsEntry);
    if (extra.length) throw new AppError('INVALID_ARGUMENT', `${source}: unexpected file in model bundle: ${extra[0]!.name}`);
    if (metaEntry.size > MAX_METADATA_BYTES) {
      throw new AppError('INVALID_ARGUMENT', `${source}: ${metaEntry.name} is ${mib(metaEntry.size)}; a model's metadata is at most ${mib(MAX_METADATA_BYTES)}; nothing was read`);
    }
    if (weightsEntry.size > MAX_WEIGHTS_BYTES) {
      throw new AppError('INVALID_ARGUMENT', `${source}: ${weightsEntry.name} is ${mib(weightsEntry.size)}; model weights are at most ${mib(MAX_WEIGHTS_BYTES)}; nothing was read`);
    }
    const where = `${source}: ${metaEntry.name}`;
    const metaBytes = readTarEntry(fd, metaEntry);
    let json: unknown;
    try {
      json = JSON.parse(metaBytes.toString('utf8'));
    } catch (err) {
      throw new AppError('INTEGRITY', `${where}: not valid JSON (${(err as Error).message})`);
    }
    const metadata = parseMetadata(json, where);
    const identity = checkOwnIdentity(json as Record<string, unknown>, where);
    checkManifestAgainstArchitecture(metadata, where);
    if (weightsEntry.size !== metadata.weightsBytes) {
      throw new AppError('INTEGRITY', `${source}: ${weightsEntry.name} is ${weightsEntry.size} bytes, the metadata records ${metadata.weightsBytes}; nothing was read`);
    }
    const root = modelsDir(dataDir);
    mkdirSync(root, { recursive: true, mode: 0o700 });
    tmpDir = mkdtempSync(path.join(root, `.tmp-import-`));
    writeFileSync(path.join(tmpDir, METADATA_FILE), metaBytes);
    const hash = createHash('sha256');
    copyTarEntry(fd, weightsEntry, path.join(tmpDir, WEIGHTS_FILE), (c) => hash.update(c));
    const actual = hash.digest('hex');
    if (actual !== metadata.sha256) {
      throw new AppError(
        'INTEGRITY',
        `${source}: ${weightsEntry.name}: SHA-256 mismatch: metadata.json records ${metadata.sha256}, the file has ${actual}; the weights were altered or damaged and are refused`,
      );
    }
    const staged = { source, metadata, identity, tmpDir };
    tmpDir = undefined;
    return staged;
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError('IO', `${source}: cannot read model bundle (${(err as Error).message})`);
  } finally {
    closeSync(fd);
    if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
  }
}

/**
 * Refuses a staged model whose id, or whose name and version, is already registered (in the
 * registry or, given a database, in its models table): a model that clashes could be listed
 * but never used.
 */
export function assertNoClash(dataDir: string, metadata: ModelMetadata, options: RegistryOptions, registered: { id: string; name: string; version: string }[] = []): void {
  if (idTaken(dataDir, metadata.id, options)) {
    const existing = findModel(dataDir, metadata.id, options).metadata;
    const same = existing.sha256 === metadata.sha256;
    throw new AppError(
      'CONFLICT',
      `model '${metadata.id}' is already registered (${same ? 'same weights' : `different weights: ${existing.sha256} here, ${metadata.sha256} in the bundle`}); models are never overwritten`,
    );
  }
  const others = [...listModels(dataDir, options).map((m) => ({ id: m.id, name: m.metadata.name, version: String(m.metadata.version) })), ...registered];
  const clash = others.find((m) => m.id !== metadata.id && m.name === metadata.name && m.version === String(metadata.version));
  if (clash) {
    throw new AppError(
      'CONFLICT',
      `model '${metadata.id}': '${metadata.name}' version ${metadata.version} is already registered as '${clash.id}'; a name and version identify one model. Nothing was imported`,
    );
  }
}

/** Moves a staged bundle into place as models/<id>; returns the folder. Never replaces one. */
export function publishStaged(dataDir: string, staged: StagedBundle, options: RegistryOptions): string {
  const final = path.join(modelsDir(dataDir), staged.metadata.id);
  if (idTaken(dataDir, staged.metadata.id, options)) throw conflict(staged.metadata.id);
  try {
    renameSync(staged.tmpDir, final);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTEMPTY') throw conflict(staged.metadata.id);
    throw new AppError('IO', `${final}: cannot write model (${(err as Error).message})`);
  }
  return final;
}

/**
 * Registers a model from a bundle written by exportModel (or `tar -cf x.tar <id>/`), in the
 * registry only (the CLI and the app use importModelIntoStore, which also records it). The
 * weights must match the SHA-256 in its metadata and the architecture's manifest; an id, or a
 * name and version, that exists is refused; metadata.json is stored byte for byte.
 */
export function importModel(dataDir: string, file: string, options: RegistryOptions = {}): ModelMetadata {
  const staged = stageBundle(dataDir, file);
  try {
    assertNoClash(dataDir, staged.metadata, options);
    publishStaged(dataDir, staged, options);
    return staged.metadata;
  } finally {
    rmSync(staged.tmpDir, { recursive: true, force: true });
  }
}
