import type * as TokenizerModule from '../tokenizer/index';

let tokenizer: typeof TokenizerModule | undefined;

/**
 * OpenAI's tokenizers (dist/tokenizer.js, a separate bundle of ~3.6 MB of rank tables), loaded the first time a
 * token must be keyed by id for logit_bias: activation and the other commands never pay for them.
 */
export function loadTokenizer(): typeof TokenizerModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy require of the sibling bundle is the point
  tokenizer ??= require('./tokenizer.js') as typeof TokenizerModule;
  return tokenizer;
}

export function isTokenizerLoaded(): boolean {
  return tokenizer !== undefined;
}
