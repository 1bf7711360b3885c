import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ROOT_DIR } from '../core/paths.ts';

export const RENDERER_OUT = path.join(ROOT_DIR, 'out', 'renderer');
const SOURCES = [path.join(ROOT_DIR, 'src-renderer'), path.join(ROOT_DIR, 'src-main', 'ipc')];

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Whether out/renderer is missing or older than the renderer sources (in a source checkout). */
export function rendererIsStale(): boolean {
  const index = path.join(RENDERER_OUT, 'index.html');
  if (!existsSync(index)) return true;
  if (!SOURCES.every(existsSync)) return false; // packaged: no sources to compare with
  const built = statSync(index).mtimeMs;
  return SOURCES.some((dir) => newestMtime(dir) > built);
}

/** Builds the renderer with Vite when needed (a source checkout without a fresh build). */
export async function ensureRendererBuilt(log: (line: string) => void = () => {}): Promise<string> {
  if (!rendererIsStale()) return RENDERER_OUT;
  log('building the UI (once, takes a few seconds)...');
  const { build } = await import('vite');
  await build({ configFile: path.join(ROOT_DIR, 'src-renderer', 'vite.config.ts'), logLevel: 'warn' });
  return RENDERER_OUT;
}
