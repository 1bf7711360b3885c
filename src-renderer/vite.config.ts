import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The renderer build, shared by electron-vite (desktop) and `countersign serve` (browser). */
export const rendererConfig = {
  root: here,
  base: './',
  plugins: [svelte()],
  build: {
    outDir: path.resolve(here, '../out/renderer'),
    emptyOutDir: true,
    target: 'chrome120',
    reportCompressedSize: false,
    rollupOptions: { input: path.resolve(here, 'index.html') },
  },
};

export default defineConfig(rendererConfig);
