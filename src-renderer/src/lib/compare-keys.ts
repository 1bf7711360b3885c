/**
 * The comparison page's keyboard shortcuts: one table that the key handler and the `?`
 * overlay both read, so the overlay cannot list a key that does nothing. Single keys without
 * Ctrl, Meta or Alt (Alt+1..6 stay the app's view keys); keys typed into a field, or already
 * handled by a focused control (the image panes' + − 0 and arrows, the reference strip's
 * arrows, the threshold slider), are left alone.
 */

export type CompareAction =
  | 'next-item'
  | 'prev-item'
  | 'next-ref'
  | 'prev-ref'
  | 'bench-pair'
  | 'bench-scale'
  | 'bench-grid'
  | 'bench-overlay'
  | 'tool-pan'
  | 'tool-length'
  | 'tool-angle'
  | 'tool-height_ratio'
  | 'tool-baseline'
  | 'tool-arrow'
  | 'tool-circle'
  | 'tool-text'
  | 'mode-side'
  | 'mode-overlay'
  | 'mode-difference'
  | 'context'
  | 'approve'
  | 'help';

export interface Shortcut {
  action: CompareAction;
  /** Values of KeyboardEvent.key that trigger it. */
  keys: readonly string[];
  /** How the overlay writes the keys. */
  label: readonly string[];
  what: string;
  group: 'Move' | 'View' | 'Measure and mark' | 'Decide' | 'Help';
}

export const COMPARE_SHORTCUTS: readonly Shortcut[] = [
  { action: 'next-item', keys: ['n', 'N'], label: ['N'], what: 'Next questioned document of the case', group: 'Move' },
  { action: 'prev-item', keys: ['p', 'P'], label: ['P'], what: 'Previous questioned document', group: 'Move' },
  { action: 'next-ref', keys: [']'], label: [']'], what: 'Next reference (K) beside Q', group: 'Move' },
  { action: 'prev-ref', keys: ['['], label: ['['], what: 'Previous reference', group: 'Move' },
  { action: 'bench-pair', keys: ['1'], label: ['1'], what: 'Q and K: side by side, overlay or difference', group: 'View' },
  { action: 'bench-scale', keys: ['2'], label: ['2'], what: 'Q and K at true scale, with mm rulers', group: 'View' },
  { action: 'bench-grid', keys: ['3'], label: ['3'], what: 'All references at true scale beside Q', group: 'View' },
  {
    action: 'bench-overlay',
    keys: ['4'],
    label: ['4'],
    what: 'K overlaid on Q at true scale: align by hand or automatically, and record the alignment',
    group: 'View',
  },
  { action: 'mode-side', keys: ['s', 'S'], label: ['S'], what: 'Side by side', group: 'View' },
  { action: 'mode-overlay', keys: ['o', 'O'], label: ['O'], what: 'Overlay', group: 'View' },
  { action: 'mode-difference', keys: ['d', 'D'], label: ['D'], what: 'Difference', group: 'View' },
  { action: 'context', keys: ['c', 'C'], label: ['C'], what: 'Show or hide the whole document with the box', group: 'View' },
  { action: 'tool-pan', keys: ['v', 'V'], label: ['V'], what: 'No tool: drag pans the true-scale panes', group: 'Measure and mark' },
  { action: 'tool-length', keys: ['l', 'L'], label: ['L'], what: 'Measure a length (two points, mm)', group: 'Measure and mark' },
  { action: 'tool-angle', keys: ['g', 'G'], label: ['G'], what: 'Measure a slant angle (two points, degrees)', group: 'Measure and mark' },
  { action: 'tool-height_ratio', keys: ['h', 'H'], label: ['H'], what: 'Measure a height ratio (two segments, four points)', group: 'Measure and mark' },
  { action: 'tool-baseline', keys: ['b', 'B'], label: ['B'], what: 'Measure a baseline (two or more points, then Finish)', group: 'Measure and mark' },
  { action: 'tool-arrow', keys: ['w', 'W'], label: ['W'], what: 'Mark an arrow (from, to)', group: 'Measure and mark' },
  { action: 'tool-circle', keys: ['r', 'R'], label: ['R'], what: 'Mark a circle (centre, then a point on the rim)', group: 'Measure and mark' },
  { action: 'tool-text', keys: ['t', 'T'], label: ['T'], what: 'Mark a free text (one point; the text from the Text field)', group: 'Measure and mark' },
  { action: 'approve', keys: ['a', 'A'], label: ['A'], what: "Approve the questioned signature's box as it is", group: 'Decide' },
  { action: 'help', keys: ['?'], label: ['?'], what: 'Show or hide this list', group: 'Help' },
];

/** What a key event on the page asks for, or null when it is not a shortcut here. */
export function compareAction(e: {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  defaultPrevented: boolean;
  target: EventTarget | null;
}): CompareAction | null {
  if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return null;
  if (isTyping(e.target)) return null;
  return COMPARE_SHORTCUTS.find((s) => s.keys.includes(e.key))?.action ?? null;
}

/** A field that takes text (or a slider or select that takes keys of its own). */
function isTyping(t: EventTarget | null): boolean {
  if (!t || typeof (t as Element).closest !== 'function') return false;
  const el = t as HTMLElement;
  if (el.isContentEditable) return true;
  return !!el.closest('input, textarea, select');
}
