/**
 * Model bundles: one tar file holding `<id>/metadata.json` and `<id>/weights.bin`, for moving
 * a model between machines. Export verifies the weights first; import treats the file as
 * hostile (sizes from headers first, bounded memory), verifies the weights against the
 * bundle's own metadata and the architecture, and never replaces a registered id.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../errors.ts';
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
import { readTar, writeTarFile } from '../../util/tar.ts';

/**
 * Writes a model as one tar file holding `<id>/metadata.json` and `<id>/weights.bin`
 * (readable with any tar; the same model gives the same bytes). The weights are verified
 * first; an existing file is replaced only with `overwrite`.
 */
export async function exportModel(
  dataDir: string,
  id: string,
  file: string,
  options: RegistryOptions & { overwrite?: boolean } = {},
): Promise<{ id: string; file: string; bytes: number; sha256: string }> {
  const entry = findModel(dataDir, id, options);
  const weights = readVerifiedWeights(entry);
  const metadataBytes = readFileSync(path.join(entry.dir, METADATA_FILE));
  const target = path.resolve(file);
  if (!options.overwrite && existsSync(target)) {
    throw new AppError('CONFLICT', `${target}: already exists (use overwrite to replace it)`);
  }
  const mtime = Math.max(0, Math.floor((Date.parse(entry.metadata.createdAt) || 0) / 1000));
  let written: { size: number };
  try {
    written = await writeTarFile(
      target,
      [
        { name: `${id}/${METADATA_FILE}`, data: metadataBytes },
        { name: `${id}/${WEIGHTS_FILE}`, data: weights },
      ],
      { mtime },
    );
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError('IO', `${target}: cannot write model bundle (${(err as Error).message})`);
  }
  return { id, file: target, bytes: written.size, sha256: entry.metadata.sha256 };
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
  /** Identity of metadata.json as it came (model/registry/identity.ts). */
  identity: string;
  /** Holds metadata.json (byte for byte) and weights.bin, verified. */
  tmpDir: string;
}

/**
 * Reads a bundle without trusting it (util/tar.ts checks every header first: names, types,
 * duplicates, at most 16 entries). Each file's size is checked from its header before it is
 * read (a sparse file claiming gigabytes, or a metadata.json of hundreds of megabytes, is
 * refused at once); the metadata is validated and its weights manifest checked against the
 * architecture (which fixes the weights' exact size); the weights are streamed into a
 * temporary folder while they are hashed. Either file may come first (`tar -cf` follows the
 * folder's order); memory stays bounded by the metadata limit.
 */
export async function stageBundle(dataDir: string, file: string): Promise<StagedBundle> {
  const source = path.resolve(file);
  try {
    if (!statSync(source).isFile()) throw new AppError('IO', `${source}: cannot read model bundle (not a file)`);
  } catch (err) {
    if (err instanceof AppError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new AppError(code === 'ENOENT' ? 'NOT_FOUND' : 'IO', `${source}: cannot read model bundle (${(err as Error).message})`);
  }
  let tmpDir: string | undefined;
  const tmp = () => {
    if (!tmpDir) {
      const root = modelsDir(dataDir);
      mkdirSync(root, { recursive: true, mode: 0o700 });
      tmpDir = mkdtempSync(path.join(root, `.tmp-import-`));
    }
    return tmpDir;
  };
  const names: Record<string, string[]> = { [METADATA_FILE]: [], [WEIGHTS_FILE]: [] };
  let meta: { name: string; bytes: Buffer; metadata: ModelMetadata; identity: string } | undefined;
  let weights: { name: string; size: number; sha256: string } | undefined;
  const checkWeights = (w: { name: string; size: number; sha256: string }, metadata: ModelMetadata, read: boolean) => {
    if (w.size !== metadata.weightsBytes) {
      throw new AppError(
        'INTEGRITY',
        `${source}: ${w.name} is ${w.size} bytes, the metadata records ${metadata.weightsBytes}${read ? '' : '; nothing was read'}`,
      );
    }
    if (read && w.sha256 !== metadata.sha256) {
      throw new AppError(
        'INTEGRITY',
        `${source}: ${w.name}: SHA-256 mismatch: metadata.json records ${metadata.sha256}, the file has ${w.sha256}; the weights were altered or damaged and are refused`,
      );
    }
  };
  try {
    await readTar(
      source,
      async (entry, data) => {
        const base = path.posix.basename(entry.name);
        const seen = names[base];
        if (!seen) throw new AppError('INVALID_ARGUMENT', `${source}: unexpected file in model bundle: ${entry.name}`);
        seen.push(entry.name);
        if (seen.length > 1) throw new AppError('INVALID_ARGUMENT', `${source}: not a model bundle (expected one ${base}, found ${seen.join(' and ')})`);
        if (base === METADATA_FILE) {
          if (entry.size > MAX_METADATA_BYTES) {
            throw new AppError(
              'INVALID_ARGUMENT',
              `${source}: ${entry.name} is ${mib(entry.size)}; a model's metadata is at most ${mib(MAX_METADATA_BYTES)}; nothing was read`,
            );
          }
          const chunks: Buffer[] = [];
          for await (const c of data) chunks.push(c);
          const bytes = Buffer.concat(chunks);
          const where = `${source}: ${entry.name}`;
          let json: unknown;
          try {
            json = JSON.parse(bytes.toString('utf8'));
          } catch (err) {
            throw new AppError('INTEGRITY', `${where}: not valid JSON (${(err as Error).message})`);
          }
          const metadata = parseMetadata(json, where);
          const identity = checkOwnIdentity(json as Record<string, unknown>, where);
          checkManifestAgainstArchitecture(metadata, where);
          meta = { name: entry.name, bytes, metadata, identity };
          return;
        }
        if (entry.size > MAX_WEIGHTS_BYTES) {
          throw new AppError(
            'INVALID_ARGUMENT',
            `${source}: ${entry.name} is ${mib(entry.size)}; model weights are at most ${mib(MAX_WEIGHTS_BYTES)}; nothing was read`,
          );
        }
        if (meta) checkWeights({ name: entry.name, size: entry.size, sha256: '' }, meta.metadata, false);
        weights = { name: entry.name, size: entry.size, sha256: await copyHashed(data, path.join(tmp(), WEIGHTS_FILE)) };
      },
      { what: 'model bundle', code: 'INVALID_ARGUMENT', maxEntries: MAX_BUNDLE_ENTRIES },
    );
    for (const base of [METADATA_FILE, WEIGHTS_FILE]) {
      if (names[base]!.length !== 1) throw new AppError('INVALID_ARGUMENT', `${source}: not a model bundle (expected one ${base}, found none)`);
    }
    checkWeights(weights!, meta!.metadata, true);
    writeFileSync(path.join(tmp(), METADATA_FILE), meta!.bytes);
    const staged = { source, metadata: meta!.metadata, identity: meta!.identity, tmpDir: tmp() };
    tmpDir = undefined;
    return staged;
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError('IO', `${source}: cannot read model bundle (${(err as Error).message})`);
  } finally {
    if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
  }
}

/** Writes `data` to a new file, fsynced; returns its SHA-256. */
async function copyHashed(data: AsyncIterable<Buffer>, dest: string): Promise<string> {
  const hash = createHash('sha256');
  const out = await open(dest, 'wx', 0o600);
  try {
    for await (const chunk of data) {
      hash.update(chunk);
      for (let off = 0; off < chunk.length;) off += (await out.write(chunk, off, chunk.length - off)).bytesWritten;
    }
    await out.sync();
  } finally {
    await out.close();
  }
  return hash.digest('hex');
}

/**
 * Refuses a staged model whose id, or whose name and version, is already registered (in the
 * registry or, given a database, in its models table): a model that clashes could be listed
 * but never used.
 */
export function assertNoClash(
  dataDir: string,
  metadata: ModelMetadata,
  options: RegistryOptions,
  registered: { id: string; name: string; version: string }[] = [],
): void {
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
export async function importModel(dataDir: string, file: string, options: RegistryOptions = {}): Promise<ModelMetadata> {
  const staged = await stageBundle(dataDir, file);
  try {
    assertNoClash(dataDir, staged.metadata, options);
    publishStaged(dataDir, staged, options);
    return staged.metadata;
  } finally {
    rmSync(staged.tmpDir, { recursive: true, force: true });
  }
}
