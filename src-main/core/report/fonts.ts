import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors.ts';
import { RESOURCES_DIR } from '../paths.ts';

/**
 * The report embeds DejaVu (Latin, Greek, Cyrillic) from resources/fonts so it never
 * depends on the fonts of the machine that writes it. Files are read once per process.
 */
export const FONT_FILES = {
  sans: 'DejaVuSans.ttf',
  bold: 'DejaVuSans-Bold.ttf',
  mono: 'DejaVuSansMono.ttf',
} as const;

export type FontRole = keyof typeof FONT_FILES;

let cache: Record<FontRole, Buffer> | null = null;

export function reportFonts(fontsDir = path.join(RESOURCES_DIR, 'fonts')): Record<FontRole, Buffer> {
  if (cache) return cache;
  const load = (file: string) => {
    const p = path.join(fontsDir, file);
    try {
      return readFileSync(p);
    } catch {
      throw new AppError('UNAVAILABLE', `${p}: report font missing (resources/fonts ships DejaVu Sans)`);
    }
  };
  cache = { sans: load(FONT_FILES.sans), bold: load(FONT_FILES.bold), mono: load(FONT_FILES.mono) };
  return cache;
}
