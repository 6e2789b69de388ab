// ESLint (flat config): typescript-eslint's recommended rules over the TypeScript and JavaScript of src/,
// webview/, test/, bench/ and scripts/. core/ is AssemblyScript (its own compiler checks it); dist/ and out/ are built.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** The globals of Node and of a browser page/worker that the plain JavaScript files use (TypeScript checks its own). */
const nodeGlobals = Object.fromEntries(
  ['process', 'console', 'Buffer', 'URL', 'URLSearchParams', 'TextEncoder', 'TextDecoder', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval',
    'setImmediate', 'queueMicrotask', 'structuredClone', 'performance', 'fetch', 'AbortController', 'AbortSignal', 'WebAssembly', 'globalThis',
    'require', 'module', 'exports', '__dirname', '__filename'].map((name) => [name, 'readonly']),
);
const browserGlobals = Object.fromEntries(
  ['window', 'document', 'navigator', 'self', 'postMessage', 'addEventListener', 'requestAnimationFrame', 'getComputedStyle', 'HTMLElement', 'Event',
    'CustomEvent', 'MessageEvent', 'Worker', 'Blob', 'acquireVsCodeApi'].map((name) => [name, 'readonly']),
);

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'core/**', 'node_modules/**', '.vscode-test/**', '**/*.vsix'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: { ...nodeGlobals, ...browserGlobals } },
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
