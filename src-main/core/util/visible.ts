/**
 * Text from outside (file and folder names, case and subject names, error messages that quote
 * them) shown where a control character would act instead of being seen: a terminal runs ESC
 * sequences (colours, titles, clearing the screen), a newline or carriage return forges a line
 * of output, bidirectional overrides reorder what is read. `visible` replaces each such
 * character with a printable escape so the text is shown, not obeyed, in CLI output and in
 * reports alike:
 *
 *   \n \r \t            newline, carriage return, tab
 *   \xNN                other C0 controls, DEL, C1 controls (ESC is \x1b)
 *   \uNNNN              line/paragraph separators and bidirectional controls
 *
 * A backslash itself is left as it is (Windows paths stay readable), so a name that literally
 * holds the text `\n` looks the same as one holding a newline; `--json` output keeps the exact
 * characters (JSON escapes them).
 */

// C0, DEL, C1; U+061C ALM; U+200E/F LRM/RLM; U+2028/9 separators; U+202A-E embeddings and
// overrides; U+2066-9 isolates.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeOne(ch: string): string {
  const named = NAMED[ch];
  if (named) return named;
  const code = ch.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** The text with every control character shown as an escape (see above). */
export function visible(text: string): string {
  return text.replace(CONTROL, escapeOne);
}

/** Whether the text holds anything `visible` would escape. */
export function hasControls(text: string): boolean {
  return new RegExp(CONTROL.source).test(text);
}

// What JSON.stringify leaves raw inside strings (C0 controls it escapes itself; outside strings
// only its own layout whitespace can occur).
const JSON_RAW = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * JSON for a terminal: JSON.stringify already escapes C0 controls; this also escapes DEL, C1
 * controls, separators and bidirectional controls as \uNNNN. The value parses back unchanged.
 */
export function terminalSafeJson(value: unknown, space?: number): string {
  return (JSON.stringify(value, null, space) ?? 'null').replace(JSON_RAW, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** An error for a log line: its message escaped, then the stack frames (which name source files). */
export function visibleError(err: unknown): string {
  if (!(err instanceof Error)) return visible(String(err));
  const frames = (err.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l));
  return [visible(`${err.name}: ${err.message}`), ...frames].join('\n');
}
