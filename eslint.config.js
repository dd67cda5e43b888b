// ESLint (flat config): the recommended JavaScript and typescript-eslint rules, and Vigil's layering
// (lint/plugin.mjs: the folder map and no import cycles) over every TypeScript file. `npm run lint`.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import vigil from './lint/plugin.mjs';

export default defineConfig(
  { ignores: ['dist/', 'native/', 'resources/', 'test-results/', '.vigil/', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  { files: ['**/*.{ts,tsx,mts,cts}'], extends: [js.configs.recommended, tseslint.configs.recommended] },
  {
    files: ['**/*.{ts,tsx,mts,cts}'],
    plugins: { vigil },
    rules: {
      'vigil/folder-map': 'error',
      'vigil/no-cycle': 'error',
      // `const { path: _path, ...rest } = t` is how a field is left out of a copy.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
    },
  },
);
