import type * as EngineModule from '../../promptFiles/index';

export type PromptFileEngine = typeof EngineModule;

let engine: PromptFileEngine | undefined;

/**
 * The prompt-file engine (dist/promptFiles.js, a separate bundle with the `yaml` parser), loaded when a prompt file
 * is first opened or a prompt-file command first runs: activation never pays for it.
 */
export function loadPromptFileEngine(): PromptFileEngine {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy require of the sibling bundle is the point
  engine ??= require('./promptFiles.js') as PromptFileEngine;
  return engine;
}

export function isPromptFileEngineLoaded(): boolean {
  return engine !== undefined;
}
