import type * as RunToolsModule from '../../runTools/index';

/**
 * Comparison and exports (dist/runTools.js, a bundle of its own with the diff library), loaded on first use.
 * Stateless, as clientLoader.ts is, whichever bundle calls it.
 */
export function loadRunTools(): typeof RunToolsModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy require of the sibling bundle is the point
  return require('./runTools.js') as typeof RunToolsModule;
}
