/**
 * Labelled signature data for training and evaluation (DESIGN section 7): a folder with
 * `manifest.csv` (`path,writer,label`, label genuine|forged, paths relative to the manifest),
 * a manifest file itself, or the layout `<root>/<writer>/{genuine,forged}/*`.
 * Images are normalised exactly as imported signatures are (imaging/normalise.ts), and
 * quantised to 8 bits as the stored normalised PNGs are, so training, evaluation and
 * case verification see identical inputs.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { CsvError, parse as parseCsv } from 'csv-parse/sync';
import { AppError } from '../errors.ts';
import { throwIfCancelled } from '../jobs/manager.ts';
import { normaliseSignature, quantise, type NormaliseVersion } from '../imaging/normalise.ts';

export { quantise };

export type Label = 'genuine' | 'forged';

export interface LabelledItem {
  /** Absolute path. */
  file: string;
  /** Path relative to the data root, forward slashes (as in the manifest). */
  rel: string;
  writer: string;
  label: Label;
}

export interface LabelledData {
  root: string;
  source: 'manifest' | 'layout';
  /** SHA-256 of manifest.csv, or of a canonical listing for the folder layout. */
  manifestSha256: string;
  items: LabelledItem[];
  writers: string[];
}

export interface DataSummary {
  source: 'manifest' | 'layout';
  root: string;
  manifestSha256: string;
  writers: number;
  images: number;
  genuine: number;
  forged: number;
}

const IMAGE_EXT = /\.(png|jpe?g|tiff?|webp)$/i;

/** A manifest record: its fields (trimmed) and the line it starts on. */
export interface ManifestRow {
  fields: string[];
  line: number;
}

/**
 * Parses manifest text with csv-parse (RFC 4180: quoted fields may hold commas, quotes and
 * line breaks; a UTF-8 byte-order mark is ignored). Blank lines are skipped; a stray quote
 * inside an unquoted field is kept as a character. Each record keeps the line it starts on.
 */
export function parseManifestCsv(text: string, file: string): ManifestRow[] {
  const rows: ManifestRow[] = [];
  let lastEnd = 0;
  try {
    parseCsv(text, {
      bom: true,
      trim: true,
      relax_quotes: true,
      relax_column_count: true,
      skip_empty_lines: true,
      on_record: (record: string[], info) => {
        // info.lines is the line the record ends on; quoted line breaks move its start up.
        const breaks = record.reduce((n, f) => n + (f.match(/\r\n|\r|\n/g)?.length ?? 0), 0);
        rows.push({ fields: record.map((f) => f.trim()), line: info.lines - breaks });
        lastEnd = info.lines;
        return null;
      },
    });
  } catch (err) {
    if (err instanceof CsvError) {
      if (err.code === 'CSV_QUOTE_NOT_CLOSED') {
        // The open record starts on the first non-blank line after the last complete one.
        const lines = text.split(/\r\n|\r|\n/);
        let start = lastEnd;
        while (start < lines.length - 1 && !lines[start]!.trim()) start++;
        throw new AppError('INVALID_ARGUMENT', `${file}: line ${start + 1}: a quoted field is never closed (a field that starts with '"' must end with '"')`);
      }
      throw new AppError('INVALID_ARGUMENT', `${file}: line ${err.lines}: ${err.message}`);
    }
    throw err;
  }
  return rows;
}

function readManifest(manifest: string): LabelledData {
  const root = path.dirname(manifest);
  const text = readFileSync(manifest, 'utf8');
  const [head, ...rows] = parseManifestCsv(text, manifest);
  const header = (head?.fields ?? []).map((h) => h.toLowerCase());
  const headLine = head?.line ?? 1;
  const col = (name: string) => {
    const i = header.indexOf(name);
    const found = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/)[headLine - 1] ?? '';
    if (i < 0) throw new AppError('INVALID_ARGUMENT', `${manifest}: line ${headLine}: the header must name the columns path,writer,label (found '${found}')`);
    return i;
  };
  const [ip, iw, il] = [col('path'), col('writer'), col('label')];
  const items: LabelledItem[] = [];
  for (const { fields: f, line } of rows) {
    const where = `${manifest}: line ${line}`;
    const rel = f[ip] ?? '';
    const writer = f[iw] ?? '';
    const label = (f[il] ?? '').toLowerCase();
    if (!rel) throw new AppError('INVALID_ARGUMENT', `${where}: path is empty`);
    if (!writer) throw new AppError('INVALID_ARGUMENT', `${where}: writer is empty`);
    if (label !== 'genuine' && label !== 'forged')
      throw new AppError('INVALID_ARGUMENT', `${where}: label must be 'genuine' or 'forged', got '${f[il] ?? ''}'`);
    const file = path.resolve(root, rel);
    if (!existsSync(file)) throw new AppError('INVALID_ARGUMENT', `${where}: ${rel}: no such file`);
    items.push({ file, rel: rel.split(path.sep).join('/'), writer, label });
  }
  const manifestSha256 = createHash('sha256').update(text).digest('hex');
  return finish(root, 'manifest', manifestSha256, items, manifest);
}

function readLayout(root: string): LabelledData {
  const items: LabelledItem[] = [];
  for (const writer of readdirSync(root).sort()) {
    const wdir = path.join(root, writer);
    if (!statSync(wdir).isDirectory()) continue;
    for (const label of ['genuine', 'forged'] as const) {
      const ldir = path.join(wdir, label);
      if (!existsSync(ldir)) continue;
      for (const name of readdirSync(ldir).sort()) {
        if (IMAGE_EXT.test(name)) items.push({ file: path.join(ldir, name), rel: `${writer}/${label}/${name}`, writer, label });
      }
    }
  }
  const listing = items.map((i) => `${i.rel},${i.writer},${i.label}`).join('\n');
  return finish(root, 'layout', createHash('sha256').update(listing).digest('hex'), items, root);
}

function finish(root: string, source: LabelledData['source'], sha: string, items: LabelledItem[], where: string): LabelledData {
  if (!items.length) {
    throw new AppError(
      'INVALID_ARGUMENT',
      `${where}: no labelled images found; expected manifest.csv (path,writer,label) or the layout <root>/<writer>/{genuine,forged}/*.png`,
    );
  }
  const writers = [...new Set(items.map((i) => i.writer))].sort();
  return { root, source, manifestSha256: sha, items, writers };
}

/** Reads a labelled data set from a folder (manifest.csv or layout) or a manifest file. */
export function readLabelledData(p: string): LabelledData {
  const abs = path.resolve(p);
  if (!existsSync(abs)) throw new AppError('INVALID_ARGUMENT', `--data: ${p}: no such file or folder`);
  if (statSync(abs).isFile()) return readManifest(abs);
  const manifest = path.join(abs, 'manifest.csv');
  return existsSync(manifest) ? readManifest(manifest) : readLayout(abs);
}

export function summarise(data: LabelledData): DataSummary {
  const genuine = data.items.filter((i) => i.label === 'genuine').length;
  return {
    source: data.source,
    root: data.root,
    manifestSha256: data.manifestSha256,
    writers: data.writers.length,
    images: data.items.length,
    genuine,
    forged: data.items.length - genuine,
  };
}

/** Model input from a stored normalised PNG's grey values (ink dark on white). */
export function inputFromDisplayGrey(grey: Uint8Array | Buffer): Float32Array {
  const out = new Float32Array(grey.length);
  for (let i = 0; i < grey.length; i++) out[i] = (255 - grey[i]!) / 255;
  return out;
}

export interface PrepareOptions {
  canvas?: [number, number];
  /** Normalisation version the model was trained with (imaging/normalise.ts). */
  normaliseVersion?: NormaliseVersion;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, file: string) => void;
  /** Concurrent decodes (sharp runs them on its own threads). */
  concurrency?: number;
}

/** Normalises every item to a model input; an unusable image fails naming the file. */
export async function prepareInputs(items: readonly LabelledItem[], opts: PrepareOptions = {}): Promise<Float32Array[]> {
  const out: Float32Array[] = new Array(items.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < items.length) {
      throwIfCancelled(opts.signal, 'preparing the images');
      const i = next++;
      const item = items[i]!;
      const n = await normaliseSignature(
        { data: readFileSync(item.file), name: item.rel },
        { ...(opts.canvas ? { canvas: opts.canvas } : {}), ...(opts.normaliseVersion ? { version: opts.normaliseVersion } : {}) },
      );
      out[i] = quantise(n.input);
      opts.onProgress?.(++done, items.length, item.rel);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 4) }, worker));
  return out;
}
