import type * as RunToolsModule from '../../runTools/index';

let runTools: typeof RunToolsModule | undefined;

/** Comparison and exports (dist/runTools.js, a bundle of its own with the diff library), loaded on first use. */
export function loadRunTools(): typeof RunToolsModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy require of the sibling bundle is the point
  runTools ??= require('./runTools.js') as typeof RunToolsModule;
  return runTools;
}
