import { visible } from '../core/util/visible.ts';

/** Plain-text tables for human CLI output: left-aligned text, right-aligned numbers. */
export function formatTable(head: readonly string[], rawRows: readonly (readonly string[])[], opts: { numeric?: readonly number[] } = {}): string[] {
  const numeric = new Set(opts.numeric ?? []);
  // Cells are measured as they will be shown (control characters escaped), so columns line up.
  const rows = rawRows.map((r) => r.map(visible));
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) =>
    r
      .map((v, i) => (numeric.has(i) ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)];
}
