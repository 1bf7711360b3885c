/**
 * A stored signature's network input at another normalisation version than the one it was
 * imported with: a model trained on version 1 inputs (ink grey level kept) embedding a signature
 * imported as version 2 (ink-invariant), or the other way round. The input is derived again from
 * the original exactly as the import or the crop editor derived it (same region, same cleaning:
 * the localiser's strokes are found again on the same page, deterministically), only normalised
 * at the other version. Nothing is stored: the embedding made from it is.
 */
import { AppError } from '../errors.ts';
import type { Store } from '../store/index.ts';
import type { SignatureRow } from '../store/types.ts';
import { decodePage, probeImage } from './decode.ts';
import { deriveSignature, strokesInBox, type CleanMethod } from './derive.ts';
import { analyseForLocalisation, localiseOnAnalysis } from './localise.ts';
import { quantise, type NormaliseVersion } from './normalise.ts';
import type { Box } from './pixels.ts';

/** The normalisation version a stored signature's normalised image was made with (1 before ink-invariant inputs). */
export function storedNormaliseVersion(sig: Pick<SignatureRow, 'params'>): NormaliseVersion {
  const n = (sig.params as { normalise?: { version?: unknown } }).normalise;
  return n?.version === 2 ? 2 : 1;
}

export interface DerivedFrom {
  /** Used in messages. */
  name: string;
  /** The original in the object store, its recorded path and page. */
  originalSha256: string;
  originalPath: string;
  pageIndex: number;
  /** The signature's derivation parameters (region, cleaning). */
  params: Record<string, unknown>;
}

/** What a stored signature was derived from. */
export function derivedFrom(store: Store, sig: SignatureRow): DerivedFrom {
  const doc = store.documents.requireDocument(sig.documentId);
  return {
    name: `signature #${sig.id} (${doc.originalPath})`,
    originalSha256: doc.sha256,
    originalPath: doc.originalPath,
    pageIndex: doc.pageIndex,
    params: sig.params,
  };
}

/** The network input (8-bit quantised, as a stored normalised image holds it) at `version`. */
export async function rederiveInput(store: Store, from: DerivedFrom, version: NormaliseVersion): Promise<Float32Array> {
  const params = from.params as { region?: Box; clean?: CleanMethod };
  const name = from.name;
  if (!params.region) throw new AppError('INVALID_ARGUMENT', `${name}: its derivation parameters are missing, so it cannot be normalised again`);
  const bytes = store.objects.get(from.originalSha256);
  const page = await decodePage(bytes, from.originalPath, from.pageIndex, {}, await probeImage(bytes, from.originalPath));
  const base = { page, name, dpi: page.dpi, region: params.region, version };
  if (params.clean === 'localiser-strokes') {
    const a = analyseForLocalisation(page, { dpi: page.dpi, name });
    const r = localiseOnAnalysis(page, a, { dpi: page.dpi, name });
    if (!r.strokes) throw new AppError('INTEGRITY', `${name}: the localiser no longer finds the strokes it cleaned this signature with`);
    return quantise((await deriveSignature({ ...base, strokes: { mask: r.strokes, method: 'localiser-strokes' } })).input);
  }
  if (params.clean === 'page-strokes') {
    const mask = strokesInBox(analyseForLocalisation(page, { dpi: page.dpi, name }), params.region);
    return quantise((await deriveSignature({ ...base, strokes: { mask, method: 'page-strokes' } })).input);
  }
  return quantise((await deriveSignature(base)).input);
}
