/**
 * One file of an import, everything that does not need the database: read it, hash it,
 * store the original as it is (even when it then fails to decode: it is evidence), decode
 * each page, tell a ready-made crop from a whole document, localise, crop and normalise,
 * store the derived images. Runs in an import worker (import-worker.ts); the owning thread
 * then writes the rows (import-record.ts). Every failure becomes a reason on the file or
 * page, never an exception: one bad file must not stop the others.
 */
import { AppError } from '../errors.ts';
import type { ObjectStore } from '../store/objects.ts';
import { sha256Of } from '../store/objects.ts';
import type { DocumentRole } from '../store/types.ts';
import { MIN_PAGE_CONTRAST } from './analyse.ts';
import { DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_PIXELS, decodePage, probeImage, readImageBytes, type DecodedPage, type ImageInfo } from './decode.ts';
import { cropMargin, deriveSignature, padBox, type DerivedSignature } from './derive.ts';
import { analyseForLocalisation, localiseOnAnalysis, LOCALISE_VERSION } from './localise.ts';
import { pageKind } from './page-kind.ts';
import type { Box } from './pixels.ts';

export interface FileTask {
  id: number;
  /** Relative to the case folder (messages, the database). */
  path: string;
  abs: string;
  role: DocumentRole;
  /** The case folder, resolved: a file whose links lead outside it is refused unread. */
  root?: string;
}

export interface ProcessOptions {
  objects: ObjectStore;
  /** Originals already imported into the case: hashed, not decoded again. */
  skip: ReadonlySet<string>;
  maxPixels?: number;
  maxFileBytes?: number;
  /** Localisation confidence below this is flagged for the examiner (default 0.5). */
  flagBelow?: number;
  /** Resolution given by the examiner for pages whose file carries none (recorded as 'entered'). */
  assumedDpi?: number;
}

/** A reason word (stable, for grouping: 'truncated', 'pdf', 'no-ink' ...) and the sentence naming the file. */
export interface Failure {
  code: string;
  message: string;
}

export interface ProposedSignature {
  box: Box;
  confidence: number | null;
  lowConfidence: boolean;
  isCrop: boolean;
  cropSha256: string;
  normalisedSha256: string;
  params: Record<string, unknown>;
  quality: Record<string, unknown>;
  /** Why the box is flagged for the examiner. */
  flagReason?: string;
}

export interface PageOutcome {
  page: number;
  width: number;
  height: number;
  dpi: number | null;
  /** 'file' when the file gave the dpi, 'entered' when the examiner did (ProcessOptions.assumedDpi), null when unknown. */
  dpiSource: 'file' | 'entered' | null;
  failure?: Failure;
  signature?: ProposedSignature;
}

export type FileOutcome =
  /** Not read (missing, unreadable, a link loop, empty, too large): nothing stored. */
  | { kind: 'unread'; sha256: string | null; size: number | null; failure: Failure }
  /** Same bytes as an original the case already has: not decoded again. */
  | { kind: 'known'; sha256: string; size: number }
  /** Read and stored; `failure` when the file as a whole cannot be decoded, else one outcome per page. */
  | { kind: 'read'; sha256: string; size: number; format: string | null; failure?: Failure; pages: PageOutcome[] };

const EMPTY_SHA256 = sha256Of(new Uint8Array(0));

function asFailure(err: unknown, fallback: string): Failure {
  if (err instanceof AppError) return { code: typeof err.details?.reason === 'string' ? err.details.reason : err.code.toLowerCase(), message: err.message };
  return { code: 'internal', message: `${fallback}: ${err instanceof Error ? err.message : String(err)}` };
}

/** Processes one file (see the file comment); never throws. */
export async function processFile(task: FileTask, opts: ProcessOptions): Promise<FileOutcome> {
  let bytes: Buffer;
  try {
    bytes = await readImageBytes(task.abs, task.path, opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES, task.root ? { inside: task.root } : {});
  } catch (err) {
    const failure = asFailure(err, task.path);
    return { kind: 'unread', sha256: failure.code === 'empty' ? EMPTY_SHA256 : null, size: failure.code === 'empty' ? 0 : null, failure };
  }
  const sha256 = sha256Of(bytes);
  if (opts.skip.has(sha256)) return { kind: 'known', sha256, size: bytes.length };
  try {
    // The original first: a row never names an object that is not there.
    opts.objects.put(bytes);
  } catch (err) {
    return { kind: 'unread', sha256, size: bytes.length, failure: asFailure(err, `${task.path}: cannot be stored`) };
  }
  let info: ImageInfo;
  try {
    info = await probeImage(bytes, task.path, { maxPixels: opts.maxPixels ?? DEFAULT_MAX_PIXELS });
  } catch (err) {
    return { kind: 'read', sha256, size: bytes.length, format: null, failure: asFailure(err, task.path), pages: [] };
  }
  const pages: PageOutcome[] = [];
  for (let p = 0; p < info.pages; p++) pages.push(await processPage(bytes, info, p, task, opts));
  return { kind: 'read', sha256, size: bytes.length, format: info.format, pages };
}

function pageName(task: FileTask, info: ImageInfo, p: number): string {
  return info.pages > 1 ? `${task.path} (page ${p + 1} of ${info.pages})` : task.path;
}

async function processPage(bytes: Buffer, info: ImageInfo, p: number, task: FileTask, opts: ProcessOptions): Promise<PageOutcome> {
  const name = pageName(task, info, p);
  let page: DecodedPage;
  try {
    page = await decodePage(bytes, task.path, p, { maxPixels: opts.maxPixels ?? DEFAULT_MAX_PIXELS }, info);
  } catch (err) {
    return { page: p, width: info.width, height: info.height, ...resolution(info.dpi, opts), failure: asFailure(err, name) };
  }
  const res = resolution(page.dpi, opts);
  // An entered resolution serves localisation and the quality figures as a file's would.
  if (res.dpiSource === 'entered') page = { ...page, dpi: res.dpi };
  const base = { page: p, width: page.width, height: page.height, ...res };
  try {
    return { ...base, signature: await findSignature(page, name, task.role, opts) };
  } catch (err) {
    return { ...base, failure: asFailure(err, name) };
  }
}

/** The page's resolution: the file's when it has one, else the examiner's, else unknown. */
export function resolution(fileDpi: number | null, opts: Pick<ProcessOptions, 'assumedDpi'>): Pick<PageOutcome, 'dpi' | 'dpiSource'> {
  if (fileDpi) return { dpi: fileDpi, dpiSource: 'file' };
  if (opts.assumedDpi) return { dpi: opts.assumedDpi, dpiSource: 'entered' };
  return { dpi: null, dpiSource: null };
}

/** Thrown inside findSignature for a page without a signature; the message says what to do. */
function noSignature(name: string, code: 'blank' | 'no-signature', why: string): AppError {
  return new AppError('INVALID_ARGUMENT', `${name}: ${why}`, { reason: code });
}

async function findSignature(page: DecodedPage, name: string, role: DocumentRole, opts: ProcessOptions): Promise<ProposedSignature> {
  const a = analyseForLocalisation(page, { dpi: page.dpi, name });
  const contrast = a.paper - a.inkLevel;
  if (contrast < MIN_PAGE_CONTRAST) {
    throw noSignature(name, 'blank', `blank page: no ink found (paper and darkest marks differ by only ${Math.round(contrast)} grey levels)`);
  }
  const kind = role === 'known' ? pageKind(a) : null;
  if (kind?.kind === 'crop') {
    // A ready-made crop: the whole image is the signature; normalising finds its ink.
    const d = await deriveSignature({ page, name, dpi: page.dpi, region: [0, 0, page.width, page.height] });
    return storeDerived(opts, d, { box: [0, 0, page.width, page.height], confidence: null, lowConfidence: false, isCrop: true }, { pageKind: kind });
  }
  const r = localiseOnAnalysis(page, a, { dpi: page.dpi, name, ...(opts.flagBelow !== undefined ? { flagBelow: opts.flagBelow } : {}) });
  if (r.method === 'none') {
    throw noSignature(
      name,
      'no-signature',
      'no signature found on the page (only print, or nothing that looks like handwriting); draw the box by hand with countersign crop',
    );
  }
  const region = padBox(r.box, cropMargin(page.dpi), page.width, page.height);
  let d: DerivedSignature;
  try {
    d = await deriveSignature({
      page,
      name,
      dpi: page.dpi,
      region,
      ...(r.strokes ? { strokes: { mask: r.strokes, method: 'localiser-strokes' as const } } : {}),
    });
  } catch (err) {
    // Too little ink left once the print is taken out: normalise the region as it is.
    if (!(err instanceof AppError) || err.details?.reason !== 'no-ink' || !r.strokes) throw err;
    d = await deriveSignature({ page, name, dpi: page.dpi, region });
  }
  const localiser = { version: LOCALISE_VERSION, method: r.method, confidence: r.confidence, ...(r.reason ? { flagReason: r.reason } : {}) };
  return storeDerived(
    opts,
    d,
    { box: r.box, confidence: r.confidence, lowConfidence: r.flagged, isCrop: false, ...(r.reason ? { flagReason: r.reason } : {}) },
    { localiser, ...(kind ? { pageKind: kind } : {}) },
  );
}

type Located = Pick<ProposedSignature, 'box' | 'confidence' | 'lowConfidence' | 'isCrop' | 'flagReason'>;

function storeDerived(opts: ProcessOptions, d: DerivedSignature, at: Located, extra: Record<string, unknown>): ProposedSignature {
  const cropSha256 = opts.objects.put(d.crop);
  const normalisedSha256 = opts.objects.put(d.normalised);
  return {
    ...at,
    cropSha256,
    normalisedSha256,
    params: { ...d.params, ...extra },
    quality: { ...d.quality, lowConfidence: at.lowConfidence },
  };
}
