/**
 * Model bundles: one tar file holding `<id>/metadata.json` and `<id>/weights.bin`, for moving
 * a model between machines. Export verifies the weights first; import verifies them against
 * the bundle's own metadata and never replaces a registered id.
 */
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors.ts';
import { parseMetadata, type ModelMetadata } from './registry-metadata.ts';
import {
  checkWeights,
  findModel,
  idTaken,
  installModel,
  METADATA_FILE,
  readVerifiedWeights,
  WEIGHTS_FILE,
  type RegistryOptions,
} from './registry-files.ts';
import { readTar, writeTar } from './registry-tar.ts';

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

/**
 * Registers a model from a bundle written by exportModel (or `tar -cf x.tar <id>/`). The
 * weights must match the SHA-256 in its metadata; an id that already exists is refused.
 * metadata.json is stored byte for byte as it came.
 */
export function importModel(dataDir: string, file: string, options: RegistryOptions = {}): ModelMetadata {
  const source = path.resolve(file);
  let buf: Buffer;
  try {
    if (!statSync(source).isFile()) throw new Error('not a file');
    buf = readFileSync(source);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new AppError(code === 'ENOENT' ? 'NOT_FOUND' : 'IO', `${source}: cannot read model bundle (${(err as Error).message})`);
  }
  const entries = readTar(buf, source);
  const pick = (base: string) => {
    const found = entries.filter((e) => path.posix.basename(e.name) === base);
    if (found.length !== 1) {
      throw new AppError('INVALID_ARGUMENT', `${source}: not a model bundle (expected one ${base}, found ${found.length})`);
    }
    return found[0]!;
  };
  const metaEntry = pick(METADATA_FILE);
  const weightsEntry = pick(WEIGHTS_FILE);
  const extra = entries.filter((e) => e !== metaEntry && e !== weightsEntry);
  if (extra.length) throw new AppError('INVALID_ARGUMENT', `${source}: unexpected file in model bundle: ${extra[0]!.name}`);
  const where = `${source}: ${metaEntry.name}`;
  let json: unknown;
  try {
    json = JSON.parse(metaEntry.data.toString('utf8'));
  } catch (err) {
    throw new AppError('INTEGRITY', `${where}: not valid JSON (${(err as Error).message})`);
  }
  const metadata = parseMetadata(json, where);
  checkWeights(weightsEntry.data, metadata, `${source}: ${weightsEntry.name}`);
  if (idTaken(dataDir, metadata.id, options)) {
    const existing = findModel(dataDir, metadata.id, options).metadata;
    const same = existing.sha256 === metadata.sha256;
    throw new AppError(
      'CONFLICT',
      `model '${metadata.id}' is already registered (${same ? 'same weights' : `different weights: ${existing.sha256} here, ${metadata.sha256} in the bundle`}); models are never overwritten`,
    );
  }
  installModel(dataDir, metadata.id, metaEntry.data.toString('utf8'), weightsEntry.data, options);
  return metadata;
}
