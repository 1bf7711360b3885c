import { readdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, externalizeDepsPlugin } from 'electron-vite';
import { rendererConfig } from './src-renderer/vite.config.ts';

const __dirname = dirname(fileURLToPath(import.meta.url));

/** Worker-thread entries (`src-main/core/**\/*-worker.ts`) are emitted beside the main bundle. */
function workerEntries(dir = resolve(__dirname, 'src-main/core')): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = resolve(dir, e.name);
    if (e.isDirectory()) Object.assign(out, workerEntries(full));
    else if (e.name.endsWith('-worker.ts')) out[e.name.replace(/\.ts$/, '')] = full;
  }
  return out;
}

// Roots: src-main (main process + preload) and src-renderer (Svelte UI).
export default defineConfig({
  main: {
    plugins: [externalizeDepsPlugin()],
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src-main/index.ts'),
          // The core host: a utility process the main process forks (src-main/host/).
          'core-host': resolve(__dirname, 'src-main/host/core-host-main.ts'),
          ...workerEntries(),
        },
        // Chunks sit beside the entries, not in chunks/: code in a chunk finds its workers with
        // `new URL('./x-worker.ts', import.meta.url)`, which must point into out/main itself.
        output: { entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
      },
    },
  },
  preload: {
    plugins: [externalizeDepsPlugin({ exclude: ['zod'] })],
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { preload: resolve(__dirname, 'src-main/preload.ts') },
        // A sandboxed preload cannot be an ES module.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: rendererConfig,
});
