import type * as EngineModule from '../../promptFiles/index';

export type PromptFileEngine = typeof EngineModule;

/**
 * The prompt-file engine (dist/promptFiles.js, a separate bundle with the `yaml` parser), loaded when a prompt file
 * is first opened or a prompt-file command first runs: activation never pays for it. Stateless, as clientLoader.ts
 * is: the main bundle and the lazy commands bundle each hold a copy of this file, and both read Node's module cache.
 */
export function loadPromptFileEngine(): PromptFileEngine {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy require of the sibling bundle is the point
  return require('./promptFiles.js') as PromptFileEngine;
}

export function isPromptFileEngineLoaded(): boolean {
  return require.cache[require.resolve('./promptFiles.js')] !== undefined;
}
