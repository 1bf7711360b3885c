/**
 * `countersign prepare`: the exact network inputs of a labelled data set, written out so anyone
 * can look at what the network sees: one 8-bit PNG per image (0 = background, 255 = full ink,
 * the values the model reads times 255) and a manifest.csv (path,writer,label) beside them.
 *
 * With the images it measures whether the pen survives normalisation: the mean value of a
 * signature's ink pixels (non-zero) as a one-number classifier of genuine against forged, and
 * its EER (0.5: no information; the better of the two directions is taken). On SigComp 2011,
 * where genuine signatures were written with a lighter pen, raw images give 0.17 and
 * normalisation version 1 (grey level kept) 0.37; version 2 is meant to leave nothing to use.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { AppError } from '../errors.ts';
import { throwIfCancelled } from '../jobs/manager.ts';
import { DEFAULT_NORMALISE, NORMALISE_VERSION, type NormaliseVersion } from '../imaging/normalise.ts';
import { prepareInputs, readLabelledData, summarise, type DataSummary } from './dataset.ts';
import { eer, labelScores } from '../scoring/metrics.ts';

export interface PrepareReport {
  out: string;
  manifest: string;
  normaliseVersion: NormaliseVersion;
  canvas: [number, number];
  data: DataSummary;
  /** Mean ink value (0..255) of each label's signatures, and the one-number classifier's EER. */
  inkCheck: { genuineMean: number; forgedMean: number; eer: number } | null;
  seconds: number;
}

/** Mean of the non-zero values of an 8-bit input (a signature's ink pixels). */
export function meanInk(input: Float32Array): number {
  let n = 0;
  let s = 0;
  for (const v of input) {
    const q = Math.round(v * 255);
    if (q > 0) {
      n++;
      s += q;
    }
  }
  return n ? s / n : 0;
}

/** EER of one number as a classifier of two groups, in whichever direction separates better. */
export function oneNumberEer(a: readonly number[], b: readonly number[]): number {
  const up = eer(labelScores(a, b)).eer;
  const down = eer(
    labelScores(
      a.map((x) => -x),
      b.map((x) => -x),
    ),
  ).eer;
  return Math.min(up, down);
}

export async function prepareDataset(o: {
  data: string;
  out: string;
  version?: NormaliseVersion;
  canvas?: [number, number];
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}): Promise<PrepareReport> {
  const t0 = performance.now();
  const data = readLabelledData(o.data);
  const version = o.version ?? NORMALISE_VERSION;
  const canvas = o.canvas ?? DEFAULT_NORMALISE.canvas;
  const out = path.resolve(o.out);
  if (path.resolve(data.root) === out) throw new AppError('INVALID_ARGUMENT', `--out: ${o.out} is the data folder itself; choose another folder`);
  const inputs = await prepareInputs(data.items, {
    canvas,
    normaliseVersion: version,
    ...(o.signal ? { signal: o.signal } : {}),
    onProgress: (d, t) => o.onProgress?.(d, t),
  });
  mkdirSync(out, { recursive: true });
  const [H, W] = canvas;
  const lines = ['path,writer,label'];
  const quote = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  for (let i = 0; i < data.items.length; i++) {
    throwIfCancelled(o.signal, 'writing the prepared images');
    const item = data.items[i]!;
    const rel = item.rel.replace(/\.[^./]+$/, '') + '.png';
    const bytes = Buffer.alloc(H * W);
    inputs[i]!.forEach((v, k) => (bytes[k] = Math.round(v * 255)));
    const file = path.join(out, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(
      file,
      await sharp(bytes, { raw: { width: W, height: H, channels: 1 } })
        .toColourspace('b-w')
        .png()
        .toBuffer(),
    );
    lines.push([rel, item.writer, item.label].map(quote).join(','));
  }
  const manifest = path.join(out, 'manifest.csv');
  writeFileSync(manifest, lines.join('\n') + '\n');
  const ink = data.items.map((_, i) => meanInk(inputs[i]!));
  const g = ink.filter((_, i) => data.items[i]!.label === 'genuine');
  const f = ink.filter((_, i) => data.items[i]!.label === 'forged');
  const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
  return {
    out,
    manifest,
    normaliseVersion: version,
    canvas,
    data: summarise(data),
    inkCheck: g.length && f.length ? { genuineMean: mean(g), forgedMean: mean(f), eer: oneNumberEer(g, f) } : null,
    seconds: (performance.now() - t0) / 1000,
  };
}
