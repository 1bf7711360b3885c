/**
 * Known exemplars come two ways: as ready-made signature crops (a scan of the signature
 * alone, or a cut-out) and as whole documents (a cheque, a contract page) on which the
 * signature must be found like on a questioned one. What tells them apart is print: a
 * document has rows of printed text and printed rules; a crop has handwriting only (perhaps
 * a piece of the signature line). Size does not: a crop scanned at 600 dpi is as large in
 * pixels as a cheque at 200 dpi, and the dpi is often missing.
 */
import type { PageAnalysis } from './analyse.ts';

/** At least this many printed-text glyphs: a document (synthetic cheques carry 100 or more). */
export const DOCUMENT_MIN_TEXT = 12;
/** At least this many printed rules 1.5 inches or longer: a document (a form without text). */
export const DOCUMENT_MIN_RULES = 3;

export interface PageKind {
  kind: 'crop' | 'document';
  /** Printed-text glyphs and long printed rules found: the evidence for the decision. */
  text: number;
  rules: number;
}

export function pageKind(a: PageAnalysis): PageKind {
  let text = 0;
  for (const c of a.components) if (c.kind === 'text') text++;
  const u = a.scale.workDpi;
  const rules = a.lines.filter((l) => (l.horizontal ? l.x1 - l.x0 : l.y1 - l.y0) >= 1.5 * u).length;
  return { kind: text >= DOCUMENT_MIN_TEXT || rules >= DOCUMENT_MIN_RULES ? 'document' : 'crop', text, rules };
}
