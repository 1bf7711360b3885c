import { visible } from '../util/visible.ts';
import { shown } from './pdf-writer.ts';
import type { ReportInput } from './types.ts';

/**
 * The report input as the PDF shows it: every text field with its control characters as
 * visible escapes, so a newline in a file, subject or case name is printed as `\n` inside the
 * name instead of splitting it, and an ESC is printed as `\x1b`. The case notes, the
 * examiner's own prose, keep their line breaks. The content hash is of the input itself.
 */
export function displayInput(input: ReportInput): ReportInput {
  const out = escapeStrings(input) as ReportInput;
  out.case = { ...out.case, notes: shown(input.case.notes) };
  // the examiner's notes on the bench keep their line breaks too
  out.items = out.items.map((it, i) => {
    const notes = input.items[i]!.bench?.notes;
    return it.bench && notes ? { ...it, bench: { ...it.bench, notes: it.bench.notes.map((n, j) => ({ ...n, text: shown(notes[j]!.text) })) } } : it;
  });
  return out;
}

function escapeStrings(value: unknown): unknown {
  if (typeof value === 'string') return visible(value);
  if (value instanceof Uint8Array) return value;
  if (Array.isArray(value)) return value.map(escapeStrings);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [visible(k), escapeStrings(v)]));
  return value;
}
