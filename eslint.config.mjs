import tseslint from 'typescript-eslint';
import { layers } from './tools/lint/layers.mjs';

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'media/*.js'] },
  ...tseslint.configs.recommended,
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'tools/bench/**/*.ts', 'tools/eval/**/*.ts'],
    languageOptions: { parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // The panel script runs in the webview (DOM), type-checked by its own tsconfig.
    files: ['media/**/*.ts'],
    languageOptions: { parserOptions: { project: './media/tsconfig.json', tsconfigRootDir: import.meta.dirname } },
    rules: { '@typescript-eslint/no-floating-promises': 'error' },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { onnxAssist: { rules: { layers } } },
    rules: { 'onnxAssist/layers': 'error' },
  },
);
