import type * as ClientModule from '../client/index';

/**
 * The model client with the `openai` SDK, loaded on the first request (dist/client.js, a separate bundle):
 * activation never pays the ~400 KB of the SDK. Stateless on purpose: the main bundle and the lazy commands bundle
 * each hold a copy of this file, and Node's module cache is the one record both read.
 */
export function loadClient(): typeof ClientModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy require of the sibling bundle is the point
  return require('./client.js') as typeof ClientModule;
}

export function isClientLoaded(): boolean {
  return require.cache[require.resolve('./client.js')] !== undefined;
}
