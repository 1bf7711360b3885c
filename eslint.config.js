import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'test-artifacts/**', 'resources/**', '**/*.svelte'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // Domain code is plain Node: the CLI, the bridge and the tests call it without Electron.
    files: ['src-main/core/**/*.ts', 'src-main/cli/**/*.ts', 'src-main/server/**/*.ts', 'src-main/ipc/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'core/, cli/, server/ and ipc/ must not import electron; keep Electron glue in src-main/index.ts and preload.ts.' }] }],
    },
  },
  {
    // The renderer runs sandboxed in a browser: no Node modules.
    files: ['src-renderer/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'The renderer must not import Node modules; call the core through src-renderer/src/lib/api.ts.' },
            { group: ['fs', 'path', 'child_process', 'os', 'crypto', 'electron', 'better-sqlite3', 'sharp', '@tensorflow/*'], message: 'The renderer must not import Node or native modules.' },
          ],
        },
      ],
    },
  },
);
