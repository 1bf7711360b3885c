/** Parsing of hash routes, kept pure so it can be tested without a browser. */

/** decodeURIComponent that keeps a malformed segment (`%E0%A4%A`) as it is instead of throwing. */
export function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** `#/cases/12/documents/40` -> ['cases', '12', 'documents', '40']; never throws on a hand-typed hash. */
export function hashSegments(hash: string): string[] {
  return hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeSegment);
}
