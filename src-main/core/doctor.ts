import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { vectorSearchAvailability, writerSearchInfo, type VecAvailability, type WriterSearchInfo } from './identify/availability.ts';
import { resolveBackend, type BackendAttempt, type BackendName } from './model/backend.ts';
import { chooseInferenceEngine, nodeOrtProbe, resolveInferenceEngine, type InferenceEngineInfo } from './model/embedding/inference-engine.ts';
import { APP_VERSION } from './paths.ts';
import { readPublicKey, type PublicKeyInfo } from './store/installation-key.ts';
import { checkPermissions, type PermissionReport } from './store/permissions.ts';

const requireHere = createRequire(import.meta.url);

export interface DoctorReport {
  version: string;
  node: string;
  /** Electron's version: the running one inside the app, else the installed package's. */
  electron: string | null;
  /** Whether the Electron binary is present, so the desktop window can open. */
  electronBinary: boolean;
  backend: BackendName;
  backendsTried: BackendAttempt[];
  gpu: boolean;
  /**
   * What computes embeddings (onnxruntime where it loads, else tfjs on `backend`) and why;
   * `error` when COUNTERSIGN_INFERENCE cannot be honoured (embedding then fails with it).
   */
  inference: InferenceEngineInfo & { error?: string };
  /** sqlite-vec's availability (kept for older clients; writerSearch says what is used). */
  vectorSearch: VecAvailability;
  /** Writer identification's search: HNSW (usearch), else sqlite-vec, else the exact scan. */
  writerSearch: WriterSearchInfo;
  dataDir: string;
  /** The data directory's installation key (signs the audit chain); null until the directory is first opened. */
  installationKey: PublicKeyInfo | null;
  /** Whether the data directory and what Countersign keeps in it are readable by their owner only. */
  permissions: PermissionReport;
  cpus: number;
  platform: string;
}

export function electronStatus(): { version: string | null; binary: boolean } {
  if (process.versions.electron) return { version: process.versions.electron, binary: true };
  try {
    const dir = path.dirname(requireHere.resolve('electron/package.json'));
    const version = (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
    const rel = existsSync(path.join(dir, 'path.txt')) ? readFileSync(path.join(dir, 'path.txt'), 'utf8').trim() : '';
    return { version, binary: rel !== '' && existsSync(path.join(dir, 'dist', rel)) };
  } catch {
    return { version: null, binary: false };
  }
}

/** The inference engine choice; where COUNTERSIGN_INFERENCE cannot be honoured, the automatic one with the error. */
export async function inferenceStatus(): Promise<DoctorReport['inference']> {
  try {
    return await resolveInferenceEngine();
  } catch (err) {
    return { ...(await chooseInferenceEngine(nodeOrtProbe(), 'auto')), error: (err as Error).message };
  }
}

export async function doctor(dataDir: string): Promise<DoctorReport> {
  const info = await resolveBackend();
  const electron = electronStatus();
  return {
    version: APP_VERSION,
    node: process.versions.node,
    electron: electron.version,
    electronBinary: electron.binary,
    backend: info.backend,
    backendsTried: info.backendsTried,
    gpu: info.gpu,
    inference: await inferenceStatus(),
    vectorSearch: vectorSearchAvailability(),
    writerSearch: writerSearchInfo(),
    dataDir,
    installationKey: readPublicKey(dataDir),
    permissions: checkPermissions(dataDir),
    cpus: os.availableParallelism(),
    platform: `${process.platform}-${process.arch}`,
  };
}
