// Flat ESLint config: typescript-eslint's type-aware rules, and a rule that keeps src/core pure.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.cache/**', '.vscode-test/**', 'test-artifacts/**', 'esbuild.js'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'smart'],
      curly: ['error', 'multi-line'],
    },
  },
  {
    // The SDK is ~400 KB: only the loader may load the client bundle, so activation never pays for it.
    files: ['src/**/*.ts'],
    ignores: ['src/client/**', 'src/vscode/clientLoader.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/client', '**/client/*'], allowTypeImports: true, message: 'Load the client through src/vscode/clientLoader.ts; type imports are fine.' }],
      }],
    },
  },
  {
    // The prompt-file engine (the `yaml` parser and the prompt-file core) is a lazy bundle of its own: the extension's
    // code reaches it only through vscode/promptFiles/engine.ts. A rule of its own name, so the client's still applies.
    files: ['src/**/*.ts'],
    ignores: ['src/core/**', 'src/promptFiles/**', 'src/webview/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [{ group: ['**/core/promptFiles/*', '**/promptFiles/index'], allowTypeImports: true, message: 'Load the prompt-file engine through src/vscode/promptFiles/engine.ts; type imports are fine.' }],
      }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'src/core is pure: no vscode import (adapters live in src/vscode).' },
          { name: 'openai', message: 'src/core is pure: the SDK lives in src/client.' }],
        patterns: [{ group: ['../vscode/*', '../client/*'], message: 'src/core never depends on adapters.' }],
      }],
    },
  },
  {
    files: ['src/client/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'The client runs in plain Node.' }] }],
    },
  },
  {
    // The real-editor harness is plain ESM run by Node 24 outside the TypeScript project.
    files: ['**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: { console: 'readonly', process: 'readonly', fetch: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', document: 'readonly', window: 'readonly', getComputedStyle: 'readonly', NodeFilter: 'readonly' } },
  },
);
