/**
 * Labelled signature datasets for training and evaluation: per writer, genuine samples and
 * skilled forgeries, plus manifest.csv (`path,writer,label`, paths relative to the
 * manifest). Random forgeries are not written: they are other writers' genuine samples.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ImageFormat } from './encode.ts';
import { extensionOf } from './encode.ts';
import { checkCount, checkPositiveInt, hooksOf, prepareOutput, runPipeline, type JobHooks, type ProgressFn } from './jobs.ts';
import { renderSignature } from './signature.ts';
import { createWriter } from './writer.ts';

export interface DatasetOptions {
  writers: number;
  /** genuine samples per writer */
  genuine: number;
  /** skilled forgeries per writer */
  forged: number;
  /** default 1 */
  seed?: number | string;
  /** default 200 */
  dpi?: number;
  /** default 'png' */
  format?: Exclude<ImageFormat, 'raw'>;
  /** one-channel images (default false: colour scans) */
  grey?: boolean;
  /** write into a non-empty folder */
  overwrite?: boolean;
}

export interface DatasetRow {
  path: string;
  writer: string;
  label: 'genuine' | 'forged';
}

export interface DatasetSummary {
  dir: string;
  manifest: string;
  writers: number;
  genuine: number;
  forged: number;
  images: number;
  seed: string;
}

/** Writer ids of a dataset or case: w0001, w0002, ... */
export const writerId = (i: number): string => `w${String(i + 1).padStart(4, '0')}`;

export async function generateDataset(outDir: string, opts: DatasetOptions, hooks?: ProgressFn | JobHooks): Promise<DatasetSummary> {
  checkPositiveInt('writers', opts.writers, 100000);
  checkPositiveInt('genuine', opts.genuine, 1000);
  checkCount('forged', opts.forged, 0, 1000);
  const seed = String(opts.seed ?? 1);
  const format = opts.format ?? 'png';
  const ext = extensionOf(format);
  const dpi = opts.dpi ?? 200;
  await prepareOutput(outDir, opts.overwrite);
  const rows: DatasetRow[] = [];
  const tasks: Parameters<typeof runPipeline>[1] = [];
  for (let w = 0; w < opts.writers; w++) {
    const id = writerId(w);
    const writer = createWriter(seed, id);
    const add = (kind: 'genuine' | 'skilled', i: number) => {
      const label = kind === 'genuine' ? 'genuine' : 'forged';
      const file = `${id}/${label}/${id}-${label[0]}${String(i + 1).padStart(2, '0')}.${ext}`;
      rows.push({ path: file, writer: id, label });
      tasks.push({
        file,
        label: file,
        make: () => renderSignature(writer, { kind, sampleIndex: i, dpi, format, grey: opts.grey }).then((r) => r.data),
      });
    };
    for (let i = 0; i < opts.genuine; i++) add('genuine', i);
    for (let i = 0; i < opts.forged; i++) add('skilled', i);
  }
  await runPipeline(outDir, tasks, hooksOf(hooks));
  const manifest = path.join(outDir, 'manifest.csv');
  await writeFile(manifest, ['path,writer,label', ...rows.map((r) => `${r.path},${r.writer},${r.label}`)].join('\n') + '\n');
  const g = rows.filter((r) => r.label === 'genuine').length;
  return { dir: outDir, manifest, writers: opts.writers, genuine: g, forged: rows.length - g, images: rows.length, seed };
}
