// ESLint (flat config): typescript-eslint's recommended rules over the TypeScript and JavaScript of src/,
// webview/, test/, bench/ and scripts/. core/ is AssemblyScript (its own compiler checks it); dist/ and out/ are built.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'core/**', 'node_modules/**', '.vscode-test/**', '**/*.vsix'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: { ...globals.node, ...globals.browser, acquireVsCodeApi: 'readonly' } },
  },
  {
    files: ['**/*.{js,cjs}'],
    // CommonJS files (a test VS Code extension, stubs of `vscode`) load modules with require(): that is their import.
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    rules: {
      // `_name` marks a value that is destructured or received only to be left out (`const { start: _start, ...rest }`).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
    },
  },
);
