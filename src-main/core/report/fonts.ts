import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { AppError } from '../errors.ts';
import { RESOURCES_DIR } from '../paths.ts';

/**
 * The report embeds DejaVu (Latin, Greek, Cyrillic, Armenian, Georgian, Hebrew, Arabic) from
 * resources/fonts so it never depends on the fonts of the machine that writes it, and falls
 * back to the fonts in resources/fonts/fallback (WenQuanYi Micro Hei for Chinese, Japanese
 * and Korean; Noto for the scripts of South and South-East Asia, Ethiopic, Thaana, Tibetan,
 * and the Arabic letters DejaVu lacks) for any other script. Files are read once per process.
 */
export const FONT_FILES = {
  sans: 'DejaVuSans.ttf',
  bold: 'DejaVuSans-Bold.ttf',
  mono: 'DejaVuSansMono.ttf',
} as const;

export type FontRole = keyof typeof FONT_FILES;

export interface FallbackFont {
  /** The name the font is registered under in the PDF document. */
  name: string;
  file: string;
  /** The face, in a font collection (.ttc). */
  face?: string;
  /** The characters this font is chosen for when the primary font lacks them. */
  script: RegExp;
}

const noto = (script: string, file = `NotoSans${script}-Regular.ttf`): FallbackFont => ({
  name: `Fallback-${script}`,
  file,
  script: new RegExp(`\\p{Script=${script}}`, 'u'),
});

/** In order of preference; the first whose script matches a character is tried for it. */
export const FALLBACK_FONTS: readonly FallbackFont[] = [
  {
    name: 'Fallback-CJK',
    file: 'wqy-microhei.ttc',
    face: 'WenQuanYiMicroHei',
    // Han, kana, Hangul, bopomofo, and the CJK punctuation and full-width forms (script Common)
    script:
      /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Bopomofo}\u2e80-\u2fff\u3000-\u303f\u3190-\u31ff\u3200-\u33ff\ufe30-\ufe4f\uff00-\uffef]/u,
  },
  ...[
    'Arabic',
    'Devanagari',
    'Bengali',
    'Gurmukhi',
    'Gujarati',
    'Oriya',
    'Tamil',
    'Telugu',
    'Kannada',
    'Malayalam',
    'Sinhala',
    'Thai',
    'Lao',
    'Khmer',
    'Myanmar',
    'Ethiopic',
    'Thaana',
  ].map((s) => noto(s)),
  noto('Tibetan', 'NotoSerifTibetan-Regular.ttf'),
];

let cache: Record<FontRole, Buffer> | null = null;
const defaultDir = () => path.join(RESOURCES_DIR, 'fonts');

function load(p: string): Buffer {
  try {
    return readFileSync(p);
  } catch {
    throw new AppError('UNAVAILABLE', `${p}: report font missing (resources/fonts ships DejaVu Sans and the fallback fonts)`);
  }
}

export function reportFonts(fontsDir = defaultDir()): Record<FontRole, Buffer> {
  if (cache) return cache;
  const file = (f: string) => load(path.join(fontsDir, f));
  cache = { sans: file(FONT_FILES.sans), bold: file(FONT_FILES.bold), mono: file(FONT_FILES.mono) };
  return cache;
}

const fallbackCache = new Map<string, Buffer>();

/** A fallback font's file, read when a report first needs it. */
export function fallbackFontData(font: FallbackFont, fontsDir = defaultDir()): Buffer {
  let data = fallbackCache.get(font.file);
  if (!data) {
    data = load(path.join(fontsDir, 'fallback', font.file));
    fallbackCache.set(font.file, data);
  }
  return data;
}

/** The parts of a fontkit font the report uses: which characters it has, and its metrics. */
export interface FontCoverage {
  hasGlyphForCodePoint(codePoint: number): boolean;
  ascent: number;
  unitsPerEm: number;
}

// pdfkit lays text out with fontkit; the report asks the same fontkit which characters a font has.
const fontkit = createRequire(createRequire(import.meta.url).resolve('pdfkit'))('fontkit') as {
  create(data: Buffer, postscriptName?: string): FontCoverage;
};
const coverageCache = new Map<string, FontCoverage>();

/** Which characters a font has (`key` names it: a role's file or a fallback's name). */
export function fontCoverage(key: string, data: () => Buffer, face?: string): FontCoverage {
  let c = coverageCache.get(key);
  if (!c) {
    c = fontkit.create(data(), face);
    coverageCache.set(key, c);
  }
  return c;
}
