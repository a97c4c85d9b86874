// Flat ESLint config: typescript-eslint's type-aware rules, and a rule that keeps src/core pure.
import tseslint from 'typescript-eslint';

const PROMPT_FILE_ENGINE = { group: ['**/core/promptFiles/*', '**/promptFiles/index'], allowTypeImports: true, message: 'Load the prompt-file engine through src/vscode/promptFiles/engine.ts; type imports are fine.' };

// The command-only code, by folder of src/vscode: the lazy bundle dist/commands.js (entry src/commands/index.ts),
// loaded on the first command that needs it. What runs at activation or without a command stays outside it.
const COMMAND_MODULES = {
  runs: ['commands', 'completion', 'scoring', 'samples', 'loggedResponses', 'loggedRuns', 'answerRun', 'inserter', 'target'],
  endpoints: ['profiles', 'firstRun', 'check'],
  history: ['runCommands', 'comparison'],
  steering: ['commands', 'branch', 'targets', 'probes'],
  inspector: ['panel', 'throttle'],
  promptFiles: ['commands', 'runner', 'resultsWriter', 'classify', 'calibrationPanel'],
};
const COMMAND_FILES = ['src/commands/**', ...Object.entries(COMMAND_MODULES).flatMap(([folder, names]) => names.map((name) => `src/vscode/${folder}/${name}.ts`))];
// Their imports as the main bundle's code would write them: `./name` beside it, `../folder/name`, `./vscode/folder/name`;
// and the entry, `../commands/index`.
const COMMANDS_BUNDLE = {
  regex: `^(?:(?:\\.\\.?/)+commands(?:/index)?|${Object.entries(COMMAND_MODULES).map(([folder, names]) => `(?:\\.|\\.\\./${folder}|(?:\\.\\.?/)*vscode/${folder})/(?:${names.join('|')})`).join('|')})$`,
  allowTypeImports: true,
  message: 'Command-only code is the lazy bundle dist/commands.js: reach it through src/vscode/commandsLoader.ts (LazyCommands); type imports are fine.',
};

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
    files: ['src/client/**', 'src/tokenizer/**', 'src/runTools/**', ...COMMAND_FILES],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [PROMPT_FILE_ENGINE] }] },
  },
  {
    // The same for the main bundle's code, which also reaches the command-only code only through its loader, so that
    // activation never loads it (the same rule: the last block naming a rule for a file is the one that applies).
    files: ['src/**/*.ts'],
    ignores: ['src/core/**', 'src/promptFiles/**', 'src/webview/**', 'src/client/**', 'src/tokenizer/**', 'src/runTools/**', ...COMMAND_FILES],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [PROMPT_FILE_ENGINE, COMMANDS_BUNDLE] }] },
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
