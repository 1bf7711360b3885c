/**
 * Text the report's own fonts cannot draw. Each character goes to the primary font of its role
 * (DejaVu) when that has it, else to the fallback font for its script (fonts.ts), else it is
 * written as a visible \uNNNN escape: nothing is ever drawn blank. A run of one script stays
 * in one font when a font has all of it, so letters that join or combine (Arabic, Indic
 * scripts) are shaped together. Lines that hold such text are wrapped here (at spaces and
 * between CJK characters) because pdfkit's line wrapper knows one font per call.
 */
import { FALLBACK_FONTS, fallbackFontData, fontCoverage, FONT_FILES, reportFonts, type FallbackFont, type FontCoverage, type FontRole } from './fonts.ts';

export interface Run {
  text: string;
  /** A registered font name: the role's (see FONT in pdf-writer.ts) or a fallback's. */
  font: string;
  /** Right-to-left text (Hebrew, Arabic, ...): its words are placed right to left. */
  rtl?: boolean;
}

/** One breakable piece of a line: a word, a space, or a single CJK character. */
interface Piece {
  runs: Run[];
  width: number;
  space: boolean;
}

export interface RunLine {
  runs: Run[];
  width: number;
}

const SIMPLE = /^[\x20-\x7e\n]*$/; // DejaVu has every printable ASCII character
const JOINER = /[\p{Script=Common}\p{Script=Inherited}]/u;
// Strong right-to-left letters. pdfkit lays a right-to-left run out with its spaces misplaced,
// so such runs are drawn a word at a time, the words placed from the right.
const RTL = /[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\p{Script=Samaritan}\p{Script=Mandaic}]/u;
// Spaces and punctuation (not digits, not combining marks) at the end of a right-to-left segment.
const TRAILING_NEUTRAL = /^(?!\p{Nd})\p{Script=Common}$/u;
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Bopomofo}]/u;

/** The escape a character no bundled font has is written as (same form as util/visible.ts). */
export function missingGlyph(ch: string): string {
  const cp = ch.codePointAt(0)!;
  return cp > 0xffff ? `\\u{${cp.toString(16)}}` : `\\u${cp.toString(16).padStart(4, '0')}`;
}

export interface Measurer {
  /** Width of `text` in font `font` at the current size and character spacing. */
  width(text: string, font: string): number;
  /** Makes a fallback font known to the document (before its first use). */
  register(font: FallbackFont): void;
}

export class TextRuns {
  private readonly runCache = new Map<string, Run[] | null>();
  private readonly registered = new Set<string>();

  constructor(
    private readonly fontName: Record<FontRole, string>,
    private readonly measurer: Measurer,
  ) {}

  private primary(role: FontRole): FontCoverage {
    return fontCoverage(FONT_FILES[role], () => reportFonts()[role]);
  }

  private fallback(f: FallbackFont): FontCoverage {
    return fontCoverage(f.name, () => fallbackFontData(f), f.face);
  }

  private use(f: FallbackFont): string {
    if (!this.registered.has(f.name)) {
      this.measurer.register(f);
      this.registered.add(f.name);
    }
    return f.name;
  }

  /**
   * The runs of `str` (a single line or several), or null when the role's font draws all of it,
   * in which case the caller goes on with pdfkit as usual.
   */
  runs(str: string, role: FontRole): Run[] | null {
    if (SIMPLE.test(str)) return null;
    const key = `${role}|${str}`;
    const known = this.runCache.get(key);
    if (known !== undefined) return known;
    const result = this.split(str, role);
    this.runCache.set(key, result);
    return result;
  }

  private split(str: string, role: FontRole): Run[] | null {
    const primary = this.primary(role);
    const primaryName = this.fontName[role];
    const chars = Array.from(str);
    // Segments of one script and direction; spaces, punctuation and combining marks go with
    // what precedes them, except the spaces and punctuation that end a right-to-left segment:
    // in a left-to-right line they take its direction (as the Unicode bidi algorithm has it)
    // and are placed after the segment, on its right.
    type Segment = { text: string[]; fallback: FallbackFont | null; rtl: boolean };
    const segments: Segment[] = [];
    const start = (seg: Segment) => {
      const last = segments.at(-1);
      if (last?.rtl) {
        let n = 0;
        while (last.text.length > n && TRAILING_NEUTRAL.test(last.text[last.text.length - 1 - n]!)) n++;
        if (n && n < last.text.length) segments.push({ text: last.text.splice(last.text.length - n), fallback: null, rtl: false });
      }
      segments.push(seg);
    };
    for (const ch of chars) {
      const last = segments.at(-1);
      if (ch === '\n' || (last && JOINER.test(ch) && last.text.at(-1) !== '\n')) {
        if (last && ch !== '\n') last.text.push(ch);
        else start({ text: [ch], fallback: null, rtl: false });
        continue;
      }
      const fallback = FALLBACK_FONTS.find((f) => f.script.test(ch)) ?? null;
      const rtl = RTL.test(ch);
      if (last && last.fallback === fallback && last.rtl === rtl && last.text.at(-1) !== '\n') last.text.push(ch);
      else start({ text: [ch], fallback, rtl });
    }
    start({ text: [], fallback: null, rtl: false }); // detaches trailing spaces of a last RTL segment
    segments.pop();
    const out: Run[] = [];
    let rtl = false;
    const push = (text: string, font: string) => {
      const last = out.at(-1);
      if (last && last.font === font && !!last.rtl === rtl) last.text += text;
      else out.push(rtl ? { text, font, rtl } : { text, font });
    };
    const has = (c: FontCoverage, ch: string) => ch === '\n' || c.hasGlyphForCodePoint(ch.codePointAt(0)!);
    let needed = false;
    for (const seg of segments) {
      rtl = seg.rtl;
      if (rtl) needed = true;
      if (seg.text.every((ch) => has(primary, ch))) {
        push(seg.text.join(''), primaryName);
        continue;
      }
      needed = true;
      // A run of one script in one font when a font has all of it (so it is shaped together).
      if (seg.fallback && seg.text.every((ch) => has(this.fallback(seg.fallback!), ch))) {
        push(seg.text.join(''), this.use(seg.fallback));
        continue;
      }
      for (const ch of seg.text) {
        if (has(primary, ch)) {
          push(ch, primaryName);
          continue;
        }
        // the character's own script, else the segment's, else the CJK font (it has many symbols)
        const fb = FALLBACK_FONTS.find((f) => f.script.test(ch)) ?? seg.fallback ?? FALLBACK_FONTS[0]!;
        if (has(this.fallback(fb), ch)) push(ch, this.use(fb));
        else push(missingGlyph(ch), primaryName);
      }
    }
    return needed ? out : null;
  }

  /** The role's ascent per point of size: where pdfkit puts the baseline below a line's top. */
  ascent(role: FontRole): number {
    const f = this.primary(role);
    return f.ascent / f.unitsPerEm;
  }

  /** Width of runs at the current size. */
  widthOf(runs: readonly Run[]): number {
    return runs.reduce((s, r) => s + this.measurer.width(r.text, r.font), 0);
  }

  /**
   * Lines of at most `maxWidth`: explicit newlines kept, breaks at spaces and between CJK
   * characters, a piece wider than a line broken between characters.
   */
  wrap(runs: readonly Run[], maxWidth: number): RunLine[] {
    // Pieces per paragraph.
    const paragraphs: Piece[][] = [[]];
    let word: Run[] = [];
    const endWord = () => {
      if (word.length) paragraphs.at(-1)!.push(this.piece(word, false));
      word = [];
    };
    for (const run of runs) {
      const one = (text: string): Run => (run.rtl ? { text, font: run.font, rtl: true } : { text, font: run.font });
      for (const ch of Array.from(run.text)) {
        if (ch === '\n') {
          endWord();
          paragraphs.push([]);
        } else if (ch === ' ') {
          endWord();
          paragraphs.at(-1)!.push(this.piece([one(' ')], true));
        } else if (CJK.test(ch)) {
          endWord();
          paragraphs.at(-1)!.push(this.piece([one(ch)], false));
        } else appendTo(word, one(ch));
      }
    }
    endWord();

    const lines: RunLine[] = [];
    for (const pieces of paragraphs) {
      let line: Piece[] = [];
      let width = 0;
      const flush = () => {
        while (line.length && line.at(-1)!.space) width -= line.pop()!.width;
        lines.push({ runs: mergeRuns(line.flatMap((p) => p.runs)), width });
        line = [];
        width = 0;
      };
      for (const piece of pieces) {
        if (!line.length && piece.space) continue; // no leading spaces on a wrapped line
        if (width + piece.width <= maxWidth) {
          line.push(piece);
          width += piece.width;
          continue;
        }
        if (line.length) flush();
        if (piece.space) continue;
        if (piece.width <= maxWidth) {
          line.push(piece);
          width = piece.width;
          continue;
        }
        // Wider than a line on its own: break it between characters.
        for (const run of piece.runs) {
          for (const ch of Array.from(run.text)) {
            const w = this.measurer.width(ch, run.font);
            if (line.length && width + w > maxWidth) flush();
            line.push({ runs: [{ ...run, text: ch }], width: w, space: false });
            width += w;
          }
        }
      }
      flush();
    }
    return lines;
  }

  private piece(runs: Run[], space: boolean): Piece {
    return { runs, width: this.widthOf(runs), space };
  }
}

function appendTo(runs: Run[], next: Run): void {
  const last = runs.at(-1);
  if (last && last.font === next.font && !!last.rtl === !!next.rtl) last.text += next.text;
  else runs.push({ ...next });
}

function mergeRuns(runs: readonly Run[]): Run[] {
  const out: Run[] = [];
  for (const r of runs) appendTo(out, r);
  return out;
}

/** The pieces of a run in the order they are placed from left to right: an RTL run's words reversed. */
export function placementOrder(run: Run): string[] {
  if (!run.rtl) return [run.text];
  return run.text.split(/( +)/).filter(Boolean).reverse();
}
