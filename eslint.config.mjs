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
    // The SDK is ~400 KB and the tokenizer's rank tables ~3.6 MB: only their loaders may load these bundles, so
    // activation never pays for them.
    files: ['src/**/*.ts'],
    ignores: ['src/client/**', 'src/runTools/**', 'src/tokenizer/**', 'src/vscode/clientLoader.ts', 'src/vscode/history/runToolsLoader.ts', 'src/vscode/tokenizerLoader.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/client', '**/client/*'], allowTypeImports: true, message: 'Load the client through src/vscode/clientLoader.ts; type imports are fine.' },
          { group: ['**/tokenizer', '**/tokenizer/*'], allowTypeImports: true, message: 'Load the tokenizer through src/vscode/tokenizerLoader.ts; type imports are fine.' },
          { group: ['**/runTools', '**/runTools/*', '**/core/runs/compare', '**/core/runs/export/*'], allowTypeImports: true, message: 'Load comparison and exports through src/vscode/history/runToolsLoader.ts; type imports are fine.' },
        ],
      }],
    },
  },
  {
    // Text we did not write reaches notifications: only notify.ts shows them, after making that text inert.
    files: ['src/**/*.ts'],
    ignores: ['src/vscode/notify.ts'],
    rules: {
      'no-restricted-syntax': ['error', {
        selector: 'MemberExpression[property.name=/^(showErrorMessage|showWarningMessage|showInformationMessage|setStatusBarMessage)$/]',
        message: 'Show messages through src/vscode/notify.ts, which makes outside text inert.',
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
        patterns: [{ group: ['../vscode/*', '../client/*', '../tokenizer/*'], message: 'src/core never depends on adapters or bundles.' }],
      }],
    },
  },
  {
    files: ['src/client/**/*.ts', 'src/tokenizer/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'The client and tokenizer bundles run in plain Node.' }],
        patterns: [{ group: ['../vscode/*', '../tokenizer/*', '../client/*'], allowTypeImports: true, message: 'A bundle does not load another: the extension passes what it needs.' }],
      }],
    },
  },
  {
    // The real-editor harness is plain ESM run by Node 24 outside the TypeScript project.
    files: ['**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: { console: 'readonly', process: 'readonly', fetch: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', document: 'readonly', window: 'readonly', getComputedStyle: 'readonly', NodeFilter: 'readonly' } },
  },
);
