import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'test/artifacts/**', '*.config.js', '*.config.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['error'] }],
      // noUncheckedIndexedAccess types every a[i] as possibly undefined; loops within checked
      // bounds assert it instead of branching on the hot path.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // Typed rules: a promise nobody awaits or catches, or one handed where a callback's result is
    // ignored, is an unhandled rejection waiting to happen (the process shell treats those as fatal).
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  { files: ['test/**', 'bench/**', 'ingest/simulator/cli.ts'], rules: { 'no-console': 'off', '@typescript-eslint/no-non-null-assertion': 'off' } },
);
