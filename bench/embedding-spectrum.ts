/**
 * How real signature embeddings are spread: the shipped model's embeddings of real genuine
 * signatures (SigComp 2011 Dutch, develop writers), split into writer means and within-writer
 * deviations, each summarised by its covariance spectrum. The identification benchmark's
 * "spectrum" library (core/synth/embedding-library.ts) draws writer centres and exemplar
 * noise with these shapes, so its nearest-neighbour structure is like a trained model's,
 * not like isotropic noise in 128 dimensions (where every writer is about equally far from
 * every query and no index can do better than a scan).
 *
 *   node --import tsx bench/embedding-spectrum.ts [--data ../shared/data/sigcomp2011-dutch/manifest-develop.csv] [--model signet-synth-v1] [--json]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { resolveBackend } from '../src-main/core/model/backend.ts';
import { prepareInputs, readLabelledData } from '../src-main/core/model/dataset.ts';
import { loadInferenceModel } from '../src-main/core/model/embedding/inference.ts';

/** Eigenvalues of a symmetric matrix (cyclic Jacobi), largest first. */
export function symmetricEigenvalues(a: Float64Array, n: number): number[] {
  const m = Float64Array.from(a);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p * n + q]! ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (m[q * n + q]! - m[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = m[k * n + p]!;
          const akq = m[k * n + q]!;
          m[k * n + p] = c * akp - s * akq;
          m[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = m[p * n + k]!;
          const aqk = m[q * n + k]!;
          m[p * n + k] = c * apk - s * aqk;
          m[q * n + k] = s * apk + c * aqk;
        }
      }
    }
  }
  return Array.from({ length: n }, (_, i) => m[i * n + i]!).sort((x, y) => y - x);
}

function covariance(rows: Float32Array[], dim: number): Float64Array {
  const mean = new Float64Array(dim);
  for (const r of rows) for (let i = 0; i < dim; i++) mean[i]! += r[i]! / rows.length;
  const c = new Float64Array(dim * dim);
  for (const r of rows)
    for (let i = 0; i < dim; i++) for (let j = i; j < dim; j++) c[i * dim + j]! += ((r[i]! - mean[i]!) * (r[j]! - mean[j]!)) / (rows.length - 1);
  for (let i = 0; i < dim; i++) for (let j = 0; j < i; j++) c[i * dim + j] = c[j * dim + i]!;
  return c;
}

export interface SpectrumSummary {
  points: number;
  total: number;
  /** Participation ratio (sum l)^2 / sum l^2: the number of equally used directions it equals. */
  effectiveDim: number;
  /** Share of the variance in the first 1, 5, 10, 20 directions. */
  top: Record<string, number>;
  eigenvalues: number[];
}

function summarise(eig: number[], points: number): SpectrumSummary {
  const l = eig.map((x) => Math.max(0, x));
  const total = l.reduce((s, x) => s + x, 0);
  const sq = l.reduce((s, x) => s + x * x, 0);
  const share = (k: number) => l.slice(0, k).reduce((s, x) => s + x, 0) / total;
  return { points, total, effectiveDim: (total * total) / sq, top: { 1: share(1), 5: share(5), 10: share(10), 20: share(20) }, eigenvalues: l };
}

export async function embeddingSpectrum(manifest: string, modelId: string) {
  await resolveBackend();
  const data = readLabelledData(manifest);
  const items = data.items.filter((i) => i.label === 'genuine');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cs-spectrum-'));
  try {
    const model = await loadInferenceModel(dir, modelId);
    const [h, w] = model.spec.inputShape;
    const inputs = await prepareInputs(items, { canvas: [h, w] });
    const dim = model.spec.embeddingSize;
    const vectors: Float32Array[] = [];
    for (let i = 0; i < inputs.length; i += 32) {
      const batch = inputs.slice(i, i + 32);
      const x = new Float32Array(batch.length * h * w);
      batch.forEach((b, k) => x.set(b, k * h * w));
      const e = await model.embedBatch(x, batch.length);
      for (let k = 0; k < batch.length; k++) vectors.push(e.slice(k * dim, (k + 1) * dim));
    }
    model.dispose();
    const byWriter = new Map<string, Float32Array[]>();
    items.forEach((it, i) => byWriter.set(it.writer, [...(byWriter.get(it.writer) ?? []), vectors[i]!]));
    const means: Float32Array[] = [];
    const deviations: Float32Array[] = [];
    for (const vs of byWriter.values()) {
      const m = new Float32Array(dim);
      for (const v of vs) for (let i = 0; i < dim; i++) m[i]! += v[i]! / vs.length;
      means.push(m);
      for (const v of vs) deviations.push(v.map((x, i) => (x - m[i]!) * Math.sqrt(vs.length / (vs.length - 1))));
    }
    const all = summarise(symmetricEigenvalues(covariance(vectors, dim), dim), vectors.length);
    const between = summarise(symmetricEigenvalues(covariance(means, dim), dim), means.length);
    const within = summarise(symmetricEigenvalues(covariance(deviations, dim), dim), deviations.length);
    return {
      model: modelId,
      manifest,
      writers: byWriter.size,
      signatures: vectors.length,
      dim,
      all,
      between,
      within,
      withinToBetween: Math.sqrt(within.total / between.total),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (name: string, d: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1]! : d;
  };
  const r = await embeddingSpectrum(arg('data', '../shared/data/sigcomp2011-dutch/manifest-develop.csv'), arg('model', 'signet-synth-v1'));
  if (process.argv.includes('--json')) process.stdout.write(JSON.stringify(r) + '\n');
  else {
    const f = (s: SpectrumSummary) =>
      `effective dimension ${s.effectiveDim.toFixed(1)}, variance in the first 1/5/10/20 directions ${Object.values(s.top)
        .map((x) => (100 * x).toFixed(0) + ' %')
        .join(' / ')}, total ${s.total.toFixed(4)}`;
    console.log(`${r.model} on ${r.writers} writers, ${r.signatures} genuine signatures (${r.dim}-d)`);
    console.log(`all embeddings:          ${f(r.all)}`);
    console.log(`writer means:            ${f(r.between)}`);
    console.log(`within-writer deviation: ${f(r.within)}`);
    console.log(`within / between spread (root of the variance ratio): ${r.withinToBetween.toFixed(3)}`);
    console.log(
      `eigenvalues (all, first 30): ${r.all.eigenvalues
        .slice(0, 30)
        .map((x) => x.toExponential(2))
        .join(' ')}`,
    );
  }
}
