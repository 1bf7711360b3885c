/**
 * Training checkpoints: `<dataDir>/training/<runId>/{last,best}/` each holding the weights
 * and optimizer slots as named float32 arrays plus `state.json`. Written to a temporary
 * folder and renamed into place, so a crash leaves the previous checkpoint intact.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../../errors.ts';
import type { NamedArray } from '../network.ts';
import type { OptimizerState } from './engine/optimizers.ts';
import { readJsonFile } from '../../util/json-file.ts';
import { checkpointFileSchema } from './files.ts';

export interface CheckpointState {
  runId: string;
  epoch: number;
  /** Batches of `epoch` already done (0 = the epoch has not started). */
  batchInEpoch: number;
  step: number;
  /** The best selection score so far (selectionScore of the best epoch's validation). */
  bestEer: number | null;
  bestEpoch: number | null;
  history: EpochRecord[];
  /** Validation of the starting weights (before the first batch). */
  baseline?: { valEer: number; valEerRandom: number | null };
  [key: string]: unknown;
}

export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  /** Skilled-forgery EER on the validation writers. */
  valEer: number;
  /** Random-forgery EER on the validation writers. */
  valEerRandom?: number | null;
  valPairEer: number | null;
  seconds: number;
}

/**
 * What `best` is chosen by: the mean of the skilled- and random-forgery EERs. Skilled forgeries
 * alone are few per validation writer and their EER moves by chance from epoch to epoch; both
 * kinds of trial matter to an examiner.
 */
export function selectionScore(m: { eer: number; eerRandom: number | null }): number {
  return m.eerRandom === null ? m.eer : (m.eer + m.eerRandom) / 2;
}

export function runDir(dataDir: string, runId: string): string {
  return path.join(dataDir, 'training', runId);
}

function writeArrays(file: string, arrays: NamedArray[]): { name: string; shape: number[]; offset: number; length: number }[] {
  const total = arrays.reduce((s, a) => s + a.data.length, 0);
  const buf = new Float32Array(total);
  const index: { name: string; shape: number[]; offset: number; length: number }[] = [];
  let offset = 0;
  for (const a of arrays) {
    buf.set(a.data, offset);
    index.push({ name: a.name, shape: a.shape, offset, length: a.data.length });
    offset += a.data.length;
  }
  writeFileSync(file, Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength));
  return index;
}

function readArrays(file: string, index: { name: string; shape: number[]; offset: number; length: number }[]): NamedArray[] {
  const raw = readFileSync(file);
  const all = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  return index.map((e) => {
    if (e.offset + e.length > all.length) throw new AppError('INTEGRITY', `${file}: shorter than its index (${e.name})`);
    return { name: e.name, shape: e.shape, data: all.slice(e.offset, e.offset + e.length) };
  });
}

export function saveCheckpoint(dir: string, which: 'last' | 'best', c: { params: NamedArray[]; optimizer: OptimizerState; state: CheckpointState }): void {
  mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${which}.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  const paramsIndex = writeArrays(path.join(tmp, 'params.bin'), c.params);
  const slotsIndex = writeArrays(path.join(tmp, 'optimizer.bin'), c.optimizer.slots);
  writeFileSync(
    path.join(tmp, 'state.json'),
    JSON.stringify({ ...c.state, paramsIndex, optimizer: { name: c.optimizer.name, step: c.optimizer.step, slotsIndex } }, null, 1),
  );
  const final = path.join(dir, which);
  const old = path.join(dir, `.${which}.old-${process.pid}`);
  if (existsSync(final)) renameSync(final, old);
  renameSync(tmp, final);
  rmSync(old, { recursive: true, force: true });
}

export function loadCheckpoint(dir: string, which: 'last' | 'best'): { params: NamedArray[]; optimizer: OptimizerState; state: CheckpointState } {
  const d = path.join(dir, which);
  const file = path.join(d, 'state.json');
  if (!existsSync(file)) throw new AppError('NOT_FOUND', `no '${which}' checkpoint in ${dir}`);
  const { paramsIndex, optimizer, ...state } = readJsonFile(checkpointFileSchema, file);
  return {
    params: readArrays(path.join(d, 'params.bin'), paramsIndex),
    optimizer: { name: optimizer.name, step: optimizer.step, slots: readArrays(path.join(d, 'optimizer.bin'), optimizer.slotsIndex) },
    state,
  };
}
