import type * as TokenizerModule from '../tokenizer/index';

/**
 * OpenAI's tokenizers (dist/tokenizer.js, a separate bundle of ~3.6 MB of rank tables), loaded the first time a
 * token must be keyed by id for logit_bias: activation and the other commands never pay for them. Stateless, as
 * clientLoader.ts is, whichever bundle calls it.
 */
export function loadTokenizer(): typeof TokenizerModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy require of the sibling bundle is the point
  return require('./tokenizer.js') as typeof TokenizerModule;
}

export function isTokenizerLoaded(): boolean {
  return require.cache[require.resolve('./tokenizer.js')] !== undefined;
}
