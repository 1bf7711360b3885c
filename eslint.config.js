import svelte from 'eslint-plugin-svelte';
import tseslint from 'typescript-eslint';
import svelteConfig from './src-renderer/svelte.config.js';

/** The Node and native modules the sandboxed renderer must not import (it also runs in a plain browser). */
const nodeModules = [
  { group: ['node:*'], message: 'The renderer must not import Node modules; call the core through src-renderer/src/lib/api.ts.' },
  {
    group: ['fs', 'path', 'child_process', 'os', 'crypto', 'electron', 'better-sqlite3', 'sharp', '@tensorflow/*'],
    message: 'The renderer must not import Node or native modules.',
  },
];

/**
 * The renderer reaches src-main/ only through the IPC contract: types from src-main/ipc/contract.ts
 * (which re-exports the payload types, contract/types.ts) and the few pure run-time helpers from
 * src-main/ipc/contract/shared.ts. Anything else (core/, ipc/methods/, handlers) is an error, type
 * imports included; contract.ts itself only as `import type` (its run-time imports, the zod
 * schemas, do not belong in the UI bundle). test/unit/renderer/import-boundary.test.ts runs these.
 */
const rendererBoundary = [
  {
    regex: '(^|/)src-main/(?!ipc/contract\\.ts$|ipc/contract/shared\\.ts$)',
    message:
      'The renderer imports from src-main/ only through the IPC contract: types from src-main/ipc/contract.ts, ' +
      'pure helpers from src-main/ipc/contract/shared.ts (re-export what is missing there; never import core/ directly).',
  },
  {
    regex: '(^|/)src-main/ipc/contract\\.ts$',
    allowTypeImports: true,
    message: 'Import only types from src-main/ipc/contract.ts (`import type`); run-time helpers come from src-main/ipc/contract/shared.ts.',
  },
];

const noElectron = {
  name: 'electron',
  message: 'core/, cli/, server/ and ipc/ must not import electron; keep Electron glue in src-main/index.ts and preload.ts.',
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'test-artifacts/**', 'resources/**'] },
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // Svelte components (and .svelte.ts rune modules): <script lang="ts"> parsed by typescript-eslint.
    files: ['src-renderer/**/*.svelte', 'src-renderer/**/*.svelte.ts'],
    languageOptions: {
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'], svelteConfig },
    },
    rules: {
      // Plain Map/Set here are deliberate (listener sets, pointer tracking, a cache of $state objects); reactive ones already use SvelteMap.
      'svelte/prefer-svelte-reactivity': 'off',
      // {' '} keeps a space at the start of an {#if} block, which Svelte 5 trims from literal text; the rule cannot tell.
      'svelte/no-useless-mustaches': 'off',
    },
  },
  {
    // Domain code is plain Node: the CLI, the bridge and the tests call it without Electron.
    files: ['src-main/core/**/*.ts', 'src-main/cli/**/*.ts', 'src-main/server/**/*.ts', 'src-main/ipc/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [noElectron] }],
    },
  },
  {
    // The core host runs in plain Node too (tests fork it); only its Electron spawner imports electron.
    files: ['src-main/host/**/*.ts'],
    ignores: ['src-main/host/utility-process.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'electron', message: 'host/ runs in plain Node too; Electron glue goes in host/utility-process.ts or src-main/index.ts.' }] },
      ],
    },
  },
  {
    // The layers point down: the front-ends (ipc/, cli/, server/, host/) call core/, never the reverse.
    files: ['src-main/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron],
          patterns: [
            {
              regex: '^(\\.\\./)+(ipc|cli|server|host)/',
              message: 'core/ must not import the front-ends (ipc/, cli/, server/, host/): they are adapters over core/ (docs/architecture.md).',
            },
          ],
        },
      ],
    },
  },
  {
    // The renderer runs sandboxed in a browser: no Node modules, and src-main/ only through the
    // contract. (typescript-eslint's no-restricted-imports: the core rule plus allowTypeImports.)
    files: ['src-renderer/**/*.ts', 'src-renderer/**/*.svelte'],
    ignores: ['src-renderer/vite.config.ts'], // the build's own config, run by Node, not shipped
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [...nodeModules, ...rendererBoundary] }],
    },
  },
);
