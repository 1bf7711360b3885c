/**
 * Training data from several labelled sources (real and synthetic, say), each with a weight:
 * how often its writers are drawn relative to the others' (pairs.ts WriterSampler). With more
 * than one source, writers are named `<source label>/<writer>` so that two sources' "w001" stay
 * two writers. The first source is the one training is validated on: its writers are split
 * writer-disjoint into training and validation; the other sources only train.
 */
import path from 'node:path';
import { AppError } from '../../errors.ts';
import { readLabelledData, type DataSummary, summarise, type LabelledItem } from '../dataset.ts';

export interface DataSource {
  /** Folder or manifest.csv. */
  path: string;
  /** Relative draw weight (default 1). */
  weight: number;
}

export interface CombinedData {
  items: LabelledItem[];
  /** Source index of each item. */
  sourceOfItem: number[];
  /** Source index of each (qualified) writer. */
  sourceOfWriter: Map<string, number>;
  writersBySource: string[][];
  weights: number[];
  summaries: (DataSummary & { weight: number; label: string })[];
  /** SHA-256 of every source's manifest, in order, joined: what a resumed run checks. */
  manifestSha256: string;
}

/** `path` or `path@weight` (weight a non-negative number), as `--data` takes it. */
export function parseDataSource(spec: string): DataSource {
  const m = /^(.*)@(\d+(?:\.\d*)?|\.\d+)$/.exec(spec);
  const p = m ? m[1]! : spec;
  const weight = m ? Number(m[2]) : 1;
  if (!p) throw new AppError('INVALID_ARGUMENT', `--data: '${spec}': no path before the weight`);
  if (!(weight >= 0 && Number.isFinite(weight))) throw new AppError('INVALID_ARGUMENT', `--data: '${spec}': the weight must be a number >= 0`);
  return { path: p, weight };
}

function sourceLabel(p: string, i: number, taken: Set<string>): string {
  const base = path.basename(p).replace(/\.csv$/i, '') || `source${i + 1}`;
  let label = base;
  for (let k = 2; taken.has(label); k++) label = `${base}-${k}`;
  taken.add(label);
  return label;
}

export function readSources(sources: readonly DataSource[]): CombinedData {
  if (!sources.length) throw new AppError('INVALID_ARGUMENT', '--data: at least one labelled data source is needed');
  const items: LabelledItem[] = [];
  const sourceOfItem: number[] = [];
  const sourceOfWriter = new Map<string, number>();
  const writersBySource: string[][] = [];
  const summaries: CombinedData['summaries'] = [];
  const labels = new Set<string>();
  sources.forEach((src, i) => {
    const data = readLabelledData(src.path);
    const label = sourceLabel(src.path, i, labels);
    if (data.writers.length < 2) {
      throw new AppError(
        'INVALID_ARGUMENT',
        `--data ${src.path}: ${data.writers.length} writer (${data.writers.join(', ')}); a source needs at least 2 writers, or nothing tells writers apart`,
      );
    }
    if (i === 0 && !data.items.some((it) => it.label === 'forged')) {
      throw new AppError(
        'INVALID_ARGUMENT',
        `--data ${src.path}: no forged signatures; the first source is the one training is validated on, and validation measures genuine against skilled forgeries`,
      );
    }
    const qualify = (w: string) => (sources.length > 1 ? `${label}/${w}` : w);
    for (const it of data.items) {
      items.push({ ...it, writer: qualify(it.writer) });
      sourceOfItem.push(i);
    }
    const ws = data.writers.map(qualify);
    ws.forEach((w) => sourceOfWriter.set(w, i));
    writersBySource.push(ws);
    summaries.push({ ...summarise(data), weight: src.weight, label });
  });
  if (!sources.some((s) => s.weight > 0)) throw new AppError('INVALID_ARGUMENT', '--data: every source has weight 0; nothing would be drawn');
  return {
    items,
    sourceOfItem,
    sourceOfWriter,
    writersBySource,
    weights: sources.map((s) => s.weight),
    summaries,
    manifestSha256: summaries.map((s) => s.manifestSha256).join(','),
  };
}
