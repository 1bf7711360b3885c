/**
 * A registered model's parameters as plain float32 arrays, read from weights.bin without
 * TensorFlow.js (the onnxruntime engine needs no tfjs backend). The same checks as
 * network.paramsFromNamedTensors: SHA-256 of the file (registry), then every parameter of the
 * architecture present, float32, with its exact shape, and nothing else.
 */
import { AppError } from '../errors.ts';
import { paramInfos, type ArchitectureSpec } from './architectures.ts';
import { findModel, readVerifiedWeights, type RegistryOptions } from './registry/registry-files.ts';

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

export function loadWeightArrays(dataDir: string, id: string, spec: ArchitectureSpec, options: RegistryOptions = {}): Map<string, Float32Array> {
  const entry = findModel(dataDir, id, options);
  const data = readVerifiedWeights(entry);
  const found = new Map<string, { dtype: string; shape: number[]; data: Float32Array | null }>();
  let offset = 0;
  for (const w of entry.metadata.weightsManifest) {
    const size = w.shape.reduce((a, b) => a * b, 1);
    const bytes = size * (BYTES[w.dtype] ?? NaN);
    if (!(offset + bytes <= data.length)) throw new AppError('INTEGRITY', `weights for '${spec.name}': '${w.name}' runs past the end of weights.bin`);
    const start = data.byteOffset + offset;
    found.set(w.name, { dtype: w.dtype, shape: w.shape, data: w.dtype === 'float32' ? new Float32Array(data.buffer.slice(start, start + bytes)) : null });
    offset += bytes;
  }
  const out = new Map<string, Float32Array>();
  for (const p of paramInfos(spec)) {
    const t = found.get(p.name);
    if (!t) throw new AppError('INTEGRITY', `weights for '${spec.name}': missing '${p.name}'`);
    if (t.dtype !== 'float32' || !t.data) throw new AppError('INTEGRITY', `weights for '${spec.name}': '${p.name}' is ${t.dtype}, expected float32`);
    if (t.shape.length !== p.shape.length || t.shape.some((d, i) => d !== p.shape[i])) {
      throw new AppError('INTEGRITY', `weights for '${spec.name}': '${p.name}' has shape [${t.shape.join(', ')}], expected [${p.shape.join(', ')}]`);
    }
    out.set(p.name, t.data);
    found.delete(p.name);
  }
  if (found.size) throw new AppError('INTEGRITY', `weights for '${spec.name}': unexpected ${[...found.keys()].map((k) => `'${k}'`).join(', ')}`);
  return out;
}
