import type * as ClientModule from '../client/index';

let client: typeof ClientModule | undefined;

/**
 * The model client with the `openai` SDK, loaded on the first request (dist/client.js, a separate bundle):
 * activation never pays the ~400 KB of the SDK.
 */
export function loadClient(): typeof ClientModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy require of the sibling bundle is the point
  client ??= require('./client.js') as typeof ClientModule;
  return client;
}

export function isClientLoaded(): boolean {
  return client !== undefined;
}
